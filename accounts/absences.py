"""People away (leave, training, sickness): recorded here, skipped by whoever routes work to
people (complaint routing now; dispatch and workforce later)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, dates
from core.errors import Forbidden, NotFound, ValidationFailed

from .choices import Role
from .models import Absence, User

# Who records someone's absence: the leads and the administrator (anyone records their own).
RECORDERS = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})


def absence_record(
    *, actor, user_id: int, starts: dt.datetime, ends: dt.datetime, reason: str = "", now: dt.datetime | None = None
) -> Absence:
    """Record that ``user_id`` is away from ``starts`` to ``ends`` (both in the core.dates window)."""
    if actor is None or (actor.pk != user_id and actor.role not in RECORDERS and not actor.is_superuser):
        raise Forbidden()
    starts = dates.checked(starts, field="starts")
    ends = dates.checked(ends, field="ends")
    if starts is None or ends is None or ends <= starts:
        msg = _("The end must be after the start.")
        raise ValidationFailed(msg, fields={"ends": [msg]})
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True).exclude(role=Role.CUSTOMER).first()
        if user is None:
            raise NotFound(_("No such member of staff."))
        absence = Absence.objects.create(user=user, starts=starts, ends=ends, reason=(reason or "").strip()[:200])
        audit.record(actor=actor, action="create", obj=absence, at=now or timezone.now())
    return absence


def absent_ids(user_ids, *, at: dt.datetime) -> set[int]:
    """Which of ``user_ids`` are away at ``at`` (one query)."""
    return set(
        Absence.objects.filter(user_id__in=list(user_ids), starts__lte=at, ends__gt=at).values_list(
            "user_id", flat=True
        )
    )
