"""Customer sign-up: a portal account with its customer record, then signed in."""

import pytest
from django.urls import reverse

from accounts.models import User
from core.errors import ValidationFailed
from core.models import AuditLog
from customers.models import Customer
from customers.services import customer_signup

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "li.lei",
    "name": "李雷",
    "phone": "13812345678",
    "email": "li.lei@example.com",
    "password1": "Sturdy-Kettle-42",
    "password2": "Sturdy-Kettle-42",
}


def test_login_page_links_to_signup(browser_as):
    page = browser_as(None).get(reverse("login"))
    assert reverse("portal:signup") in page.content.decode()


def test_signup_creates_customer_and_signs_in(browser_as):
    # given an anonymous visitor
    client = browser_as(None)
    # when they sign up
    response = client.post(reverse("portal:signup"), GOOD)
    # then they land on their products, signed in, as a customer with a customer record
    assert response.status_code == 302 and response.url == reverse("portal:home")
    user = User.objects.get(username="li.lei")
    assert user.role == "customer" and user.check_password(GOOD["password1"])
    customer = Customer.objects.get(user=user)
    assert (customer.name, customer.phone, customer.email) == ("李雷", "13812345678", "li.lei@example.com")
    assert client.get(reverse("portal:home")).status_code == 200
    # and the audit trail has both rows, without the password hash
    entries = AuditLog.objects.filter(actor=user).order_by("id")
    assert [e.action for e in entries] == ["signup", "create"]
    assert "password" not in (entries[0].after or {})


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"password2": "Other-Kettle-42"}, "password2", "do not match"),
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"phone": ""}, "phone", "required"),
        ({"username": "bad name!"}, "username", "Enter a valid username"),
        ({"email": "not-an-email"}, "email", "valid email"),
    ],
    ids=["passwords-differ", "common-password", "no-phone", "bad-username", "bad-email"],
)
def test_signup_refuses_bad_input_and_creates_nothing(browser_as, change, field, message):
    response = browser_as(None).post(reverse("portal:signup"), {**GOOD, **change})
    assert response.status_code == 422
    assert message in str(response.context["form"].errors[field])
    assert not User.objects.exists() and not Customer.objects.exists()


def test_signup_refuses_a_taken_username_whatever_its_case(browser_as, make_user):
    make_user("customer", username="Li.Lei")
    response = browser_as(None).post(reverse("portal:signup"), GOOD)
    assert response.status_code == 422
    assert "already taken" in str(response.context["form"].errors["username"])
    assert User.objects.count() == 1


def test_signed_in_user_is_sent_home_from_signup(browser_as, customer_user):
    response = browser_as(customer_user).get(reverse("portal:signup"))
    assert response.status_code == 302 and response.url == reverse("home")


def test_service_names_every_missing_field():
    with pytest.raises(ValidationFailed) as err:
        customer_signup(username="", password="", name="", phone="")
    assert set(err.value.fields) == {"username", "password", "name", "phone"}
