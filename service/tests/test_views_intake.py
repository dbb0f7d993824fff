"""An agent keys in a phone request: customer by phone (or a new one), attachments, errors on the form."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.models import AuditLog
from customers.models import Contact, Customer
from service.models import OrderDocument, WorkOrder
from tests.factories import CustomerFactory, UnitFactory, UserFactory

URL = reverse("service:new")
LOOKUP = reverse("service:customer_lookup")


def photo(name="fault.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def form(**kw) -> dict:
    data = {
        "phone": "139 0000 1234",
        "service_type": "repair",
        "priority": "normal",
        "mode": "onsite",
        "fault_description": "No power since this morning.",
        "address": "上海市浦东新区世纪大道100号",
        "preferred_time": "weekday mornings",
    }
    data.update(kw)
    return data


def counts() -> tuple:
    return (
        Customer.objects.count(),
        WorkOrder.objects.count(),
        AuditLog.objects.exclude(action__in=["view_pii", "denied"]).count(),
    )


@pytest.fixture
def desk(client, agent):
    client.force_login(agent)
    return client


def test_a_new_caller_becomes_a_customer_and_an_order(desk, agent):
    # given nobody has this number
    # when the agent keys in the request with the caller's name and two photos
    response = desk.post(
        URL, {**form(name="赵六", email="zhao@example.com", region="上海"), "attachments": [photo(), photo("b.png")]}
    )
    # then a customer (audited) and a phone-channel order exist, and the agent sees the order
    customer = Customer.objects.get(phone="13900001234")
    order = WorkOrder.objects.get(customer=customer)
    assert response.status_code == 302 and response["Location"] == reverse("service:detail", args=[order.pk])
    assert (customer.name, customer.email, customer.region) == ("赵六", "zhao@example.com", "上海")
    assert AuditLog.objects.filter(
        object_type="customers.customer", object_id=str(customer.pk), action="create", actor=agent
    ).exists()
    assert (order.channel, order.contact_phone, order.contact_name, order.created_by) == (
        "phone",
        "13900001234",
        "赵六",
        agent,
    )
    assert OrderDocument.objects.filter(order=order, kind="attachment").count() == 2


def test_the_only_customer_with_the_number_is_used(desk):
    # given one customer with this number and a unit of theirs
    customer = CustomerFactory(phone="13900001234")
    unit = UnitFactory(owner=customer)
    # when the agent keys in the request without picking
    desk.post(URL, form(serial=unit.serial))
    # then the order is theirs, for that unit, and no customer was created
    order = WorkOrder.objects.get()
    assert (order.customer, order.unit) == (customer, unit)
    assert Customer.objects.count() == 1


def test_a_contact_phone_finds_the_customer(desk):
    customer = CustomerFactory(phone="02100000000")
    Contact.objects.create(customer=customer, name="Front desk", phone="13900001234")
    desk.post(URL, form())
    assert WorkOrder.objects.get().customer == customer


def test_with_several_customers_the_agent_must_pick(desk):
    # given two customers sharing a number
    first, second = CustomerFactory(phone="13900001234"), CustomerFactory(phone="13900001234")
    before = counts()
    # when the agent does not pick
    response = desk.post(URL, form())
    # then the form comes back with both to choose from, nothing stored
    body = response.content.decode()
    assert response.status_code == 422
    assert "Several customers have this phone number" in body
    assert f'value="{first.pk}"' in body and f'value="{second.pk}"' in body
    assert counts() == before
    # when the agent picks the second
    desk.post(URL, form(customer=second.pk))
    assert WorkOrder.objects.get().customer == second


def test_picking_a_customer_without_this_number_is_refused(desk):
    stranger = CustomerFactory(phone="13700000000")
    before = counts()
    response = desk.post(URL, form(customer=stranger.pk))
    assert response.status_code == 422
    assert "Choose one of the customers found for this phone number." in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize(
    "data, field_error",
    [
        (form(name="赵六", fault_description=""), "This field is required."),
        (form(), "No customer has this phone number: enter the name to create one."),
        (form(name="赵六", phone="12"), "Enter a valid phone number."),
        (form(name="赵六", serial="NO-SUCH-SERIAL"), "Unknown serial number."),
        (form(name="赵六", service_type="teleport"), "Select a valid choice."),
    ],
    ids=["no-fault", "no-name-for-new-caller", "bad-phone", "unknown-serial", "bad-service-type"],
)
def test_errors_show_on_the_form_and_nothing_is_stored(desk, data, field_error):
    # given nothing stored yet
    before = counts()
    # when the form is refused
    response = desk.post(URL, data)
    # then it comes back with the error, the input kept, and nothing stored half-way
    body = response.content.decode()
    assert response.status_code == 422
    assert field_error in body
    assert 'class="errorlist' in body
    assert counts() == before


def test_someone_elses_serial_with_a_new_customer_stores_nothing(desk):
    # the new customer is created first, then the order is refused: both roll back
    unit = UnitFactory()
    before = counts()
    response = desk.post(URL, form(name="赵六", serial=unit.serial))
    assert response.status_code == 422 and "Unknown serial number." in response.content.decode()
    assert counts() == before


def test_a_fake_attachment_is_refused(desk):
    before = counts()
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 definitely not a pdf", content_type="application/pdf")
    response = desk.post(URL, {**form(name="赵六"), "attachments": [fake]})
    assert response.status_code == 422
    assert "The file must be one of" in response.content.decode()
    assert counts() == before


def test_lookup_partial_lists_matches(desk):
    customer = CustomerFactory(name="钱七", phone="13900001234")
    UnitFactory(owner=customer, serial="SN-LOOKUP-1")
    response = desk.get(LOOKUP, {"phone": "139-0000-1234"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "钱七" in body and "SN-LOOKUP-1" in body and f'value="{customer.pk}"' in body


def test_lookup_masks_names_for_roles_without_clear_pii(client, db):
    CustomerFactory(name="钱七", phone="13900001234")
    client.force_login(UserFactory(role="tech_support"))
    body = client.get(LOOKUP, {"phone": "13900001234"}).content.decode()
    assert "钱*" in body and "钱七" not in body


@pytest.mark.parametrize("role", ["analyst", "finance", "quality", "engineer", "customer"], ids=str)
def test_roles_that_cannot_file_for_customers_are_refused(client, db, role):
    client.force_login(UserFactory(role=role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(name="X")).status_code == 403
    assert client.get(LOOKUP, {"phone": "1"}).status_code == 403
    assert WorkOrder.objects.count() == 0 and Customer.objects.count() == 0


def test_the_empty_form_renders(desk):
    body = desk.get(URL).content.decode()
    assert 'enctype="multipart/form-data"' in body and 'name="attachments"' in body and "multiple" in body


SERIAL_CHECK = reverse("service:serial_check")


def test_the_serial_typed_shows_the_unit_and_its_three_guarantees_remedies(desk):
    # given a unit sold three days ago (within the seven days of return, exchange or repair)
    unit = UnitFactory(sale_date=timezone.localdate() - dt.timedelta(days=3))
    # when the agent types its serial on the new-request form
    page = desk.get(URL).content.decode()
    answer = desk.get(SERIAL_CHECK, {"serial": f" {unit.serial} "}, HTTP_HX_REQUEST="true")
    # then the form asks for it while typing, and the answer names the model and the remedies
    assert 'hx-get="/console/new/serial/"' in page and 'id="serial-check"' in page
    body = answer.content.decode()
    assert answer.status_code == 200 and unit.model.label in body
    assert 'data-remedy="return"' in body and 'data-remedy="exchange"' in body and 'data-remedy="repair"' in body


def test_an_unknown_serial_is_said_and_an_empty_one_shows_nothing(desk):
    assert "serial-unknown" in desk.get(SERIAL_CHECK, {"serial": "NO-SUCH"}).content.decode()
    assert desk.get(SERIAL_CHECK, {"serial": "x\x00y"}).status_code == 200
    assert "serial-check" not in desk.get(SERIAL_CHECK, {"serial": ""}).content.decode()


@pytest.mark.parametrize("role", ["customer", "engineer", "finance", "analyst"])
def test_roles_that_do_not_file_requests_cannot_check_serials(db, client, role):
    unit = UnitFactory()
    client.force_login(UserFactory(role=role))
    response = client.get(SERIAL_CHECK, {"serial": unit.serial})
    assert response.status_code in (302, 403, 404)
    assert 'data-testid="serial-check"' not in response.content.decode()
