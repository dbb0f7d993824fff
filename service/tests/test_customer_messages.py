"""What the customer is told about their order (service/customer_messages.py): who receives
what, in which language, through which channels, recorded on the timeline; nothing on a
rollback or a refused action."""

import pytest
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, Forbidden
from notifications import sms
from notifications.models import Notification
from notifications.preferences import preference_set
from service import services
from service.choices import Status
from service.models import WorkOrderEvent
from service.tests.flow import advance, new_order, order_in
from service.views.panels import timeline
from tests.factories import CustomerFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    customer_user = UserFactory(role="customer", phone="13812345678")
    return {
        "agent": UserFactory(role="agent", first_name="An", last_name="Agent"),
        "engineer": UserFactory(role="engineer", first_name="Wei", last_name="Zhang"),
        "customer_user": customer_user,
        "customer": CustomerFactory(user=customer_user, phone="13812345678"),
    }


def _inapp(user, kind):
    return Notification.objects.filter(recipient=user, channel="inapp", kind=kind).order_by("-id").first()


def test_acknowledgement_tells_the_handling_time_and_who_pays(people):
    # given a new request for a unit in warranty
    order = new_order(agent=people["agent"], customer=people["customer"], unit=UnitFactory(owner=people["customer"]))
    due = order.clocks.get(clock="resolution").due_at

    # when the desk acknowledges it
    services.work_order_transition(order_id=order.pk, action="acknowledge", actor=people["agent"])

    # then the customer reads, in English, the deadline and that the repair is free if covered
    n = _inapp(people["customer_user"], "acknowledgement")
    assert n.subject == f"Service request {order.number} received"
    assert f"resolved by {timezone.localtime(due):%Y-%m-%d %H:%M}" in n.body
    assert "within its warranty period, so the repair is free of charge" in n.body
    assert n.link == f"/portal/requests/{order.pk}/"
    # through every channel they have by default (in-app, e-mail, SMS); staff are not told
    assert set(Notification.objects.filter(order_id=order.pk).values_list("recipient_id", "channel")) == {
        (people["customer_user"].pk, c) for c in ("inapp", "email", "sms")
    }
    # and the order's timeline records it, after the acknowledgement
    last = order.events.order_by("-id").first()
    assert (last.action, last.payload) == (
        "customer_notified",
        {"kind": "acknowledgement", "channels": ["inapp", "email", "sms"]},
    )
    assert timeline([last])[0]["action"] == "Customer notified: acknowledgement (In-app, Email, SMS)"


def test_an_out_of_warranty_unit_is_told_the_repair_is_chargeable(people):
    # given a unit sold five years ago
    unit = UnitFactory(
        owner=people["customer"], sale_date=timezone.localdate().replace(year=timezone.localdate().year - 5)
    )
    order = new_order(agent=people["agent"], customer=people["customer"], unit=unit)

    # when
    services.work_order_transition(order_id=order.pk, action="acknowledge", actor=people["agent"])

    # then
    assert "out of warranty, so the repair is chargeable" in _inapp(people["customer_user"], "acknowledgement").body


def test_the_message_is_written_in_the_recipients_language_and_channels(people):
    # given a customer who reads Chinese and wants SMS only (in-app is always on)
    preference_set(actor=people["customer_user"], language="zh-hans", channels=["sms"])
    order = new_order(agent=people["agent"], customer=people["customer"], unit=UnitFactory(owner=people["customer"]))
    sms.outbox.clear()

    # when an English-speaking agent acknowledges it
    with transaction.atomic():
        services.work_order_transition(order_id=order.pk, action="acknowledge", actor=people["agent"])

    # then the rows are Chinese, in-app and SMS only
    rows = Notification.objects.filter(order_id=order.pk)
    assert sorted(rows.values_list("channel", flat=True)) == ["inapp", "sms"]
    n = _inapp(people["customer_user"], "acknowledgement")
    assert n.subject == f"服务申请 {order.number} 已受理"
    assert "预计处理时间" in n.body and "保修期内" in n.body


def test_sms_goes_through_the_provider_after_commit_with_the_number_masked(people, django_capture_on_commit_callbacks):
    # given
    order = new_order(agent=people["agent"], customer=people["customer"], unit=UnitFactory(owner=people["customer"]))
    sms.outbox.clear()

    # when the acknowledgement commits (the delivery job runs after the commit)
    with django_capture_on_commit_callbacks(execute=True):
        services.work_order_transition(order_id=order.pk, action="acknowledge", actor=people["agent"])

    # then the log provider took it, with the number masked, and the row is sent
    assert [phone for phone, _text in sms.outbox] == ["138****5678"]
    assert order.number in sms.outbox[0][1]
    assert Notification.objects.get(order_id=order.pk, channel="sms").sent_at is not None


