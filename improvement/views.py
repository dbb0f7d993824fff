"""The improvement pages: board, action page, corrective actions, approvals, VoC, and the
per-complaint page (the panel of ``panels.complaint_improvement_panel`` with its forms).
Every POST calls one service and answers through ``service.views.outcomes``."""

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.roles import can
from complaints.permissions import visible_to as complaints_visible_to
from core.errors import DomainError
from core.idempotency import once_per_form
from service.views.access import capability
from service.views.outcomes import checked, done, refuse
from service.views.queue import page_links

from . import selectors, services, voc
from .choices import Metric, Stage
from .forms import (
    BoardFilterForm,
    CorrectiveFilterForm,
    CorrectiveForm,
    DecisionForm,
    EffectForm,
    ImprovementForm,
    PromiseForm,
    TransitionForm,
    VocForm,
)
from .panels import complaint_improvement_panel
from .selectors import owner_choices, staff_choices
from .workflow import CORRECTIVE, PDCA

PAGE = 25


# --- the board and the improvement actions -------------------------------------------------


@capability("improvement.view")
def board(request):
    form = BoardFilterForm(request.GET)
    f = selectors.BoardFilter()
    status = 200
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.BoardFilter(source_kind=d["source_kind"], mine=d["mine"], overdue=d["overdue"])
    else:
        status = 400
    quality, _next = selectors.corrective_list(
        actor=request.user, f=selectors.CorrectiveFilter(kind="quality_feedback"), cursor=None, size=10
    )
    context = {
        "form": form,
        "board": selectors.board(actor=request.user, f=f),
        "quality": quality,
        "may_work": can(request.user, "improvement.work"),
        "approvals": selectors.approval_count(actor=request.user) if can(request.user, "promise.approve") else None,
    }
    return render(request, "improvement/board.html", context, status=status)


@capability("improvement.work")
def action_new(request):
    initial = {"source_kind": "analysis", "owner": request.user.pk, "metric": Metric.COMPLAINT_RATE}
    complaint_id = request.GET.get("complaint", "")
    if complaint_id.isdigit():
        initial.update(source_kind="complaint", source_id=int(complaint_id))
    form = ImprovementForm(request.POST or None, owners=owner_choices(), initial=initial)
    if request.method == "POST":
        try:
            d = checked(form)
            row = services.improvement_action_open(
                actor=request.user,
                source_kind=d["source_kind"],
                source_id=d["source_id"],
                title=d["title"],
                plan=d["plan"],
                owner_id=d["owner"],
                due_date=d["due_date"],
                metric=d["metric"],
            )
        except DomainError as exc:
            return refuse(request, exc, form=form, template="improvement/action_new.html", context={"form": form})
        return done(request, _("Improvement action opened."), back=reverse("improvement:action", args=[row.pk]))
    return render(request, "improvement/action_new.html", {"form": form})


@capability("improvement.view")
def action_detail(request, action_id: int):
    row = selectors.improvement_detail(actor=request.user, action_id=action_id)
    if row is None:
        raise Http404
    chart = None
    if row.effect_checked_at is not None:
        chart = {
            "labels": [_("Before"), _("After")],
            "values": [
                None if row.effect_before is None else float(row.effect_before),
                None if row.effect_after is None else float(row.effect_after),
            ],
            "metric": str(Metric(row.metric).label),
        }
    context = {
        "a": row,
        "events": list(row.events.all()),
        "options": PDCA.available_with_reasons(row, request.user),
        "effect_form": EffectForm(initial={"metric": row.metric}),
        "chart": chart,
        "improved": (row.effect_detail or {}).get("improved"),
        "stages": Stage.choices,
        "may_work": can(request.user, "improvement.work"),
    }
    return render(request, "improvement/action_detail.html", context)


@capability("improvement.work")
@require_POST
@once_per_form
def action_transition(request, action_id: int):
    form = TransitionForm(request.POST)
    back = reverse("improvement:action", args=[action_id])
    try:
        d = checked(form)
        services.improvement_action_transition(
            actor=request.user, action_id=action_id, action=d["action"], note=d["note"], expected_version=d["version"]
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, _("Done: %(action)s.") % {"action": PDCA.get(d["action"]).label}, back=back)


@capability("improvement.work")
@require_POST
@once_per_form
def action_effect(request, action_id: int):
    form = EffectForm(request.POST)
    back = reverse("improvement:action", args=[action_id])
    try:
        d = checked(form)
        services.improvement_effect_check(actor=request.user, action_id=action_id, metric=d["metric"])
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, _("Effect measured."), back=back)


# --- corrective actions ---------------------------------------------------------------------


