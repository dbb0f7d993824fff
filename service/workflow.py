"""The work-order state machine as data (SPEC §1).

Each action names the states it may start from, the state it leads to, the roles
allowed to take it, and the guards that must hold. ``to=None`` means "back to the
state the order was in before it started waiting" (``WorkOrder.paused_from``).
The UI builds its buttons from this table; ``services.work_order_transition``
enforces it.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from accounts.choices import Role

from .choices import Status as S

R = Role
STAFF_LEADS = frozenset({R.SUPERVISOR, R.MANAGER, R.ADMIN})
DESK = frozenset({R.AGENT, R.TECH_SUPPORT}) | STAFF_LEADS


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    to: str | None
    roles: frozenset
    guards: tuple[str, ...] = ()
    pauses: bool = False  # starts a customer/parts wait (SLA clocks pause)
    resumes: bool = False
    needs_note: bool = False
    style: str = field(default="primary")


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("acknowledge", _("Acknowledge"), frozenset({S.NEW}), S.ACKNOWLEDGED, DESK),
        Transition(
            "assess",
            _("Assess warranty"),
            frozenset({S.ACKNOWLEDGED, S.REOPENED}),
            S.ASSESSED,
            DESK,
        ),
        Transition(
            "schedule",
            _("Schedule"),
            frozenset({S.ASSESSED, S.REOPENED}),
            S.SCHEDULED,
            DESK,
            guards=("quote_approved_if_paid",),
        ),
        Transition(
            "start",
            _("Start work"),
            frozenset({S.SCHEDULED}),
            S.IN_SERVICE,
            DESK | {R.ENGINEER},
            guards=("quote_approved_if_paid",),
        ),
        Transition(
            "wait_parts",
            _("Wait for parts"),
            frozenset({S.IN_SERVICE}),
            S.AWAITING_PARTS,
            DESK | {R.ENGINEER},
            pauses=True,
            style="secondary",
        ),
        Transition(
            "wait_customer",
            _("Wait for customer"),
            frozenset({S.ACKNOWLEDGED, S.ASSESSED, S.SCHEDULED, S.IN_SERVICE}),
            S.AWAITING_CUSTOMER,
            DESK | {R.ENGINEER},
            pauses=True,
            style="secondary",
        ),
        Transition(
            "resume",
            _("Resume"),
            frozenset({S.AWAITING_PARTS, S.AWAITING_CUSTOMER}),
            None,
            DESK | {R.ENGINEER},
            resumes=True,
        ),
        Transition(
            "resolve",
            _("Mark resolved"),
            frozenset({S.IN_SERVICE}),
            S.RESOLVED,
            DESK | {R.ENGINEER},
            guards=("has_report",),
        ),
        Transition(
            "accept",
            _("Customer accepts"),
            frozenset({S.RESOLVED}),
            S.ACCEPTED,
            DESK | {R.ENGINEER, R.CUSTOMER},
            guards=("has_signed_acceptance",),
        ),
        Transition(
            "refuse",
            _("Customer refuses acceptance"),
            frozenset({S.RESOLVED}),
            S.REOPENED,
            DESK | {R.ENGINEER, R.CUSTOMER},
            guards=("has_signed_refusal",),
            style="danger",
        ),
        Transition("close", _("Close"), frozenset({S.ACCEPTED}), S.CLOSED, DESK),
        Transition(
            "cancel",
            _("Cancel"),
            frozenset({S.NEW, S.ACKNOWLEDGED, S.ASSESSED, S.SCHEDULED, S.AWAITING_CUSTOMER, S.REOPENED}),
            S.CANCELLED,
            DESK | {R.CUSTOMER},
            guards=("customer_cancels_early_only",),
            needs_note=True,
            style="danger",
        ),
        Transition(
            "reopen",
            _("Reopen"),
            frozenset({S.RESOLVED, S.ACCEPTED, S.CLOSED}),
            S.REOPENED,
            DESK,
            needs_note=True,
            style="secondary",
        ),
    ]
}

ACTIONS = tuple(TRANSITIONS)


def target_state(transition: Transition, order) -> str:
    return transition.to if transition.to is not None else (order.paused_from or S.IN_SERVICE)


def available(order, user) -> list[Transition]:
    """The transitions this user could try on this order now (guards are checked on submit)."""
    role = "admin" if user.is_superuser else user.role
    return [t for t in TRANSITIONS.values() if order.status in t.sources and role in t.roles]
