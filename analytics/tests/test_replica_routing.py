"""Read-replica routing (config/routers.py) with a real second database alias.

The ``replica`` alias is added for the test as a second connection to the test database (what a
streaming replica is: the same rows, another server). The dashboard's queries must run on it,
and the writes of the services must stay on ``default``.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext

from analytics import selectors
from config.routers import REPLICA, ReplicaRouter, replica_reads
from service import services
from service.models import WorkOrder
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES:UserWarning")


@pytest.fixture
def replica(settings):
    """A ``replica`` alias on a connection of its own to the same (test) database.

    The router sees it in ``settings.DATABASES``; the connection object is registered directly,
    as a connection created at run time (Django's test case allows those)."""
    alias_settings = {**connections["default"].settings_dict}
    settings.DATABASES = {**settings.DATABASES, REPLICA: alias_settings}
    connection = load_backend(alias_settings["ENGINE"]).DatabaseWrapper(alias_settings, REPLICA)
    connections[REPLICA] = connection
    yield connection
    connection.close()
    del connections[REPLICA]


def test_without_a_replica_everything_stays_on_default(db):
    router = ReplicaRouter()
    assert REPLICA not in settings.DATABASES
    with replica_reads():
        assert router.db_for_read(WorkOrder) is None
    assert WorkOrder.objects.all().db == "default"


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_reads_from_the_replica(replica):
    # given an order written through the service (committed, so the second connection sees it)
    agent, customer = UserFactory(role="agent"), CustomerFactory()
    services.request_create(actor=agent, customer_id=customer.pk, fault_description="Does not start.")
    month = selectors.parse_month(dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m"))

    # when the KPIs are read
    with CaptureQueriesContext(connections["default"]) as on_default, CaptureQueriesContext(replica) as on_replica:
        result = selectors.month_kpis(actor=agent, month=month)

    # then every query ran on the replica, none on the primary, and the order is counted
    assert len(on_replica.captured_queries) == 2
    assert on_default.captured_queries == []
    assert result["received"] == 1


@pytest.mark.django_db(transaction=True)
def test_writes_and_ordinary_reads_stay_on_the_primary(replica):
    # given a replica is configured
    agent, customer = UserFactory(role="agent"), CustomerFactory()

    # when an order is created and read back outside the dashboard
    with CaptureQueriesContext(replica) as on_replica:
        order = services.request_create(actor=agent, customer_id=customer.pk, fault_description="Does not start.")
        WorkOrder.objects.get(pk=order.pk)

    # then nothing touched the replica
    assert on_replica.captured_queries == []
    assert WorkOrder.objects.all().db == "default"
    with replica_reads():
        assert WorkOrder.objects.all().db == REPLICA
        assert ReplicaRouter().db_for_write(WorkOrder) == "default"


def test_only_the_primary_is_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "service") is True
    assert router.allow_migrate(REPLICA, "service") is False
