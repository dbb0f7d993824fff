"""``core.events``: named events, delivered to subscribers after the publisher's transaction commits."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from accounts.models import Department
from core import events


@events.event
@dataclass(frozen=True)
class ThingHappened(events.DomainEvent):
    name = "test.thing_happened"
    thing_id: int


@events.event
@dataclass(frozen=True)
class NobodyListens(events.DomainEvent):
    name = "test.nobody_listens"
    thing_id: int


@pytest.fixture
def received():
    seen = []

    def handler(evt):
        seen.append(evt)

    events.subscribe(ThingHappened, handler)
    yield seen
    events.unsubscribe(ThingHappened, handler)


@pytest.mark.django_db
def test_delivered_only_after_commit(received, django_capture_on_commit_callbacks):
    # given a transaction that publishes
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            events.publish(ThingHappened(thing_id=7))
            # then nothing is delivered while it is open
            assert received == []
    # and the event arrives once it commits
    assert len(callbacks) == 1
    assert received == [ThingHappened(thing_id=7)]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_delivers_nothing(received):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(ThingHappened(thing_id=1))
        raise RuntimeError("roll back")
    assert received == []
    # and a real commit (no test transaction around it) delivers
    with transaction.atomic():
        events.publish(ThingHappened(thing_id=2))
    assert received == [ThingHappened(thing_id=2)]


@pytest.mark.django_db(transaction=True)
def test_each_subscriber_runs_in_its_own_transaction(settings):
    # given a first subscriber that writes and a second that fails
    settings.EVENTS_RAISE = False

    def writes(evt):
        Department.objects.create(code=f"kept-{evt.thing_id}", name="kept", kind="customer_service")

    def fails(evt):
        Department.objects.create(code=f"lost-{evt.thing_id}", name="lost", kind="customer_service")
        raise ValueError("broken subscriber")

    events.subscribe(ThingHappened, writes)
    events.subscribe(ThingHappened, fails)
    try:
        with transaction.atomic():
            events.publish(ThingHappened(thing_id=3))
    finally:
        events.unsubscribe(ThingHappened, writes)
        events.unsubscribe(ThingHappened, fails)
    # then the first subscriber's work stays and the failing one's is rolled back
    assert Department.objects.filter(code="kept-3").count() == 1
    assert Department.objects.filter(code="lost-3").count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_fails_loudly_when_asked(settings):
    settings.EVENTS_RAISE = True

    def fails(evt):
        raise ValueError("broken subscriber")

    events.subscribe(ThingHappened, fails)
    try:
        with pytest.raises(ValueError, match="broken subscriber"):
            events.publish(ThingHappened(thing_id=4))  # outside a transaction: delivered at once
    finally:
        events.unsubscribe(ThingHappened, fails)


@pytest.mark.django_db
def test_subscribing_twice_delivers_once(received):
    events.subscribe(ThingHappened, events.subscribers(ThingHappened)[0])
    events.deliver(ThingHappened(thing_id=5))
    assert received == [ThingHappened(thing_id=5)]


def test_event_without_subscribers_schedules_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        events.publish(NobodyListens(thing_id=1))
    assert callbacks == []


def test_names_are_unique_and_required():
    with pytest.raises(ValueError, match="Two events"):

        @events.event
        @dataclass(frozen=True)
        class Clash(events.DomainEvent):
            name = "test.thing_happened"

    with pytest.raises(TypeError):

        @events.event
        @dataclass(frozen=True)
        class Nameless(events.DomainEvent):
            pass


def test_unregistered_events_are_refused():
    @dataclass(frozen=True)
    class Loose(events.DomainEvent):
        name = "test.loose"

    with pytest.raises(ValueError):
        events.publish(Loose())
    with pytest.raises(ValueError):
        events.subscribe(Loose, print)


def test_as_dict_names_the_event():
    assert ThingHappened(thing_id=9).as_dict() == {"event": "test.thing_happened", "thing_id": 9}
