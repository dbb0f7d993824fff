"""The transition's two compiled reads (``sla.clocks._reads``) return what the ORM returns."""

import pytest
from django.db import transaction

from service import services
from service.clocks import WORK_ORDER
from service.models import OrderSla, WorkOrderClock
from sla.clocks import _reads
from tests.factories import UnitFactory


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.django_db
def test_the_compiled_reads_equal_the_orm_field_by_field(agent, customer_user):
    # given an order with its policy snapshot and running clocks, and one without any
    unit = UnitFactory(owner=customer_user.customer)
    order = services.request_create(
        actor=agent, customer_id=customer_user.customer.pk, serial=unit.serial, fault_description="x"
    )
    services.work_order_transition(order_id=order.pk, action="acknowledge", actor=agent)
    reads = _reads(WORK_ORDER)

    # when both are read, compiled and through the ORM (in a transaction: the clocks are locked)
    with transaction.atomic():
        compiled = reads.snapshot.fetch("default", order.pk), reads.clocks.fetch("default", order.pk)
        orm = (
            [OrderSla.objects.filter(order=order).first()],
            list(WorkOrderClock.objects.filter(order=order).select_for_update().order_by("id")),
        )
        missing = reads.snapshot.fetch("default", 987654), reads.clocks.fetch("default", 987654)

    # then they are the same rows with the same values
    assert len(compiled[1]) >= 2
    for mine, theirs in zip(compiled, orm, strict=True):
        assert [_fields(o) for o in mine] == [_fields(o) for o in theirs]
    assert missing == ([], [])
