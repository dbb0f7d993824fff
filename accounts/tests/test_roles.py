"""What each role may do (the capability table), API tokens, and each role's start page."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.models import ApiToken
from accounts.roles import CAPABILITIES, can
from core.models import AuditLog
from tests.factories import UserFactory

EXPECTED = {
    "order.view_all": {
        "agent",
        "tech_support",
        "complaint_handler",
        "supervisor",
        "manager",
        "admin",
        "quality",
        "analyst",
        "finance",
    },
    "customer.view_all": {
        "agent",
        "tech_support",
        "complaint_handler",
        "supervisor",
        "manager",
        "admin",
        "quality",
        "finance",
    },
    "pii.view_unmasked": {"agent", "complaint_handler", "supervisor", "manager", "admin"},
    "pii.reveal_contact": {"agent", "supervisor", "manager"},
    "audit.view": {"admin", "manager"},
    "portal.use": {"customer"},
    "engineer.work": {"engineer"},
    "complaint.work": {"complaint_handler", "supervisor", "manager", "admin"},
    "finance.view": {"finance", "manager", "admin"},
    "quality.review": {"quality", "supervisor", "manager", "admin"},
    "sla.calendars": {"admin", "manager"},
    "admin.site": {"admin"},
    "request.create_for_customer": {"agent", "tech_support", "complaint_handler", "supervisor", "manager", "admin"},
    "unit.register_for_customer": {"agent", "tech_support", "complaint_handler", "supervisor", "manager", "admin"},
    "order.assign": {"agent", "tech_support", "supervisor", "manager", "admin"},
    "order.quote": {"agent", "tech_support", "engineer", "supervisor", "manager", "admin"},
    "order.report": {"engineer", "tech_support", "supervisor", "manager", "admin"},
    "order.replace": {"agent", "tech_support", "supervisor", "manager", "admin"},
    "replacement.approve_special": {"manager", "admin"},
    "order.note": {r.value for r in Role} - {"customer"},
}
MATRIX = [(cap, role) for cap in EXPECTED for role in Role]


def test_the_table_names_every_capability():
    # then
    assert set(CAPABILITIES) >= set(EXPECTED)


@pytest.mark.parametrize("capability, role", MATRIX, ids=[f"{c}-{r.value}" for c, r in MATRIX])
def test_capability_matrix(db, capability, role):
    # given
    user = UserFactory(role=role)

    # when / then
    assert can(user, capability) is (role.value in EXPECTED[capability])


STAFF_CAPABILITIES = [c for c in EXPECTED if c != "portal.use"]


@pytest.mark.parametrize("capability", STAFF_CAPABILITIES, ids=str)
def test_customers_have_no_staff_capability(db, capability):
    # when / then
    assert can(UserFactory(role="customer"), capability) is False


@pytest.mark.parametrize("capability", list(EXPECTED), ids=str)
def test_superuser_can_everything(db, capability):
    # when / then
    assert can(UserFactory(role="customer", is_superuser=True), capability) is True


def test_superuser_of_a_staff_role_is_no_customer(db):
    # given a superuser who is an administrator, with no customer account
    admin = UserFactory(role="admin", is_superuser=True)

    # when / then: the customer's own pages stay closed to them
    assert can(admin, "portal.use") is False
    assert can(admin, "audit.view") is True


@pytest.mark.parametrize("capability", list(EXPECTED), ids=str)
def test_inactive_and_anonymous_can_nothing(db, capability):
    # given
    from django.contrib.auth.models import AnonymousUser

    inactive = UserFactory(role="admin", is_active=False)

    # when / then
    assert can(inactive, capability) is False
    assert can(AnonymousUser(), capability) is False
    assert can(None, capability) is False


def test_unknown_capability_is_an_error(db):
    # when / then
    with pytest.raises(KeyError):
        can(UserFactory(role="admin"), "order.teleport")


# --- API tokens ---------------------------------------------------------------------------


def test_token_is_stored_only_as_a_digest(db):
    # given
    user = UserFactory()

    # when
    row, token = ApiToken.issue(user, name="ci")

    # then
    row.refresh_from_db()
    assert token not in (row.digest, row.prefix)
    assert row.digest == ApiToken.hash(token)
    assert (row.prefix, row.name, row.revoked) == (token[:8], "ci", False)
    assert len(token) >= 40


def test_two_tokens_differ(db):
    # when
    user = UserFactory()
    _, a = ApiToken.issue(user)
    _, b = ApiToken.issue(user)

    # then
    assert a != b


def test_token_use_is_timestamped_without_a_write_per_request(db, api_as):
    # given
    user = UserFactory(role="agent")
    api = api_as(user)
    api.get("/work-orders")
    used = ApiToken.objects.get(user=user).last_used_at

    # when the token is used again within the minute
    with CaptureQueriesContext(connection) as ctx:
        api.get("/work-orders")

    # then
    assert used is not None
    assert ApiToken.objects.get(user=user).last_used_at == used
    assert not [q for q in ctx.captured_queries if "accounts_apitoken" in q["sql"] and q["sql"].startswith("UPDATE")]


# --- start pages and the audit log page ---------------------------------------------------


@pytest.mark.parametrize(
    "role, target",
    [
        ("customer", "/portal/"),
        ("engineer", "/console/engineer/"),
        ("agent", "/console/"),
        ("analyst", "/dashboard/"),
        ("supervisor", "/dashboard/"),
        ("manager", "/dashboard/"),
        ("complaint_handler", "/complaints/"),
        ("tech_support", "/console/"),
        ("finance", "/console/finance/"),
        ("quality", "/improvement/"),
        ("admin", "/audit/"),
    ],
    ids=str,
)
def test_home_sends_each_role_to_its_start_page(db, role, target):
    # given
    client = Client()
    client.force_login(UserFactory(role=role))

    # when
    response = client.get("/")

    # then
    assert response.status_code == 302
    assert response["Location"] == target


def test_home_asks_anonymous_users_to_log_in(db):
    # when
    response = Client().get("/")

    # then
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    "role, status",
    [("admin", 200), ("manager", 200), ("agent", 403), ("analyst", 403), ("customer", 403), ("engineer", 403)],
    ids=str,
)
def test_audit_page_is_for_admins_and_managers(db, role, status):
    # given
    for i in range(3):
        AuditLog.objects.create(action="create", object_type="customers.customer", object_id=str(i))
    client = Client()
    client.force_login(UserFactory(role=role))

    # when
    response = client.get("/audit/")

    # then
    assert response.status_code == status


def test_audit_page_with_a_forged_cursor_is_not_a_500(db):
    # given
    client = Client()
    client.force_login(UserFactory(role="admin"))

    # when
    response = client.get("/audit/", {"cursor": "WyJ4Il0"})

    # then
    assert 200 <= response.status_code < 500
