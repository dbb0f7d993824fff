"""What the service app declares for the PIPL export and erasure (``service/pii.py``)."""

from django.core.files.storage import default_storage

from core.uploads import checked_bytes, store_document
from customers.pipl import PLACEHOLDER, personal_data_erase, personal_data_export
from notifications.models import Notification
from notifications.services import notify
from service.models import OrderDocument
from service.tests.flow import pdf_bytes
from tests.factories import CustomerFactory, UnitFactory, WorkOrderFactory


def test_staff_notifications_about_the_persons_orders_are_scrubbed(db, agent, make_user):
    # given two customers' orders, each announced to an agent (no foreign key to the order)
    a = CustomerFactory(name="欧阳娜娜", phone="13712340001")
    b = CustomerFactory(name="上官婉儿", phone="13600001111")
    order_a, order_b = WorkOrderFactory(customer=a), WorkOrderFactory(customer=b)
    notify(users=[agent], subject="新工单：欧阳娜娜", body="请回电 13712340001", order=order_a)
    notify(users=[agent], subject="新工单：上官婉儿", body="请回电 13600001111", order=order_b)

    # when
    personal_data_erase(actor=make_user(role="admin"), customer_id=a.pk, reason="request")

    # then
    about_a = list(Notification.objects.filter(order_id=order_a.pk).values_list("subject", "body"))
    about_b = list(Notification.objects.filter(order_id=order_b.pk).values_list("subject", "body"))
    assert about_a and set(about_a) == {(f"新工单：{PLACEHOLDER}", f"请回电 {PLACEHOLDER}")}
    assert about_b and set(about_b) == {("新工单：上官婉儿", "请回电 13600001111")}


def test_the_orders_of_a_units_earlier_owner_are_not_the_persons(db, make_user):
    # given a unit now owned by A, repaired earlier for B (with a photo)
    b = CustomerFactory(name="上官婉儿")
    a = CustomerFactory(name="欧阳娜娜")
    unit = UnitFactory(owner=a)
    earlier = WorkOrderFactory(customer=b, unit=unit, serial=unit.serial)
    photo = store_document(checked_bytes(pdf_bytes(), field="photo"), actor=None, original_name="上官婉儿.pdf")
    OrderDocument.objects.create(order=earlier, document=photo, kind=OrderDocument.Kind.PHOTO)
    manager = make_user(role="manager")

    # when
    exported = personal_data_export(actor=manager, customer_id=a.pk)
    personal_data_erase(actor=manager, customer_id=a.pk, reason="request")

    # then B's order and file are neither in A's export nor erased with A
    assert exported["units"][0]["serial"] == unit.serial
    assert exported["work_orders"] == [] and exported["documents"] == []
    photo.refresh_from_db()
    assert photo.original_name == "上官婉儿.pdf" and default_storage.exists(photo.file.name)
