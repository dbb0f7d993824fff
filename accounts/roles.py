"""What each role may do: one table, read by services, views and the API."""

from .choices import Role

STAFF = {r for r in Role if r != Role.CUSTOMER}
BACK_OFFICE = {Role.AGENT, Role.TECH_SUPPORT, Role.COMPLAINT_HANDLER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}
ALL_ORDERS = {
    Role.AGENT,
    Role.TECH_SUPPORT,
    Role.COMPLAINT_HANDLER,
    Role.SUPERVISOR,
    Role.MANAGER,
    Role.ADMIN,
    Role.QUALITY,
    Role.ANALYST,
    Role.FINANCE,
}

CAPABILITIES: dict[str, set[str]] = {
    # reading
    "order.view_all": ALL_ORDERS,
    "customer.view_all": BACK_OFFICE | {Role.QUALITY, Role.FINANCE},
    "pii.view_unmasked": {Role.AGENT, Role.COMPLAINT_HANDLER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},  # names
    # Phone, address, e-mail of any order they can see, one logged reveal at a time (the assigned
    # engineer and a complaint handler of the customer's open complaint get it per order):
    # service.permissions.may_reveal_contact, docs/security.md.
    "pii.reveal_contact": {Role.AGENT, Role.SUPERVISOR, Role.MANAGER},
    "audit.view": {Role.ADMIN, Role.MANAGER},
    "customer.pii_rights": {Role.ADMIN, Role.MANAGER},  # PIPL export / erasure (customers/pipl.py)
    "complaint.view_all": BACK_OFFICE | {Role.QUALITY, Role.ANALYST},
    "notifications.inbox": STAFF | {Role.CUSTOMER},  # one's own inbox and preferences (notifications/)
    "dashboard.view": {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN, Role.ANALYST},  # analytics/dashboard.py
    # work lists (accounts/navigation.py: the menu and each role's home page)
    "portal.use": {Role.CUSTOMER},  # the customer's own pages; not granted by superuser status
    "engineer.work": {Role.ENGINEER},  # the engineer's today view: the orders assigned to them
    "complaint.work": {Role.COMPLAINT_HANDLER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "finance.view": {Role.FINANCE, Role.MANAGER, Role.ADMIN},  # chargeable orders, quotes, amounts
    "quality.review": {Role.QUALITY, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},  # reopened / refused / closed
    "sla.calendars": {Role.ADMIN, Role.MANAGER},  # the business calendars (sla/views.py)
    # the improvement loop (improvement/): board, corrective actions, VoC; approving promises
    "improvement.view": {Role.COMPLAINT_HANDLER, Role.QUALITY, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN, Role.ANALYST},
    "promise.approve": {Role.SUPERVISOR, Role.MANAGER},  # the level: improvement.approval_levels
    "admin.site": {Role.ADMIN},  # master data in Django's admin (the user must also be is_staff)
    # satisfaction surveys and follow-ups (feedback/, docs/feedback.md)
    "survey.view": ALL_ORDERS - {Role.FINANCE},  # the survey list (names masked)
    "survey.kpi": {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN, Role.QUALITY, Role.ANALYST},  # KPIs, analysis
    "followup.work": {Role.AGENT, Role.COMPLAINT_HANDLER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    # writing
    "request.create_for_customer": BACK_OFFICE,
    "unit.register_for_customer": BACK_OFFICE,
    "order.assign": {Role.AGENT, Role.TECH_SUPPORT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "order.quote": {Role.AGENT, Role.TECH_SUPPORT, Role.ENGINEER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "order.report": {Role.ENGINEER, Role.TECH_SUPPORT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "order.replace": {Role.AGENT, Role.TECH_SUPPORT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "replacement.approve_special": {Role.MANAGER, Role.ADMIN},
    "order.note": STAFF,
    "improvement.work": {Role.COMPLAINT_HANDLER, Role.QUALITY, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "promise.request": {Role.COMPLAINT_HANDLER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "survey.record": {Role.AGENT, Role.COMPLAINT_HANDLER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},  # on a call
    "followup.assign": {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    # dispatch (docs/dispatch.md): the engineers' board; assigning against the rules with a reason
    "dispatch.engineers": {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "dispatch.override": {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    # remote diagnosis before a visit (seed 003: the information and dispatch centre's hotline)
    "order.remote": {Role.AGENT, Role.TECH_SUPPORT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    # appointments: offer windows, reschedule, record a no-show
    "appointment.manage": {Role.AGENT, Role.TECH_SUPPORT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
}


# What only the role itself may do: a superuser of another role has no customer account.
OWN_ROLE_ONLY = frozenset({"portal.use"})


def can(user, capability: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    roles = CAPABILITIES[capability]
    if user.is_superuser and capability not in OWN_ROLE_ONLY:
        return True
    return user.role in roles
