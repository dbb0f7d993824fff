"""The case types that have SLA clocks, declared by the apps that own them.

A case type (a work order, a complaint…) tells the SLA engine where its cases, clocks,
events and policy snapshots are stored and how its workflow moves the clocks: which
transition meets which clock, which clocks start later than intake, which of its states
are waits ("milestones" a policy may pause on) and which cancel. The engine
(``sla.clocks``, ``sla.escalation``, ``sla.kpi``) does the rest for every registered type, so
``sla`` never imports the apps above it: each app registers its type in ``AppConfig.ready``.

A case type's models (see ``sla.models``):

- ``clock_model`` extends ``sla.models.Clock`` with a foreign key ``subject_field`` to the case;
- ``snapshot_model`` extends ``sla.models.PolicySnapshot`` with a one-to-one ``subject_field``;
- ``event_model`` has the fields ``subject_field`` (foreign key), ``actor``, ``action``,
  ``from_status``, ``to_status``, ``note``, ``payload`` (the engine writes ``sla_extended``,
  ``sla_at_risk`` and ``sla_breached`` rows);
- the case model itself has ``status_field`` and, if lists sort on its next deadline,
  ``due_field``.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from django.db.models import Model, QuerySet
from django.utils.functional import Promise

from .models import CaseKind, Milestone


@dataclass(frozen=True)
class MatchKeys:
    """What a policy is matched on (its non-empty filters), besides the case type."""

    service_type: str = ""
    priority: str = ""
    customer_tier: str = ""
    industrial: bool = False
    region: str = ""


@dataclass(frozen=True)
class CaseTexts:
    """The case type's own wording of the engine's messages (translatable, lazily).

    ``extended_*`` take ``number``, ``due``, ``reason``; ``at_risk_*`` and ``breached_*`` take
    ``number``, ``clock``, ``due``."""

    not_found: Promise
    no_such_clock: Promise
    extended_subject: Promise
    extended_body: Promise
    at_risk_subject: Promise
    at_risk_body: Promise
    breached_subject: Promise
    breached_body: Promise


@dataclass(frozen=True)
class CaseType:
    code: str  # one of sla.models.CaseKind: the policies' case type
    label: Promise
    subject_model: type[Model]
    clock_model: type[Model]
    subject_field: str  # the clock, event and snapshot models' foreign key to the case
    event_model: type[Model]
    snapshot_model: type[Model]
    texts: CaseTexts
    number: Callable[[int], str]  # case id -> the number people know it by
    keys: Callable[[Model], MatchKeys]  # what its policy is matched on
    visible_to: Callable[[object], QuerySet]  # the actor's scope: missing and forbidden alike
    customer_user: Callable[[Model], object]  # who is told of an extension (a User or None)
    # transition action -> clocks it meets (stopped as met, or stopped late when breached)
    meets: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # transition action -> clocks that start then rather than at intake
    starts: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # state -> the wait (sla.models.Milestone) it is; the policy's ``pause_on`` says which pause
    waits: Mapping[str, str] = field(default_factory=dict)
    cancel_states: frozenset[str] = frozenset()
    skips: Callable[[Model], Collection[str]] = lambda subject: ()  # clocks this case never gets
    assignee_field: str | None = None  # told of an escalation, with the team's leads
    team_field: str | None = None  # a foreign key to accounts.Department
    link_field: str | None = None  # the work order the notifications link to ("id" for orders)
    status_field: str = "status"
    due_field: str | None = "due_at"  # the case's column holding its next running deadline

    def __post_init__(self):
        if self.code not in CaseKind.values:
            raise ValueError(f"unknown case type {self.code!r}: add it to sla.models.CaseKind")
        unknown = set(self.waits.values()) - set(Milestone.values)
        if unknown:
            raise ValueError(f"unknown milestones {sorted(unknown)}: add them to sla.models.Milestone")

    def clocks_of(self, subject) -> QuerySet:
        return self.clock_model.objects.filter(**{self.subject_field: subject})

    def starts_later(self) -> frozenset[str]:
        return frozenset().union(*self.starts.values()) if self.starts else frozenset()

    def link_of(self, subject) -> int | None:
        return getattr(subject, self.link_field) if self.link_field else None

    def event(self, subject, *, actor, action: str, note: str = "", payload: dict, at=None):
        """An unsaved event row of the case, its status unchanged (``at``: its time, default now)."""
        status = getattr(subject, self.status_field)
        when = {"at": at} if at is not None else {}
        return self.event_model(
            **{self.subject_field: subject},
            actor=actor,
            action=action,
            from_status=status,
            to_status=status,
            note=note,
            payload=payload,
            **when,
        )


_REGISTRY: dict[str, CaseType] = {}


def register(case: CaseType) -> None:
    """Declare a case type (from its app's ``AppConfig.ready``); registering it again replaces it."""
    _REGISTRY[case.code] = case


def get(code: str) -> CaseType:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise LookupError(f"no case type {code!r} is registered") from None


def all() -> list[CaseType]:  # noqa: A001 (read as ``cases.all()``)
    return list(_REGISTRY.values())
