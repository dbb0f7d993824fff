"""Reads of the product archive, including warranty coverage per component class."""

import datetime as dt
from collections import defaultdict

from django.db import router
from django.utils.translation import gettext as _

from accounts.roles import can
from core import lean, stamps
from core.errors import NotFound
from core.policies import get_policy

from . import guarantees, warranty
from .models import ComponentClass, ThreeGuaranteesPolicy, Unit, WarrantyTerm
from .periods import WorkingDay, weekdays_only

ComponentCoverage = warranty.ComponentCoverage
DEFAULT_KINDS = ("main", "accessory", "software")  # the component classes of a model without terms


_WORKING_DAYS: list = []  # the provider of the business calendar's working-day predicate


def provide_working_days(provider) -> None:
    """Set where rest days come from: ``provider()`` returns a predicate ``date -> bool`` (the
    business calendar with its holidays and 调休). ``products`` does not know the calendars;
    the app that does fills this in its ``AppConfig.ready`` (``service``)."""
    _WORKING_DAYS[:] = [provider]


def working_day_rule() -> WorkingDay:
    """The working-day predicate every period uses: the provided calendar's, else weekdays."""
    return _WORKING_DAYS[0]() if _WORKING_DAYS else weekdays_only


_TERMS: dict[str, tuple[tuple, dict]] = {}  # per database: (stamp, {model id: terms})


def _terms_stamp_expressions() -> list[str]:
    """Moves whenever a warranty term or a component class is added, changed (``updated_at``)
    or deleted (the count, or the highest id, moves); ``core.stamps``."""
    t, c = WarrantyTerm._meta.db_table, ComponentClass._meta.db_table
    return [
        f"(SELECT {agg} FROM {table})"  # noqa: S608 (table names)
        for table in (t, c)
        for agg in ("COUNT(*)", "MAX(id)", "MAX(updated_at)")
    ]


stamps.register("warranty_terms", _terms_stamp_expressions)


def _term(t: WarrantyTerm) -> warranty.Term:
    causes = frozenset(t.covered_causes) if t.covered_causes else None
    return warranty.Term(t.component_class, t.months, t.convention, causes)


def _default_terms(classes) -> list[warranty.Term]:
    """The policy defaults per class kind, for a model without terms."""
    convention = str(get_policy("warranty.convention"))
    return [warranty.Term(cc, int(get_policy(f"warranty.months.{cc.kind}")), convention) for cc in classes]


def terms_for(product_model) -> list[warranty.Term]:
    """The model's warranty terms; a model without terms gets the policy defaults per class kind.

    Every intake checks the unit's warranty: the terms are kept per process and read again
    only when the stamp moves, so an edit in the admin is seen by the very next request
    (the same scheme as the SLA policies, ``sla.engine.config``)."""
    alias = router.db_for_read(WarrantyTerm)
    stamp = stamps.read(alias, "warranty_terms")
    cached = _TERMS.get(alias)
    if cached is None or cached[0] != stamp:
        cached = _TERMS[alias] = (stamp, {})
    by_model = cached[1]
    terms = by_model.get(product_model.pk)
    if terms is None:
        terms = by_model[product_model.pk] = [
            _term(t)
            for t in WarrantyTerm.objects.using(alias)
            .filter(model_id=product_model.pk)
            .select_related("component_class")
            .order_by("component_class_id")
        ]
    if terms:
        return list(terms)
    defaults = by_model.get(None)
    if defaults is None:
        defaults = by_model[None] = list(
            ComponentClass.objects.using(alias).filter(kind__in=DEFAULT_KINDS).order_by("id")
        )
    # the months are policies, read through their own cache (core.policies), not kept here
    return _default_terms(defaults)


def unit_coverage(
    unit: Unit, *, on: dt.date, cause: str = warranty.Cause.DEFECT, working_day: WorkingDay | None = None
) -> list[ComponentCoverage]:
    """The unit's coverage per component class on ``on`` (its model's terms, kept per process);
    rest days by ``working_day`` (the caller's business calendar; weekdays without one)."""
    return warranty.component_coverage(
        unit, terms_for(unit.model), on=on, cause=cause, working_day=working_day or working_day_rule()
    )


