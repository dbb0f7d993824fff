"""What the customer is told about their complaint, and when (docs/complaints.md).

Each kind is a translated template rendered in the customer's own language
(``notifications.preferences``) and sent through the channels they chose; the services call
``customer_notify`` inside their transaction, after their own event row, so the notification
rows and the complaint's ``customer_notified`` event share the commit of the change they
announce.

- acknowledgement (``acknowledge``): the expected handling time (预计处理时间), the
  resolution clock's deadline;
- progress (a handler's "send progress message"): the handler's text;
- callback (``complaint_callback_set``): the agreed time of the call;
- result notice (``resolve``): measures taken, result, follow-up;
- closure (``close``).

An extension is told by the SLA engine itself (``sla.clocks.extend``, the complaint case
type's texts, ``complaints/clocks.py``).
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.services import Message, channels_label, channels_used, notify_many

from .choices import EventType, MessageKind
from .models import Complaint, ComplaintEvent, complaint_number

K = MessageKind
SUBJECTS = {
    K.ACKNOWLEDGEMENT: _("Complaint %(number)s received"),
    K.PROGRESS: _("Complaint %(number)s: progress"),
    K.CALLBACK: _("Complaint %(number)s: we will call you"),
    K.RESULT: _("Complaint %(number)s: result"),
    K.CLOSURE: _("Complaint %(number)s is closed"),
}
ACK_TEXT = _(
    "We have received your complaint %(number)s and take it seriously. A named person in the responsible "
    "department will investigate it and keep you informed."
)
ACK_DUE = _("Expected handling time: by %(resolution_due)s.")
PROGRESS_TEXT = _("Progress on your complaint %(number)s: %(text)s")
CALLBACK_TEXT = _("We will call you about your complaint %(number)s at %(when)s.")
RESULT_MEASURES = _("Measures taken: %(measures)s")
RESULT_RESULT = _("Result: %(result)s")
RESULT_FOLLOW_UP = _("Follow-up: %(follow_up)s")
CLOSURE_TEXT = _("Your complaint %(number)s is closed. Thank you for telling us; we may ask you how satisfied you are.")

ON_ACTION = {
    EventType.ACKNOWLEDGE: K.ACKNOWLEDGEMENT,
    EventType.RESOLVE: K.RESULT,
    EventType.CLOSE: K.CLOSURE,
}


def local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _lines(complaint: Complaint, kind: str, text: str) -> tuple[list, dict]:
    if kind == K.ACKNOWLEDGEMENT:
        due = (
            complaint.clocks.filter(clock="resolution", stopped_at__isnull=True)
            .values_list("due_at", flat=True)
            .first()
        )
        return ([ACK_TEXT, ACK_DUE] if due else [ACK_TEXT]), {"resolution_due": local(due)}
    if kind == K.PROGRESS:
        return [PROGRESS_TEXT], {"text": text[:1000]}
    if kind == K.CALLBACK:
        return [CALLBACK_TEXT], {"when": local(complaint.callback_at)}
    if kind == K.RESULT:
        return [RESULT_MEASURES, RESULT_RESULT, RESULT_FOLLOW_UP], {
            "measures": complaint.measures[:1500],
            "result": complaint.result[:1500],
            "follow_up": complaint.follow_up[:1500],
        }
    return [CLOSURE_TEXT], {}


def customer_notify(complaint: Complaint, kind: str, *, actor, at: dt.datetime, text: str = "") -> ComplaintEvent:
    """Tell the complaint's customer and record it on the timeline (the event says which
    channels carried it; none when the customer has no portal login: the handler calls)."""
    user = complaint.customer.user
    lines, values = _lines(complaint, kind, text)
    values["number"] = complaint_number(complaint.pk)
    rows = []
    if user is not None and user.is_active:
        link = reverse("portal:complaint_detail", kwargs={"complaint_id": complaint.pk})  # the customer's page
        rows = notify_many(
            [Message([user], SUBJECTS[kind], lines, complaint.order_id, f"complaint_{kind}", values, link=link)],
            now=at,
        )
    channels = channels_used(rows)
    return ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor,
        action=EventType.CUSTOMER_NOTIFIED,
        from_status=complaint.status,
        to_status=complaint.status,
        payload={"kind": kind, "channels": channels},
        at=at,
    )


def notified_label(payload: dict) -> str:
    """ "Customer notified: result notice (In-app, SMS)" for the timeline."""
    kinds = dict(MessageKind.choices)
    channels = channels_label(payload.get("channels", ()))
    return gettext("%(event)s: %(kind)s (%(channels)s)") % {
        "event": EventType.CUSTOMER_NOTIFIED.label,
        "kind": kinds.get(payload.get("kind"), payload.get("kind", "")),
        "channels": channels,
    }
