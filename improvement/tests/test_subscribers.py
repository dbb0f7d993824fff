"""The survey's part in the improvement loop: a low score opens a follow-up (feedback); when
the follow-up call finds an issue, an improvement action is opened from the survey; survey
comments feed the voice of the customer."""

import pytest
from django.utils import timezone

from feedback import services as feedback
from feedback.choices import FollowUpReason, Outcome
from feedback.models import FollowUp
from feedback.tests.helpers import answers
from improvement import voc
from improvement.choices import SourceKind
from improvement.models import ImprovementAction, VocTheme
from service.choices import Status
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def low_score_followup(agent, capture):
    customer = CustomerFactory()
    with capture(execute=True):
        order = order_in(Status.CLOSED, agent=agent, customer=customer)
        response = feedback.survey_record_call(
            actor=agent,
            customer_id=customer.pk,
            order_id=order.pk,
            answers=answers(quality=2, after_sales=1, comment="漏水没解决，工程师态度差"),
        )
    followup = FollowUp.objects.get(
        response=response, reason__in=[FollowUpReason.LOW_SCORE, FollowUpReason.NEGATIVE_TEXT]
    )
    return order, response, followup


def test_a_follow_up_that_finds_an_issue_opens_the_surveys_improvement_action(
    django_capture_on_commit_callbacks, agent
):
    # given a low score, its follow-up, and a quality specialist to own what the system opens
    quality = UserFactory(role="quality")
    order, response, followup = low_score_followup(agent, django_capture_on_commit_callbacks)
    assert not ImprovementAction.objects.exists()

    # when the follow-up call finds an issue
    with django_capture_on_commit_callbacks(execute=True):
        feedback.followup_complete(
            actor=agent, followup_id=followup.pk, outcome=Outcome.ISSUE_FOUND, note="门封条老化，需要换型"
        )

    # then one improvement action is opened from that survey answer, owned by quality
    action = ImprovementAction.objects.get()
    assert (action.source_kind, action.source_id) == (SourceKind.SURVEY, response.pk)
    assert action.owner_id == quality.pk
    assert order.number in action.title and "门封条老化" in action.plan


def test_a_follow_up_without_an_issue_opens_nothing(django_capture_on_commit_callbacks, agent):
    UserFactory(role="quality")
    _order, _response, followup = low_score_followup(agent, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        feedback.followup_complete(actor=agent, followup_id=followup.pk, outcome=Outcome.REACHED)

    assert not ImprovementAction.objects.exists()


def test_survey_comments_are_a_source_of_the_voice_of_the_customer(django_capture_on_commit_callbacks, agent):
    # given a comment answered this month
    _order, response, _f = low_score_followup(agent, django_capture_on_commit_callbacks)
    month = voc.month_start(timezone.localdate(response.answered_at))

    # when the month's themes are computed
    voc.voc_compute(month=month)

    # then the comment's words count under the survey source
    terms = set(VocTheme.objects.filter(source="surveys", period=month).values_list("term", flat=True))
    assert "漏水" in terms


def test_without_anyone_to_own_it_the_issue_opens_no_action_and_the_follow_up_is_still_done(
    django_capture_on_commit_callbacks, agent
):
    # given no quality specialist, manager or supervisor account
    _order, _response, followup = low_score_followup(agent, django_capture_on_commit_callbacks)

    # when the call finds an issue
    with django_capture_on_commit_callbacks(execute=True):
        feedback.followup_complete(actor=agent, followup_id=followup.pk, outcome=Outcome.ISSUE_FOUND, note="漏水")

    # then the follow-up is done and no ownerless action is opened
    followup.refresh_from_db()
    assert followup.outcome == Outcome.ISSUE_FOUND
    assert not ImprovementAction.objects.exists()


def test_a_manager_owns_it_when_there_is_no_quality_specialist(django_capture_on_commit_callbacks, agent):
    manager = UserFactory(role="manager")
    _order, _response, followup = low_score_followup(agent, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        feedback.followup_complete(actor=agent, followup_id=followup.pk, outcome=Outcome.ISSUE_FOUND, note="漏水")

    assert ImprovementAction.objects.get().owner_id == manager.pk
