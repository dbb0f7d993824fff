"""``/api/v1/`` endpoints for mail-in shipments."""

import datetime as dt

from ninja import Field, Router, Schema, Status

from core.api import ERRORS
from core.dates import ApiDateTime

from .models import Shipment
from .services.shipping import shipment_received, shipment_record

router = Router(tags=["mail-in"])


class ShipmentIn(Schema):
    direction: Shipment.Direction
    carrier: str = Field(min_length=1, max_length=60)
    tracking_number: str = Field(min_length=1, max_length=60)
    shipped_at: ApiDateTime | None = None


class ShipmentOut(Schema):
    id: int
    direction: str
    carrier: str
    tracking_number: str
    shipped_at: dt.datetime | None
    received_at: dt.datetime | None


def _out(s: Shipment) -> dict:
    return {
        "id": s.pk,
        "direction": s.direction,
        "carrier": s.carrier,
        "tracking_number": s.tracking_number,
        "shipped_at": s.shipped_at,
        "received_at": s.received_at,
    }


@router.post(
    "/work-orders/{order_id}/shipments", response={201: ShipmentOut, **ERRORS}, summary="Record a mail-in parcel"
)
def create_shipment(request, order_id: int, payload: ShipmentIn):
    shipment = shipment_record(
        order_id=order_id,
        actor=request.user,
        direction=payload.direction,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        shipped_at=payload.shipped_at,
    )
    return Status(201, _out(shipment))


@router.post(
    "/shipments/{shipment_id}/received", response={200: ShipmentOut, **ERRORS}, summary="Mark a parcel received"
)
def receive_shipment(request, shipment_id: int):
    return _out(shipment_received(shipment_id=shipment_id, actor=request.user))
