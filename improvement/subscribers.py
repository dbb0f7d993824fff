"""Reactions of the improvement loop to the other apps' events (``core.events``), subscribed in
``ImprovementConfig.ready``.

A low survey score (or a negative comment) opens a follow-up call (``feedback``); when that call
finds an issue, the survey opens an improvement action (PDCA), owned by the quality role
(``improvement.default_owner_role``) — one per survey answer, so a low score always leads to a
follow-up and a confirmed issue to an action (docs/improvement.md).
"""

import logging

from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed
from feedback.choices import Outcome
from feedback.events import FollowupDone
from feedback.models import FollowUp, Response
from service.models import order_number

from .choices import SourceKind
from .services import MAX_TITLE, improvement_action_open
from .voc import TextSource

logger = logging.getLogger(__name__)


def action_from_followup(evt: FollowupDone):
    """A follow-up of a survey answer found an issue: open the survey's improvement action."""
    if evt.outcome != Outcome.ISSUE_FOUND or evt.response_id is None:
        return None
    followup = FollowUp.objects.select_related("response").get(pk=evt.followup_id)
    response = followup.response
    if response is None:
        return None
    subject = order_number(followup.order_id) if followup.order_id else f"#{followup.customer_id}"
    title = f"{subject} · {response.score:.0f}/100 · {followup.note}".strip(" ·")
    try:
        return improvement_action_open(
            actor=None,
            source_kind=SourceKind.SURVEY,
            source_id=response.pk,
            title=title[:MAX_TITLE],
            plan=followup.note,
            now=followup.done_at,
        )
    except ValidationFailed as exc:  # nobody to own it (no quality, manager or supervisor account)
        logger.warning("No improvement action for survey answer %s: %s", response.pk, exc.fields)
        return None


def survey_comments(start, end):
    qs = Response.objects.filter(answered_at__gte=start, answered_at__lt=end).exclude(comment="").order_by("id")
    return qs.values_list("comment", flat=True).iterator(chunk_size=2000)


SURVEY_COMMENTS = TextSource("surveys", _("Survey comments"), survey_comments)
