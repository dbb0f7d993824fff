"""The menu and each role's home page: one table, read through the capability table.

An entry is shown to a user who holds its capability (``roles.can``), the same capability the
view behind it checks, so the menu never offers a page that answers 403
(``accounts/tests/test_navigation.py`` walks every role through every entry). The start page
(``config.views.home``) sends each role to its home entry.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .roles import can


@dataclass(frozen=True)
class Entry:
    key: str
    label: Promise
    url_name: str
    capability: str
    needs_staff: bool = False  # Django's admin also asks for ``is_staff``
    group: str = ""  # a key of GROUPS: shown in that drop-down when the user has two or more of it

    def allows(self, user) -> bool:
        return can(user, self.capability) and (not self.needs_staff or user.is_staff)


# The menu's drop-downs, in this order after the plain entries that precede them: a group the
# user holds one entry of shows that entry as a plain link (``menu_tree``).
GROUPS: dict[str, Promise] = {
    "service": _("Service"),
    "care": _("Complaints and feedback"),
    "quality": _("Quality and improvement"),
    "insight": _("Analysis"),
    "settings": _("Settings"),
}

MENU: tuple[Entry, ...] = (
    Entry("portal_home", _("My products"), "portal:home", "portal.use"),
    Entry("portal_requests", _("My requests"), "portal:requests", "portal.use"),
    Entry("portal_new", _("New request"), "portal:new_request", "portal.use"),
    Entry("portal_complaints", _("My complaints"), "portal:complaints", "portal.use"),
    Entry("engineer", _("My orders"), "service:engineer", "engineer.work"),
    Entry("queue", _("Work orders"), "service:queue", "order.view_all", group="service"),
    Entry("new_request", _("New phone request"), "service:new", "request.create_for_customer", group="service"),
    Entry("engineers", _("Field engineers"), "dispatch:engineers", "dispatch.engineers", group="service"),
    Entry("complaints", _("Complaints"), "complaints:list", "complaint.work", group="care"),
    Entry("followups", _("Follow-ups"), "feedback:followups", "followup.work", group="care"),
    Entry("surveys", _("Surveys"), "feedback:surveys", "survey.view", group="care"),
    Entry("survey_record", _("Record a survey"), "feedback:record", "survey.record", group="care"),
    Entry("new_complaint", _("New complaint"), "complaints:new", "request.create_for_customer", group="care"),
    Entry("finance", _("Chargeable orders"), "service:finance", "finance.view"),
    Entry("quality", _("Quality review"), "complaints:quality", "quality.review", group="quality"),
    Entry("improvement", _("Improvement"), "improvement:board", "improvement.view", group="quality"),
    Entry("corrective", _("Corrective actions"), "improvement:corrective", "improvement.view", group="quality"),
    Entry("approvals", _("Approvals"), "improvement:approvals", "promise.approve", group="quality"),
    Entry("voc", _("Voice of the customer"), "improvement:voc", "improvement.view", group="insight"),
    Entry("dashboard", _("Dashboard"), "analytics:dashboard", "dashboard.view", group="insight"),
    Entry("survey_kpis", _("Satisfaction"), "feedback:kpis", "survey.kpi", group="insight"),
    Entry("calendars", _("Business calendars"), "sla:calendars", "sla.calendars", group="settings"),
    Entry("audit", _("Audit log"), "audit", "audit.view", group="settings"),
    Entry("admin", _("Administration"), "admin:index", "admin.site", needs_staff=True, group="settings"),
)
BY_KEY = {e.key: e for e in MENU}

HOMES: dict[str, str] = {
    Role.CUSTOMER: "portal_home",
    Role.AGENT: "queue",
    Role.TECH_SUPPORT: "queue",
    Role.ENGINEER: "engineer",
    Role.COMPLAINT_HANDLER: "complaints",
    Role.SUPERVISOR: "dashboard",
    Role.MANAGER: "dashboard",
    Role.ANALYST: "dashboard",
    Role.FINANCE: "finance",
    Role.QUALITY: "improvement",  # quality feedback records and open improvement actions
    Role.ADMIN: "audit",
}


def menu_for(user) -> list[Entry]:
    """The entries ``user`` may use, in menu order (none for an anonymous or inactive user)."""
    return [e for e in MENU if e.allows(user)]


@dataclass(frozen=True)
class MenuItem:
    """One item of the top bar: a plain entry, or a group's label with its entries."""

    label: Promise
    entry: Entry | None = None
    entries: tuple[Entry, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.entry is None


FLAT_MAX = 6  # a menu of up to this many entries is shown flat, without drop-downs


def menu_tree(entries: list[Entry]) -> list[MenuItem]:
    """``menu_for``'s entries as the top bar shows them: all flat when there are at most
    ``FLAT_MAX`` (an agent's few pages stay one click away), else a group at the place of its
    first entry, as a drop-down when it holds two or more, else as its one entry."""
    if len(entries) <= FLAT_MAX:
        return [MenuItem(e.label, entry=e) for e in entries]
    items: list[MenuItem] = []
    placed: set[str] = set()
    for e in entries:
        if not e.group:
            items.append(MenuItem(e.label, entry=e))
        elif e.group not in placed:
            placed.add(e.group)
            members = tuple(m for m in entries if m.group == e.group)
            if len(members) == 1:
                items.append(MenuItem(e.label, entry=e))
            else:
                items.append(MenuItem(GROUPS[e.group], entries=members))
    return items


def home_entry(user) -> Entry | None:
    """The role's home entry if the user may use it, else the first entry they may use."""
    entries = menu_for(user)
    wanted = HOMES.get(user.role)
    for entry in entries:
        if entry.key == wanted:
            return entry
    return entries[0] if entries else None


def home_url(user) -> str | None:
    entry = home_entry(user)
    return reverse(entry.url_name) if entry else None
