"""``/api/v1/surveys/``: answering with a token (no login), bad input, and the KPIs."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from feedback.models import Invitation, Response
from tests.factories import CustomerFactory, UserFactory

from .helpers import answers, invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def link():
    return invite(CustomerFactory(), actor=UserFactory(role="agent"))


def post(token, body, *, raw=None, lang="en"):
    data = raw if raw is not None else json.dumps(body)
    return Client().post(
        f"/api/v1/surveys/{token}/answers", data, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang
    )


def test_a_survey_is_answered_once_without_login(link):
    invitation, raw = link
    got = Client().get(f"/api/v1/surveys/{raw}", HTTP_ACCEPT_LANGUAGE="en")
    assert got.status_code == 200
    assert [q["code"] for q in got.json()["questions"]] == [
        "quality",
        "price",
        "delivery",
        "packaging",
        "after_sales",
        "comment",
    ]
    r = post(raw, {"answers": answers()})
    assert r.status_code == 201, r.content
    assert r.json() == {"response_id": Response.objects.get().pk, "score": 90.0, "overall": 88.48, "satisfied": True}
    again = post(raw, {"answers": answers()})
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    assert Client().get(f"/api/v1/surveys/{raw}").status_code == 409


def test_an_expired_link_is_410_and_unknown_ones_404(link):
    invitation, raw = link
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = post(raw, {"answers": answers()})
    assert r.status_code == 410 and r.json()["code"] == "expired"
    for token in (raw[:-2] + "zz", "A" * 43, "short", "%00" * 10):
        assert post(token, {"answers": answers()}).status_code == 404
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ("[]", 422),
        ('{"answers": []}', 422),
        ('{"answers": {"quality": 99}}', 422),
        ('{"answers": {"quality": "9\\u0000"}}', 422),
        (json.dumps({"answers": answers(comment="长" * 5000)}), 422),
        ('{"answer": {}}', 422),
    ],
    ids=["malformed", "array", "answers-list", "out-of-scale", "nul", "huge-text", "wrong-key"],
)
def test_bad_input_is_a_clear_4xx_and_changes_nothing(link, raw, status):
    invitation, token = link
    r = post(token, None, raw=raw, lang="zh-hans")
    assert r.status_code == status, r.content
    assert set(r.json()) == {"code", "message", "fields"}
    assert Invitation.objects.get(pk=invitation.pk).answered_at is None


def test_validation_errors_name_the_question(link):
    _inv, token = link
    r = post(token, {"answers": {"quality": 11}})
    fields = r.json()["fields"]
    assert r.status_code == 422 and "answers.quality" in fields and "answers.price" in fields


def test_kpis_api_by_role(api_as, link):
    analyst = api_as(UserFactory(role="analyst"))
    r = analyst.get("/surveys/kpis", {"date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert r.status_code == 200 and r.json()["invited"] in (0, 1)
    assert api_as(UserFactory(role="engineer")).get("/surveys/kpis").status_code == 403
    assert analyst.get("/surveys/kpis", {"date_from": "2026-07-01", "date_to": "2026-06-01"}).status_code == 422
    assert analyst.get("/surveys/kpis", {"date_from": "1999-13-01"}).status_code == 422
    assert analyst.get("/surveys/kpis", {"department": "x"}).status_code == 422
    assert Client().get("/api/v1/surveys/kpis").status_code == 401
