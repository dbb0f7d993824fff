"""The inbox, the bell, the preferences page and the language switch."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification, Preference
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def agent_client(client):
    user = UserFactory(role="agent")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def customer_client(client):
    user = UserFactory(role="customer")
    client.force_login(user)
    client.user = user
    return client


def test_the_inbox_lists_newest_first_with_the_unread_highlighted(agent_client):
    # given one read and one unread notification
    notify(users=[agent_client.user], subject="Older", body="first")
    notify(users=[agent_client.user], subject="Newer", body="second")
    Notification.objects.filter(subject="Older").update(read_at="2026-01-01T00:00:00Z")

    # when
    page = agent_client.get("/inbox/", **EN).content.decode()

    # then
    assert page.index("Newer") < page.index("Older")
    assert page.count('class="note unread"') == 1
    assert 'data-testid="bell-count">1<' in page  # the bell in the top bar
    assert "portal/portal.css" not in page  # the console's look for staff


def test_a_customer_gets_the_portal_look(customer_client):
    notify(users=[customer_client.user], subject="Hello", body="b")
    page = customer_client.get("/inbox/", **EN).content.decode()
    assert "portal/portal.css" in page and "Hello" in page


def test_opening_marks_read_and_goes_to_the_link(agent_client):
    # given
    (n,) = [r for r in notify(users=[agent_client.user], subject="s", body="b") if r.channel == "inapp"]
    Notification.objects.filter(pk=n.pk).update(link="/console/orders/7/")

    # when
    response = agent_client.post(f"/inbox/{n.pk}/open/")

    # then
    assert (response.status_code, response["Location"]) == (302, "/console/orders/7/")
    assert Notification.objects.get(pk=n.pk).read_at is not None


def test_opening_without_a_link_returns_to_the_inbox(agent_client):
    (n,) = [r for r in notify(users=[agent_client.user], subject="s", body="b") if r.channel == "inapp"]
    response = agent_client.post(f"/inbox/{n.pk}/open/")
    assert response["Location"] == "/inbox/"


def test_someone_elses_notification_is_404_and_stays_unread(agent_client):
    # given
    other = UserFactory(role="agent")
    (n,) = [r for r in notify(users=[other], subject="s", body="b") if r.channel == "inapp"]

    # when
    forged = agent_client.post(f"/inbox/{n.pk}/open/")
    huge = agent_client.post(f"/inbox/{2**63}/open/")
    by_get = agent_client.get(f"/inbox/{n.pk}/open/")

    # then
    assert (forged.status_code, huge.status_code, by_get.status_code) == (404, 404, 405)
    assert Notification.objects.get(pk=n.pk).read_at is None


def test_mark_all_read(agent_client):
    # given
    other = UserFactory(role="agent")
    notify(users=[agent_client.user, other], subject="s", body="b")
    notify(users=[agent_client.user], subject="t", body="b")

    # when
    response = agent_client.post("/inbox/read-all/", **EN, follow=True)

    # then
    assert "2 notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(recipient=agent_client.user, channel="inapp", read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, channel="inapp", read_at__isnull=True).exists()


def test_anonymous_is_sent_to_log_in(client):
    assert client.get("/inbox/")["Location"].startswith("/login")


def test_a_bad_cursor_is_a_400_page_not_a_500(agent_client):
    assert agent_client.get("/inbox/?cursor=!!", **EN).status_code == 400


def test_the_inbox_costs_the_same_queries_for_few_or_many(agent_client, django_assert_num_queries):
    # given
    notify(users=[agent_client.user], subject="s", body="b")
    agent_client.get("/inbox/")
    with CaptureQueriesContext(connection) as few:
        agent_client.get("/inbox/")
    for i in range(40):
        notify(users=[agent_client.user], subject=f"s{i}", body="b")

    # then: session, user, the page, the bell's count (and the page-size policy, cached)
    with django_assert_num_queries(len(few.captured_queries)):
        page = agent_client.get("/inbox/")
    assert len(few.captured_queries) <= 4
    # and the next page through the pager, the same
    cursor = page.context["next_cursor"]
    with django_assert_num_queries(len(few.captured_queries)):
        agent_client.get(f"/inbox/?cursor={cursor}")


def test_preferences_page_saves_language_and_channels(customer_client):
    # given
    page = customer_client.get("/inbox/preferences/", **EN)
    assert page.status_code == 200

    # when
    response = customer_client.post("/inbox/preferences/", {"language": "zh-hans", "channels": ["sms"]})

    # then
    assert response.status_code == 302
    pref = Preference.objects.get(user=customer_client.user)
    assert (pref.language, pref.channels) == ("zh-hans", ["sms"])


def test_preferences_page_refuses_bad_input_with_a_400(customer_client):
    response = customer_client.post("/inbox/preferences/", {"language": "xx", "channels": ["fax"]}, **EN)
    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_the_masked_phone_is_shown_on_the_preferences_page(client):
    user = UserFactory(role="customer", phone="13812345678")
    client.force_login(user)
    page = client.get("/inbox/preferences/", **EN).content.decode()
    assert "138****5678" in page and "13812345678" not in page


def test_switching_the_language_remembers_it_for_messages(customer_client):
    # when
    response = customer_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/portal/"})

    # then
    assert response.status_code == 302
    assert Preference.objects.get(user=customer_client.user).language == "zh-hans"


def test_switching_the_language_anonymously_stores_nothing(client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert not Preference.objects.exists()


def test_show_more_answers_the_next_rows_and_the_pager_for_htmx(agent_client):
    # given more notifications than a page
    for i in range(30):
        notify(users=[agent_client.user], subject=f"n{i:02d}", body="b")
    first = agent_client.get("/inbox/", **EN)
    cursor = first.context["next_cursor"]

    # when the pager asks for more
    more = agent_client.get(f"/inbox/?cursor={cursor}", HTTP_HX_REQUEST="true", **EN).content.decode()

    # then only the rows and the pager come back, older than the first page
    assert "<html" not in more and 'id="pager"' in more
    assert "n00" in more and "n29" not in more
