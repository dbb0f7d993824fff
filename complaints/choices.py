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


class Channel(models.TextChoices):
    """How the complaint came in: keyed in by an agent (phone, e-mail), filed by the customer in
    the portal, sent by a system through the API, or opened by a refused acceptance."""

    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    PORTAL = "portal", _("Customer portal")
    API = "api", _("API")
    REFUSED_ACCEPTANCE = "refused_acceptance", _("Refused acceptance")


Source = Channel  # the field's former name (complaints.0004 renamed ``source`` to ``channel``)
# What an agent may record by hand; the portal and the API set their own channel.
AGENT_CHANNELS = (Channel.PHONE, Channel.EMAIL)


class Category(models.TextChoices):
    """SPEC §5: what the complaint is about; decides the department and the corrective action.
    After-sales service complaints say which aspect (``ServiceAspect``)."""

    PRODUCT_QUALITY = "product_quality", _("Product quality")
    SERVICE = "service", _("After-sales service")
    INFORMATION = "information", _("Information mismatch")
    OTHER = "other", _("Other")


class ServiceAspect(models.TextChoices):
    """Which aspect of the after-sales service a ``service`` complaint is about (SPEC §5)."""

    ATTITUDE = "attitude", _("Service attitude")
    EFFICIENCY = "efficiency", _("Service efficiency")
    RESULT = "result", _("Service result")


class MessageKind(models.TextChoices):
    """What the customer is told about their complaint (``complaints.customer_messages``)."""

    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    PROGRESS = "progress", _("Progress")
    CALLBACK = "callback", _("Callback time")
    RESULT = "result", _("Result notice")
    CLOSURE = "closure", _("Closure")


class RoutingMode(models.TextChoices):
    """How classification picks an owner in the category's department (setting ``complaints.routing``)."""

    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


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
    PROGRESS = "progress", _("Progress message sent")
    CALLBACK = "callback", _("Callback time agreed")
    EVIDENCE = "evidence", _("Evidence attached")
    CUSTOMER_NOTIFIED = "customer_notified", _("Customer notified")
    SLA_EXTENDED = ClockEvent.EXTENDED.value, ClockEvent.EXTENDED.label
    SLA_AT_RISK = ClockEvent.AT_RISK.value, ClockEvent.AT_RISK.label
    SLA_BREACHED = ClockEvent.BREACHED.value, ClockEvent.BREACHED.label
