"""Browser tests start from the rows the migrations wrote, whatever ran before them.

The first test flushes the database at its end, as every transactional test does; the second,
driven like the journeys (live server and Chromium), must still find the default SLA policies,
calendar and component classes, or its orders get no clocks."""

import pytest

from products.models import ComponentClass
from sla.models import BusinessCalendar, SlaPolicy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_transactional_test_flushes_the_database_when_it_ends():
    assert SlaPolicy.objects.exists()


def test_a_browser_test_after_it_finds_the_migrations_rows(live_server, chromium):
    assert set(SlaPolicy.objects.values_list("code", flat=True)) >= {"standard", "complaint"}
    assert BusinessCalendar.objects.filter(code="cn").exists()
    assert ComponentClass.objects.count() >= 3
