"""The complaint handler's work list and the quality specialist's review list (their homes)."""

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import can
from core import workflow
from core.audit import record_pii_view
from core.errors import DomainError, NotFound
from core.idempotency import once_per_form
from core.masking import mask_email, mask_name, mask_phone
from customers.selectors import customer_by_number, customers_by_name, customers_by_phone
from service import worklists
from service.forms import normalise_phone
from service.permissions import may_reveal_contact
from service.views.access import capability
from service.views.outcomes import checked, done, refuse
from service.views.queue import page_links
from sla.clocks import EXTEND_ROLES
from sla.templatetags.sla_tags import clock_rows

from . import customer_messages, routing, selectors, services
from .choices import OPEN_STATUSES, EventType, Status
from .extensions import complaint_panels
from .forms import (
    DEFAULT_DAYS,
    CallbackForm,
    ClassifyForm,
    EvidenceForm,
    ExtensionForm,
    NewComplaintForm,
    ProgressForm,
    QualityForm,
    ResolveForm,
    TransitionForm,
    WorkListForm,
)
from .models import ComplaintDocument
from .permissions import visible_to
from .workflow import COMPLAINT, HANDLERS, OWNER_ROLES

PAGE = 25
CLOSED_SHOWN = 20


def customer_names(actor, complaints) -> None:
    """Set ``c.customer_name``: in full for the roles that need names (the page logged in one
    row), masked for the others."""
    clear = can(actor, "pii.view_unmasked")
    for c in complaints:
        c.customer_name = c.customer.name if clear else mask_name(c.customer.name)
    if clear and complaints:
        record_pii_view(actor=actor, obj=[c.customer for c in complaints], fields=["name"])


@capability("complaint.work")
def work_list(request):
    form = WorkListForm(request.GET)
    rows, next_cursor, status = [], None, 200
    if form.is_valid():
        data = form.cleaned_data
        f = selectors.WorkListFilter(
            status=data["status"], overdue=data["overdue"], mine=data["mine"], view=data["view"]
        )
        try:
            rows, next_cursor = selectors.complaint_work_list(
                actor=request.user, f=f, cursor=data["cursor"] or None, size=PAGE
            )
        except DomainError as exc:  # a tampered or stale cursor
            form.add_error(None, str(exc.message))
    if form.errors:
        status = 400
    customer_names(request.user, rows)
    context = {
        "form": form,
        "rows": rows,
        "counts": selectors.complaint_work_counts(actor=request.user),
        "view": form.cleaned_data.get("view", "") if form.is_valid() else "",
        **page_links(request, next_cursor),
    }
    return render(request, "complaints/work_list.html", context, status=status)


