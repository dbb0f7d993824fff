"""Writes from the order pages: every POST calls one service and answers through ``outcomes``.

The same endpoints serve the console and the engineer view; the answer goes back to
the page the user works on.
"""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.errors import DomainError
from core.idempotency import once_per_form

from .. import services
from ..forms import (
    AcceptanceForm,
    AssignForm,
    NoteForm,
    PartFormSet,
    QuoteDecisionForm,
    QuoteForm,
    QuoteLineFormSet,
    ReplacementForm,
    ReportForm,
    TransitionForm,
    assignment_choices,
    parts_of,
)
from ..models import Quote
from ..services.replacement import replacement_create
from ..workflow import TRANSITIONS, assessment_data
from .access import staff
from .outcomes import checked, done, refuse


def back_to(user, order_id: int) -> str:
    """Engineers work from their own view; everyone else from the console."""
    if user.role == Role.ENGINEER:
        return reverse("service:engineer_order", args=[order_id])
    return reverse("service:detail", args=[order_id])


@staff
@require_POST
@once_per_form
def transition(request, order_id: int):
    form = TransitionForm(request.POST)
    back = back_to(request.user, order_id)
    try:
        data = checked(form)
        services.work_order_transition(
            order_id=order_id,
            action=data["action"],
            actor=request.user,
            note=data["note"],
            expected_version=data["version"],
            data=assessment_data(data["cause"], data["component"], data["part"], data["part_serial"]),
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    label = TRANSITIONS[data["action"]].label
    return done(request, _("Done: %(action)s.") % {"action": label}, back=back)


@staff
@require_POST
@once_per_form
def assign(request, order_id: int):
    engineers, departments = assignment_choices()
    form = AssignForm(request.POST, engineers=engineers, departments=departments)
    back = back_to(request.user, order_id)
    try:
        data = checked(form)
        services.work_order_assign(
            order_id=order_id,
            actor=request.user,
            assignee_id=data["assignee"],  # blank: unassigned
            appointment_at=data["appointment_at"] or services.UNCHANGED,  # blank: as it was
            department_id=data["department"] or services.UNCHANGED,
            reason=data["reason"],
            expected_version=data["version"],
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, _("Assignment saved."), back=back)


@staff
@require_POST
@once_per_form
def quote_create(request, order_id: int):
    form = QuoteForm(request.POST)
    lines = QuoteLineFormSet(request.POST, prefix="lines")
    back = back_to(request.user, order_id)
    try:
        data = checked(form, lines)
        services.quote_create(
            order_id=order_id,
            actor=request.user,
            lines=[f.cleaned_data for f in lines.forms if f.has_changed() and f.cleaned_data],
            plan=data["plan"],
            estimated_hours=data["estimated_hours"],
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form, lines])
    return done(request, _("Quote issued; it now waits for the customer's approval."), back=back)


@staff
@require_POST
@once_per_form
def quote_decide(request, order_id: int, quote_id: int):
    """An agent records the customer's decision, given by phone."""
    if not Quote.objects.filter(pk=quote_id, order_id=order_id).exists():
        raise Http404
    form = QuoteDecisionForm(request.POST)
    back = back_to(request.user, order_id)
    try:
        data = checked(form)
        approve = data["decision"] == "approve"
        note = data["note"] or _("Customer's decision taken by phone.")
        services.quote_decide(quote_id=quote_id, actor=request.user, approve=approve, note=note)
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, _("Quote approved.") if approve else _("Quote rejected."), back=back)


@staff
@require_POST
@once_per_form
def report_save(request, order_id: int):
    form = ReportForm(request.POST)
    parts = PartFormSet(request.POST, prefix="parts")
    back = back_to(request.user, order_id)
    try:
        data = checked(form, parts)
        services.report_save(
            order_id=order_id,
            actor=request.user,
            cause=data["cause"],
            process=data["process"],
            minutes_spent=data["minutes_spent"],
            service_date=data["service_date"],
            parts=parts_of(parts),
            expected_version=data["version"],
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form, parts])
    return done(request, _("Repair report saved."), back=back)


@staff
@require_POST
@once_per_form
def acceptance(request, order_id: int):
    form = AcceptanceForm(request.POST)
    back = back_to(request.user, order_id)
    try:
        data = checked(form)
        accepted = data["decision"] == "accept"
        services.acceptance_sign(
            order_id=order_id,
            actor=request.user,
            accepted=accepted,
            signer_name=data["signer_name"],
            signature=data["signature"],
            comment=data["comment"],
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    if accepted:
        return done(request, _("The customer accepted the service."), back=back)
    return done(request, _("The customer refused acceptance; the order is reopened and a complaint opened."), back=back)


@staff
@require_POST
@once_per_form
def replacement(request, order_id: int):
    form = ReplacementForm(request.POST)
    back = back_to(request.user, order_id)
    try:
        data = checked(form)
        replacement_create(
            order_id=order_id,
            actor=request.user,
            ground=data["ground"],
            new_serial=data["new_serial"],
            new_model_code=data["new_model_code"],
            new_colour=data["new_colour"],
            new_colour_en=data["new_colour_en"],
            is_return=data["is_return"],
            manager_approved=data["manager_approved"],
            approval_reason=data["approval_reason"],
            goods_condition=data["goods_condition"],
        )
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, _("Replacement recorded."), back=back)


@staff
@require_POST
@once_per_form
def note(request, order_id: int):
    form = NoteForm(request.POST)
    back = back_to(request.user, order_id)
    try:
        data = checked(form)
        services.work_order_note(order_id=order_id, actor=request.user, note=data["note"])
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, _("Note added."), back=back)
