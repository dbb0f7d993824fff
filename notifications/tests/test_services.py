"""notify(): rows per channel, delivery after commit, claims, retries, the in-app inbox."""

import pytest
from django.core import mail

from core.errors import NotFound
from notifications import services
from notifications.models import Notification
from notifications.services import notify
from tests.factories import UserFactory


@pytest.fixture
def staff(db):
    return [UserFactory(role="supervisor"), UserFactory(role="engineer")]


def test_notify_creates_an_inapp_and_an_email_row_per_user(staff):
    # when
    rows = notify(users=staff, subject="SLA at risk", body="Order WO00000001")

    # then in-app rows are the message itself (sent now); emails wait for the job
    assert {(r.recipient_id, r.channel) for r in rows} == {(u.pk, c) for u in staff for c in ("inapp", "email")}
    assert all(r.sent_at is not None for r in rows if r.channel == "inapp")
    assert all(r.sent_at is None for r in rows if r.channel == "email")
    assert Notification.objects.count() == 4


def test_notify_skips_inactive_users_duplicates_and_email_without_address(db):
    # given
    active = UserFactory(role="manager")
    no_email = UserFactory(role="manager", email="")
    gone = UserFactory(role="manager", is_active=False)

    # when
    notify(users=[active, active, no_email, gone, None], subject="s", body="b")

    # then
    rows = set(Notification.objects.values_list("recipient_id", "channel"))
    assert rows == {(active.pk, "inapp"), (active.pk, "email"), (no_email.pk, "inapp")}


def test_emails_go_out_after_commit_only(staff, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=staff, subject="SLA breached", body="Order WO00000001 is late.")

    # then nothing is sent inside the transaction …
    assert mail.outbox == []
    assert len(callbacks) == 1

    # … and everything once it commits
    callbacks[0]()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in staff)
    assert mail.outbox[0].subject == "SLA breached"
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_delivering_twice_sends_once(staff):
    # given
    ids = [r.pk for r in notify(users=staff, subject="s", body="b")]

    # when
    first = services.deliver(ids)
    second = services.deliver(ids)

    # then
    assert first == {"sent": 2, "failed": 0}
    assert second == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 2


def test_a_failed_delivery_is_recorded_and_retried(staff, settings):
    # given an email backend that is down
    settings.EMAIL_BACKEND = "tests_not_a_module.Backend"
    ids = [r.pk for r in notify(users=staff[:1], subject="s", body="b")]

    # when
    result = services.deliver(ids)

    # then the row is un-claimed with the error, and a retry sends it once the backend is back
    row = Notification.objects.get(channel="email")
    assert result == {"sent": 0, "failed": 1}
    assert row.sent_at is None and row.attempts == 1 and row.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.pending_for_retry() == [row.pk]
    assert services.deliver(services.pending_for_retry()) == {"sent": 1, "failed": 0}
    row.refresh_from_db()
    assert row.sent_at is not None and row.error == "" and row.attempts == 2


def test_the_retry_job_gives_up_after_three_attempts(staff):
    # given
    row = notify(users=staff[:1], subject="s", body="b")[1]
    Notification.objects.filter(pk=row.pk).update(attempts=services.MAX_ATTEMPTS, error="down")

    # then
    assert services.pending_for_retry() == []


def test_customers_get_a_link_to_their_portal_page(db):
    customer = UserFactory(role="customer")
    row = notify(users=[customer], subject="s", body="b", order=_Order(42))[0]
    assert row.link == "/portal/requests/42/"
    assert row.order_id == 42


@pytest.mark.parametrize(
    "role, link", [("engineer", "/console/engineer/orders/42/"), ("agent", "/console/orders/42/")], ids=str
)
def test_staff_get_a_link_to_their_console_page(db, role, link):
    row = notify(users=[UserFactory(role=role)], subject="s", body="b", order=_Order(42))[0]
    assert row.link == link


def test_no_link_for_a_kind_of_recipient_the_project_does_not_map(db, settings):
    settings.NOTIFY_ORDER_LINKS = {"customer": "portal:request_detail"}
    row = notify(users=[UserFactory(role="agent")], subject="s", body="b", order=_Order(42))[0]
    assert (row.link, row.order_id) == ("", 42)


def test_mark_read_only_for_the_recipient(staff):
    # given
    row = notify(users=staff[:1], subject="s", body="b")[0]

    # when another user tries, then the recipient
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=staff[1], notification_id=row.pk)
    services.notification_mark_read(actor=staff[0], notification_id=row.pk)

    # then
    row.refresh_from_db()
    assert row.read_at is not None
    assert list(services.inbox(staff[0])) == [row]


class _Order:
    def __init__(self, pk):
        self.pk = pk


def test_admin_lists_notifications_read_only(client, staff):
    # given
    notify(users=staff, subject="SLA at risk", body="b")
    client.force_login(UserFactory(role="admin", is_superuser=True, is_staff=True))

    # when
    listing = client.get("/admin/notifications/notification/")
    row = Notification.objects.first()
    change = client.post(f"/admin/notifications/notification/{row.pk}/change/", {"subject": "edited"})

    # then
    assert listing.status_code == 200 and "SLA at risk" in listing.content.decode()
    assert change.status_code == 403
    assert client.get("/admin/notifications/notification/add/").status_code == 403
