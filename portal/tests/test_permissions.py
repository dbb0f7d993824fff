"""Every portal page for its owner, another customer, an anonymous visitor and staff.

A customer only ever sees their own data: somebody else's unit or order reads as missing.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST_PAGES = ["portal:home", "portal:register_unit", "portal:requests", "portal:new_request"]
OBJECT_PAGES = ["portal:unit_detail", "portal:request_detail"]
WHO = ["owner", "other-customer", "anonymous", "agent"]


@pytest.fixture
def people(customer_user, other_customer, agent):
    return {"owner": customer_user, "other-customer": other_customer, "anonymous": None, "agent": agent}


@pytest.mark.parametrize(
    "who, expected", [("owner", 200), ("other-customer", 200), ("anonymous", 302), ("agent", 403)], ids=WHO
)
@pytest.mark.parametrize("name", LIST_PAGES, ids=LIST_PAGES)
def test_own_pages(browser_as, people, name, who, expected):
    response = browser_as(people[who]).get(reverse(name))
    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "who, expected", [("owner", 200), ("other-customer", 404), ("anonymous", 302), ("agent", 403)], ids=WHO
)
@pytest.mark.parametrize("name", OBJECT_PAGES, ids=OBJECT_PAGES)
def test_object_pages(browser_as, people, customer_user, order_of, name, who, expected):
    order = order_of(customer_user, "acknowledged")
    object_id = order.unit_id if name == "portal:unit_detail" else order.pk
    response = browser_as(people[who]).get(reverse(name, args=[object_id]))
    assert response.status_code == expected
    if expected == 200:
        assert order.unit.serial in response.content.decode()


@pytest.mark.parametrize("name", OBJECT_PAGES, ids=OBJECT_PAGES)
def test_missing_objects_are_404_like_forbidden_ones(browser_as, customer_user, name):
    assert browser_as(customer_user).get(reverse(name, args=[999999])).status_code == 404


def test_other_customers_data_never_shows_in_my_lists(browser_as, customer_user, other_customer, order_of):
    theirs = order_of(other_customer, "acknowledged")
    client = browser_as(customer_user)
    for name in LIST_PAGES:
        html = client.get(reverse(name)).content.decode()
        assert theirs.number not in html and theirs.unit.serial not in html, name


@pytest.mark.parametrize("name", ["portal:acceptance", "portal:cancel"], ids=["acceptance", "cancel"])
def test_actions_only_take_post(browser_as, customer_user, order_of, name):
    order = order_of(customer_user)
    assert browser_as(customer_user).get(reverse(name, args=[order.pk])).status_code == 405


def test_signup_is_open_to_anonymous_visitors(browser_as):
    assert browser_as(None).get(reverse("portal:signup")).status_code == 200
