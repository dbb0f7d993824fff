from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import EventTypes
from sla.models import ClockEvent


class Status(models.TextChoices):
    NEW = "new", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLASSIFIED = "classified", _("Classified, owner named")
    INVESTIGATING = "investigating", _("Investigating")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(Status) - {Status.CLOSED}


class Source(models.TextChoices):
    REFUSED_ACCEPTANCE = "refused_acceptance", _("Refused acceptance")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    ONLINE = "online", _("Online")


class Category(models.TextChoices):
    """SPEC §5: what the complaint is about; decides the department and the corrective action."""

    PRODUCT_QUALITY = "product_quality", _("Product quality")
    SERVICE = "service", _("After-sales service (attitude, efficiency, result)")
    INFORMATION = "information", _("Information mismatch")
    OTHER = "other", _("Other")


class EventType(EventTypes):
    """What a complaint event row records: a transition (labelled as its button) or another event."""

    OPEN = "open", _("Complaint received")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    CLASSIFY = "classify", _("Classify and name the owner")
    INVESTIGATE = "investigate", _("Start the investigation")
    WAIT_CUSTOMER = "wait_customer", _("Wait for customer")
    RESUME = "resume", _("Resume")
    RESOLVE = "resolve", _("Resolve")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    SLA_EXTENDED = ClockEvent.EXTENDED.value, ClockEvent.EXTENDED.label
    SLA_AT_RISK = ClockEvent.AT_RISK.value, ClockEvent.AT_RISK.label
    SLA_BREACHED = ClockEvent.BREACHED.value, ClockEvent.BREACHED.label
