"""Which complaints an actor may see. Reads start here; missing and forbidden read alike."""

from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.roles import can
from core.errors import NotFound

from .choices import OPEN_STATUSES
from .models import Complaint


def visible_to(actor, qs=None):
    qs = Complaint.objects.all() if qs is None else qs
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return qs.none()
    if can(actor, "complaint.view_all"):
        return qs
    if actor.role == Role.CUSTOMER:
        return qs.filter(customer__user=actor)
    return qs.none()


def complaint_for_update(*, complaint_id: int, actor) -> Complaint:
    complaint = visible_to(actor).select_for_update().filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound(_("Complaint not found."))
    return complaint


def handler_calls_customer(order, actor) -> bool:
    """A contact grant (``service.extensions``): a complaint handler may reveal the phone and
    address of an order whose customer has an open complaint, to call them about it (SPEC §5).
    One query, asked for one order at a time."""
    if actor.role != Role.COMPLAINT_HANDLER:
        return False
    return visible_to(actor).filter(customer_id=order.customer_id, status__in=OPEN_STATUSES).exists()
