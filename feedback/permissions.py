"""Who sees which invitations, responses and follow-ups. Reads start here; missing and
forbidden read alike (404)."""

from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.roles import can
from core.errors import NotFound

from .models import FollowUp, Invitation, Response


def _active(actor) -> bool:
    return actor is not None and actor.is_authenticated and actor.is_active


def responses_visible_to(actor, qs=None):
    qs = Response.objects.all() if qs is None else qs
    if _active(actor) and can(actor, "survey.view"):
        return qs
    return qs.none()


def invitations_visible_to(actor, qs=None):
    qs = Invitation.objects.all() if qs is None else qs
    if not _active(actor):
        return qs.none()
    if can(actor, "survey.view"):
        return qs
    if actor.role == Role.CUSTOMER:
        return qs.filter(customer__user=actor)
    return qs.none()


def followups_visible_to(actor, qs=None):
    qs = FollowUp.objects.all() if qs is None else qs
    if _active(actor) and can(actor, "followup.work"):
        return qs
    return qs.none()


def followup_for_update(*, actor, followup_id: int) -> FollowUp:
    row = followups_visible_to(actor).select_for_update().filter(pk=followup_id).first()
    if row is None:
        raise NotFound(_("Follow-up not found."))
    return row
