"""The console queue: filters, exact search, keyset pages, masking, HTMX partials, query counts."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from service.models import WorkOrder
from tests.factories import CustomerFactory, UserFactory, WorkOrderFactory

URL = reverse("service:queue")
NUMBER = re.compile(r">(WO\d{8})</a>")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def numbers(response) -> list[str]:
    return NUMBER.findall(response.content.decode())


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "field, value, match, other",
    [
        ("status", "acknowledged", {"status": "acknowledged"}, {"status": "new"}),
        ("priority", "urgent", {"priority": "urgent"}, {"priority": "normal"}),
        ("service_type", "installation", {"service_type": "installation"}, {"service_type": "repair"}),
        ("channel", "email", {"channel": "email"}, {"channel": "phone"}),
    ],
    ids=["status", "priority", "service-type", "channel"],
)
def test_a_filter_keeps_only_matching_orders(agent_client, field, value, match, other):
    # given one matching and one other order
    hit, miss = WorkOrderFactory(**match), WorkOrderFactory(**other)
    # when the queue is filtered
    response = agent_client.get(URL, {field: value})
    # then only the matching order is listed
    assert response.status_code == 200
    assert numbers(response) == [hit.number]
    assert miss.number not in response.content.decode()


def test_filters_by_assignee_team_and_overdue(agent_client):
    # given orders for two engineers, one of them overdue
    mine, theirs = UserFactory(role="engineer"), UserFactory(role="engineer")
    late = WorkOrderFactory(assignee=mine, due_at=timezone.now() - dt.timedelta(hours=1))
    on_time = WorkOrderFactory(assignee=mine, due_at=timezone.now() + dt.timedelta(hours=5))
    WorkOrderFactory(assignee=theirs)
    # when filtered by the engineer, then by overdue
    by_engineer = agent_client.get(URL, {"assignee": mine.pk})
    overdue = agent_client.get(URL, {"assignee": mine.pk, "overdue": "on"})
    # then
    assert sorted(numbers(by_engineer)) == sorted([late.number, on_time.number])
    assert numbers(overdue) == [late.number]


@pytest.mark.parametrize("how", ["number", "serial", "phone"], ids=["by-number", "by-serial", "by-phone"])
def test_search_is_exact(agent_client, how):
    # given two orders
    target = WorkOrderFactory(serial="SN-TARGET-1", contact_phone="13900001111")
    WorkOrderFactory(serial="SN-TARGET-10", contact_phone="13900001112")
    text = {"number": target.number, "serial": "SN-TARGET-1", "phone": "13900001111"}[how]
    # when searching
    response = agent_client.get(URL, {"q": text})
    # then exactly that order is found
    assert numbers(response) == [target.number]


@pytest.mark.parametrize("sort", ["newest", "oldest", "due"], ids=["newest", "oldest", "due"])
def test_keyset_pages_return_every_order_once(agent_client, sort):
    # given 25 orders (all with a deadline, so that "due" lists them all)
    now = timezone.now()
    orders = [WorkOrderFactory(due_at=now + dt.timedelta(minutes=i % 7)) for i in range(25)]
    # when walking the pages of 10 through the "next" links
    seen, url, pages = [], f"{URL}?sort={sort}&size=10", 0
    while url:
        response = agent_client.get(url)
        assert response.status_code == 200
        seen += numbers(response)
        pages += 1
        found = re.search(r'href="([^"]+cursor=[^"]+)"', response.content.decode())
        url = found.group(1).replace("&amp;", "&") if found else None
    # then three pages list every order exactly once
    assert pages == 3
    assert sorted(seen) == sorted(o.number for o in orders)
    assert len(seen) == len(set(seen))


def test_a_deep_page_has_a_first_page_link(agent_client):
    # given 12 orders, pages of 10
    for _ in range(12):
        WorkOrderFactory()
    first = agent_client.get(URL, {"size": 10})
    cursor = re.search(r"cursor=([^\"&]+)", first.content.decode()).group(1)
    # when the second page is opened
    second = agent_client.get(URL, {"size": 10, "cursor": cursor})
    # then it has two rows and a link back to the first page
    assert len(numbers(second)) == 2
    assert "First page" in second.content.decode()


def test_queue_query_count_is_constant(agent_client, django_assert_max_num_queries):
    # given 5 orders, the query count of the first page
    for _ in range(5):
        WorkOrderFactory(assignee=UserFactory(role="engineer"))
    queries_for(agent_client, URL)  # warm caches (policies)
    few = queries_for(agent_client, URL + "?size=10")
    # when there are 30 orders, on the first and on a deep page
    for _ in range(25):
        WorkOrderFactory(assignee=UserFactory(role="engineer"))
    many = queries_for(agent_client, URL + "?size=10")
    cursor = re.search(r"cursor=([^\"&]+)", agent_client.get(URL + "?size=10").content.decode()).group(1)
    deep = queries_for(agent_client, f"{URL}?size=10&cursor={cursor}")
    # then every page costs the same, and little
    assert few == many == deep
    with django_assert_max_num_queries(8):
        agent_client.get(URL + "?size=10")


@pytest.mark.parametrize("role", ["analyst", "quality", "finance", "agent", "supervisor"])
def test_the_phone_is_masked_for_every_role_and_the_name_follows_the_role(db, client, role):
    # given an order of 张三丰 on 13812345678
    customer = CustomerFactory(name="张三丰", phone="13812345678")
    WorkOrderFactory(customer=customer)
    client.force_login(UserFactory(role=role))
    # when the queue is opened
    body = client.get(URL).content.decode()
    # then the phone is masked (a list: SPEC §11), the name unless the role needs it
    assert "138****5678" in body
    assert "13812345678" not in body
    assert ("张三丰" in body) == (role in {"agent", "supervisor"})


def test_an_htmx_request_gets_only_the_table(agent_client):
    # given an order
    order = WorkOrderFactory()
    # when the filters are changed through HTMX
    response = agent_client.get(URL, {"status": "new"}, HTTP_HX_REQUEST="true")
    # then the answer is the table partial, not a page
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="queue-table"' in body
    assert order.number in body


def test_times_are_shown_in_shanghai_time(agent_client):
    # given an order due at midnight UTC
    WorkOrderFactory(due_at=dt.datetime(2031, 1, 2, 0, 0, tzinfo=dt.UTC))
    # when the queue is shown
    body = agent_client.get(URL).content.decode()
    # then the due time reads 08:00 (UTC+8)
    assert "2031-01-02 08:00" in body


@pytest.mark.parametrize(
    "params",
    [{"cursor": "not-a-cursor"}, {"status": "nonsense"}, {"assignee": "abc"}, {"size": "7"}],
    ids=["bad-cursor", "bad-status", "bad-assignee", "bad-size"],
)
def test_bad_filters_are_a_clear_400(agent_client, params):
    WorkOrderFactory()
    response = agent_client.get(URL, params)
    assert response.status_code == 400
    assert "messages" in response.content.decode()


def test_queue_lists_nothing_it_should_not_count(agent_client):
    # the queue reads through the selector: all orders for a desk role
    WorkOrderFactory.create_batch(3)
    assert len(numbers(agent_client.get(URL))) == WorkOrder.objects.count()


def test_staff_seeing_unmasked_contacts_in_the_console_is_audited(client, agent):
    """SPEC §11: every access to personal data is logged (one row per page of the queue)."""
    from core.models import AuditLog
    from tests.factories import WorkOrderFactory

    orders = [WorkOrderFactory() for _ in range(3)]
    client.force_login(agent)
    assert client.get("/console/").status_code == 200
    row = AuditLog.objects.filter(action="view_pii", actor=agent).latest("id")
    assert row.object_id == "list" and {o.pk for o in orders} <= set(row.after["ids"])
    before = AuditLog.objects.filter(action="view_pii").count()
    assert client.get(f"/console/orders/{orders[0].pk}/").status_code == 200
    assert AuditLog.objects.filter(action="view_pii").count() == before + 1
