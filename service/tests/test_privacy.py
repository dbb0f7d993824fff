"""SPEC §11: phone numbers and addresses masked in every list and export, for every role; on the
order page masked by default, with a logged "reveal" for the roles that call or visit the customer.

Every test seeds one customer with a distinctive phone and address and searches the whole
response body for them: the full strings must be absent and the masked forms present.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from complaints.tests.flow import complaint_in
from core.models import AuditLog
from tests.factories import CustomerFactory, UnitFactory, UserFactory, WorkOrderFactory

PHONE, MASKED_PHONE = "13812345678", "138****5678"
ADDRESS, MASKED_ADDRESS = "上海市浦东新区世纪大道100号", "上海市浦东新****"
EMAIL = "wang.xiaoming@example.com"

STAFF = [r.value for r in Role if r != Role.CUSTOMER]
CONSOLE = [
    "agent",
    "tech_support",
    "complaint_handler",
    "supervisor",
    "manager",
    "admin",
    "quality",
    "analyst",
    "finance",
]
# The roles that call or visit the customer: they may reveal (the engineer only their own order,
# the complaint handler only a customer with an open complaint).
REVEAL = {"agent", "supervisor", "manager"}
NEVER_REVEAL = ["tech_support", "admin", "quality", "analyst", "finance"]


@pytest.fixture
def seeded(db):
    """An order of 王小明 on 13812345678 at 上海市浦东新区世纪大道100号, assigned to an engineer."""
    customer_user = UserFactory(role="customer")
    customer = CustomerFactory(user=customer_user, name="王小明", phone=PHONE, email=EMAIL)
    engineer = UserFactory(role="engineer")
    order = WorkOrderFactory(
        customer=customer,
        contact_name="王小明",
        contact_phone=PHONE,
        address=ADDRESS,
        assignee=engineer,
        status="scheduled",
        unit=UnitFactory(owner=customer),
    )
    return {"order": order, "customer": customer, "customer_user": customer_user, "engineer": engineer}


def user_for(seeded, role):
    if role == "engineer":
        return seeded["engineer"]
    if role == "customer":
        return seeded["customer_user"]
    return UserFactory(role=role)


def browser(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def assert_masked(body: str, *, address: bool = True) -> None:
    assert PHONE not in body and MASKED_PHONE in body
    assert ADDRESS not in body
    if address:
        assert MASKED_ADDRESS in body


def without_echoes(body: str) -> str:
    """The body without the search term the user typed: the search box and links keeping it."""
    return body.replace(f'value="{PHONE}"', "").replace(f"q={PHONE}", "").replace(f"q%3D{PHONE}", "")


def reveal_rows():
    return list(AuditLog.objects.filter(action="reveal_pii"))


# ---------------------------------------------------------------- every list and export


@pytest.mark.parametrize("role", CONSOLE)
def test_the_console_queue_masks_phones_for_every_role(seeded, role):
    body = browser(user_for(seeded, role)).get(reverse("service:queue")).content.decode()
    assert seeded["order"].number in body
    assert_masked(body, address=False)  # the queue has no address column


@pytest.mark.parametrize("role", CONSOLE)
def test_the_console_queue_searched_by_phone_masks_the_rows(seeded, role):
    # when the queue is searched by the full phone number
    body = browser(user_for(seeded, role)).get(reverse("service:queue"), {"q": PHONE}).content.decode()
    # then the order is found, and the full number is only in the search box the user typed it in
    assert seeded["order"].number in body and f'value="{PHONE}"' in body
    assert_masked(without_echoes(body), address=False)


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("params", [{}, {"q": PHONE}, {"q": "SN"}], ids=["list", "search-phone", "search-none"])
def test_the_api_list_masks_phones_and_addresses_for_every_staff_role(seeded, api_as, role, params):
    response = api_as(user_for(seeded, role)).get("/work-orders", params)
    assert response.status_code == 200
    body = response.content.decode()
    assert PHONE not in body and ADDRESS not in body
    if params.get("q") != "SN":
        items = response.json()["items"]
        assert [(i["contact_phone"], i["address"]) for i in items] == [(MASKED_PHONE, MASKED_ADDRESS)]


def test_the_engineers_list_masks_phones_and_addresses(seeded):
    body = browser(seeded["engineer"]).get(reverse("service:engineer")).content.decode()
    assert seeded["order"].number in body
    assert_masked(body)
    assert 'href="tel:' not in body  # a masked number is not a link to call


@pytest.mark.parametrize("role", [*CONSOLE, "engineer"])
def test_the_printable_report_masks_phones_and_addresses_for_staff(seeded, role):
    response = browser(user_for(seeded, role)).get(reverse("service:report_print", args=[seeded["order"].pk]))
    assert response.status_code == 200
    assert_masked(response.content.decode())


def test_a_customer_sees_their_own_data_in_full(seeded, api_as):
    """It is theirs: the portal, the API and their printable report show it unmasked, unlogged."""
    user, order = seeded["customer_user"], seeded["order"]
    listed = api_as(user).get("/work-orders").json()["items"]
    detail = api_as(user).get(f"/work-orders/{order.pk}").json()
    printed = browser(user).get(reverse("service:report_print", args=[order.pk])).content.decode()
    portal = browser(user).get(reverse("portal:request_detail", args=[order.pk])).content.decode()
    assert [(i["contact_phone"], i["address"]) for i in listed] == [(PHONE, ADDRESS)]
    assert (detail["contact_phone"], detail["address"]) == (PHONE, ADDRESS)
    assert PHONE in printed and ADDRESS in printed
    assert ADDRESS in portal
    assert not AuditLog.objects.filter(action__in=["view_pii", "reveal_pii"]).exists()


@pytest.fixture
def superuser_client(db):
    return browser(UserFactory(role="admin", is_staff=True, is_superuser=True))


@pytest.mark.parametrize(
    "page, params",
    [
        ("service_workorder_changelist", {}),
        ("service_workorder_changelist", {"q": PHONE}),
        ("customers_customer_changelist", {}),
        ("customers_customer_changelist", {"q": PHONE}),
        ("complaints_complaint_changelist", {}),
    ],
    ids=["orders", "orders-search-phone", "customers", "customers-search-phone", "complaints"],
)
def test_admin_changelists_mask_phones(seeded, superuser_client, page, params):
    complaint_in("new", handler=UserFactory(role="complaint_handler"), customer=seeded["customer"])
    response = superuser_client.get(reverse(f"admin:{page}"), params)
    assert response.status_code == 200
    body = without_echoes(response.content.decode())
    assert "王小明" in body or seeded["order"].number in body  # the row is listed
    assert PHONE not in body and ADDRESS not in body


def test_the_admin_order_page_masks_phone_and_address(seeded, superuser_client):
    body = superuser_client.get(reverse("admin:service_workorder_change", args=[seeded["order"].pk])).content.decode()
    assert_masked(body)


def test_the_audit_log_list_masks_addresses(seeded, superuser_client):
    # given an address added to the customer in the admin (audited, its label is the address)
    customer = seeded["customer"]
    from customers.models import Address

    address = Address.objects.create(customer=customer, province="上海市", city="浦东新区", line="世纪大道100号")
    from core import audit

    audit.record(actor=None, action="create", obj=address)
    # when the audit log's list is shown
    body = superuser_client.get(reverse("admin:core_auditlog_changelist")).content.decode()
    # then the address is masked
    assert "世纪大道100号" not in body and "上海市 浦东****" in body


# ---------------------------------------------------------------- the order page and the reveal


def detail_url(seeded, role) -> str:
    name = "service:engineer_order" if role == "engineer" else "service:detail"
    return reverse(name, args=[seeded["order"].pk])


def reveal_url(seeded) -> str:
    return reverse("service:contact_reveal", args=[seeded["order"].pk])


@pytest.mark.parametrize("role", [*CONSOLE, "engineer"])
def test_the_order_page_masks_contact_details_and_offers_the_reveal_to_callers_only(seeded, role):
    # when the order page is opened
    body = browser(user_for(seeded, role)).get(detail_url(seeded, role)).content.decode()
    # then phone, address and e-mail are masked; the reveal button only for the roles that call
    assert_masked(body)
    assert EMAIL not in body
    may = role in REVEAL or role == "engineer"
    assert (reveal_url(seeded) in body) is may
    assert ("Show phone and address" in body) is may
    # and opening the page revealed nothing
    assert reveal_rows() == []


@pytest.mark.parametrize("role", [*sorted(REVEAL), "engineer"])
def test_a_reveal_answers_the_full_values_and_is_logged_each_time(seeded, role):
    user = user_for(seeded, role)
    c = browser(user)
    for n in (1, 2):
        # when the reveal button is pressed (HTMX)
        response = c.post(reveal_url(seeded), HTTP_HX_REQUEST="true")
        # then the panel comes back with the full values, a link to call, and one audit row each time
        body = response.content.decode()
        assert response.status_code == 200
        assert f'href="tel:{PHONE}"' in body and ADDRESS in body and EMAIL in body
        assert "<html" not in body
        assert "no-store" in response["Cache-Control"]
        rows = reveal_rows()
        assert len(rows) == n
        row = rows[-1]
        assert (row.actor_id, row.object_type, row.object_id) == (user.pk, "service.workorder", str(seeded["order"].pk))
        assert row.after == {"fields": ["address", "contact_phone", "customer.email"]}
        assert PHONE not in str(row.after) and ADDRESS not in str(row.after)


def test_a_reveal_without_htmx_shows_a_page(seeded):
    response = browser(UserFactory(role="agent")).post(reveal_url(seeded))
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body and PHONE in body and ADDRESS in body
    assert len(reveal_rows()) == 1


@pytest.mark.parametrize("role", NEVER_REVEAL)
def test_roles_that_do_not_call_are_refused_the_reveal_and_nothing_is_revealed(seeded, role):
    response = browser(user_for(seeded, role)).post(reveal_url(seeded), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    body = response.content.decode()
    assert PHONE not in body and ADDRESS not in body
    assert reveal_rows() == []
    assert AuditLog.objects.filter(action="denied").count() == 1


def test_another_engineer_and_a_get_are_refused(seeded):
    other = browser(UserFactory(role="engineer"))
    assert other.post(reveal_url(seeded), HTTP_HX_REQUEST="true").status_code == 404
    assert browser(UserFactory(role="agent")).get(reveal_url(seeded)).status_code == 405
    assert reveal_rows() == []


def test_a_customer_cannot_use_the_console_reveal(seeded):
    response = browser(UserFactory(role="customer")).post(reveal_url(seeded))
    assert response.status_code == 403 and reveal_rows() == []


def test_a_complaint_handler_may_reveal_only_for_a_customer_with_an_open_complaint(seeded):
    handler = UserFactory(role="complaint_handler")
    c = browser(handler)
    # given no complaint: masked, no button, refused
    assert reveal_url(seeded) not in c.get(detail_url(seeded, "agent")).content.decode()
    assert c.post(reveal_url(seeded), HTTP_HX_REQUEST="true").status_code == 403
    # given the customer's open complaint: the button, and the reveal works
    complaint_in("acknowledged", handler=handler, customer=seeded["customer"])
    assert reveal_url(seeded) in c.get(detail_url(seeded, "agent")).content.decode()
    response = c.post(reveal_url(seeded), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and PHONE in response.content.decode()
    assert [r.actor_id for r in reveal_rows()] == [handler.pk]


def test_the_reveal_button_is_translated(seeded):
    c = browser(UserFactory(role="agent"))
    body = c.get(detail_url(seeded, "agent"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "显示电话和地址" in body


# ---------------------------------------------------------------- the API's detail and reveal


@pytest.mark.parametrize("role", [*STAFF])
def test_the_api_detail_masks_contact_details_for_every_staff_role(seeded, api_as, role):
    response = api_as(user_for(seeded, role)).get(f"/work-orders/{seeded['order'].pk}")
    assert response.status_code == 200
    assert response.json()["contact_phone"] == MASKED_PHONE and response.json()["address"] == MASKED_ADDRESS
    assert PHONE not in response.content.decode() and ADDRESS not in response.content.decode()


@pytest.mark.parametrize("role", [*sorted(REVEAL), "engineer"])
def test_the_api_reveal_answers_the_full_values_and_is_logged(seeded, api_as, role):
    user = user_for(seeded, role)
    response = api_as(user).post(f"/work-orders/{seeded['order'].pk}/contact/reveal")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "order_id": seeded["order"].pk,
        "contact_name": "王小明",
        "contact_phone": PHONE,
        "address": ADDRESS,
        "email": EMAIL,
    }
    [row] = reveal_rows()
    assert (row.actor_id, row.object_id) == (user.pk, str(seeded["order"].pk))


@pytest.mark.parametrize("role", NEVER_REVEAL)
def test_the_api_reveal_refuses_roles_that_do_not_call(seeded, api_as, role):
    response = api_as(user_for(seeded, role)).post(f"/work-orders/{seeded['order'].pk}/contact/reveal")
    assert response.status_code == 403 and response.json()["code"] == "reveal_not_allowed"
    assert PHONE not in response.content.decode()
    assert reveal_rows() == []


def test_the_api_reveal_of_another_customers_order_is_not_found(seeded, api_as):
    other = UserFactory(role="customer")
    CustomerFactory(user=other)
    response = api_as(other).post(f"/work-orders/{seeded['order'].pk}/contact/reveal")
    assert response.status_code == 404 and PHONE not in response.content.decode()
    assert reveal_rows() == []


def test_the_api_reveal_of_their_own_order_by_a_customer_is_not_logged(seeded, api_as):
    response = api_as(seeded["customer_user"]).post(f"/work-orders/{seeded['order'].pk}/contact/reveal")
    assert response.status_code == 200 and response.json()["contact_phone"] == PHONE
    assert reveal_rows() == []


def test_an_api_reveal_retried_with_an_idempotency_key_reveals_and_logs_again(seeded, api_as):
    """The full values are never kept in the idempotency store, and no reveal escapes the log."""
    from core.models import IdempotencyKey

    api = api_as(UserFactory(role="agent"))
    path = f"/work-orders/{seeded['order'].pk}/contact/reveal"
    first = api.post(path, headers={"Idempotency-Key": "reveal-1"})
    again = api.post(path, headers={"Idempotency-Key": "reveal-1"})
    assert first.status_code == again.status_code == 200
    assert again.json()["contact_phone"] == PHONE and not again.has_header("Idempotency-Replayed")
    assert "no-store" in first["Cache-Control"]
    assert len(reveal_rows()) == 2
    assert PHONE not in str(list(IdempotencyKey.objects.values_list("response", flat=True)))
