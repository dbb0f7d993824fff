"""What the improvement loop holds about a person, for the PIPL erasure (``core.pii``).

A follow-up of a survey answer that found an issue opens an improvement action whose title and
plan quote the follow-up's note (``subscribers.action_from_followup``). Such an action points to
the answer by ``source_id``, not by a foreign key, so the erasure's walk does not reach it: the
handler links it (and its events) so that they are scrubbed and their audit rows redacted, and
replaces the quoted note whole — before the feedback handler replaces the note itself. The
voice-of-the-customer themes already computed are counts of words; a word that is one of the
person's values (a name the customer wrote) is dropped. Actions opened from a complaint point
to it by a foreign key and are walked like every linked row."""

from core.pii import PLACEHOLDER, Handler
from feedback.models import FollowUp, Response

from .choices import SourceKind
from .models import ImprovementAction, ImprovementActionEvent, VocTheme


def _survey_actions(customer):
    answers = Response.objects.filter(customer=customer).values("pk")
    return ImprovementAction.objects.filter(source_kind=SourceKind.SURVEY, source_id__in=answers)


def improvement_linked(customer, ctx) -> dict:
    actions = set(_survey_actions(customer).values_list("pk", flat=True))
    events = set(ImprovementActionEvent.objects.filter(improvement__in=actions).values_list("pk", flat=True))
    return {ImprovementAction: actions, ImprovementActionEvent: events}


def improvement_erase(customer, ctx) -> None:
    notes = [
        n
        for n in FollowUp.objects.filter(customer=customer, response__isnull=False).values_list("note", flat=True)
        if n.strip()
    ]
    notes.sort(key=len, reverse=True)
    for action in _survey_actions(customer).only("pk", "title"):
        title = action.title
        for note in notes:
            title = title.replace(note, PLACEHOLDER)
        ImprovementAction.objects.filter(pk=action.pk).update(title=title, plan=PLACEHOLDER)
        events = ImprovementActionEvent.objects.filter(improvement=action.pk).exclude(note="")
        for event in events.only("pk", "note"):
            if any(note in event.note for note in notes):
                ImprovementActionEvent.objects.filter(pk=event.pk).update(note=PLACEHOLDER)
    terms = VocTheme.objects.values_list("pk", "term")
    dropped = [pk for pk, term in terms.iterator(chunk_size=2000) if ctx.scrub(term) != term]
    for i in range(0, len(dropped), 500):
        VocTheme.objects.filter(pk__in=dropped[i : i + 500]).delete()


IMPROVEMENT = Handler(key="improvement", order=65, linked=improvement_linked, erase=improvement_erase)
