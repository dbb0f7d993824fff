"""Keyset pagination: every row once, in order, whatever the directions and ties; forged cursors refused."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import ValidationFailed
from core.models import AuditLog
from core.pagination import decode_cursor, encode_cursor, keyset_page
from service.models import WorkOrder
from tests.factories import WorkOrderFactory


def _walk(qs, order, size):
    seen, cursor, pages = [], None, 0
    while True:
        rows, cursor = keyset_page(qs, order=order, cursor=cursor, size=size)
        seen += [r.pk for r in rows]
        pages += 1
        if cursor is None:
            return seen, pages
        assert pages < 200


@pytest.fixture
def orders(db):
    """17 orders: 3 priorities × shared creation times (ties) × some due dates."""
    base = timezone.now().replace(microsecond=0)
    rows = []
    for i in range(17):
        rows.append(
            WorkOrderFactory(
                priority="urgent" if i % 3 == 0 else "normal",
                status=["new", "closed", "scheduled"][i % 3],
                due_at=base + dt.timedelta(hours=i % 4),
            )
        )
    for i, row in enumerate(rows):
        WorkOrder.objects.filter(pk=row.pk).update(created_at=base - dt.timedelta(minutes=i // 5))
    return rows


ORDERS = [
    ["-created_at", "-id"],
    ["created_at", "id"],
    ["-created_at", "id"],
    ["created_at", "-id"],
    ["priority", "-created_at", "id"],
    ["-priority", "created_at", "-id"],
    ["status", "due_at", "-id"],
    ["-due_at", "priority", "id"],
]


@pytest.mark.parametrize("order", ORDERS, ids=[",".join(o) for o in ORDERS])
@pytest.mark.parametrize("size", [1, 4, 5, 16, 17, 50], ids=lambda s: f"size-{s}")
def test_keyset_walk_matches_the_full_ordering(orders, order, size):
    # when
    seen, pages = _walk(WorkOrder.objects.all(), order, size)

    # then every row exactly once, in exactly the order of the full sort
    assert seen == list(WorkOrder.objects.order_by(*order).values_list("pk", flat=True))
    assert pages == max(1, -(-len(orders) // size))


def test_all_rows_sharing_one_creation_time(db):
    # given 9 orders created in the same microsecond
    rows = [WorkOrderFactory() for _ in range(9)]
    WorkOrder.objects.update(created_at=timezone.now())

    # when
    seen, pages = _walk(WorkOrder.objects.all(), ["-created_at", "-id"], 2)

    # then
    assert seen == sorted((r.pk for r in rows), reverse=True)
    assert pages == 5


def test_filtered_queryset_and_empty_result(orders):
    # when
    empty, cursor = keyset_page(WorkOrder.objects.none(), order=["-id"], cursor=None, size=5)
    closed, _ = _walk(WorkOrder.objects.filter(status="closed"), ["-created_at", "-id"], 2)

    # then
    assert (empty, cursor) == ([], None)
    assert sorted(closed) == sorted(o.pk for o in orders if o.status == "closed")


def test_page_costs_one_query_however_deep(orders, django_assert_num_queries):
    # given a cursor deep into the list
    _, cursor = keyset_page(WorkOrder.objects.all(), order=["-created_at", "-id"], cursor=None, size=12)

    # when / then
    with django_assert_num_queries(1):
        keyset_page(WorkOrder.objects.all(), order=["-created_at", "-id"], cursor=cursor, size=3)


def test_exact_page_size_has_no_next_cursor(orders):
    # when
    rows, cursor = keyset_page(WorkOrder.objects.all(), order=["-id"], cursor=None, size=len(orders))

    # then
    assert (len(rows), cursor) == (len(orders), None)


def test_audit_log_pages_by_id(db):
    # given
    for i in range(7):
        AuditLog.objects.create(action="x", object_type="t", object_id=str(i))

    # when
    seen, _ = _walk(AuditLog.objects.all(), ["-id"], 3)

    # then
    assert seen == list(AuditLog.objects.order_by("-id").values_list("pk", flat=True))


def test_cursor_round_trip():
    # given
    now = dt.datetime(2026, 2, 3, 4, 5, 6, 789, tzinfo=dt.UTC)

    # when
    values = decode_cursor(encode_cursor([now, 42, "urgent"]), 3)

    # then
    assert values == [now.isoformat(), 42, "urgent"]


@pytest.mark.parametrize(
    "cursor, n",
    [
        ("@@@", 2),
        ("", 2),
        (encode_cursor([1]), 2),
        (encode_cursor([1, 2, 3]), 2),
        ("bnVsbA", 1),
        ("e30", 1),
        ("//8", 1),
    ],
    ids=["garbage", "empty", "short", "long", "null", "object", "invalid-utf8"],
)
def test_decode_refuses_garbage(cursor, n):
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        decode_cursor(cursor, n)
    assert exc.value.code == "bad_cursor"
    assert "cursor" in exc.value.fields


@pytest.mark.parametrize(
    "values",
    [
        ["2026-01-01T00:00:00+00:00", "1"],
        ["2026-01-01T00:00:00+00:00", 1.0],
        ["2026-01-01T00:00:00+00:00", 2**64],
        ["2026-01-01T00:00:00+00:00", None],
        ["2026-01-01T00:00:00", 1],
        ["2026-02-30T00:00:00+00:00", 1],
        [1767225600, 1],
        [{"$gt": ""}, 1],
    ],
    ids=[
        "id-as-string",
        "id-as-float",
        "id-overflow",
        "id-null",
        "naive-datetime",
        "impossible-date",
        "epoch",
        "operator",
    ],
)
def test_keyset_page_refuses_forged_values(orders, values):
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        keyset_page(WorkOrder.objects.all(), order=["-created_at", "-id"], cursor=encode_cursor(values), size=3)
    assert exc.value.code == "bad_cursor"


def test_keyset_page_accepts_its_own_cursors_for_char_fields(orders):
    # given a cursor with a string sort key
    _, cursor = keyset_page(WorkOrder.objects.all(), order=["priority", "id"], cursor=None, size=3)

    # when
    rows, _ = keyset_page(WorkOrder.objects.all(), order=["priority", "id"], cursor=cursor, size=3)

    # then
    assert len(rows) == 3