@capability("improvement.view")
def corrective_list(request):
    form = CorrectiveFilterForm(request.GET)
    rows, next_cursor, status = [], None, 200
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.CorrectiveFilter(kind=d["kind"], status=d["status"], mine=d["mine"], overdue=d["overdue"])
        try:
            rows, next_cursor = selectors.corrective_list(
                actor=request.user, f=f, cursor=d["cursor"] or None, size=PAGE
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
    if form.errors:
        status = 400
    context = {
        "form": form,
        "rows": rows,
        "counts": selectors.corrective_counts(actor=request.user),
        **page_links(request, next_cursor),
    }
    return render(request, "improvement/corrective_list.html", context, status=status)


@capability("improvement.view")
def corrective_detail(request, action_id: int):
    row = selectors.corrective_detail(actor=request.user, action_id=action_id)
    if row is None:
        raise Http404
    context = {
        "c": row,
        "events": list(row.events.select_related("actor")),
        "needs": list(row.training_needs.select_related("user")),
        "options": CORRECTIVE.available_with_reasons(row, request.user),
    }
    return render(request, "improvement/corrective_detail.html", context)


@capability("improvement.work")
@require_POST
@once_per_form
def corrective_transition(request, action_id: int):
    form = TransitionForm(request.POST)
    back = request.POST.get("back") or ""
    if not back.startswith("/improvement/"):
        back = reverse("improvement:corrective_detail", args=[action_id])
    try:
        d = checked(form)
        services.corrective_action_transition(
            actor=request.user, action_id=action_id, action=d["action"], note=d["note"], expected_version=d["version"]
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, _("Done: %(action)s.") % {"action": CORRECTIVE.get(d["action"]).label}, back=back)


# --- one complaint's corrective actions and promises --------------------------------------


def _complaint_or_404(request, complaint_id: int):
    complaint = complaints_visible_to(request.user).select_related("order").filter(pk=complaint_id).first()
    if complaint is None:
        raise Http404
    return complaint


@capability("improvement.view")
def complaint_page(request, complaint_id: int):
    complaint = _complaint_or_404(request, complaint_id)
    return render(
        request,
        "improvement/complaint.html",
        {"complaint": complaint, "panel": complaint_improvement_panel(complaint, request.user, request=request)},
    )


@capability("improvement.work")
@require_POST
@once_per_form
def corrective_create(request, complaint_id: int):
    back = reverse("improvement:complaint", args=[complaint_id])
    form = CorrectiveForm(request.POST, owners=owner_choices(), staff=staff_choices())
    try:
        d = checked(form)
        services.corrective_action_create(
            actor=request.user,
            complaint_id=complaint_id,
            kind=d["kind"],
            title=d["title"],
            owner_id=d["owner"],
            due_date=d["due_date"],
            notes=d["notes"],
            batch=d["batch"],
            staff_ids=d["staff"],
            major=d["major"],
            document=d["document"],
            section=d["section"],
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, _("Corrective action opened."), back=back)


@capability("promise.request")
@require_POST
@once_per_form
def promise_create(request, complaint_id: int):
    back = reverse("improvement:complaint", args=[complaint_id])
    form = PromiseForm(request.POST)
    try:
        d = checked(form)
        p = services.promise_request(
            actor=request.user,
            complaint_id=complaint_id,
            kind=d["kind"],
            description=d["description"],
            reason=d["reason"],
            amount=d["amount"],
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(
        request,
        _("Sent for approval (%(role)s).")
        % {"role": Role(p.required_role).label if p.required_role in Role.values else p.required_role},
        back=back,
    )


@capability("promise.approve")
@require_POST
@once_per_form
def promise_decide(request, promise_id: int):
    back = request.POST.get("back") or ""
    if not back.startswith("/improvement/"):
        back = reverse("improvement:approvals")
    form = DecisionForm(request.POST)
    try:
        d = checked(form)
        services.promise_decide(
            actor=request.user,
            promise_id=promise_id,
            approve=d["decision"] == "approve",
            note=d["note"],
            expected_version=d["version"],
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, _("Decision recorded."), back=back)


@capability("promise.request")
@require_POST
@once_per_form
def promise_communicate(request, promise_id: int):
    back = request.POST.get("back") or ""
    if not back.startswith("/improvement/"):
        back = reverse("improvement:board")
    try:
        services.promise_communicate(actor=request.user, promise_id=promise_id)
    except DomainError as exc:
        return refuse(request, exc, back=back)
    return done(request, _("Recorded as told to the customer."), back=back)


@capability("promise.approve")
def approvals(request):
    cursor = request.GET.get("cursor") or None
    status = 200
    try:
        rows, next_cursor = selectors.approval_queue(actor=request.user, cursor=cursor, size=PAGE)
    except DomainError:
        rows, next_cursor, status = [], None, 400
    context = {"rows": rows, "form": DecisionForm(), **page_links(request, next_cursor)}
    return render(request, "improvement/approvals.html", context, status=status)


# --- voice of the customer ------------------------------------------------------------------


@capability("improvement.view")
def voc_page(request):
    sources = [(s.key, str(s.label)) for s in voc.sources()]
    form = VocForm(request.GET, sources=sources)
    today = selectors.today()
    month, source, language, status = today.replace(day=1), "", "", 200
    if form.is_valid():
        d = form.cleaned_data
        if d["month"]:
            month = dt.date(int(d["month"][:4]), int(d["month"][5:7]), 1)
        source, language = d["source"], d["language"]
    else:
        status = 400
    data = selectors.voc_themes(month=month, source=source, language=language)
    chart = {
        "terms": [t["term"] for t in data["themes"]][::-1],
        "now": [t["count"] for t in data["themes"]][::-1],
        "before": [t["previous"] for t in data["themes"]][::-1],
        "labels": [_("This month"), _("Month before")],
    }
    context = {
        "form": form,
        "data": data,
        "chart": chart,
        "month_value": f"{month:%Y-%m}",
        "may_work": can(request.user, "improvement.work"),
    }
    return render(request, "improvement/voc.html", context, status=status)


@capability("improvement.work")
@require_POST
def voc_recompute(request):
    form = VocForm(request.POST, sources=[(s.key, s.key) for s in voc.sources()])
    month = selectors.today().replace(day=1)
    if form.is_valid() and form.cleaned_data["month"]:
        m = form.cleaned_data["month"]
        month = dt.date(int(m[:4]), int(m[5:7]), 1)
    voc.voc_compute(month=month)
    return done(request, _("Themes computed."), back=f"{reverse('improvement:voc')}?month={month:%Y-%m}")
