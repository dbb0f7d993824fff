"""The parts of an order page shared by the console and the engineer view.

Each function turns already-loaded rows into display data; none of them queries
per row (the timeline, documents, quotes and acceptances come with the order's
``OrderDetail``).
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.roles import can
from core.masking import mask_address, mask_email, mask_phone
from products.selectors import terms_for, unit_coverage
from products.warranty import Cause, Reason

from ..agenda import map_links
from ..choices import Coverage, EventType, Status
from ..customer_messages import notified_label
from ..dispatching import site_of
from ..extensions import order_panels
from ..forms import AcceptanceForm, NoteForm, PartFormSet, QuoteForm, QuoteLineFormSet, ReplacementForm, ReportForm
from ..models import OrderDocument
from ..permissions import may_reveal_contact, sees_own_contact, sees_unmasked_pii
from ..presenters import log_pii_view, order_summary
from ..warranty_panel import order_warranty_panel
from ..workflow import available_with_reasons

FINISHED = {Status.CLOSED, Status.CANCELLED}
SIGNED_ACTIONS = {"accept", "refuse"}  # taken by signing the acceptance form, not by a bare button


def label_of(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def timeline(events) -> list[dict]:
    rows = []
    for e in events:
        payload = e.payload if isinstance(e.payload, dict) else {}
        rows.append(
            {
                "at": e.at,
                "actor": e.actor.display_name() if e.actor_id else _("System"),
                "action": notified_label(payload)
                if e.action == EventType.CUSTOMER_NOTIFIED
                else EventType.label_of(e.action),
                "from": label_of(Status, e.from_status) if e.from_status != e.to_status else "",
                "to": label_of(Status, e.to_status) if e.from_status != e.to_status else "",
                "note": e.note,
                "reason": label_of(Reason, payload.get("reason")) if payload.get("reason") else "",
            }
        )
    return rows


def warranty_rows(order) -> list[dict] | None:
    """Per component class: months, start, end, covered, and why not (SPEC §2)."""
    if order.unit_id is None:
        return None
    on = timezone.localdate(order.created_at)
    return [
        {
            "name": c.component_class.label,
            "months": c.months,
            "start": c.start,
            "end": c.end,
            "covered": c.in_warranty,
            "reason": label_of(Reason, c.reason),
        }
        for c in unit_coverage(order.unit, on=on, cause=order.cause or Cause.DEFECT)
    ]


def assess_components(order) -> list[tuple[str, str]]:
    """The component classes an assessment may name: those of the unit's model."""
    if order.unit_id is None or order.status not in {Status.ACKNOWLEDGED, Status.REOPENED}:
        return []
    return [(t.component_class.code, t.component_class.label) for t in terms_for(order.unit.model)]


def action_buttons(order, user) -> list:
    """The transitions this user's role may take in the order's state, from the workflow table,
    each allowed or disabled with its guard's reason (signing is a form of its own)."""
    return available_with_reasons(order, user, skip=SIGNED_ACTIONS)


def customer_panel(order, user) -> dict:
    data = order_summary(order, user)
    clear = sees_unmasked_pii(user, order)
    log_pii_view(user, order)
    return {
        **data,
        "clear": clear,
        "contact": contact_box(order, user),
        "tier": order.customer.get_tier_display(),
        "is_key": order.customer.is_key,
        "region": order.customer.region,
    }


def contact_box(order, user, *, revealed: bool = False) -> dict:
    """Phone, e-mail and address for ``service/partials/contact.html``: masked for staff, with the
    reveal button for those who may reveal (``may_reveal_contact``); in full for the customer
    themself, or once revealed (``services.contact_reveal`` checked and logged it)."""
    own = sees_own_contact(user, order)
    if own or revealed:
        return {
            "order_id": order.pk,
            "clear": True,
            "revealed": revealed and not own,
            "phone": order.contact_phone,
            "email": order.customer.email,
            "address": order.address,
            "map": map_links(order.address, site=site_of(order)),
        }
    return {
        "order_id": order.pk,
        "clear": False,
        "can_reveal": may_reveal_contact(user, order),
        "phone": mask_phone(order.contact_phone),
        "email": mask_email(order.customer.email),
        "address": mask_address(order.address),
    }


def documents(rows) -> list:
    return [d for d in rows if d.kind != OrderDocument.Kind.SIGNATURE]


# Forms that are blank whatever the order: their fields' HTML is rendered once per language (and
# flags) and kept for the life of the process; ~1.5 ms of an order page with the quote form.
BLANK_FORMS = {
    "quote": (
        "service/partials/quote_fields.html",
        lambda: {"quote_form": QuoteForm(), "line_formset": QuoteLineFormSet(prefix="lines")},
    ),
    "replacement": ("service/partials/replacement_fields.html", lambda: {"replacement_form": ReplacementForm()}),
}
_blank_html: dict[tuple, str] = {}


def blank_form(name: str, **flags) -> str:
    """The fields of the blank form ``name`` as HTML (no token, no URL: those vary per request)."""
    key = (name, get_language(), *sorted(flags.items()))
    html = _blank_html.get(key)
    if html is None:
        template, make = BLANK_FORMS[name]
        html = _blank_html[key] = render_to_string(template, {**make(), **flags})
    return html


def report_forms(report, parts, version: int):
    """The report form and its parts rows, filled in from the saved report if there is one;
    ``version`` is the order's, so that a save over someone else's newer report is refused."""
    if report is None:
        return ReportForm(initial={"service_date": timezone.localdate(), "version": version}), PartFormSet(
            prefix="parts"
        )
    initial = {
        "version": version,
        "cause": report.cause,
        "process": report.process,
        "minutes_spent": report.minutes_spent,
        "service_date": report.service_date,
    }
    rows = [
        {
            "part_number": p.part_number,
            "name": p.name,
            "old_serial": p.old_serial,
            "new_serial": p.new_serial,
            "quantity": p.quantity,
        }
        for p in parts
    ]
    return ReportForm(initial=initial), PartFormSet(prefix="parts", initial=rows)


def common_context(detail, user) -> dict:
    """What both order pages show: header, customer, unit & warranty, documents, timeline, report, signing."""
    order, report = detail.order, detail.report
    can_report = can(user, "order.report") and order.status in {Status.IN_SERVICE, Status.AWAITING_PARTS}
    context = {
        "order": order,
        "customer": customer_panel(order, user),
        "coverage_reason": label_of(Reason, order.coverage_reason),
        "warranty": warranty_rows(order),
        "documents": documents(detail.documents),
        "timeline": timeline(detail.events),
        "actions": action_buttons(order, user),
        "causes": Cause.choices,
        "components": assess_components(order),
        "report": report,
        "report_parts": detail.parts,
        "acceptance": detail.acceptance,
        "quotes": detail.quotes,
        "is_paid": order.coverage == Coverage.PAID,
        "can_report": can_report,
        "can_sign": order.status == Status.RESOLVED,
        "can_note": can(user, "order.note"),
        "note_form": NoteForm(),
        "extra_panels": order_panels(order, user),
        "warranty_panel": order_warranty_panel(order, user),  # with the case: the unit and its warranty
    }
    if can_report:
        context["report_form"], context["parts_formset"] = report_forms(report, detail.parts, order.version)
    if context["can_sign"]:
        context["acceptance_form"] = AcceptanceForm(initial={"signer_name": order.contact_name})
    return context
