"""``/api/v1/units``: register units and read their warranty."""

import datetime as dt
import json

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from accounts.roles import can
from core.api import ERRORS, refuse_null_characters
from core.errors import DomainError, NotFound, ValidationFailed
from customers.models import Customer
from customers.services import customer_for

from . import selectors, services

router = Router(tags=["units"])


class UnitIn(Schema):
    serial: str = Field(min_length=1, max_length=60)
    model: str | None = Field(default=None, max_length=40)
    purchase_date: dt.date | None = None
    sale_date: dt.date | None = None
    channel: str = Field(default="", max_length=80, description="Dealer or sales channel, in Chinese.")
    colour: str = Field(default="", max_length=30, description="Colour, in Chinese (as catalogued).")
    channel_en: str = Field(default="", max_length=80, description="The channel in English; empty: the Chinese.")
    colour_en: str = Field(default="", max_length=30, description="The colour in English; empty: the Chinese.")
    customer_id: int | None = Field(default=None, ge=1, le=2**62)


class ComponentOut(Schema):
    component_class: str
    name: str = Field(description="The component class's name in Chinese.")
    name_en: str = Field(description="Its name in English (the Chinese name when no English one is given).")
    kind: str
    months: int
    start: dt.date | None
    end: dt.date | None
    in_warranty: bool
    reason: str


class WarrantyOut(Schema):
    serial: str
    model: str
    model_name: str = Field(description="The product model's name in Chinese.")
    model_name_en: str = Field(description="Its name in English (the Chinese name when no English one is given).")
    start_date: dt.date | None
    start_basis: str
    on: dt.date
    components: list[ComponentOut]


class UnitOut(Schema):
    id: int
    serial: str
    model: str
    purchase_date: dt.date | None
    sale_date: dt.date | None
    has_proof: bool
    status: str
    warranty: WarrantyOut


def _visible_unit(request, serial: str):
    unit = selectors.unit_by_serial(serial)
    user = request.user
    if unit is None or (not can(user, "customer.view_all") and (unit.owner is None or unit.owner.user_id != user.pk)):
        raise NotFound(_("Unknown serial number."), code="unknown_serial")
    return unit


def warranty_data(unit, on: dt.date) -> dict:
    basis = "proof" if unit.proof_id and unit.purchase_date else ("sale" if unit.sale_date else "none")
    components = selectors.unit_coverage(unit, on=on)
    return {
        "serial": unit.serial,
        "model": unit.model.code,
        "model_name": unit.model.name,
        "model_name_en": unit.model.label_in("en"),
        "start_date": components[0].start if components else None,
        "start_basis": basis,
        "on": on,
        "components": [
            {
                "component_class": c.component_class.code,
                "name": c.component_class.name,
                "name_en": c.component_class.label_in("en"),
                "kind": c.component_class.kind,
                "months": c.months,
                "start": c.start,
                "end": c.end,
                "in_warranty": c.in_warranty,
                "reason": c.reason,
            }
            for c in components
        ],
    }


@router.get("/units/{serial}/warranty", response={200: WarrantyOut, **ERRORS}, summary="Warranty of a unit")
def unit_warranty(request, serial: str, on: dt.date | None = None):
    """Coverage per component class with end dates (the last covered day), on ``on`` (default today)."""
    return warranty_data(_visible_unit(request, serial), on or timezone.localdate())


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
        k: (None if v == "" and k in {"model", "purchase_date", "sale_date", "customer_id"} else v)
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
        proof=proof,
    )
    return {
        "id": unit.pk,
        "serial": unit.serial,
        "model": unit.model.code,
        "purchase_date": unit.purchase_date,
        "sale_date": unit.sale_date,
        "has_proof": bool(unit.proof_id),
        "status": unit.status,
        "warranty": warranty_data(unit, timezone.localdate()),
    }
