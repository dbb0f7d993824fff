"""The staff pages: survey and follow-up lists, the follow-up page with its outcome form, the
KPI and analysis page, and the agent's "record a survey on a call" form."""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import can
from core.audit import record_pii_view
from core.errors import DomainError, ValidationFailed
from core.masking import mask_name
from customers.models import Customer
from service.models import WorkOrder
from service.views.access import capability
from service.views.queue import page_links

from . import kpi, selectors, services
from .forms import CallLookupForm, FollowUpListForm, KpiForm, OutcomeForm, SurveyListForm
from .public import answers_from_post, questions_of

PAGE = 25
RECENT_DAYS = 30


def customer_names(actor, rows) -> None:
    """``r.customer_name``: in full for the roles that need names (logged in one row), masked
    for the others."""
    clear = can(actor, "pii.view_unmasked")
    for r in rows:
        r.customer_name = r.customer.name if clear else mask_name(r.customer.name)
    if clear and rows:
        record_pii_view(actor=actor, obj=list({r.customer_id: r.customer for r in rows}.values()), fields=["name"])


@capability("survey.view")
def survey_list(request):
    form = SurveyListForm(request.GET)
    rows, next_cursor, status = [], None, 200
    if form.is_valid():
        d = form.cleaned_data
        try:
            rows, next_cursor = selectors.survey_list(
                actor=request.user,
                f=selectors.SurveyFilter(unsatisfied=d["unsatisfied"], negative=d["negative"]),
                cursor=d["cursor"] or None,
                size=PAGE,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
    if form.errors:
        status = 400
    customer_names(request.user, rows)
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    context = {
        "form": form,
        "rows": rows,
        "counts": selectors.survey_counts(actor=request.user, since=since),
        "days": RECENT_DAYS,
        **page_links(request, next_cursor),
    }
    return render(request, "feedback/surveys.html", context, status=status)


@capability("survey.view")
def response_detail(request, response_id: int):
    """One answered survey: each question's answer in the reader's language, the scores, the
    comment, what it was about and the follow-ups it opened. The name is shown as on the lists
    (in full, logged, for the roles that need it)."""
    row = selectors.response_detail(actor=request.user, response_id=response_id)
    if row is None:
        raise Http404
    customer_names(request.user, [row])
    context = {"r": row, "sees_followups": can(request.user, "followup.work")}
    return render(request, "feedback/response.html", context)


@capability("followup.work")
def followup_list(request):
    form = FollowUpListForm(request.GET)
    rows, next_cursor, status = [], None, 200
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.FollowUpFilter(status=d["status"] or "open", overdue=d["overdue"], mine=d["mine"])
        try:
            rows, next_cursor = selectors.followup_list(actor=request.user, f=f, cursor=d["cursor"] or None, size=PAGE)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
    if form.errors:
        status = 400
    customer_names(request.user, rows)
    context = {
        "form": form,
        "rows": rows,
        "counts": selectors.followup_counts(actor=request.user),
        **page_links(request, next_cursor),
    }
    return render(request, "feedback/followups.html", context, status=status)


@capability("followup.work")
def followup_detail(request, followup_id: int):
    row = selectors.followup_detail(actor=request.user, followup_id=followup_id)
    if row is None:
        raise Http404
    form, status = OutcomeForm(), 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "take":
                services.followup_assign(actor=request.user, followup_id=row.pk, assignee_id=request.user.pk)
                messages.success(request, _("The follow-up is yours."))
                return redirect("feedback:followup", followup_id=row.pk)
            if action == "assign":
                raw = request.POST.get("assignee", "")
                assignee = int(raw) if raw.isdigit() and len(raw) < 10 else None
                if assignee is None:
                    raise ValidationFailed(fields={"assignee": [_("Choose a colleague.")]})
                services.followup_assign(actor=request.user, followup_id=row.pk, assignee_id=assignee)
                messages.success(request, _("The follow-up is assigned."))
                return redirect("feedback:followup", followup_id=row.pk)
            form = OutcomeForm(request.POST)
            if form.is_valid():
                services.followup_complete(
                    actor=request.user,
                    followup_id=row.pk,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("The outcome is recorded."))
                return redirect("feedback:followup", followup_id=row.pk)
            status = 400
        except DomainError as exc:
            for field, errs in exc.fields.items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
            if not exc.fields:
                form.add_error(None, str(exc.message))
            status = exc.status if exc.status != 404 else 400
    customer_names(request.user, [row])
    colleagues = []
    if can(request.user, "followup.assign") and row.status == "open":
        colleagues = list(
            User.objects.filter(is_active=True, role__in=["agent", "complaint_handler", "supervisor"]).order_by(
                "username"
            )[:200]
        )
    context = {
        "row": row,
        "form": form,
        "colleagues": colleagues,
        "now": timezone.now(),
        "sees_surveys": can(request.user, "survey.view"),
    }
    return render(request, "feedback/followup.html", context, status=status)


@capability("survey.kpi")
def kpi_page(request):
    form = KpiForm(request.GET or None)
    if not form.is_bound:  # show the default period in the date fields
        default = kpi.make_filter()
        form = KpiForm(initial={"date_from": default.date_from, "date_to": default.date_to})
    data, status = None, 200
    if not form.is_bound or form.is_valid():
        d = form.cleaned_data if form.is_bound else {}
        try:
            f = kpi.make_filter(
                date_from=d.get("date_from"),
                date_to=d.get("date_to"),
                department_id=d["department"].pk if d.get("department") else None,
                product_line_id=d["product_line"].pk if d.get("product_line") else None,
            )
            data = kpi.report(actor=request.user, f=f)
        except ValidationFailed as exc:
            for field, errs in exc.fields.items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
    if form.errors:
        status = 400
    chart = None
    if data is not None:
        chart = {
            "months": [m["month"] for m in data["months"]],
            "scores": [m["average_score"] for m in data["months"]],
            "rates": [round((m["satisfaction_rate"] or 0) * 100, 1) for m in data["months"]],
            "questions": [q["label"] for q in reversed(data["questions"])],
            "averages": [q["average"] for q in reversed(data["questions"])],
            "labels": {
                "score": _("Average weighted score"),
                "rate": _("Satisfaction rate (%)"),
                "average": _("Average (0–100)"),
            },
        }
    return render(request, "feedback/kpis.html", {"form": form, "data": data, "chart": chart}, status=status)


def _call_target(request):
    """The customer (and order) of the call, from ?order=WO… or ?phone=…."""
    lookup = CallLookupForm(request.GET or None)
    customer, order = None, None
    if lookup.is_bound and lookup.is_valid():
        number, phone = lookup.cleaned_data["order"].strip(), lookup.cleaned_data["phone"].strip()
        if number:
            pk = WorkOrder.pk_from_number(number)
            order = WorkOrder.objects.select_related("customer").filter(pk=pk).first() if pk and pk < 2**31 else None
            customer = order.customer if order else None
            if order is None:
                lookup.add_error("order", _("No work order has this number."))
        elif phone:
            customer = Customer.objects.filter(phone=phone).order_by("id").first()
            if customer is None:
                lookup.add_error("phone", _("No customer has this phone number."))
    return lookup, customer, order


@capability("survey.record")
def record_call(request):
    lookup, customer, order = _call_target(request)
    version = services.current_version()
    questions, status, error = questions_of(version), 200, None
    if lookup.errors:
        status = 400
    if request.method == "POST" and customer is not None:
        answers = answers_from_post(version, request.POST)
        try:
            response = services.survey_record_call(
                actor=request.user,
                customer_id=customer.pk,
                order_id=order.pk if order else None,
                answers=answers,
            )
        except DomainError as exc:
            questions = questions_of(version, answers, exc.fields)
            error, status = exc.message, exc.status
        else:
            messages.success(
                request,
                _("Survey recorded: weighted score %(score)s, %(verdict)s.")
                % {"score": response.score, "verdict": _("satisfied") if response.satisfied else _("not satisfied")},
            )
            return redirect("feedback:surveys")
    customer_name = ""
    if customer is not None:
        customer_name = customer.name if can(request.user, "pii.view_unmasked") else mask_name(customer.name)
    context = {
        "lookup": lookup,
        "customer": customer,
        "customer_name": customer_name,
        "order": order,
        "questions": questions,
        "error": error,
    }
    return render(request, "feedback/record.html", context, status=status)
