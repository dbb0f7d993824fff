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
    # writing
    "request.create_for_customer": BACK_OFFICE,
    "unit.register_for_customer": BACK_OFFICE,
    "order.assign": {Role.AGENT, Role.TECH_SUPPORT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "order.quote": {Role.AGENT, Role.TECH_SUPPORT, Role.ENGINEER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "order.report": {Role.ENGINEER, Role.TECH_SUPPORT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "order.replace": {Role.AGENT, Role.TECH_SUPPORT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN},
    "replacement.approve_special": {Role.MANAGER, Role.ADMIN},
    "order.note": STAFF,
}


def can(user, capability: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.role in CAPABILITIES[capability]
