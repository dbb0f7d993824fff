"""Routing a classified complaint (SPEC §5): its category names the responsible department
(setting ``complaints.department.<category>``), and an owner is picked among that department's
complaint handlers and quality specialists who are not away (``accounts.Absence``), round
robin or least loaded (setting ``complaints.routing``). When the department has nobody
available, the fallback department (``complaints.fallback_department``) takes the complaint.

``route`` returns the pick with its explanation, recorded on the classification's event.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.absences import absent_ids
from accounts.choices import Role
from accounts.models import Department, User
from core.errors import ValidationFailed
from core.policies import get_policy

from .choices import OPEN_STATUSES, RoutingMode
from .models import Complaint

# Who routing gives complaints to (supervisors and managers are named by hand).
ROUTED_ROLES = (Role.COMPLAINT_HANDLER, Role.QUALITY)


@dataclass(frozen=True)
class Pick:
    owner: User
    department: Department
    explanation: dict = field(default_factory=dict)


def department_for(category: str) -> str:
    return str(get_policy(f"complaints.department.{category}"))


def _candidates(department: Department) -> list[User]:
    return list(User.objects.filter(department=department, is_active=True, role__in=ROUTED_ROLES).order_by("id"))


def _choose(candidates: list[User], mode: str) -> tuple[User, dict]:
    """The owner among ``candidates`` (present, in id order) and the figures behind the pick."""
    ids = [u.pk for u in candidates]
    stats = {
        row["owner"]: row
        for row in Complaint.objects.filter(owner_id__in=ids)
        .values("owner")
        .annotate(open=Count("id", filter=Q(status__in=OPEN_STATUSES)), last=Max("classified_at"))
    }
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)

    def last(u):
        return (stats.get(u.pk) or {}).get("last") or epoch

    def load(u):
        return (stats.get(u.pk) or {}).get("open", 0)

    if mode == RoutingMode.LEAST_LOADED:
        owner = min(candidates, key=lambda u: (load(u), last(u), u.pk))
    else:  # round robin: the one whose last routed complaint is the oldest (never routed first)
        owner = min(candidates, key=lambda u: (last(u), u.pk))
    figures = {
        str(u.pk): {"open": load(u), "last": last(u).isoformat() if last(u) != epoch else None} for u in candidates
    }
    return owner, figures


def route(category: str, *, now: dt.datetime) -> Pick:
    """Department and owner for a complaint of ``category`` classified at ``now``."""
    mode = str(get_policy("complaints.routing"))
    if mode not in RoutingMode.values:
        mode = RoutingMode.ROUND_ROBIN
    wanted = department_for(category)
    fallback = str(get_policy("complaints.fallback_department"))
    tried = []
    for code in dict.fromkeys([wanted, fallback]):  # each once, in order
        department = Department.objects.filter(code=code).first()
        if department is None:
            tried.append({"department": code, "missing": True})
            continue
        candidates = _candidates(department)
        away = absent_ids([u.pk for u in candidates], at=now) if candidates else set()
        present = [u for u in candidates if u.pk not in away]
        tried.append({"department": code, "members": len(candidates), "away": sorted(away)})
        if present:
            owner, figures = _choose(present, mode)
            return Pick(
                owner=owner,
                department=department,
                explanation={
                    "mode": mode,
                    "category_department": wanted,
                    "department": code,
                    "department_names": [department.name, department.name_en],
                    "fallback": code != wanted,
                    "tried": tried,
                    "candidates": figures,
                    "owner": owner.pk,
                },
            )
    msg = _("Nobody in the responsible department can take this complaint now; name the owner by hand.")
    raise ValidationFailed(msg, code="no_owner_available", fields={"owner_id": [msg]})


def explain(explanation: dict) -> str:
    """The routing explanation in words, for the timeline."""
    if not explanation:
        return ""
    mode = dict(RoutingMode.choices).get(explanation.get("mode"), explanation.get("mode", ""))
    names = explanation.get("department_names") or [explanation.get("department", "")] * 2
    department = (names[1] or names[0]) if get_language() == "en" else (names[0] or names[1])
    owner = str(explanation.get("owner"))
    figures = explanation.get("candidates", {}).get(owner, {})
    away = sum(len(t.get("away", ())) for t in explanation.get("tried", ()))
    text = _("Routed automatically (%(mode)s) among %(n)s available in %(department)s; open complaints: %(open)s.") % {
        "mode": mode,
        "n": len(explanation.get("candidates", {})),
        "department": department,
        "open": figures.get("open", 0),
    }
    if away:
        text += " " + _("Skipped %(n)s away.") % {"n": away}
    if explanation.get("fallback"):
        text += " " + _("Fallback: nobody available in %(department)s.") % {
            "department": explanation.get("category_department", "")
        }
    return text
