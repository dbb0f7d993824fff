"""One transition engine for every case type (work orders, complaints, later incidents).

A case type declares its workflow as data: the states (a ``TextChoices``), the transition
table (action, from-states, to-state, roles, guards, clock milestones, the domain event it
publishes) and a few callables for what only that case type knows (how to lock a row in the
actor's scope, what an action changes besides the state). :func:`transition` is the one
service that moves a case:

1. locks the row (``lock``: missing and forbidden both read as not found),
2. checks the role, the optimistic version, the table (409 ``invalid_transition``), the note
   and every guard (409 ``guard_<name>``),
3. sets the state (and ``paused_from`` for waits), runs the case type's ``apply``,
4. applies the clock effects (``clocks``: the SLA engine, given the action and both states),
5. appends the event row, writes the audit row,
6. publishes the transition's domain event after commit (``core.events``).

The UI builds its buttons from the same table (:meth:`Workflow.available`); an action whose
role and state allow it but whose guard fails is shown disabled with the guard's reason
(:meth:`Workflow.available_with_reasons`).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit, events, lean
from .errors import Conflict, Forbidden, ValidationFailed

SUPERUSER_ROLE = "admin"  # what a superuser counts as in the role columns of the tables


def role_of(actor) -> str:
    return SUPERUSER_ROLE if getattr(actor, "is_superuser", False) else getattr(actor, "role", "")


@dataclass(frozen=True)
class Move:
    """What a transition did; given to ``publishes`` and to the case type's callables."""

    subject: Any
    action: str
    from_state: str
    to_state: str
    actor: Any
    note: str
    at: dt.datetime


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise | str
    sources: frozenset
    to: str | None  # None: back to the state the case was in before it started waiting
    roles: frozenset
    guards: tuple[str, ...] = ()
    pauses: bool = False  # starts a wait (records ``paused_from``)
    resumes: bool = False  # ends a wait (back to ``paused_from``)
    needs_note: bool = False
    style: str = field(default="primary")
    meets: frozenset = frozenset()  # SLA clocks this action reaches (met, or stopped late)
    starts: frozenset = frozenset()  # SLA clocks that start with this action (not at intake)
    publishes: Callable[[Move], events.DomainEvent] | None = None


@dataclass(frozen=True)
class Guard:
    """A named precondition: ``check(subject, actor)`` must hold, else 409 ``guard_<name>`` with ``message``.

    ``reason`` says, next to a disabled button, what the action is waiting for (default: ``message``)."""

    name: str
    check: Callable[[Any, Any], bool]
    message: Promise | str
    reason: Promise | str | None = None

    @property
    def why(self) -> Promise | str:
        return self.reason or self.message


@dataclass(frozen=True)
class Option:
    """An action the actor's role may take in the case's state, and whether its guards pass now."""

    transition: Transition
    allowed: bool
    reason: str = ""  # why not, translated; "" when allowed
    guard: str = ""  # the first guard that failed

    @property
    def action(self) -> str:
        return self.transition.action


NOTE_REQUIRED = gettext_lazy("Give a reason.")
INVALID = gettext_lazy("“%(action)s” is not possible while the case is “%(status)s”.")
STALE = gettext_lazy("Someone else changed this record meanwhile. Reload it and try again.")