@capability("quality.review")
def quality(request):
    form = QualityForm(request.GET or None)
    days = DEFAULT_DAYS
    orders, next_cursor, status = [], None, 200
    valid = not form.is_bound or form.is_valid()
    if form.is_bound and valid:
        days = form.cleaned_data["days"]
    since = timezone.now() - dt.timedelta(days=days)
    if valid:
        cursor = form.cleaned_data["cursor"] if form.is_bound else ""
        try:
            orders, next_cursor = worklists.quality_orders(
                actor=request.user, since=since, cursor=cursor or None, size=PAGE
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
    if form.errors:
        status = 400
    closed, closed_count = selectors.complaints_closed_since(actor=request.user, since=since, limit=CLOSED_SHOWN)
    context = {
        "form": form,
        "days": days,
        "orders": orders,
        "order_count": worklists.quality_order_count(actor=request.user, since=since),
        "closed": closed,
        "closed_count": closed_count,
        **page_links(request, next_cursor),
    }
    return render(request, "complaints/quality.html", context, status=status)


# --- the complaint page ------------------------------------------------------------------------

HANDLER_ROLES = {str(r) for r in HANDLERS}


def _load(request, complaint_id: int) -> selectors.ComplaintDetail:
    try:
        return selectors.complaint_detail(actor=request.user, complaint_id=complaint_id)
    except NotFound:
        raise Http404 from None


def _timeline(events) -> list[dict]:
    rows = []
    for e in events:
        label = str(EventType(e.action).label) if e.action in EventType.values else e.action
        reason = ""
        if e.action == EventType.CUSTOMER_NOTIFIED:
            label = customer_messages.notified_label(e.payload)
        elif e.action == EventType.CLASSIFY:
            reason = (
                routing.explain(e.payload.get("routing", {}))
                if not e.payload.get("routing", {}).get("by_hand")
                else gettext("Owner named by hand.")
            )
        elif e.action == EventType.CALLBACK and e.payload.get("callback_at"):
            reason = gettext("Callback at %(when)s") % {
                "when": customer_messages.local(dt.datetime.fromisoformat(e.payload["callback_at"]))
            }
        rows.append(
            {
                "at": e.at,
                "action": label,
                "actor": e.actor.display_name() if e.actor_id else "—",
                "from": COMPLAINT.state_label(e.from_status) if e.from_status and e.from_status != e.to_status else "",
                "to": COMPLAINT.state_label(e.to_status) if e.from_status != e.to_status else "",
                "reason": reason,
                "note": e.note,
            }
        )
    return rows


def _contact(complaint, actor) -> dict:
    """The customer's phone and e-mail, masked; revealed through the order's logged reveal
    when the actor may (a complaint handler of this open complaint: the contact grant)."""
    customer = complaint.customer
    order = complaint.order
    return {
        "order_id": order.pk if order else 0,
        "phone": mask_phone(customer.phone),
        "email": mask_email(customer.email),
        "address": "",
        "clear": False,
        "can_reveal": bool(order) and may_reveal_contact(actor, order),
    }


def _owners():
    return list(User.objects.filter(is_active=True, role__in=OWNER_ROLES).order_by("first_name", "username")[:200])


@capability("complaint.view_all")
def detail(request, complaint_id: int):
    d = _load(request, complaint_id)
    c = d.complaint
    user = request.user
    handles = workflow.role_of(user) in HANDLER_ROLES
    options = COMPLAINT.available_with_reasons(c, user)
    open_case = c.status in OPEN_STATUSES and c.status != Status.RESOLVED
    customer_names(user, [c])
    context = {
        "c": c,
        "detail": d,
        "timeline": _timeline(d.events),
        "clock_rows": clock_rows(c),
        "options": options,
        "contact": _contact(c, user),
        "panels": complaint_panels(c, user, request=request),
        "handles": handles,
        "open_case": open_case,
        "classify_form": ClassifyForm(owners=_owners(), initial={"version": c.version})
        if any(o.action == EventType.CLASSIFY for o in options)
        else None,
        "resolve_form": ResolveForm(initial={"version": c.version}),
        "progress_form": ProgressForm(initial={"version": c.version}),
        "callback_form": CallbackForm(initial={"version": c.version}),
        "extension_form": ExtensionForm(),
        "evidence_form": EvidenceForm(),
        "can_extend": workflow.role_of(user) in {str(r) for r in EXTEND_ROLES} and open_case,
    }
    return render(request, "complaints/detail.html", context)


def _back(complaint_id: int) -> str:
    return reverse("complaints:detail", args=[complaint_id])


def _act(request, complaint_id: int, form, call: Callable[[dict], object], message: str):
    """The one shape of the complaint page's actions: check the form, call the service with its
    cleaned data, answer with the message or the refusal (back to the complaint either way)."""
    back = _back(complaint_id)
    try:
        call(checked(form))
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, message, back=back)


def _transition_data(action: str, data: dict) -> dict:
    if action == EventType.CLASSIFY:
        keys = {"category": "category", "service_aspect": "service_aspect", "major": "major", "owner_id": "owner"}
        return {k: data[v] for k, v in keys.items()}
    if action == EventType.RESOLVE:
        return {k: data[k] for k in ("measures", "result", "follow_up")}
    return {}


@capability("complaint.view_all")
@require_POST
@once_per_form
def transition(request, complaint_id: int):
    action = request.POST.get("action", "")
    form_class = {EventType.CLASSIFY: ClassifyForm, EventType.RESOLVE: ResolveForm}.get(action, TransitionForm)
    form = form_class(request.POST, owners=_owners()) if form_class is ClassifyForm else form_class(request.POST)
    return _act(
        request,
        complaint_id,
        form,
        lambda data: services.complaint_transition(
            complaint_id=complaint_id,
            action=data["action"],
            actor=request.user,
            note=data["note"],
            data=_transition_data(action, data),
            expected_version=data["version"],
        ),
        gettext("Done."),
    )


@capability("complaint.view_all")
@require_POST
@once_per_form
def progress(request, complaint_id: int):
    return _act(
        request,
        complaint_id,
        ProgressForm(request.POST),
        lambda data: services.complaint_progress_send(
            complaint_id=complaint_id, actor=request.user, text=data["text"], expected_version=data["version"]
        ),
        gettext("The progress message was sent to the customer."),
    )


@capability("complaint.view_all")
@require_POST
@once_per_form
def callback(request, complaint_id: int):
    return _act(
        request,
        complaint_id,
        CallbackForm(request.POST),
        lambda data: services.complaint_callback_set(
            complaint_id=complaint_id,
            actor=request.user,
            callback_at=data["callback_at"],
            note=data["note"],
            expected_version=data["version"],
        ),
        gettext("The callback time is recorded and confirmed to the customer."),
    )