def test_appointment_quote_resolution_and_closure_are_told(people):
    # given a paid repair driven to the end
    order = order_in(
        Status.CLOSED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"], paid=True
    )

    # then the customer was told each step, in order, each recorded on the timeline
    kinds = list(
        Notification.objects.filter(order_id=order.pk, channel="inapp").order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["acknowledgement", "quote", "appointment", "resolution", "closure"]
    told = order.events.filter(action="customer_notified").order_by("id")
    assert [e.payload["kind"] for e in told] == kinds
    by_kind = {n.kind: n for n in Notification.objects.filter(order_id=order.pk, channel="inapp")}
    assert "CNY" in by_kind["quote"].subject and "approve" in by_kind["quote"].body
    assert "Wei Zhang" in by_kind["appointment"].body
    assert "confirm your acceptance" in by_kind["resolution"].body
    assert "What was done:" in by_kind["resolution"].body
    assert by_kind["closure"].subject == f"{order.number} is closed"


def test_a_new_appointment_time_is_told_again(people):
    # given a scheduled order
    order = order_in(Status.SCHEDULED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    before = Notification.objects.filter(kind="appointment", channel="inapp").count()

    # when the time moves (after the on-site deadline: the desk gives the reason)
    new_time = timezone.now() + timezone.timedelta(days=3)
    services.work_order_assign(
        order_id=order.pk, actor=people["agent"], appointment_at=new_time, reason="The customer is away until then."
    )

    # then
    assert Notification.objects.filter(kind="appointment", channel="inapp").count() == before + 1
    assert f"{timezone.localtime(new_time):%Y-%m-%d %H:%M}" in _inapp(people["customer_user"], "appointment").body


def test_a_customer_without_a_login_is_not_messaged_and_nothing_is_recorded(people):
    # given a phone customer with no portal account
    walk_in = CustomerFactory()
    order = new_order(agent=people["agent"], customer=walk_in, unit=UnitFactory(owner=walk_in))

    # when
    services.work_order_transition(order_id=order.pk, action="acknowledge", actor=people["agent"])

    # then
    assert not Notification.objects.filter(order_id=order.pk).exists()
    assert not order.events.filter(action="customer_notified").exists()


def test_nothing_is_sent_or_recorded_when_the_transaction_rolls_back(people):
    # given
    order = new_order(agent=people["agent"], customer=people["customer"], unit=UnitFactory(owner=people["customer"]))

    # when the acknowledgement's transaction fails afterwards
    with pytest.raises(RuntimeError), transaction.atomic():
        services.work_order_transition(order_id=order.pk, action="acknowledge", actor=people["agent"])
        raise RuntimeError("boom")

    # then neither the message nor its timeline row exists
    assert not Notification.objects.filter(order_id=order.pk).exists()
    assert not WorkOrderEvent.objects.filter(order=order, action="customer_notified").exists()


@pytest.mark.parametrize(
    "who, action, error",
    [
        ("engineer", "acknowledge", Forbidden),
        ("agent", "resolve", Conflict),
        ("customer_user", "acknowledge", Forbidden),
    ],
    ids=["role-refused", "state-refused", "customer-refused"],
)
def test_a_refused_action_sends_nothing(people, who, action, error):
    # given
    order = new_order(agent=people["agent"], customer=people["customer"], unit=UnitFactory(owner=people["customer"]))
    order.assignee = people["engineer"]
    order.save(update_fields=["assignee"])

    # when
    with pytest.raises(error):
        services.work_order_transition(order_id=order.pk, action=action, actor=people[who])

    # then
    assert not Notification.objects.filter(order_id=order.pk).exists()
    assert order.events.count() == 1  # only its creation


def test_the_order_page_shows_the_customer_message_on_the_timeline(people, client):
    # given an acknowledged order
    order = advance(
        new_order(agent=people["agent"], customer=people["customer"], unit=UnitFactory(owner=people["customer"])),
        ["acknowledge"],
        agent=people["agent"],
    )

    # when the agent opens it
    client.force_login(people["agent"])
    page = client.get(f"/console/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # then
    assert "Customer notified: acknowledgement (In-app, Email, SMS)" in page
