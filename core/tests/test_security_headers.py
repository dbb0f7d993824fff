"""Deployment checks, security headers, the Content-Security-Policy and pages that pass it."""

import importlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from core.security import client_ip, parse_rate

ROOT = Path(settings.BASE_DIR)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def _directives(header: str) -> set[str]:
    """A policy as a set of directives (django-csp does not keep their order)."""
    return {d.strip() for d in header.split(";") if d.strip()}


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="example.com",
        **extra,
    )
    return env


def test_check_deploy_is_clean_with_production_settings():
    # when
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_production_hashes_passwords_with_argon2_first(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", secrets.token_urlsafe(60))
    production = importlib.import_module("config.settings.production")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE and production.SECURE_HSTS_SECONDS


@pytest.mark.parametrize(
    "header,value",
    [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    ],
    ids=lambda v: v if ":" not in v and "'" not in v and "=" not in v else None,
)
def test_pages_carry_the_security_headers(db, header, value):
    response = Client().get("/login/")
    assert response.status_code == 200
    if header == "Content-Security-Policy":
        assert _directives(response.headers[header]) == _directives(value)
    else:
        assert response.headers[header] == value


def test_the_api_carries_the_headers_too(db):
    response = Client().get("/api/v1/work-orders")
    assert response.status_code == 401
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert _directives(response.headers["Content-Security-Policy"]) == _directives(CSP)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= handler"),
    (re.compile(r"\shx-on", re.I), "hx-on (needs eval)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _inline_violations(html: str) -> list[str]:
    return [label for pattern, label in INLINE if pattern.search(html)]


def _page(user, path):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client.get(path)


@pytest.mark.parametrize(
    "who,path",
    [
        (None, "/login/"),
        ("agent", "/account/two-factor/"),
        ("admin", "/account/two-factor/"),
        ("manager", "/dashboard/"),
    ],
    ids=["login", "two-factor-agent", "two-factor-admin", "dashboard"],
)
def test_our_pages_have_no_inline_script_or_style(make_user, who, path):
    # when
    response = _page(make_user(role=who) if who else None, path)

    # then the page passes a CSP without 'unsafe-inline'
    assert response.status_code == 200
    html = response.content.decode()
    assert _inline_violations(html) == []
    assert "data-autosubmit" in html  # the language picker, without onchange=
    for src in re.findall(r"<script[^>]*src=\"([^\"]+)\"", html):
        assert src.startswith(settings.STATIC_URL), src  # htmx included: our own static files


def test_htmx_is_told_not_to_inject_styles_or_eval(db):
    html = Client().get("/login/").content.decode()
    assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html
    assert "django_htmx/htmx" in html and "js/app.js" in html


def test_the_api_docs_use_our_static_files(db, make_user):
    response = _page(make_user(role="admin"), "/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html
    assert _inline_violations(html) == []


@pytest.mark.parametrize(
    "rate,expected",
    [("10/m", (10, 60)), ("30/10m", (30, 600)), ("5/h", (5, 3600)), ("1/2d", (1, 172800)), ("3/s", (3, 1))],
    ids=str,
)
def test_rates_parse(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "10", "x/m", "10/y", "10/-1m"], ids=repr)
def test_bad_rates_are_refused(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


class _Req:
    def __init__(self, **meta):
        self.META = meta


@pytest.mark.parametrize(
    "proxies,meta,expected",
    [
        (0, {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.5"),
        (1, {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"}, "1.2.3.4"),
        (2, {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4, 10.0.0.9"}, "1.2.3.4"),
        (1, {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "not-an-ip"}, "10.0.0.5"),
        (1, {"REMOTE_ADDR": "10.0.0.5"}, "10.0.0.5"),
        (0, {}, None),
    ],
    ids=["direct", "one-proxy", "two-proxies", "forged-garbage", "no-header", "no-address"],
)
def test_client_address_trusts_only_the_configured_proxies(settings, proxies, meta, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_Req(**meta)) == expected