@capability("complaint.view_all")
@require_POST
@once_per_form
def extension(request, complaint_id: int):
    return _act(
        request,
        complaint_id,
        ExtensionForm(request.POST),
        lambda data: services.complaint_extend(
            complaint_id=complaint_id,
            actor=request.user,
            clock=data["clock"],
            reason=data["reason"],
            extra=data["extra"],
        ),
        gettext("The deadline is extended; the customer is told."),
    )


@capability("complaint.view_all")
@require_POST
@once_per_form
def evidence(request, complaint_id: int):
    return _act(
        request,
        complaint_id,
        EvidenceForm(request.POST, request.FILES),
        lambda data: services.complaint_evidence_add(
            complaint_id=complaint_id, actor=request.user, upload=data["file"], note=data["note"]
        ),
        gettext("The file is attached."),
    )


@login_required
def document(request, complaint_id: int, document_id: int):
    """An evidence file, to whoever may see the complaint (missing and forbidden: 404)."""
    row = (
        ComplaintDocument.objects.filter(
            complaint__in=visible_to(request.user), complaint_id=complaint_id, document_id=document_id
        )
        .select_related("document")
        .first()
    )
    if row is None or not row.document.file:
        raise Http404
    doc = row.document
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Content-Disposition"] = f'inline; filename="{doc.pk}.{doc.file.name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


LOOKUP_PHONE_DIGITS = 7  # a number typed with at least this many digits is a phone number


def customer_suggestions(actor, text: str) -> list[dict]:
    """The customers the agent may mean by ``text``: a phone number (the phone request's lookup,
    ``customers.selectors``), a customer number, or the start of a name; masked, whoever asks
    (the agent confirms the caller from the masked phone and the units)."""
    text = (text or "").strip()[:60]
    digits = normalise_phone(text).removeprefix("+")
    if digits.isdigit() and len(digits) >= LOOKUP_PHONE_DIGITS:
        found = customers_by_phone(actor, normalise_phone(text))
    elif digits.isdigit():
        found = customer_by_number(actor, int(digits))
    else:
        found = customers_by_name(actor, text)
    return [
        {
            "id": c.pk,
            "name": mask_name(c.name),
            "phone": mask_phone(c.phone),
            "is_key": c.is_key,
            "region": c.region,
            "units": [f"{u.model.code} · {u.serial}" for u in c.units.all()][:5],
        }
        for c in found
    ]


@capability("request.create_for_customer")
def customer_lookup(request):
    """HTMX: the customers found for the phone number, customer number or name being typed."""
    text = request.GET.get("lookup", "")
    context = {"matches": customer_suggestions(request.user, text), "lookup": text.strip()[:60]}
    return render(request, "complaints/partials/customer_matches.html", context)


def _new_context(request, form) -> dict:
    """The form with the chosen customer shown (found again by number, masked)."""
    chosen = form["customer"].value()
    chosen = str(chosen) if chosen not in (None, "") else ""
    number = chosen.isdigit() and len(chosen) < LOOKUP_PHONE_DIGITS
    matches = customer_suggestions(request.user, chosen) if number else []
    return {"form": form, "matches": matches, "lookup": chosen if matches else "", "selected": chosen}


@capability("request.create_for_customer")
def new(request):
    """An agent keys in a complaint taken by phone or e-mail."""
    if request.method == "POST":
        form = NewComplaintForm(request.POST)
        try:
            data = checked(form)
            complaint = services.complaint_open(
                actor=request.user,
                customer_id=data["customer"],
                channel=data["channel"],
                description=data["description"],
                order_id=data["order"],
                serial=data["serial"] or "",
                received_at=data["received_at"],
            )
        except NotFound as exc:
            form.add_error("customer", str(exc.message))
            return render(request, "complaints/new.html", _new_context(request, form), status=422)
        except DomainError as exc:
            context = _new_context(request, form)
            return refuse(request, exc, form=form, template="complaints/new.html", context=context)
        return done(
            request, gettext("Complaint %(number)s recorded.") % {"number": complaint.number}, back=_back(complaint.pk)
        )
    initial = {"received_at": timezone.localtime().replace(second=0, microsecond=0)}
    for key in ("customer", "order"):
        if request.GET.get(key, "").isdigit() and len(request.GET[key]) < 18:
            initial[key] = int(request.GET[key])
    return render(request, "complaints/new.html", _new_context(request, NewComplaintForm(initial=initial)))
