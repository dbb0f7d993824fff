"""Optional TOTP two-factor authentication for staff: enrolment, the code step, the guard."""

import datetime as dt
import re
from binascii import unhexlify
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from core.models import AuditLog
from tests.factories import UserFactory

PASSWORD = "pass-Word-123"


def _code(key_hex: str) -> str:
    """The code an authenticator app would show now (django_otp's own TOTP, no pyotp)."""
    return f"{totp(unhexlify(key_hex)):06d}"


def _enrol(client) -> str:
    """Open the enrolment page, read the secret from the otpauth URI, confirm it; the hex key."""
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    uri = unquote(re.search(r"otpauth://totp/[^<\s\"]+", page.content.decode()).group(0).replace("&amp;", "&"))
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    key = client.session[twofactor.ENROL_KEY]
    assert secret == twofactor.secret_b32(key)
    response = client.post("/account/two-factor/", {"code": _code(key)})
    assert response.status_code == 302, response.content
    return key


@pytest.fixture
def staff(db):
    return UserFactory(role="agent")


@pytest.fixture
def enrolled(staff):
    """A staff user with a confirmed device; returns (user, hex key). Time moves on 1 minute
    afterwards so that the next code is a fresh one (a used code is never accepted twice)."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(staff)
        key = _enrol(client)
    return staff, key, start + dt.timedelta(minutes=1)


def _password_step(user, client=None, next_url=None):
    client = client or Client(REMOTE_ADDR="10.5.5.5", HTTP_ACCEPT_LANGUAGE="en")
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client, client.post("/login/", data)


# ---------------------------------------------------------------- enrolment


def test_the_enrolment_page_shows_a_qr_code_and_the_uri(staff):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    html = client.get("/account/two-factor/").content.decode()
    assert 'src="data:image/svg+xml' in html
    assert "otpauth://totp/" in html and "issuer=" in html
    assert not TOTPDevice.objects.filter(user=staff).exists()  # nothing stored before the code


def test_a_wrong_code_does_not_enrol(staff):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    client.get("/account/two-factor/")
    key = client.session[twofactor.ENROL_KEY]
    wrong = f"{(int(_code(key)) + 1) % 1000000:06d}"
    response = client.post("/account/two-factor/", {"code": wrong})
    assert response.status_code == 200 and b"not valid" in response.content
    assert not TOTPDevice.objects.filter(user=staff).exists()


def test_enrolment_stores_a_confirmed_device_and_audits_it(enrolled):
    user, key, _ = enrolled
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == key
    row = AuditLog.objects.get(action="2fa_enable", object_id=str(user.pk))
    assert key not in str(row.after)  # the secret never reaches the audit log


@pytest.mark.parametrize("role", ["customer"], ids=str)
def test_customers_have_no_two_factor_page(db, role):
    client = Client()
    client.force_login(UserFactory(role=role))
    assert client.get("/account/two-factor/").status_code == 404


def test_the_enrolment_page_needs_a_login(db):
    response = Client().get("/account/two-factor/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# ---------------------------------------------------------------- login with a code


def test_after_enrolment_the_password_alone_does_not_log_in(enrolled):
    user, _, later = enrolled
    with time_machine.travel(later, tick=False):
        client, response = _password_step(user)
        assert response.status_code == 302 and response["Location"] == "/login/verify/"
        assert "_auth_user_id" not in client.session
        assert client.get("/console/").status_code == 302


def test_the_right_code_completes_the_login(enrolled):
    user, key, later = enrolled
    with time_machine.travel(later, tick=False):
        client, _ = _password_step(user, next_url="/console/")
        response = client.post("/login/verify/", {"code": _code(key)})
        assert response.status_code == 302 and response["Location"] == "/console/"
        assert client.session["_auth_user_id"] == str(user.pk)
        assert client.get("/account/two-factor/").status_code == 200


def test_a_used_code_is_not_accepted_twice(enrolled):
    user, key, later = enrolled
    with time_machine.travel(later, tick=False):
        first, _ = _password_step(user)
        code = _code(key)
        assert first.post("/login/verify/", {"code": code}).status_code == 302
        second, _ = _password_step(user, Client(REMOTE_ADDR="10.6.6.6"))
        response = second.post("/login/verify/", {"code": code})
        assert response.status_code == 200 and "_auth_user_id" not in second.session


def test_a_wrong_code_is_refused(enrolled):
    user, key, later = enrolled
    with time_machine.travel(later, tick=False):
        client, _ = _password_step(user)
        wrong = f"{(int(_code(key)) + 1) % 1000000:06d}"
        response = client.post("/login/verify/", {"code": wrong})
        assert response.status_code == 200 and b"not valid" in response.content
        assert "_auth_user_id" not in client.session


def test_five_wrong_codes_lock_the_account(enrolled):
    # given
    user, key, later = enrolled
    with time_machine.travel(later, tick=True):
        client, _ = _password_step(user)
        wrong = f"{(int(_code(key)) + 1) % 1000000:06d}"

        # when wrong codes are sent (django-otp also slows them down; time moves on between them)
        answers = []
        for i in range(5):
            with time_machine.travel(later + dt.timedelta(seconds=40 * i), tick=False):
                answers.append(client.post("/login/verify/", {"code": wrong}).status_code)

        # then the 5th failure locks, and even the password step is refused now
        assert answers[-1] == 429
        _, again = _password_step(user, client)
        assert again.status_code == 429


def test_a_pending_login_expires(enrolled):
    user, key, later = enrolled
    with time_machine.travel(later, tick=False):
        client, _ = _password_step(user)
    with time_machine.travel(later + dt.timedelta(minutes=6), tick=False):
        response = client.post("/login/verify/", {"code": _code(key)})
        assert response.status_code == 302 and response["Location"] == "/login/"
        assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_password_step_sends_to_login(db):
    response = Client().get("/login/verify/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_users_without_a_device_log_in_with_the_password(staff):
    client, response = _password_step(staff)
    assert response.status_code == 302 and response["Location"] != "/login/verify/"
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_a_login_that_skipped_the_code_step_is_turned_back(enrolled):
    # given a session logged in without the code (e.g. through another login form)
    user, key, later = enrolled
    with time_machine.travel(later, tick=False):
        client = Client()
        client.force_login(user)

        # when it makes a request
        response = client.get("/console/")

        # then it is logged out and asked for the code, which completes the login
        assert response.status_code == 302 and response["Location"] == "/login/verify/"
        assert "_auth_user_id" not in client.session
        done = client.post("/login/verify/", {"code": _code(key)})
        assert done.status_code == 302 and done["Location"] == "/console/"
        assert client.get("/console/").status_code == 200


# ---------------------------------------------------------------- turning it off


def test_turning_it_off_needs_a_current_code(enrolled):
    user, key, later = enrolled
    with time_machine.travel(later, tick=False):
        client, _ = _password_step(user)
        client.post("/login/verify/", {"code": _code(key)})
    with time_machine.travel(later + dt.timedelta(minutes=1), tick=False):
        assert (
            client.post("/account/two-factor/", {"code": "000000" if _code(key) != "000000" else "111111"}).status_code
            == 200
        )
        assert TOTPDevice.objects.filter(user=user).exists()
    with time_machine.travel(later + dt.timedelta(minutes=2), tick=False):
        assert client.post("/account/two-factor/", {"code": _code(key)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditLog.objects.filter(action="2fa_disable", object_id=str(user.pk)).count() == 1
