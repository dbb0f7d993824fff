"""What the complaints app holds about a person, for the PIPL export and erasure (``core.pii``).

Erasure replaces whole every free text of the person's complaints — the description and the
result notice, every timeline note (progress messages, callback notes, the reasons of waits and
extensions), the evidence notes and file names, the clocks' extension reasons, and the bodies of
the progress messages and result notices the customer was sent (they quote those texts). The
evidence files themselves are ``core.Document`` rows reached through ``ComplaintDocument``: the
erasure's file step deletes them from storage (``customers.pipl``)."""

from django.db.models import Q

from core.pii import PLACEHOLDER, Handler, document_summary, fields_of
from notifications.models import Notification

from .choices import MessageKind
from .models import Complaint, ComplaintClock, ComplaintDocument, ComplaintEvent

# the messages to the customer that quote a handler's free text (customer_messages)
QUOTING = (f"complaint_{MessageKind.PROGRESS}", f"complaint_{MessageKind.RESULT}")


def complaints_export(customer, ctx) -> list:
    complaints = Complaint.objects.filter(customer=customer).select_related("order").order_by("id")
    documents: dict[int, list] = {}
    for row in ComplaintDocument.objects.filter(complaint__customer=customer).select_related("document").order_by("id"):
        documents.setdefault(row.complaint_id, []).append({"note": row.note, "file": document_summary(row.document)})
    return [
        {
            **fields_of(c, ["channel", "description", "status", "received_at", "measures", "result", "follow_up"]),
            "order": c.order.number if c.order_id else None,
            "evidence": documents.get(c.pk, []),
        }
        for c in complaints
    ]


def complaints_erase(customer, ctx) -> None:
    complaints = Complaint.objects.filter(customer=customer)
    complaints.update(description=PLACEHOLDER)
    for name in ("measures", "result", "follow_up"):  # the result notice may quote the customer
        complaints.exclude(**{name: ""}).update(**{name: PLACEHOLDER})
    events = ComplaintEvent.objects.filter(complaint__customer=customer)
    events.exclude(note="").update(note=PLACEHOLDER)
    for event in events.filter(payload__has_key="name").only("pk", "payload"):  # an evidence file's name
        ComplaintEvent.objects.filter(pk=event.pk).update(payload={**event.payload, "name": PLACEHOLDER})
    ComplaintDocument.objects.filter(complaint__customer=customer).exclude(note="").update(note=PLACEHOLDER)
    clocks = ComplaintClock.objects.filter(complaint__customer=customer).exclude(extension_reason="")
    reasons = sorted(set(clocks.values_list("extension_reason", flat=True)), key=len, reverse=True)
    clocks.update(extension_reason=PLACEHOLDER)
    if ctx.user is None:
        return
    told = Notification.objects.filter(recipient=ctx.user)
    told.filter(kind__in=QUOTING).filter(~Q(body=PLACEHOLDER)).update(body=PLACEHOLDER)
    for reason in reasons:  # an extension's message quotes its reason
        for n in told.filter(body__contains=reason).only("pk", "body"):
            Notification.objects.filter(pk=n.pk).update(body=n.body.replace(reason, PLACEHOLDER))


COMPLAINTS = Handler(key="complaints", order=60, export=complaints_export, erase=complaints_erase)
