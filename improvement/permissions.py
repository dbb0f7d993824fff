"""Who sees which improvement rows. Reads start here; missing and forbidden read alike (404)."""

from django.utils.translation import gettext as _

from accounts.roles import can
from core.errors import NotFound

from .models import CorrectiveAction, ImprovementAction, Promise


def _staff(actor, capability: str) -> bool:
    return actor is not None and can(actor, capability)


def corrective_visible_to(actor, qs=None):
    qs = CorrectiveAction.objects.all() if qs is None else qs
    return qs if _staff(actor, "improvement.view") else qs.none()


def improvement_visible_to(actor, qs=None):
    qs = ImprovementAction.objects.all() if qs is None else qs
    return qs if _staff(actor, "improvement.view") else qs.none()


def promises_visible_to(actor, qs=None):
    qs = Promise.objects.all() if qs is None else qs
    return qs if _staff(actor, "improvement.view") or _staff(actor, "promise.approve") else qs.none()


def corrective_for_update(*, action_id: int, actor) -> CorrectiveAction:
    row = corrective_visible_to(actor).select_for_update().filter(pk=action_id).first()
    if row is None:
        raise NotFound(_("Corrective action not found."))
    return row


def improvement_for_update(*, action_id: int, actor) -> ImprovementAction:
    row = improvement_visible_to(actor).select_for_update().filter(pk=action_id).first()
    if row is None:
        raise NotFound(_("Improvement action not found."))
    return row
