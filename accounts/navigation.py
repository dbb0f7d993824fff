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

    def allows(self, user) -> bool:
        return can(user, self.capability) and (not self.needs_staff or user.is_staff)


MENU: tuple[Entry, ...] = (
    Entry("portal_home", _("My products"), "portal:home", "portal.use"),
    Entry("portal_requests", _("My requests"), "portal:requests", "portal.use"),
    Entry("portal_new", _("New request"), "portal:new_request", "portal.use"),
    Entry("engineer", _("My orders"), "service:engineer", "engineer.work"),
    Entry("queue", _("Work orders"), "service:queue", "order.view_all"),
    Entry("new_request", _("New phone request"), "service:new", "request.create_for_customer"),
    Entry("complaints", _("Complaints"), "complaints:list", "complaint.work"),
    Entry("finance", _("Chargeable orders"), "service:finance", "finance.view"),
    Entry("quality", _("Quality review"), "complaints:quality", "quality.review"),
    Entry("dashboard", _("Dashboard"), "analytics:dashboard", "dashboard.view"),
    Entry("calendars", _("Business calendars"), "sla:calendars", "sla.calendars"),
    Entry("audit", _("Audit log"), "audit", "audit.view"),
    Entry("admin", _("Administration"), "admin:index", "admin.site", needs_staff=True),
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
    Role.QUALITY: "quality",
    Role.ADMIN: "audit",
}


def menu_for(user) -> list[Entry]:
    """The entries ``user`` may use, in menu order (none for an anonymous or inactive user)."""
    return [e for e in MENU if e.allows(user)]


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
