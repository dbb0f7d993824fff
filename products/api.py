"""``/api/v1/units``: register units and read their warranty."""

import datetime as dt
import json

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from core.api import ERRORS, refuse_null_characters
from core.dates import ApiDate
from core.errors import DomainError, ValidationFailed
from customers.models import Customer
from customers.services import customer_for

from . import selectors, services
from .periods import Convention
from .warranty import Reason

router = Router(tags=["units"])


class UnitIn(Schema):
    serial: str = Field(min_length=1, max_length=60)
    model: str | None = Field(default=None, max_length=40)
    purchase_date: ApiDate | None = None
    sale_date: ApiDate | None = None
    channel: str = Field(default="", max_length=80, description="Dealer or sales channel, in Chinese.")
    colour: str = Field(default="", max_length=30, description="Colour, in Chinese (as catalogued).")
    channel_en: str = Field(default="", max_length=80, description="The channel in English; empty: the Chinese.")
    colour_en: str = Field(default="", max_length=30, description="The colour in English; empty: the Chinese.")
    customer_id: int | None = Field(default=None, ge=1, le=2**62)
    sold_online: bool | None = Field(
        default=None, description="Bought on an e-commerce platform (the seven-day no-reason return applies)."
    )
    received_date: ApiDate | None = Field(
        default=None, description="The day the goods were received (starts the no-reason return of online purchases)."
    )


class ComponentOut(Schema):
    component_class: str
    name: str = Field(description="The component class's name in Chinese.")
    name_en: str = Field(description="Its name in English (the Chinese name when no English one is given).")
    kind: str
    months: int
    start: dt.date | None
    end: dt.date | None = Field(description="The period's last day, inclusive (same as last_day).")
    last_day: dt.date | None = Field(description="The period's last day, inclusive, under the convention.")
    convention: Convention
    convention_text: str
    in_warranty: bool
    reason: str
    reason_text: str


class WarrantyOut(Schema):
    serial: str
    model: str
    model_name: str = Field(description="The product model's name in Chinese.")
    model_name_en: str = Field(description="Its name in English (the Chinese name when no English one is given).")
    start_date: dt.date | None
    start_basis: str
    on: dt.date
    components: list[ComponentOut]
    component: ComponentOut | None = Field(
        default=None, description="The coverage of the component class asked for with ``component``."
    )


class UnitOut(Schema):
    id: int
    serial: str
    model: str
    purchase_date: dt.date | None
    sale_date: dt.date | None
    sold_online: bool
    received_date: dt.date | None
    has_proof: bool
    status: str
    warranty: WarrantyOut


def _visible_unit(request, serial: str):
    return selectors.unit_visible_to(request.user, serial)


def component_data(c) -> dict:
    return {
        "component_class": c.component_class.code,
        "name": str(c.component_class.name),
        "name_en": c.component_class.label_in("en"),
        "kind": c.component_class.kind,
        "months": c.months,
        "start": c.start,
        "end": c.end,
        "last_day": c.end,
        "convention": c.convention,
        "convention_text": str(Convention(c.convention).label),
        "in_warranty": c.in_warranty,
        "reason": c.reason,
        "reason_text": str(Reason(c.reason).label),
    }


def warranty_data(unit, on: dt.date, component: str = "") -> dict:
    basis = "proof" if unit.proof_id and unit.purchase_date else ("sale" if unit.sale_date else "none")
    components = selectors.unit_coverage(unit, on=on)
    chosen = None
    if component:
        chosen = next((c for c in components if c.component_class.code == component), None)
        if chosen is None:
            msg = _("This product model has no such component class.")
            raise ValidationFailed(msg, code="unknown_component", fields={"component": [msg]})
    return {
        "serial": unit.serial,
        "model": unit.model.code,
        "model_name": unit.model.name,
        "model_name_en": unit.model.label_in("en"),
        "start_date": components[0].start if components else None,
        "start_basis": basis,
        "on": on,
        "components": [component_data(c) for c in components],
        "component": component_data(chosen) if chosen else None,
    }


@router.get("/units/{serial}/warranty", response={200: WarrantyOut, **ERRORS}, summary="Warranty of a unit")
def unit_warranty(
    request,
    serial: str,
    on: ApiDate | None = None,
    component: str = Query("", max_length=40, description="A component class code: its coverage in `component`."),
):
    """Coverage per component class on ``on`` (default today): each period's last day and the
    convention it was counted by (docs/warranty.md). With ``component``, that class's answer is
    also given on its own. An unknown or another customer's serial is 404 ``unknown_serial``."""
    unit = _visible_unit(request, serial)
    return warranty_data(unit, on or timezone.localdate(), component.strip())


_UNIT_SCHEMA = UnitIn.model_json_schema(ref_template="#/components/schemas/{model}")
_MULTIPART = {
    **_UNIT_SCHEMA,
    "properties": {**_UNIT_SCHEMA["properties"], "proof": {"type": "string", "format": "binary"}},
}


@router.post(
    "/units",
    response={201: UnitOut, **ERRORS},
    summary="Register a unit",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _UNIT_SCHEMA}, "multipart/form-data": {"schema": _MULTIPART}},
        }
    },
)
def register_unit(request):
    """Register a unit to the caller (a customer) or to ``customer_id`` (staff).

    JSON, or a multipart form carrying the purchase proof (PDF or image) as ``proof``.
    A serial already in the archive is claimed; an unknown serial needs ``model``."""
    if request.content_type == "multipart/form-data":
        data, proof = request.POST.dict(), request.FILES.get("proof")
    else:
        try:
            data, proof = json.loads(request.body or b"null"), None
        except (ValueError, UnicodeDecodeError):
            raise DomainError(_("The request body is not valid JSON."), code="malformed_request") from None
    if not isinstance(data, dict):
        raise ValidationFailed(_("Expected an object."))
    refuse_null_characters(data)
    data = {
        k: (
            None
            if v == "" and k in {"model", "purchase_date", "sale_date", "customer_id", "received_date", "sold_online"}
            else v
        )
        for k, v in data.items()
    }
    try:
        payload = UnitIn.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    return Status(201, _register(request, payload, proof))


def _register(request, payload: UnitIn, proof):
    user = request.user
    if user.is_customer:
        customer = customer_for(user)
    else:
        customer = Customer.objects.filter(pk=payload.customer_id).first() if payload.customer_id else None
        if customer is None:
            msg = _("Unknown customer.")
            raise ValidationFailed(msg, code="unknown_customer", fields={"customer_id": [msg]})
    unit = services.unit_register(
        actor=user,
        customer=customer,
        serial=payload.serial,
        model_code=payload.model,
        purchase_date=payload.purchase_date,
        sale_date=payload.sale_date,
        channel=payload.channel,
        colour=payload.colour,
        channel_en=payload.channel_en,
        colour_en=payload.colour_en,
        sold_online=payload.sold_online,
        received_date=payload.received_date,
        proof=proof,
    )
    return {
        "id": unit.pk,
        "serial": unit.serial,
        "model": unit.model.code,
        "purchase_date": unit.purchase_date,
        "sale_date": unit.sale_date,
        "sold_online": unit.sold_online,
        "received_date": unit.received_date,
        "has_proof": bool(unit.proof_id),
        "status": unit.status,
        "warranty": warranty_data(unit, timezone.localdate()),
    }
