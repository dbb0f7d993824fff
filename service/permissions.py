"""Object scope: which work orders an actor may see. Reads start here."""

from accounts.choices import Role
from accounts.roles import can

from .models import WorkOrder


def visible_to(actor, qs=None):
    qs = WorkOrder.objects.all() if qs is None else qs
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return qs.none()
    if can(actor, "order.view_all"):
        return qs
    if actor.role == Role.ENGINEER:
        return qs.filter(assignee=actor)
    if actor.role == Role.CUSTOMER:
        return qs.filter(customer__user=actor)
    return qs.none()


def sees_unmasked_pii(actor, order=None) -> bool:
    """Back-office roles that need it, the customer themself, and the order's engineer."""
    if can(actor, "pii.view_unmasked"):
        return True
    if order is not None and actor.role == Role.ENGINEER and order.assignee_id == actor.pk:
        return True
    if order is not None and actor.role == Role.CUSTOMER:
        return True  # visible_to already limited a customer to their own orders
    return False