class Workflow:
    """The transition table of one case type and what the engine needs to run it."""

    def __init__(
        self,
        *,
        name: str,
        states: type[models.TextChoices],
        transitions: Iterable[Transition],
        guards: Iterable[Guard] = (),
        lock: Callable[..., Any],
        event_model: type[models.Model],
        subject_field: str,
        status_field: str = "status",
        waits: Mapping[str, str] | None = None,
        apply: Callable[[Any, Transition, dict], dict] | None = None,
        on_move: Callable[[Move], None] | None = None,
        clocks: Callable[..., dict] | None = None,
        default_resume_state: str | None = None,
        invalid_message: Promise | str | None = None,
        stale_message: Promise | str | None = None,
    ):
        self.name = name
        self.states = states
        self.transitions: dict[str, Transition] = {}
        for t in transitions:
            if t.action in self.transitions:
                raise ValueError(f"{name}: action {t.action!r} declared twice")
            unknown = (set(t.sources) | ({t.to} if t.to else set())) - set(states.values)
            if unknown:
                raise ValueError(f"{name}: {t.action!r} names unknown states {sorted(unknown)}")
            self.transitions[t.action] = t
        self.guards = {g.name: g for g in guards}
        missing = {g for t in self.transitions.values() for g in t.guards} - set(self.guards)
        if missing:
            raise ValueError(f"{name}: guards without a check: {sorted(missing)}")
        self.lock = lock
        self.event_model = event_model
        if hasattr(
            event_model, "_meta"
        ):  # a real event model: the audit page names "transition:<action>" by its button
            subject_model = event_model._meta.get_field(subject_field).related_model
            audit.register_action_labels(
                subject_model._meta.label_lower, {f"transition:{a}": t.label for a, t in self.transitions.items()}
            )
        self.subject_field = subject_field
        self.status_field = status_field
        self.waits = dict(waits or {})  # wait state -> milestone name ("customer", "parts")
        self.apply = apply
        self.on_move = on_move
        self.clocks = clocks
        self.default_resume_state = default_resume_state
        # "“%(action)s” is not possible while the <case> is “%(status)s”." in the case type's words
        self.invalid_message = invalid_message or INVALID
        self.stale_message = stale_message or STALE

    # -- the table as data

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def meets(self) -> dict[str, frozenset]:
        return {a: t.meets for a, t in self.transitions.items() if t.meets}

    def starts(self) -> dict[str, frozenset]:
        return {a: t.starts for a, t in self.transitions.items() if t.starts}

    def state_label(self, value: str) -> str:
        try:
            return str(self.states(value).label)
        except ValueError:
            return value

    def get(self, action: str) -> Transition:
        transition = self.transitions.get(action)
        if transition is None:
            msg = _("Unknown action.")
            raise ValidationFailed(msg, code="unknown_action", fields={"action": [msg]})
        return transition

    def target(self, transition: Transition, subject) -> str:
        if transition.to is not None:
            return transition.to
        return getattr(subject, "paused_from", "") or self.default_resume_state or ""

    def available(self, subject, user) -> list[Transition]:
        """The transitions this user could try on this case now (guards are checked on submit)."""
        role = role_of(user)
        state = getattr(subject, self.status_field)
        return [t for t in self.transitions.values() if state in t.sources and role in t.roles]

    def available_with_reasons(self, subject, user, *, skip: Iterable[str] = ()) -> list[Option]:
        """The transitions this user's role may take in the case's state, each with its guards
        evaluated now: allowed, or not with the first failing guard's reason (for display; the
        engine checks again on submit). ``skip``: actions the caller does not show (their guards
        are not evaluated)."""
        skipped = set(skip)
        options = []
        for t in self.available(subject, user):
            if t.action in skipped:
                continue
            failed = next((self.guards[name] for name in t.guards if not self.guards[name].check(subject, user)), None)
            if failed is None:
                options.append(Option(t, True))
            else:
                options.append(Option(t, False, str(failed.why), failed.name))
        return options

    def allows(self, action: str, role: str) -> bool:
        t = self.transitions.get(action)
        return t is not None and role in t.roles

    # -- the checks, in the order the engine makes them

    def check(self, subject, transition: Transition, actor, *, note: str = "", expected_version=None) -> None:
        if role_of(actor) not in transition.roles:
            raise Forbidden(_("Your role cannot take this action."))
        if expected_version is not None and expected_version != getattr(subject, "version", None):
            raise Conflict(self.stale_message, code="stale_version")
        state = getattr(subject, self.status_field)
        if state not in transition.sources:
            raise Conflict(
                str(self.invalid_message) % {"action": transition.label, "status": self.state_label(state)},
                code="invalid_transition",
            )
        if transition.needs_note and not (note or "").strip():
            raise ValidationFailed(NOTE_REQUIRED, fields={"note": [NOTE_REQUIRED]})
        for name in transition.guards:
            guard = self.guards[name]
            if not guard.check(subject, actor):
                raise Conflict(guard.message, code=f"guard_{name}")


def _concrete(subject) -> list:
    return [f for f in subject._meta.concrete_fields if not f.primary_key]


def transition(
    workflow: Workflow,
    *,
    subject_id: int,
    action: str,
    actor,
    note: str = "",
    data: dict | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
):
    """Take ``action`` on the case: lock, check table/role/guards, move, clocks, event, audit, publish.

    ``now``: when the action is taken (default: now); the case's ``updated_at``, the clocks,
    the event and the audit row all carry it (the demo replays a year of history this way)."""
    t = workflow.get(action)
    with transaction.atomic():
        subject = workflow.lock(subject_id, actor)
        workflow.check(subject, t, actor, note=note, expected_version=expected_version)
        before = audit.snapshot(subject)
        payload = dict(workflow.apply(subject, t, data or {}) or {}) if workflow.apply else {}
        from_state = getattr(subject, workflow.status_field)
        to_state = workflow.target(t, subject)
        if hasattr(subject, "paused_from"):
            if t.pauses:
                subject.paused_from = from_state
            elif t.resumes:
                subject.paused_from = ""
        setattr(subject, workflow.status_field, to_state)
        now = now or timezone.now()
        if hasattr(subject, "updated_at"):
            subject.updated_at = now
        move = Move(subject, action, from_state, to_state, actor, note, now)
        if hasattr(subject, "version"):  # the row is locked (``lock``): the version read is the stored one
            subject.version += 1
        if workflow.on_move:
            workflow.on_move(move)
        after = audit.snapshot(subject)
        subject.save(update_fields=[f.name for f in _concrete(subject) if before[f.attname] != after[f.attname]])
        if workflow.clocks:
            changes = workflow.clocks(subject, action=action, from_state=from_state, to_state=to_state, now=now)
            if changes:
                payload["clocks"] = changes
        event = workflow.event_model(
            **{workflow.subject_field: subject},
            actor=actor,
            action=action,
            from_status=from_state,
            to_status=to_state,
            note=note,
            payload=payload,
            at=now,
        )
        lean.insert([event])
        audit.record(actor=actor, action=f"transition:{action}", obj=subject, before=before, at=now)
        if t.publishes is not None:
            events.publish(t.publishes(move))
    return subject
