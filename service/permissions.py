"""Object scope: which work orders an actor may see. Reads start here."""

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Department, User
from accounts.roles import can
from core.errors import NotFound

from .extensions import contact_granted
from .models import WorkOrder


def visible_to(actor, qs=None):
    qs = WorkOrder.objects.all() if qs is None else qs
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return qs.none()
    if can(actor, "order.view_all"):
        team = team_scope(actor)
        if team is None:
            return qs
        # A subquery, not a join: callers lock rows with SELECT … FOR UPDATE, which PostgreSQL
        # refuses on the nullable side of an outer join.
        members = User.objects.filter(department_id=team).values("id")
        return qs.filter(Q(department_id=team) | Q(assignee_id__in=members))
    if actor.role == Role.ENGINEER:
        return qs.filter(assignee=actor)
    if actor.role == Role.CUSTOMER:
        return qs.filter(customer__user=actor)
    return qs.none()


def order_for_update(*, order_id: int, actor) -> WorkOrder:
    """Lock the order for read-modify-write; missing and forbidden both read as not found."""
    order = visible_to(actor).select_for_update().filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("Work order not found."))
    return order


# Roles that work for the whole organisation: never limited to their own team.
ORGANISATION_WIDE = frozenset({Role.MANAGER, Role.ADMIN, Role.ANALYST, Role.FINANCE, Role.QUALITY})


def team_scope(actor) -> int | None:
    """The department whose orders alone ``actor`` sees, or None for all orders: members of a
    team marked "members see only this team's work orders" (``Department.scope_orders``), except
    organisation-wide roles. Read once per request (cached on the user object)."""
    if actor.department_id is None or actor.role in ORGANISATION_WIDE or actor.is_superuser:
        return None
    cached = getattr(actor, "_team_scope", False)
    if cached is False:
        scoped = Department.objects.filter(pk=actor.department_id, scope_orders=True).exists()
        cached = actor._team_scope = actor.department_id if scoped else None
    return cached


# What masking hides from staff. Names are shown to the roles that need them (and logged: view_pii);
# the contact details (how to reach the customer) are masked for every staff role in every list,
# export and page, and shown only by a reveal, one order at a time, logged each time (reveal_pii).
NAME_FIELDS = ("customer.name", "contact_name")
CONTACT_FIELDS = ("address", "contact_phone", "customer.email")


def sees_unmasked_pii(actor, order=None) -> bool:
    """Names unmasked: back-office roles that need them, the customer themself, the order's engineer."""
    if can(actor, "pii.view_unmasked"):
        return True
    if order is not None and actor.role == Role.ENGINEER and order.assignee_id == actor.pk:
        return True
    if order is not None and actor.role == Role.CUSTOMER:
        return True  # visible_to already limited a customer to their own orders
    return False


def sees_own_contact(actor, order) -> bool:
    """The customer's own contact details are theirs: shown unmasked, not logged (``order`` comes
    from ``visible_to``, which limits a customer to their own orders)."""
    return order is not None and actor.role == Role.CUSTOMER and not actor.is_superuser


def may_reveal_contact(actor, order) -> bool:
    """Whether ``actor`` may reveal the phone, address and e-mail of ``order`` (one they can see):
    the roles that call or visit customers (agents, supervisors, managers), the engineer assigned
    to the order, and whoever a registered grant names (a complaint handler of the customer's open
    complaint). Finance, quality, analysts, technical support and administrators never need to.
    One query at most (a grant), so only ever asked for one order, never per row."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if sees_own_contact(actor, order):
        return True
    if can(actor, "pii.reveal_contact"):
        return True
    if actor.role == Role.ENGINEER and order.assignee_id == actor.pk:
        return True
    return contact_granted(order, actor)
