"""Domain events of surveys and follow-ups (``core.events``); the improvement app subscribes."""

from dataclasses import dataclass

from core import events


@events.event
@dataclass(frozen=True)
class SurveyAnswered(events.DomainEvent):
    """A survey was answered (by link or recorded on a call). ``score`` is the weighted score
    (0–100); ``negative``: the comment reads negative (docs/feedback.md)."""

    name = "feedback.survey_answered"
    response_id: int
    invitation_id: int
    customer_id: int
    order_id: int | None
    complaint_id: int | None
    score: float
    satisfied: bool
    negative: bool


@events.event
@dataclass(frozen=True)
class FollowupDone(events.DomainEvent):
    name = "feedback.followup_done"
    followup_id: int
    customer_id: int
    reason: str
    outcome: str
    order_id: int | None
    response_id: int | None
    actor_id: int | None
