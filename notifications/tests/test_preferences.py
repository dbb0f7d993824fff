"""Preferences: language and channels per person; notify_many honours them."""

import pytest
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed
from core.models import AuditLog
from notifications.models import Preference
from notifications.preferences import preference_get, preference_set
from notifications.services import Message, notify_many, render
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_defaults_without_a_row_are_the_settings():
    # given
    customer, agent = UserFactory(role="customer"), UserFactory(role="agent")

    # then
    assert preference_get(customer) == {"language": "en", "channels": ["email", "sms"]}
    assert preference_get(agent) == {"language": "en", "channels": ["email"]}


def test_preference_set_stores_and_audits():
    # given
    user = UserFactory(role="customer")

    # when
    preference_set(actor=user, language="zh-hans", channels=["sms", "inapp", "sms"])

    # then in-app needs no choosing; the row is audited
    assert preference_get(user) == {"language": "zh-hans", "channels": ["sms"]}
    assert AuditLog.objects.filter(object_type="notifications.preference", actor=user, action="create").exists()

    # and a language-only change keeps the channels
    preference_set(actor=user, language="en")
    assert preference_get(user) == {"language": "en", "channels": ["sms"]}


@pytest.mark.parametrize(
    "kw, field",
    [({"language": "fr"}, "language"), ({"channels": ["fax"]}, "channels"), ({"channels": ["wecom"]}, "channels")],
    ids=["unknown-language", "unknown-channel", "bot-not-choosable"],
)
def test_bad_preferences_are_refused_and_change_nothing(kw, field):
    # given
    user = UserFactory(role="customer")

    # when
    with pytest.raises(ValidationFailed) as exc:
        preference_set(actor=user, **kw)

    # then
    assert field in exc.value.fields
    assert not Preference.objects.exists()


def test_each_recipient_gets_the_message_in_their_language_through_their_channels():
    # given two people with different preferences
    zh = UserFactory(role="customer", phone="13900000000")
    en = UserFactory(role="agent")
    preference_set(actor=zh, language="zh-hans", channels=["sms"])
    preference_set(actor=en, language="en", channels=[])
    message = Message(
        [zh, en],
        _("Work order %(number)s: new deadline"),
        [_("Repair plan: %(plan)s")],
        values={"number": "WO1", "plan": "x"},
    )

    # when
    rows = notify_many([message])

    # then
    got = {(r.recipient_id, r.channel): r.subject for r in rows}
    assert got == {
        (zh.pk, "inapp"): render(message, "zh-hans")[0],
        (zh.pk, "sms"): render(message, "zh-hans")[0],
        (en.pk, "inapp"): "Work order WO1: new deadline",
    }
    assert got[(zh.pk, "inapp")] != got[(en.pk, "inapp")]


def test_a_plain_message_is_unchanged_by_rendering():
    # given text with a percent sign and no values
    message = Message([], "100% done", "Body 50%")

    # then
    assert render(message, "zh-hans") == ("100% done", "Body 50%")
