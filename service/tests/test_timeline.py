"""Typed events: every row the services write has a type from ``EventType``, and the timeline
shows its translated label, never the stored code."""

import pytest
from django.urls import reverse
from django.utils import translation

from service.choices import EventType, Status
from service.models import WorkOrderEvent
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer": CustomerFactory(),
    }


def test_every_event_the_services_write_has_a_type(people):
    # given orders driven through the real services into every state
    for state in Status:
        order_in(state, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    written = set(WorkOrderEvent.objects.values_list("action", flat=True))
    # then every stored action is a member of the enum (and most of it was exercised)
    assert written <= set(EventType.values)
    assert {"create", "acknowledge", "assess", "start", "resolve", "accept", "close", "cancel", "reopen"} <= written


@pytest.mark.parametrize("code", ["sla_breached", "sla_at_risk", "sla_extended", "shipment", "assign"])
def test_the_console_timeline_shows_labels_in_both_languages(client, people, code):
    # given an order with an event of the type
    order = order_in(Status.ACKNOWLEDGED, agent=people["agent"], customer=people["customer"])
    WorkOrderEvent.objects.create(order=order, action=code, from_status=order.status, to_status=order.status)
    client.force_login(people["agent"])
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            label = str(EventType(code).label)
        # when the agent opens the order page in that language
        page = client.get(reverse("service:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE=lang)
        html = page.content.decode()
        # then the timeline shows the label, not the code
        assert page.status_code == 200
        assert f"<strong>{label}</strong>" in html
        assert f"<strong>{code}</strong>" not in html
    with translation.override("en"):
        english = str(EventType(code).label)
    with translation.override("zh-hans"):
        assert str(EventType(code).label) != english, "the label is translated"


def test_an_unknown_stored_code_reads_as_a_generic_label():
    with translation.override("en"):
        assert EventType.label_of("something_old") == "Event"
        assert EventType.label_of("sla_breached") == "Deadline missed"
