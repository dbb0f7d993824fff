"""Login throttling and lockout (django-axes), and rate limits on public endpoints."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from core.security import parse_rate
from tests.factories import UserFactory

PASSWORD = "pass-Word-123"


def _login(username, password, ip="10.1.1.1"):
    client = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")
    return client, client.post("/login/", {"username": username, "password": password})


def _fail(username, times, ip="10.1.1.1"):
    for _ in range(times):
        _login(username, "wrong-password", ip)


# ---------------------------------------------------------------- lockout


def test_a_right_password_logs_in(db):
    user = UserFactory(role="agent")
    client, response = _login(user.username, PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # home redirects an authenticated user onwards
    assert "_auth_user_id" in client.session


def test_four_failures_do_not_lock(db):
    user = UserFactory(role="agent")
    _fail(user.username, 4)
    assert _login(user.username, PASSWORD)[1].status_code == 302


def test_five_failures_lock_the_username_from_that_address(db):
    # given
    user = UserFactory(role="agent")

    # when the 5th wrong password arrives
    _fail(user.username, 4)
    _, fifth = _login(user.username, "wrong-password")

    # then that answer is the lockout page, and even the right password is refused
    assert fifth.status_code == 429
    client, response = _login(user.username, PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_username_and_address(db):
    # given a locked pair
    user, other = UserFactory(role="agent"), UserFactory(role="agent")
    _fail(user.username, 5, ip="10.1.1.1")

    # then the same user from another address, and another user from the same address, may log in
    assert _login(user.username, PASSWORD, ip="10.9.9.9")[1].status_code == 302
    assert _login(other.username, PASSWORD, ip="10.1.1.1")[1].status_code == 302


def test_a_lockout_ends_after_15_minutes(db):
    # given
    user = UserFactory(role="agent")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail(user.username, 5)
        assert _login(user.username, PASSWORD)[1].status_code == 429

    # when 14 minutes, then 16 minutes have passed
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert _login(user.username, PASSWORD)[1].status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert _login(user.username, PASSWORD)[1].status_code == 302


def test_a_successful_login_resets_the_count(db):
    user = UserFactory(role="agent")
    _fail(user.username, 4)
    assert _login(user.username, PASSWORD)[1].status_code == 302
    _fail(user.username, 4)
    assert _login(user.username, PASSWORD)[1].status_code == 302


def test_api_tokens_are_unaffected_by_a_lockout(db, api_as):
    # given a user locked out of the login page
    user = UserFactory(role="agent")
    _fail(user.username, 5)

    # when the API is called with the user's token
    response = api_as(user).get("/work-orders")

    # then
    assert response.status_code == 200


def test_code_level_logins_still_work(db):
    # test clients and other code authenticate without a request; the lockout backend steps aside
    user = UserFactory(role="agent")
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.force_login(user)
    assert "_auth_user_id" in client.session


def test_the_admin_login_goes_to_our_login_page(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"


# ---------------------------------------------------------------- rate limits


@pytest.fixture
def limits(db, settings):
    settings.RATE_LIMITS_ENABLED = True
    caches["ratelimit"].clear()
    yield settings
    caches["ratelimit"].clear()


def test_the_login_page_is_rate_limited_per_address(limits):
    # given
    limits.RATE_LIMITS = {**limits.RATE_LIMITS, "login": (("POST",), "3/m", "ip")}
    client = Client(REMOTE_ADDR="10.2.2.2", HTTP_ACCEPT_LANGUAGE="en")

    # when
    answers = [client.post("/login/", {"username": f"nobody{i}", "password": "x"}).status_code for i in range(4)]

    # then the 4th POST is refused, with a message and a Retry-After; GET and other addresses still work
    assert answers == [200, 200, 200, 429]
    response = client.post("/login/", {"username": "nobody", "password": "x"})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert b"Too many requests" in response.content
    assert client.get("/login/").status_code == 200
    assert Client(REMOTE_ADDR="10.3.3.3").post("/login/", {"username": "x", "password": "x"}).status_code == 200


def test_the_rate_limit_message_is_translated(limits):
    limits.RATE_LIMITS = {**limits.RATE_LIMITS, "login": (("POST",), "0/m", "ip")}
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post("/login/", {"username": "x", "password": "x"})
    assert response.status_code == 429
    assert response.headers["Content-Language"] == "zh-hans"


def test_portal_signup_is_rate_limited(limits):
    # given
    limits.RATE_LIMITS = {**limits.RATE_LIMITS, "portal:signup": (("POST",), "2/h", "ip")}
    client = Client(REMOTE_ADDR="10.4.4.4", HTTP_ACCEPT_LANGUAGE="en")

    # when
    answers = [client.post("/portal/signup/", {"username": ""}).status_code for _ in range(3)]

    # then
    assert answers[-1] == 429 and 429 not in answers[:2]


def test_portal_intake_is_limited_per_customer(limits, customer_user):
    # given
    limits.RATE_LIMITS = {**limits.RATE_LIMITS, "portal:new_request": (("POST",), "1/h", "user")}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(customer_user)

    # when
    first = client.post("/portal/requests/new/", {})
    second = client.post("/portal/requests/new/", {})

    # then
    assert first.status_code != 429 and second.status_code == 429
    assert client.get("/portal/requests/new/").status_code == 200


def test_api_rate_limits_answer_in_the_error_shape(limits, api_as, agent):
    limits.RATE_LIMITS = {"api:list_work_orders": (("GET",), "1/m", "user")}
    api = api_as(agent)
    assert api.get("/work-orders").status_code == 200
    response = api.get("/work-orders")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited" and response.json()["fields"] == {}


def test_rate_limits_can_be_switched_off(db, settings):
    settings.RATE_LIMITS_ENABLED = False
    settings.RATE_LIMITS = {"login": (("POST",), "0/m", "ip")}
    assert Client().post("/login/", {"username": "x", "password": "x"}).status_code == 200


# ---------------------------------------------------------------- the per-address limit counts failures


@pytest.fixture
def shift_start(limits):
    """The production limits (config/settings/base.py), at a fixed instant early in a window."""
    with time_machine.travel(dt.datetime(2026, 9, 7, 0, 0, 1, tzinfo=dt.UTC), tick=False):
        yield limits


def test_a_call_centre_behind_one_address_can_all_log_in_at_shift_start(shift_start):
    # given 40 agents behind the office's one address, more than the per-address limit
    limit, window = parse_rate(shift_start.RATE_LIMITS["login"][1])
    assert (limit, window) == (30, 600)
    agents = [UserFactory(role="agent") for _ in range(40)]

    # when each logs in within the same minute
    answers = [_login(agent.username, PASSWORD, ip="10.5.5.5")[1].status_code for agent in agents]

    # then every login succeeds: successful logins are not counted against the address
    assert answers == [302] * 40


def test_failed_logins_lock_the_address_at_the_limit(shift_start):
    # given successful logins from the address first (not counted)
    agents = [UserFactory(role="agent") for _ in range(5)]
    assert [_login(a.username, PASSWORD, ip="10.6.6.6")[1].status_code for a in agents] == [302] * 5

    # when 30 wrong passwords arrive from it, each for another username (no account is locked)
    answers = [_login(f"guess{i}", "wrong-password", ip="10.6.6.6")[1].status_code for i in range(30)]

    # then those are answered as failures, and the 31st attempt is refused — even a right password
    assert answers == [200] * 30
    client, response = _login(agents[0].username, PASSWORD, ip="10.6.6.6")
    assert response.status_code == 429 and b"Too many requests" in response.content
    assert "_auth_user_id" not in client.session
    # another address is not affected, and the window's end lifts the limit
    assert _login(agents[0].username, PASSWORD, ip="10.7.7.7")[1].status_code == 302
    with time_machine.travel(dt.datetime(2026, 9, 7, 0, 10, 1, tzinfo=dt.UTC), tick=False):
        assert _login(agents[0].username, PASSWORD, ip="10.6.6.6")[1].status_code == 302


def test_the_account_lockout_still_works_with_the_address_limit_on(shift_start):
    user = UserFactory(role="agent")
    _fail(user.username, 5, ip="10.8.8.8")
    assert _login(user.username, PASSWORD, ip="10.8.8.8")[1].status_code == 429
    assert _login(UserFactory(role="agent").username, PASSWORD, ip="10.8.8.8")[1].status_code == 302


def test_wrong_two_factor_codes_count_against_the_address(shift_start, settings):
    # given a user with a confirmed authenticator, past the password step
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_verify": (("POST",), "3/10m", "failed-logins")}
    user = UserFactory(role="agent")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client, response = _login(user.username, PASSWORD, ip="10.9.1.1")
    assert response.status_code == 302 and response["Location"].endswith("/login/verify/")

    # when wrong codes are sent (another user's attempts from the address count too)
    answers = [client.post("/login/verify/", {"code": "000000"}).status_code for _ in range(4)]

    # then the fourth is refused by the address limit
    assert answers[:3] == [200, 200, 200] and answers[3] == 429
