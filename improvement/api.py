"""``/api/v1/improvement/``: corrective actions, promises, improvement actions (PDCA), the
voice-of-the-customer themes (docs/api.md). Writes call the services; reads the selectors."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from accounts.roles import can
from core.api import ERRORS
from core.dates import ApiDate
from core.errors import Forbidden, NotFound, ValidationFailed
from core.pagination import CURSOR_MAX_LENGTH, cursor_json_schema

from . import selectors, services, voc
from .choices import CorrectiveKind, CorrectiveStatus, Metric, PromiseKind, SourceKind, Stage

router = Router(tags=["improvement"])

Cursor = Annotated[str, Field(max_length=CURSOR_MAX_LENGTH, json_schema_extra=cursor_json_schema())] | None
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _need(request, capability: str) -> None:
    if not can(request.user, capability):
        raise Forbidden(_("Your role cannot use this."))


# --- corrective actions ---------------------------------------------------------------------


class CorrectiveOut(Schema):
    id: int
    number: str
    complaint_id: int
    kind: str
    title: str
    notes: str
    owner_id: int
    due_date: dt.date
    status: str
    version: int
    product_model_id: int | None
    unit_id: int | None
    batch: str
    document: str
    section: str
    major: bool
    training_needs: list[int] = Field(default_factory=list, description="The staff members' user ids.")
    created_at: dt.datetime
    closed_at: dt.datetime | None


class CorrectivePage(Schema):
    items: list[CorrectiveOut]
    next_cursor: str | None


class CorrectiveParams(Schema):
    kind: CorrectiveKind | None = None
    status: CorrectiveStatus | None = Field(default=None, description="Default: the open ones.")
    mine: bool = False
    overdue: bool = False
    cursor: Cursor = None
    limit: int = Field(default=25, ge=1, le=100)


class CorrectiveIn(Schema):
    complaint_id: Id
    kind: CorrectiveKind | None = Field(default=None, description="Default: the complaint category's kind.")
    title: str = Field(max_length=200)
    owner_id: Id
    due_date: ApiDate
    notes: str = Field(default="", max_length=5000)
    product_model_id: Id | None = None
    unit_id: Id | None = None
    batch: str = Field(default="", max_length=40)
    document: str = Field(default="", max_length=20)
    section: str = Field(default="", max_length=200)
    staff_ids: list[Id] = Field(default_factory=list, max_length=20)
    major: bool = False


class CorrectiveTransitionIn(Schema):
    action: Literal["start", "complete", "verify", "rework", "cancel"]
    note: str = Field(default="", max_length=5000, description="Required for complete, rework and cancel.")
    version: Id | None = Field(default=None, description="The version read; 409 `stale_version` if it changed.")


class ImprovementTransitionIn(Schema):
    action: Literal["start", "to_check", "to_act", "close", "replan"]
    note: str = Field(default="", max_length=5000, description="Required for close and replan.")
    version: Id | None = Field(default=None, description="The version read; 409 `stale_version` if it changed.")


def _corrective_out(row) -> dict:
    out = {f: getattr(row, f) for f in CorrectiveOut.model_fields if hasattr(row, f)}
    out["training_needs"] = [n.user_id for n in row.training_needs.all()]
    return out


@router.get("/improvement/corrective-actions", response={200: CorrectivePage, **ERRORS})
def corrective_list(request, params: Query[CorrectiveParams]):
    """Corrective actions, nearest due first (keyset pages)."""
    _need(request, "improvement.view")
    f = selectors.CorrectiveFilter(
        kind=params.kind or "", status=params.status or "", mine=params.mine, overdue=params.overdue
    )
    rows, next_cursor = selectors.corrective_list(actor=request.user, f=f, cursor=params.cursor, size=params.limit)
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(rows, "training_needs")
    return {"items": [_corrective_out(r) for r in rows], "next_cursor": next_cursor}


@router.post("/improvement/corrective-actions", response={201: CorrectiveOut, **ERRORS})
def corrective_create(request, payload: CorrectiveIn):
    """Open a corrective action on a complaint (kinds and their fields: docs/improvement.md)."""
    row = services.corrective_action_create(actor=request.user, **payload.dict())
    return Status(201, _corrective_out(row))


@router.post("/improvement/corrective-actions/{action_id}/transitions", response={200: CorrectiveOut, **ERRORS})
def corrective_transition(request, action_id: int, payload: CorrectiveTransitionIn):
    """start, complete (note), verify, rework (note), cancel (note); 409 when not possible now."""
    row = services.corrective_action_transition(
        actor=request.user,
        action_id=action_id,
        action=payload.action,
        note=payload.note,
        expected_version=payload.version,
    )
    return _corrective_out(row)


# --- promises -----------------------------------------------------------------------------


class PromiseIn(Schema):
    complaint_id: Id
    kind: PromiseKind
    description: str = Field(max_length=2000)
    reason: str = Field(max_length=2000)
    amount: Decimal | None = Field(default=None, max_digits=12, decimal_places=2, description="CNY; compensation only.")


class PromiseDecisionIn(Schema):
    decision: str = Field(pattern="^(approve|refuse)$")
    note: str = Field(max_length=2000, description="The written approval or the reason for refusing.")
    version: Id | None = None


class PromiseOut(Schema):
    id: int
    number: str
    complaint_id: int
    kind: str
    description: str
    amount: Decimal | None
    reason: str
    required_role: str
    status: str
    version: int
    requested_by_id: int
    decided_by_id: int | None
    decided_at: dt.datetime | None
    decision_note: str
    communicable: bool


def _promise_out(p) -> dict:
    out = {f: getattr(p, f) for f in PromiseOut.model_fields if hasattr(p, f)}
    out["communicable"] = selectors.promise_communicable(p)
    return out


@router.post("/improvement/promises", response={201: PromiseOut, **ERRORS})
def promise_create(request, payload: PromiseIn):
    """Ask for written approval of a promise; its level follows ``improvement.approval_levels``."""
    p = services.promise_request(actor=request.user, **payload.dict())
    return Status(201, _promise_out(p))


@router.post("/improvement/promises/{promise_id}/decision", response={200: PromiseOut, **ERRORS})
def promise_decide(request, promise_id: int, payload: PromiseDecisionIn):
    """Approve or refuse in writing; 403 `own_request` / `level_too_low`, 409 `already_decided`."""
    p = services.promise_decide(
        actor=request.user,
        promise_id=promise_id,
        approve=payload.decision == "approve",
        note=payload.note,
        expected_version=payload.version,
    )
    return _promise_out(p)


# --- improvement actions ------------------------------------------------------------------


class ImprovementIn(Schema):
    source_kind: SourceKind
    source_id: Id | None = None
    title: str = Field(max_length=200)
    plan: str = Field(default="", max_length=5000)
    owner_id: Id | None = None
    due_date: ApiDate | None = None
    metric: Metric | None = None


class EffectCheckIn(Schema):
    metric: Metric | None = None


class ImprovementOut(Schema):
    id: int
    number: str
    title: str
    source_kind: str
    source_id: int | None
    complaint_id: int | None
    owner_id: int
    plan: str
    due_date: dt.date
    status: str
    version: int
    metric: str
    done_from: dt.datetime | None
    effect_before: Decimal | None
    effect_after: Decimal | None
    effect_days: int | None
    effect_checked_at: dt.datetime | None
    effect_detail: dict
    created_at: dt.datetime
    closed_at: dt.datetime | None


class ImprovementPage(Schema):
    items: list[ImprovementOut]
    next_cursor: str | None


class ImprovementParams(Schema):
    status: Stage | None = None
    cursor: Cursor = None
    limit: int = Field(default=25, ge=1, le=100)


@router.get("/improvement/actions", response={200: ImprovementPage, **ERRORS})
def improvement_list(request, params: Query[ImprovementParams]):
    """Improvement actions, newest first (keyset pages)."""
    _need(request, "improvement.view")
    rows, next_cursor = selectors.improvement_list(
        actor=request.user, status=params.status or "", cursor=params.cursor, size=params.limit
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.post("/improvement/actions", response={201: ImprovementOut, **ERRORS})
def improvement_create(request, payload: ImprovementIn):
    """Open an improvement action (one open action per source: the same source returns it)."""
    data = payload.dict()
    data["metric"] = data["metric"] or ""
    row = services.improvement_action_open(actor=request.user, **data)
    return Status(201, row)


@router.post("/improvement/actions/{action_id}/transitions", response={200: ImprovementOut, **ERRORS})
def improvement_transition(request, action_id: int, payload: ImprovementTransitionIn):
    """start (plan → do), to_check, to_act (needs the effect measured), close (note), replan (note)."""
    return services.improvement_action_transition(
        actor=request.user,
        action_id=action_id,
        action=payload.action,
        note=payload.note,
        expected_version=payload.version,
    )


@router.post("/improvement/actions/{action_id}/effect-check", response={200: ImprovementOut, **ERRORS})
def improvement_effect(request, action_id: int, payload: EffectCheckIn):
    """Measure the metric before vs after the start (check or act stage; 409 `not_at_check`)."""
    return services.improvement_effect_check(actor=request.user, action_id=action_id, metric=payload.metric or "")


# --- voice of the customer ----------------------------------------------------------------


class VocParams(Schema):
    month: str = Field(default="", max_length=7, description="YYYY-MM (2000-01 … 2099-12); default: this month.")
    source: str = Field(default="", max_length=30, description="A registered text source; default: all.")
    language: str = Field(default="", pattern="^(|zh|en)$")
    top: int = Field(default=20, ge=1, le=100)


class VocThemeOut(Schema):
    term: str
    language: str
    count: int
    previous: int
    change: int


class VocOut(Schema):
    month: dt.date
    previous: dt.date
    computed_at: dt.datetime | None
    themes: list[VocThemeOut]


@router.get("/improvement/voc", response={200: VocOut, **ERRORS})
def voc_themes(request, params: Query[VocParams]):
    """The month's top themes with the month before's count (from the nightly table)."""
    _need(request, "improvement.view")
    month = selectors.today().replace(day=1)
    if params.month:
        import re

        m = re.fullmatch(r"(20\d\d)-(0[1-9]|1[0-2])", params.month)
        if not m:
            msg = _("Enter a month as YYYY-MM between 2000-01 and 2099-12.")
            raise ValidationFailed(msg, code="bad_month", fields={"month": [msg]})
        month = dt.date(int(m[1]), int(m[2]), 1)
    if params.source and params.source not in {s.key for s in voc.sources()}:
        raise NotFound(_("No such text source."))
    return selectors.voc_themes(month=month, source=params.source, language=params.language, top=params.top)
