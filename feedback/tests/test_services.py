"""Invitations, tokens, answering once, follow-ups and escalation, through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import Forbidden, NotFound, ValidationFailed
from core.models import AuditLog
from core.policies import set_policy
from customers.models import Customer
from feedback import services
from feedback.choices import FollowUpReason, FollowUpStatus, Reason
from feedback.events import FollowupDone, SurveyAnswered
from feedback.models import Answer, FollowUp, Invitation, Response, SurveyVersion
from notifications.models import Notification
from service.choices import Status
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory

from .helpers import answers, invite, token_from_notification

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 10, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def captured():
    from core import events

    seen = []
    events.subscribe(SurveyAnswered, seen.append)
    events.subscribe(FollowupDone, seen.append)
    yield seen
    events.unsubscribe(SurveyAnswered, seen.append)
    events.unsubscribe(FollowupDone, seen.append)


def test_a_closed_order_sends_a_survey_link_in_the_customers_language_and_a_later_follow_up(
    django_capture_on_commit_callbacks, agent, customer_user
):
    from notifications.preferences import preference_set

    preference_set(actor=customer_user, language="zh-hans", channels=[])
    customer = customer_user.customer
    with django_capture_on_commit_callbacks(execute=True):
        order = order_in(Status.CLOSED, agent=agent, customer=customer)

    invitation = Invitation.objects.get(order=order)
    assert invitation.reason == Reason.ORDER_CLOSED and invitation.language == "zh-hans"
    assert invitation.channels == ["inapp"]
    note = Notification.objects.get(recipient=customer_user, kind="survey")
    assert "满意" in note.subject  # written in the customer's language
    raw = token_from_notification(customer_user)
    assert services.token_hash(raw) == invitation.token_hash and raw not in invitation.token_hash
    # the follow-up call N days after the service
    f = FollowUp.objects.get(order=order, reason=FollowUpReason.AFTER_SERVICE)
    assert f.start_at == order.closed_at + dt.timedelta(days=7)
    assert f.due_at == f.start_at + dt.timedelta(days=3)
    assert AuditLog.objects.filter(object_type="feedback.invitation", object_id=str(invitation.pk)).exists()


def test_the_same_closed_order_event_twice_invites_once(agent, customer_user):
    from service.events import OrderClosed

    order = order_in(Status.CLOSED, agent=agent, customer=customer_user.customer)
    evt = OrderClosed(order_id=order.pk, customer_id=order.customer_id, actor_id=agent.pk, note="", at=NOW)
    services.invite_after_order(evt)
    assert services.invite_after_order(evt) is None
    assert Invitation.objects.filter(order=order).count() == 1


def test_a_closed_complaint_sends_a_survey(django_capture_on_commit_callbacks, customer_user):
    from complaints.tests.flow import complaint_in

    handler = UserFactory(role="complaint_handler")
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_in("closed", handler=handler, customer=customer_user.customer)
    invitation = Invitation.objects.get(complaint=complaint)
    assert invitation.reason == Reason.COMPLAINT_CLOSED
    assert token_from_notification(customer_user)


def test_answering_scores_records_freezes_the_version_and_publishes(
    django_capture_on_commit_callbacks, agent, customer_user, captured
):
    invitation, raw = invite(customer_user.customer, actor=agent, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        response = services.survey_answer(token=raw, answers=answers(), now=NOW + dt.timedelta(hours=1))

    # (9×30 + 8×15 + 10×15 + 9×10 + 9×30) / 100 ×10 = 90.00; product (27+12+9)/55 = 87.27;
    # service (15+27)/45 = 93.33; overall 87.27×0.8 + 93.33×0.2 = 69.816 + 18.666 = 88.48
    assert response.score == Decimal("90.00") and response.satisfied
    assert (response.product_score, response.service_score, response.overall) == (
        Decimal("87.27"),
        Decimal("93.33"),
        Decimal("88.48"),
    )
    assert Answer.objects.filter(response=response).count() == 6
    assert SurveyVersion.objects.get(pk=invitation.version_id).answered
    invitation.refresh_from_db()
    assert invitation.answered_at == NOW + dt.timedelta(hours=1)
    evt = next(e for e in captured if isinstance(e, SurveyAnswered))
    assert (evt.response_id, evt.invitation_id, evt.customer_id, evt.score, evt.satisfied, evt.negative) == (
        response.pk,
        invitation.pk,
        customer_user.customer.pk,
        90.0,
        True,
        False,
    )
    assert not FollowUp.objects.filter(response=response).exists()


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (answers(quality=3, price=4, delivery=5, packaging=5, after_sales=2), FollowUpReason.LOW_SCORE),
        (answers(comment="The engineer was rude."), FollowUpReason.NEGATIVE_TEXT),
        (answers(comment="工程师态度恶劣"), FollowUpReason.NEGATIVE_TEXT),
    ],
    ids=["low-score", "negative-en", "negative-zh"],
)
def test_a_low_score_or_a_negative_comment_opens_a_follow_up(agent, customer_user, given, reason):
    _inv, raw = invite(customer_user.customer, actor=agent, now=NOW)
    response = services.survey_answer(token=raw, answers=given, now=NOW)
    f = FollowUp.objects.get(response=response)
    assert f.reason == reason and f.status == FollowUpStatus.OPEN and f.due_at == NOW + dt.timedelta(days=3)


def _nothing_changed(invitation):
    fresh = Invitation.objects.get(pk=invitation.pk)
    return fresh.answered_at == invitation.answered_at and Response.objects.filter(invitation=invitation).count() == (
        1 if invitation.answered_at else 0
    )


def test_expired_reused_forged_and_guessed_tokens_are_refused_and_change_nothing(agent, customer_user):
    invitation, raw = invite(customer_user.customer, actor=agent, now=NOW)
    later = NOW + dt.timedelta(days=14)
    # expired: exactly at the end of the 14 days
    with pytest.raises(services.Expired):
        services.survey_answer(token=raw, answers=answers(), now=later)
    assert _nothing_changed(invitation)
    # forged (one character changed) and guessed (random) tokens: 404
    forged = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    for token in (forged, services.new_token()[0], "x" * 5, "'; DROP TABLE feedback_invitation; --"):
        with pytest.raises(NotFound):
            services.survey_answer(token=token, answers=answers(), now=NOW)
    # reused: the second answer is a 409
    services.survey_answer(token=raw, answers=answers(), now=NOW)
    invitation.refresh_from_db()
    with pytest.raises(services.AlreadyAnswered):
        services.survey_answer(token=raw, answers=answers(quality=0), now=NOW + dt.timedelta(minutes=1))
    assert _nothing_changed(invitation)
    assert Response.objects.get().answers.get(question__code="quality").value == 9


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"price": 8}, "answers.quality"),
        (answers(quality=11), "answers.quality"),
        (answers(quality=-1), "answers.quality"),
        (answers(quality=True), "answers.quality"),
        (answers(quality=7.5), "answers.quality"),
        (answers(quality="nine"), "answers.quality"),
        (answers(comment="x" * 2001), "answers.comment"),
        (answers(comment=["a"]), "answers.comment"),
        (answers(bogus=1), "answers.bogus"),
    ],
    ids=["missing", "too-high", "negative", "bool", "float", "word", "long-text", "list-text", "unknown"],
)
def test_bad_answers_are_refused_and_the_link_stays_open(agent, customer_user, given, field):
    invitation, raw = invite(customer_user.customer, actor=agent, now=NOW)
    with pytest.raises(ValidationFailed) as exc:
        services.survey_answer(token=raw, answers=given, now=NOW)
    assert field in exc.value.fields
    assert _nothing_changed(invitation)
    services.survey_answer(token=raw, answers=answers(), now=NOW)  # still answerable


def test_the_satisfied_threshold_and_weight_are_settings(agent, customer_user):
    set_policy("feedback.satisfied_score", 95)
    set_policy("feedback.product_weight", 0.5)
    _inv, raw = invite(customer_user.customer, actor=agent, now=NOW)
    r = services.survey_answer(token=raw, answers=answers(), now=NOW)
    assert not r.satisfied and r.overall == Decimal("90.30")  # (87.27 + 93.33) / 2


def test_an_agent_records_a_survey_on_a_call_answering_the_orders_open_invitation(agent, customer_user):
    customer = customer_user.customer
    order = order_in(Status.CLOSED, agent=agent, customer=customer)
    services.invite_after_order(_closed(order))
    r = services.survey_record_call(actor=agent, customer_id=customer.pk, order_id=order.pk, answers=answers(), now=NOW)
    assert r.channel == "phone" and r.recorded_by == agent and r.invitation.order == order
    assert Invitation.objects.filter(order=order).count() == 1
    # without an order: a new invitation of reason "call"
    r2 = services.survey_record_call(actor=agent, customer_id=customer.pk, answers=answers(), now=NOW)
    assert r2.invitation.reason == Reason.CALL
    # refused for a role without the capability, and for another customer's order
    with pytest.raises(Forbidden):
        services.survey_record_call(actor=UserFactory(role="engineer"), customer_id=customer.pk, answers=answers())
    other = CustomerFactory()
    with pytest.raises(ValidationFailed):
        services.survey_record_call(actor=agent, customer_id=other.pk, order_id=order.pk, answers=answers())
    with pytest.raises(ValidationFailed):  # bad answers write nothing
        services.survey_record_call(actor=agent, customer_id=other.pk, answers={"quality": 99})
    assert not Invitation.objects.filter(customer=other).exists()


def _closed(order):
    from service.events import OrderClosed

    return OrderClosed(order_id=order.pk, customer_id=order.customer_id, actor_id=None, note="", at=order.closed_at)


def test_periodic_surveys_for_key_customers_in_may_and_q4_are_idempotent():
    key = CustomerFactory(tier=Customer.Tier.KEY, user=UserFactory(role="customer"))
    CustomerFactory()  # a standard customer gets none
    june = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)
    may = dt.datetime(2026, 5, 4, 2, tzinfo=dt.UTC)
    october = dt.datetime(2026, 10, 8, 2, tzinfo=dt.UTC)
    assert services.periodic_surveys_send(now=june) == 0
    assert services.periodic_surveys_send(now=may) == 1
    assert services.periodic_surveys_send(now=may + dt.timedelta(days=3)) == 0  # the same period: once
    assert services.periodic_surveys_send(now=october) == 1
    assert list(Invitation.objects.order_by("id").values_list("customer_id", "period", "reason")) == [
        (key.pk, "2026-05", Reason.PERIODIC),
        (key.pk, "2026-10", Reason.PERIODIC),
    ]


def test_key_customer_visits_twice_a_year_idempotent():
    key = CustomerFactory(tier=Customer.Tier.KEY)
    march = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)
    assert services.key_visits_create(now=march) == 1
    assert services.key_visits_create(now=march + dt.timedelta(days=5)) == 0
    assert services.key_visits_create(now=dt.datetime(2026, 9, 2, 2, tzinfo=dt.UTC)) == 1
    assert list(FollowUp.objects.order_by("id").values_list("customer_id", "reason", "period")) == [
        (key.pk, FollowUpReason.KEY_VISIT, "2026-H1"),
        (key.pk, FollowUpReason.KEY_VISIT, "2026-H2"),
    ]


def test_follow_up_outcome_is_recorded_once_with_its_event(django_capture_on_commit_callbacks, agent, captured):
    f = services._followup(customer_id=CustomerFactory().pk, reason=FollowUpReason.KEY_VISIT, now=NOW)
    with pytest.raises(ValidationFailed):  # an issue needs a note
        services.followup_complete(actor=agent, followup_id=f.pk, outcome="issue_found", note=" ")
    with pytest.raises(ValidationFailed):
        services.followup_complete(actor=agent, followup_id=f.pk, outcome="bogus")
    with pytest.raises(NotFound):  # an engineer does not make follow-up calls
        services.followup_complete(actor=UserFactory(role="engineer"), followup_id=f.pk, outcome="reached")
    with django_capture_on_commit_callbacks(execute=True):
        done = services.followup_complete(
            actor=agent, followup_id=f.pk, outcome="issue_found", note="Door still loose."
        )
    assert (done.status, done.outcome, done.done_by, done.assignee) == ("done", "issue_found", agent, agent)
    evt = next(e for e in captured if isinstance(e, FollowupDone))
    assert (evt.followup_id, evt.outcome) == (f.pk, "issue_found")
    from core.errors import Conflict

    with pytest.raises(Conflict):
        services.followup_complete(actor=agent, followup_id=f.pk, outcome="reached")


def test_assigning_needs_the_capability_taking_does_not(agent):
    f = services._followup(customer_id=CustomerFactory().pk, reason=FollowUpReason.KEY_VISIT, now=NOW)
    other = UserFactory(role="agent")
    with pytest.raises(Forbidden):
        services.followup_assign(actor=agent, followup_id=f.pk, assignee_id=other.pk)
    assert services.followup_assign(actor=agent, followup_id=f.pk, assignee_id=agent.pk).assignee == agent
    lead = UserFactory(role="supervisor")
    assert services.followup_assign(actor=lead, followup_id=f.pk, assignee_id=other.pk).assignee == other
    with pytest.raises(ValidationFailed):  # an engineer cannot be given a follow-up
        services.followup_assign(actor=lead, followup_id=f.pk, assignee_id=UserFactory(role="engineer").pk)


def test_overdue_follow_ups_are_escalated_once_to_the_teams_leads(agent):
    from tests.factories import DepartmentFactory

    team = DepartmentFactory()
    lead = UserFactory(role="supervisor", department=team)
    other_lead = UserFactory(role="supervisor")
    f = services._followup(customer_id=CustomerFactory().pk, reason=FollowUpReason.LOW_SCORE, now=NOW, team_id=team.pk)
    services.followup_assign(actor=agent, followup_id=f.pk, assignee_id=agent.pk)
    not_yet = services._followup(
        customer_id=CustomerFactory().pk, reason=FollowUpReason.KEY_VISIT, now=NOW + dt.timedelta(days=2)
    )

    assert services.followups_escalate(now=NOW + dt.timedelta(days=3)) == 0  # due exactly now: not yet overdue
    later = NOW + dt.timedelta(days=3, minutes=1)
    assert services.followups_escalate(now=later) == 1
    assert services.followups_escalate(now=later + dt.timedelta(hours=1)) == 0  # once
    f.refresh_from_db()
    assert f.escalated_at == later
    told = set(Notification.objects.filter(kind="followup_overdue").values_list("recipient_id", flat=True))
    assert told == {lead.pk, agent.pk} and other_lead.pk not in told
    assert FollowUp.objects.get(pk=not_yet.pk).escalated_at is None


def test_the_portal_customer_answers_their_own_survey_only(agent, customer_user):
    invitation, _raw = invite(customer_user.customer, actor=agent, now=timezone.now())
    stranger = UserFactory(role="customer")
    CustomerFactory(user=stranger)
    with pytest.raises(NotFound):
        services.survey_answer_own(actor=stranger, invitation_id=invitation.pk, answers=answers())
    r = services.survey_answer_own(actor=customer_user, invitation_id=invitation.pk, answers=answers())
    assert r.invitation_id == invitation.pk
