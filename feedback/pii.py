"""What the feedback app holds about a person, for the PIPL export and erasure (``core.pii``):
survey comments and free-text answers, follow-up notes."""

from core.pii import PLACEHOLDER, Handler, fields_of

from .models import Answer, FollowUp, Response


def feedback_export(customer, ctx) -> list:
    surveys = [
        fields_of(r, ["answered_at", "score", "satisfied", "comment", "channel"])
        for r in Response.objects.filter(customer=customer).order_by("id")
    ]
    followups = [
        fields_of(f, ["reason", "status", "outcome", "note", "due_at", "done_at"])
        for f in FollowUp.objects.filter(customer=customer).order_by("id")
    ]
    return [{"surveys": surveys, "followups": followups}]


def feedback_erase(customer, ctx) -> None:
    Response.objects.filter(customer=customer).exclude(comment="").update(comment=PLACEHOLDER)
    Answer.objects.filter(response__customer=customer).exclude(text="").update(text=PLACEHOLDER)
    FollowUp.objects.filter(customer=customer).exclude(note="").update(note=PLACEHOLDER)


FEEDBACK = Handler(key="feedback", order=70, export=feedback_export, erase=feedback_erase)
