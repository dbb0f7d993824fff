"""The supervisor's list of field engineers (``/dispatch/engineers/``)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Absence
from dispatch.models import Certificate, CertificateKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/dispatch/engineers/"


def test_the_supervisor_sees_each_engineers_rows(client):
    wang = UserFactory(role="engineer", first_name="Wang", last_name="", dispatch={"regions": ["广东省"]})
    kind = CertificateKind.objects.create(code="ref", name="制冷证", name_en="Refrigerant")
    Certificate.objects.create(profile=wang.dispatch_profile, kind=kind, valid_until=dt.date(2000, 1, 1))
    Absence.objects.create(
        user=wang, starts=timezone.now(), ends=timezone.now() + dt.timedelta(days=2), reason="annual leave"
    )
    client.force_login(UserFactory(role="supervisor"))
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wang" in page and "广东省" in page and "Refrigerant" in page and "expired" in page
    assert "annual leave" in page
    assert reverse("dispatch:engineers") == URL


@pytest.mark.parametrize("role", ["agent", "engineer", "customer", "finance"])
def test_only_the_leads_see_it(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(URL).status_code == 403


def test_the_page_costs_the_same_for_two_or_twelve_engineers(client, django_assert_max_num_queries):
    client.force_login(UserFactory(role="supervisor"))
    for _ in range(2):
        UserFactory(role="engineer")
    client.get(URL)
    with django_assert_max_num_queries(16) as few:
        client.get(URL)
    for _ in range(10):
        UserFactory(role="engineer", dispatch={"regions": ["北京市", "天津市"]})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200


def test_a_tampered_cursor_is_a_400(client):
    client.force_login(UserFactory(role="supervisor"))
    assert client.get(URL, {"cursor": "not-a-cursor"}).status_code == 400


def test_the_engineers_list_puts_the_days_with_the_same_hours_on_one_line():
    import datetime as dt
    from types import SimpleNamespace

    from dispatch.models import Weekday
    from dispatch.views import shift_lines

    def shift(day, starts, ends):
        return SimpleNamespace(weekday=day, starts=dt.time.fromisoformat(starts), ends=dt.time.fromisoformat(ends))

    days = dict(Weekday.choices)
    always = [shift(d, "00:00", "00:00") for d in range(7)]
    office = [shift(d, "08:30", "17:30") for d in range(5)] + [shift(5, "09:00", "12:00"), shift(6, "09:00", "12:00")]

    assert shift_lines(always, days) == ["Every day 00:00–24:00"]
    assert shift_lines(office, days) == [
        f"{days[0]}–{days[4]} 08:30–17:30",
        f"{days[5]}, {days[6]} 09:00–12:00",
    ]
    assert shift_lines([shift(0, "08:00", "12:00"), shift(2, "08:00", "12:00")], days) == [
        f"{days[0]}, {days[2]} 08:00–12:00"
    ]
