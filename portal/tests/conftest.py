"""Portal test fixtures: signed-in browsers per role, another customer, orders in any state."""

import pytest
from django.test import Client

from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def other_customer(db):
    user = UserFactory(role="customer")
    CustomerFactory(user=user, name="Other Customer", phone="13900000000")
    return user


@pytest.fixture
def browser_as():
    """A test client signed in as ``user`` (anonymous for ``None``), asking for English pages."""

    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def order_of(agent, engineer):
    """An order of ``user`` (a customer user) in ``status``, driven there through the services."""

    def make(user, status="new", *, unit=None, paid=False):
        return order_in(status, agent=agent, customer=user.customer, unit=unit, engineer=engineer, paid=paid)

    return make