def main_coverage(unit: Unit, *, on: dt.date, cause: str, working_day: WorkingDay | None = None) -> warranty.Coverage:
    """Coverage of the main unit (or the first class) — what decides a work order without a
    named failed component."""
    working_day = working_day or working_day_rule()
    return warranty.main_of(
        unit_coverage(unit, on=on, cause=cause, working_day=working_day),
        unit=unit,
        default_months=int(get_policy("warranty.months.main")),
        on=on,
        cause=cause,
        working_day=working_day,
    )


def component_decision(
    unit: Unit, *, component: str | None, on: dt.date, cause: str, working_day: WorkingDay | None = None
) -> tuple[ComponentCoverage | None, warranty.Coverage]:
    """The coverage that decides a fault of the component class coded ``component`` (the main
    unit's when ``component`` is empty): that class's period and covered causes. A class the
    model has no term for answers ``(None, main coverage)``; the caller refuses it."""
    working_day = working_day or working_day_rule()
    components = unit_coverage(unit, on=on, cause=cause, working_day=working_day)
    if component:
        chosen = next((c for c in components if c.component_class.code == component), None)
        if chosen is None:
            return None, main_coverage(unit, on=on, cause=cause, working_day=working_day)
        return chosen, warranty.of_component(chosen)
    return None, main_coverage(unit, on=on, cause=cause, working_day=working_day)


def three_guarantees_policy(line) -> guarantees.Policy:
    """The line's Three Guarantees rules; a line without a row gets the regulations' defaults,
    off for industrial lines (sold under contract)."""
    try:
        row = line.three_guarantees  # read with the line where the caller selected it
    except ThreeGuaranteesPolicy.DoesNotExist:
        row = None
    if row is None:
        return guarantees.Policy(enabled=not line.is_industrial)
    return guarantees.Policy(
        enabled=row.enabled,
        return_days=row.return_days,
        exchange_days=row.exchange_days,
        period_months=row.period_months,
        repairs_before_exchange=row.repairs_before_exchange,
        repair_days_limit=row.repair_days_limit,
        parts_wait_days_limit=row.parts_wait_days_limit,
        online_return_days=row.online_return_days,
        online_exclusion=row.online_exclusion,
    )


def units_coverage(
    units: list[Unit], *, on: dt.date, working_day: WorkingDay | None = None
) -> dict[int, list[ComponentCoverage]]:
    """``unit_coverage`` of many units (a page of them) with every model's terms read in one query."""
    terms: dict[int, list] = defaultdict(list)
    model_ids = {u.model_id for u in units}
    if model_ids:
        for term in (
            WarrantyTerm.objects.filter(model_id__in=model_ids)
            .select_related("component_class")
            .order_by("model_id", "component_class_id")
        ):
            terms[term.model_id].append(_term(term))
    defaults = []
    if model_ids - set(terms):
        defaults = _default_terms(ComponentClass.objects.filter(kind__in=DEFAULT_KINDS).order_by("id"))
    working_day = working_day or working_day_rule()
    return {
        unit.pk: warranty.component_coverage(unit, terms.get(unit.model_id) or defaults, on=on, working_day=working_day)
        for unit in units
    }


_UNIT = lean.Compiled(lambda serial: Unit.objects.select_related("model__line", "owner").filter(serial=serial))


def unit_with_owner(serial: str) -> Unit | None:
    """The unit with this serial, its model, product line and owner (one statement).

    What every intake looks up first: the ORM's ``select_related("model__line", "owner")``
    compiled once (``core.lean.Compiled``); building and compiling it on every request costs
    ten times the CPU of the statement."""
    if not serial or "\x00" in serial:
        return None
    found = _UNIT.fetch(router.db_for_read(Unit), serial)
    return found[0] if found else None


def unit_visible_to(user, serial: str) -> Unit:
    """The unit with this serial if ``user`` may see it: staff who see every customer, or its
    owner. Unknown and another's read alike: ``NotFound`` (no enumeration of serials)."""
    unit = unit_by_serial(serial)
    if unit is None or (not can(user, "customer.view_all") and (unit.owner is None or unit.owner.user_id != user.pk)):
        raise NotFound(_("Unknown serial number."), code="unknown_serial")
    return unit


def unit_by_serial(serial: str):
    if "\x00" in serial:  # no serial holds one, and PostgreSQL cannot even compare with it
        return None
    return Unit.objects.select_related("model", "owner").filter(serial=serial.strip()).first()
