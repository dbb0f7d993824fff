"""Writes to the product archive."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can
from core import audit
from core.errors import Conflict, Forbidden, ValidationFailed
from core.uploads import checked_upload, store_document

from .models import ProductModel, Unit


def unit_register(
    *,
    actor,
    customer,
    serial: str,
    model_code: str | None = None,
    purchase_date: dt.date | None = None,
    sale_date: dt.date | None = None,
    channel: str = "",
    colour: str = "",
    channel_en: str = "",
    colour_en: str = "",
    batch: str = "",
    production_date: dt.date | None = None,
    sold_online: bool | None = None,
    received_date: dt.date | None = None,
    proof=None,
) -> Unit:
    """Register a unit to a customer, with optional purchase proof.

    A serial already in the archive without an owner is claimed; a serial owned by
    someone else is refused (to a customer in the words used for an unknown serial, and the
    attempt is logged: ``unit_claim_refused``). An unknown serial is created when its model is
    given. ``colour`` and ``channel`` are named in Chinese, ``colour_en`` and ``channel_en`` in
    English (empty: the Chinese name is shown, ``core.i18n``). ``sold_online`` (bought on an
    e-commerce platform; ``None``: left as it is) and ``received_date`` (the day the goods were
    received) decide the seven-day no-reason return (docs/warranty.md).
    """
    if actor.is_customer and customer.user_id != actor.pk:
        raise Forbidden()
    if not actor.is_customer and not can(actor, "unit.register_for_customer"):
        raise Forbidden()
    serial = (serial or "").strip()
    if not serial:
        raise ValidationFailed(fields={"serial": [_("This field is required.")]})
    today = timezone.localdate()
    for name, value in (
        ("purchase_date", purchase_date),
        ("sale_date", sale_date),
        ("production_date", production_date),
        ("received_date", received_date),
    ):
        if value and value > today:
            msg = _("The date cannot be in the future.")
            raise ValidationFailed(msg, code="date_in_future", fields={name: [msg]})
    content = checked_upload(proof, field="proof") if proof is not None else None
    refused = None  # another customer's unit that a customer tried to claim: logged after the rollback
    try:
        with transaction.atomic():
            unit = Unit.objects.select_for_update().filter(serial=serial).first()
            before = audit.snapshot(unit) if unit else None
            if unit is not None and unit.owner_id and unit.owner_id != customer.pk and actor.is_customer:
                refused = unit
                raise unknown_serial_for_customer(model_code)
            if unit is None:
                if actor.is_customer and not model_code:
                    raise unknown_serial_for_customer(model_code)
                model = ProductModel.objects.filter(code=(model_code or "").strip()).first() if model_code else None
                if model is None:
                    msg = (
                        _("Unknown serial number. Give the product model to register it.")
                        if not model_code
                        else _("Unknown product model.")
                    )
                    raise ValidationFailed(
                        msg,
                        code="unknown_serial" if not model_code else "unknown_model",
                        fields={"model" if model_code else "serial": [msg]},
                    )
                unit = Unit(serial=serial, model=model)
            elif unit.owner_id and unit.owner_id != customer.pk:
                raise Conflict(_("This serial number is registered to another customer."), code="unit_owned")
            elif model_code and unit.model.code != model_code.strip():
                msg = _("The serial number does not belong to this model.")
                raise ValidationFailed(msg, code="model_mismatch", fields={"model": [msg]})
            unit.owner = customer
            if purchase_date and unit.proof_id and content is None and purchase_date != unit.purchase_date:
                # The date on the proof starts the warranty: moving it needs the new proof.
                msg = _("The purchase date comes from the proof on record. Upload the new proof to change it.")
                raise ValidationFailed(msg, code="proof_required", fields={"purchase_date": [msg]})
            if purchase_date:
                unit.purchase_date = purchase_date
            if sale_date and not unit.sale_date:
                unit.sale_date = sale_date
            for field, value in (
                ("channel", channel),
                ("channel_en", channel_en),
                ("colour", colour),
                ("colour_en", colour_en),
                ("batch", batch),
                ("production_date", production_date),
            ):
                if value and not getattr(unit, field):
                    setattr(unit, field, value)
            if sold_online is not None:
                unit.sold_online = sold_online
            if received_date:
                bought = unit.purchase_date or unit.sale_date
                if bought and received_date < bought:
                    msg = _("The goods cannot have been received before they were bought.")
                    raise ValidationFailed(msg, code="received_before_sale", fields={"received_date": [msg]})
                unit.received_date = received_date
            if content is not None:
                unit.proof = store_document(content, actor=actor, original_name=getattr(proof, "name", ""))
            unit.full_clean(validate_unique=False)
            unit.save()
            audit.record(actor=actor, action="create" if before is None else "update", obj=unit, before=before)
    except IntegrityError:
        raise Conflict(
            _("This serial number was registered at the same time by another request."), code="unit_owned"
        ) from None
    except ValidationFailed:
        if refused is not None:
            audit.record(
                actor=actor,
                action="unit_claim_refused",
                obj=refused,
                after={"serial": refused.serial, "customer": customer.pk, "owner": refused.owner_id},
            )
        raise
    return unit


def unknown_serial_for_customer(model_code: str | None) -> ValidationFailed:
    """What a customer is told about a serial they cannot register: the same words whether the
    archive does not know it or it belongs to someone else, so that registered serials cannot be
    enumerated (docs/security.md). A product model that does not exist is named as such (an
    unknown serial with that model gets the same answer)."""
    if model_code and not ProductModel.objects.filter(code=model_code.strip()).exists():
        msg = _("Unknown product model.")
        return ValidationFailed(msg, code="unknown_model", fields={"model": [msg]})
    msg = _(
        "Unknown serial number. Check it and give the product model; if it is still refused, contact customer service."
    )
    return ValidationFailed(msg, code="unknown_serial", fields={"serial": [msg]})
