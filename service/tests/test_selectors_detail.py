"""``work_order_detail`` reads an order and its children through the ORM's statements compiled
once (``core.lean.Compiled``): exactly what ``select_related`` and ``prefetch_related`` give,
held in an ``OrderDetail`` and ready to use without a query."""

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import NotFound
from core.models import Document
from service import selectors, services
from service.choices import Status
from service.models import Acceptance, OrderDocument, Quote, WorkOrder, WorkOrderClock, WorkOrderEvent
from service.permissions import visible_to
from service.tests.flow import order_in
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory


def orm_detail(order_id: int) -> WorkOrder:
    """The same order the way the ORM prefetches it (the selector before ``core.lean``)."""
    order = (
        WorkOrder.objects.select_related(
            "customer", "assignee", "product_model", "unit", "unit__model", "department", "sla", "report__engineer"
        )
        .prefetch_related(
            "report__parts",
            Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch("quotes", queryset=Quote.objects.prefetch_related("lines").order_by("-id")),
            Prefetch("acceptances", queryset=Acceptance.objects.order_by("-signed_at", "-id")),
            Prefetch("documents", queryset=OrderDocument.objects.select_related("document").order_by("id")),
        )
        .get(pk=order_id)
    )
    order.sla_clocks = list(WorkOrderClock.objects.filter(order=order).order_by("id"))
    return order


def values(obj) -> tuple:
    return (type(obj), obj._state.db, obj._state.adding) + tuple(
        getattr(obj, f.attname) for f in obj._meta.concrete_fields
    )


def joined(order, name: str):
    related = getattr(order, name, None)
    return None if related is None else values(related)


def everything(order) -> dict:
    """The order's every column, the rows joined to it, every child row's every column: of the
    ORM's prefetched order, or of an ``OrderDetail`` (read from it, not from the order)."""
    if isinstance(order, selectors.OrderDetail):
        detail, order = order, order.order
        events, acceptances, documents = detail.events, detail.acceptances, detail.documents
        quotes = [(q.quote, q.lines) for q in detail.quotes]
        parts = detail.parts
    else:
        events, acceptances, documents = order.events.all(), order.acceptances.all(), order.documents.all()
        quotes = [(q, q.lines.all()) for q in order.quotes.all()]
        parts = order.report.parts.all() if getattr(order, "report", None) else ()
    report = getattr(order, "report", None)  # joined: no query
    unit = order.unit
    return {
        "order": values(order),
        "joined": [joined(order, name) for name in ("customer", "assignee", "product_model", "unit", "department")],
        "unit model": values(unit.model) if unit else None,
        "sla": joined(order, "sla"),
        "report": (values(report), values(report.engineer)) if report else None,
        "events": [(values(e), values(e.actor) if e.actor_id else None) for e in events],
        "quotes": [(values(q), [values(ln) for ln in lines]) for q, lines in quotes],
        "acceptances": [values(a) for a in acceptances],
        "documents": [(values(d), values(d.document)) for d in documents],
        "parts": [values(p) for p in parts] if report else None,
        "clocks": [values(c) for c in order.sla_clocks],
    }


@pytest.fixture
def people(db):
    return {"agent": UserFactory(role="agent"), "engineer": UserFactory(role="engineer", first_name="Li")}


def busy_order(people) -> WorkOrder:
    """Closed, paid: two quotes (one of two lines), a report with parts, two acceptances, a
    document, events with and without an actor, clocks."""
    agent, engineer = people["agent"], people["engineer"]
    order = order_in(Status.IN_SERVICE, agent=agent, customer=CustomerFactory(), engineer=engineer, paid=True)
    services.quote_create(
        order_id=order.pk,
        actor=agent,
        lines=[
            {"kind": "labour", "description": "Work", "quantity": "1.5", "unit_price": "200.00"},
            {"kind": "material", "description": "主板 Board", "unit_price": "99.90"},
        ],
        plan="Replace the board",
    )
    services.report_save(
        order_id=order.pk,
        actor=engineer,
        cause="Loose connector",
        process="Replaced it",
        minutes_spent=30,
        parts=[
            {"part_number": "P-1", "name": "Connector", "old_serial": "A", "new_serial": "B", "quantity": 2},
            {"part_number": "P-2", "name": "Screw", "quantity": 4},
        ],
    )
    signed = timezone.now()  # the same time twice: the later row comes first
    for accepted in (False, True):
        Acceptance.objects.create(
            order=order, accepted=accepted, signer_name="张三", signed_at=signed, comment="ok" * accepted
        )
    doc = Document.objects.create(original_name="fault <1>.png", content_type="image/png", size=3, sha256="0" * 64)
    OrderDocument.objects.create(order=order, document=doc, kind=OrderDocument.Kind.ATTACHMENT)
    WorkOrderEvent.objects.create(order=order, actor=None, action="note", note="System", payload={"a": [1, "二"]})
    return order


