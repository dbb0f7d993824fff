"""Reads of surveys and follow-ups; every read starts from the actor's scope (``permissions``)."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from core.pagination import keyset_page

from .choices import FollowUpStatus
from .models import FollowUp, Invitation
from .permissions import followups_visible_to, invitations_visible_to, responses_visible_to


@dataclass(frozen=True)
class SurveyFilter:
    unsatisfied: bool = False
    negative: bool = False


def survey_list(*, actor, f: SurveyFilter, cursor: str | None, size: int):
    """One page of answered surveys, newest first: one query whatever the depth."""
    qs = responses_visible_to(actor).select_related("customer", "invitation__order", "invitation__complaint")
    if f.unsatisfied:
        qs = qs.filter(satisfied=False)
    if f.negative:
        qs = qs.filter(negative=True)
    return keyset_page(qs, order=["-answered_at", "-id"], cursor=cursor, size=size)


def survey_counts(*, actor, since) -> dict:
    """The figures above the survey list, in one query: answered since ``since``, unsatisfied, negative."""
    return (
        responses_visible_to(actor)
        .filter(answered_at__gte=since)
        .aggregate(
            answered=Count("id"),
            unsatisfied=Count("id", filter=Q(satisfied=False)),
            negative=Count("id", filter=Q(negative=True)),
        )
    )


@dataclass(frozen=True)
class FollowUpFilter:
    status: str = FollowUpStatus.OPEN
    overdue: bool = False
    mine: bool = False


def followup_list(*, actor, f: FollowUpFilter, cursor: str | None, size: int, now=None):
    """One page of follow-ups: open ones by due time (those that have started), done ones newest
    first. One query whatever the depth."""
    now = now or timezone.now()
    qs = followups_visible_to(actor).select_related("customer", "assignee", "order", "team")
    if f.status == FollowUpStatus.DONE:
        qs, order = qs.filter(status=FollowUpStatus.DONE), ["-done_at", "-id"]
    else:
        qs, order = qs.filter(status=FollowUpStatus.OPEN, start_at__lte=now), ["due_at", "id"]
    if f.overdue:
        qs = qs.filter(status=FollowUpStatus.OPEN, due_at__lt=now)
    if f.mine:
        qs = qs.filter(assignee=actor)
    rows, next_cursor = keyset_page(qs, order=order, cursor=cursor, size=size)
    for r in rows:
        r.overdue = r.status == FollowUpStatus.OPEN and r.due_at < now
    return rows, next_cursor


def followup_counts(*, actor, now=None) -> dict:
    now = now or timezone.now()
    return (
        followups_visible_to(actor)
        .filter(status=FollowUpStatus.OPEN, start_at__lte=now)
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=now)),
            mine=Count("id", filter=Q(assignee=actor)),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
        )
    )


def followup_detail(*, actor, followup_id: int) -> FollowUp | None:
    return (
        followups_visible_to(actor)
        .select_related("customer", "assignee", "order", "team", "response", "done_by")
        .filter(pk=followup_id)
        .first()
    )


def response_detail(*, actor, response_id: int):
    """One answered survey with its answers (labels in the reader's language: ``Question.label``)
    and the follow-ups it opened; None when missing or out of the actor's scope. Three queries."""
    row = (
        responses_visible_to(actor)
        .select_related(
            "customer",
            "invitation__order",
            "invitation__complaint",
            "recorded_by",
            "version__template",
            "department",
            "product_line",
        )
        .filter(pk=response_id)
        .first()
    )
    if row is None:
        return None
    row.answer_rows = list(row.answers.select_related("question").order_by("question__position", "question__id"))
    row.followup_rows = list(FollowUp.objects.filter(response=row).select_related("assignee").order_by("id"))
    return row


def pending_surveys(*, actor, now=None) -> list[Invitation]:
    """A customer's open survey invitations (not answered, not expired), newest first."""
    now = now or timezone.now()
    return list(
        invitations_visible_to(actor)
        .filter(answered_at__isnull=True, expires_at__gt=now)
        .select_related("order", "complaint")
        .order_by("-created_at", "-id")[:5]
    )