@pytest.mark.django_db
def test_the_children_are_the_orms_field_by_field(people):
    # given a busy order, a new one (no quote, no report, no acceptance) and a cancelled one
    orders = [
        busy_order(people),
        order_in(Status.NEW, agent=people["agent"], customer=CustomerFactory()),
        order_in(Status.CANCELLED, agent=people["agent"], customer=CustomerFactory()),
    ]
    for order in orders:
        # when it is read by the selector, then every child row equals the ORM's, in order
        lean = selectors.work_order_detail(actor=people["agent"], order_id=order.pk)
        assert everything(lean) == everything(orm_detail(order.pk))
    assert len(everything(lean)["events"]) >= 2


@pytest.mark.django_db
def test_the_children_cost_no_query_once_loaded(people):
    # given the busy order read by the selector
    order = busy_order(people)
    lean = selectors.work_order_detail(actor=people["agent"], order_id=order.pk)
    # when everything the pages and the API use is walked
    with CaptureQueriesContext(connection) as ctx:
        shown = everything(lean)
        assert (
            lean.report is lean.order.report and lean.report.order is lean.order and lean.order.sla.order is lean.order
        )
        latest = lean.acceptance
        approved = lean.quote_in("approved")
        clocks = lean.clocks
    # then nothing is read again
    assert ctx.captured_queries == []
    assert len(shown["quotes"]) == 2 and [len(q[1]) for q in shown["quotes"]] == [2, 1]
    assert len(shown["parts"]) == 2 and len(shown["acceptances"]) == 2 and len(shown["documents"]) == 1
    assert latest is lean.acceptances[0] and latest.accepted  # the later of two signed at the same time
    assert approved is next(q for q in lean.quotes if q.quote.status == "approved")
    assert [c.pk for c in clocks] == list(
        WorkOrderClock.objects.filter(order=order).order_by("id").values_list("pk", flat=True)
    )
    assert all(line.quote_id == q.quote.pk for q in lean.quotes for line in q.lines)


@pytest.mark.django_db
def test_the_order_is_read_only_within_the_actors_scope(people):
    """The row is limited by ``visible_to``'s own query: whoever it hides an order from gets
    NotFound, whoever it shows it to gets the order."""
    from django.contrib.auth.models import AnonymousUser

    south = DepartmentFactory(scope_orders=True)
    owner = UserFactory(role="customer")
    customer = CustomerFactory(user=owner)
    routed = order_in(Status.NEW, agent=people["agent"], customer=customer)
    WorkOrder.objects.filter(pk=routed.pk).update(department=south)
    assigned = order_in(
        Status.SCHEDULED, agent=people["agent"], customer=CustomerFactory(), engineer=people["engineer"]
    )
    actors = [
        people["agent"],
        people["engineer"],
        owner,
        UserFactory(role="customer"),
        UserFactory(role="agent", department=south),
        UserFactory(role="supervisor", department=DepartmentFactory(scope_orders=True)),
        UserFactory(role="manager", department=south),
        UserFactory(role="agent", is_active=False),
        AnonymousUser(),
    ]
    shown = 0
    for actor in actors:
        for order in (routed, assigned):
            visible = visible_to(actor).filter(pk=order.pk).exists()
            if visible:
                shown += 1
                assert selectors.work_order_detail(actor=actor, order_id=order.pk).order.pk == order.pk
            else:
                with pytest.raises(NotFound):
                    selectors.work_order_detail(actor=actor, order_id=order.pk)
    assert 0 < shown < 2 * len(actors)
    with pytest.raises(NotFound):
        selectors.work_order_detail(actor=people["agent"], order_id=assigned.pk + 1000)


@pytest.mark.django_db
def test_replacements_are_the_orms(people):
    # given an order whose unit was replaced, then taken back, and an order without any
    from service.services.replacement import replacement_create

    manager = UserFactory(role="manager")
    order = order_in(Status.IN_SERVICE, agent=people["agent"], customer=CustomerFactory())
    replacement_create(order_id=order.pk, actor=manager, ground="quality_defect", new_serial="N-1", new_colour="Red")
    other = order_in(Status.IN_SERVICE, agent=people["agent"], customer=CustomerFactory())
    replacement_create(order_id=other.pk, actor=manager, ground="quality_defect", is_return=True)
    for o in (order, other, order_in(Status.NEW, agent=people["agent"], customer=CustomerFactory())):
        # when they are read, then they are what the ORM reads, with the new model joined
        lean = selectors.replacements_of(o)
        orm = list(o.replacements.select_related("new_model").order_by("id"))
        assert [(values(r), values(r.new_model) if r.new_model_id else None) for r in lean] == [
            (values(r), values(r.new_model) if r.new_model_id else None) for r in orm
        ]
    assert len(selectors.replacements_of(order)) == 1 and selectors.replacements_of(order)[0].new_model_id


@pytest.mark.django_db
def test_the_order_keeps_its_relations_untouched(people):
    # given two orders with notes, the first read by the selector
    first, second = busy_order(people), busy_order(people)
    lean = selectors.work_order_detail(actor=people["agent"], order_id=first.pk)
    # when its relations are asked for, then they query (nothing was planted in them) and
    # give the order's own rows, the same as the detail holds
    with CaptureQueriesContext(connection) as ctx:
        events = list(lean.order.events.order_by("at", "id"))
    assert len(ctx.captured_queries) == 1
    assert [e.pk for e in events] == [e.pk for e in lean.events] and {e.order_id for e in events} == {first.pk}
    assert second.pk != first.pk
