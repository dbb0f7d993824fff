from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import EventTypes
from sla.models import ClockEvent


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASSESSED = "assessed", _("Assessed")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_SERVICE = "in_service", _("In service")
    AWAITING_PARTS = "awaiting_parts", _("Awaiting parts")
    AWAITING_CUSTOMER = "awaiting_customer", _("Awaiting customer")
    RESOLVED = "resolved", _("Resolved")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = frozenset(Status) - {Status.CLOSED, Status.CANCELLED}


class ServiceType(models.TextChoices):
    INSTALLATION = "installation", _("Installation & commissioning")
    GUIDANCE = "guidance", _("Usage guidance")
    REPAIR = "repair", _("Fault diagnosis & repair")
    PARTS = "parts", _("Parts replacement")
    SOFTWARE = "software", _("Software upgrade")
    CONSULTATION = "consultation", _("Consultation")
    RETURN = "return", _("Return / exchange")
    MAINTENANCE = "maintenance", _("Preventive maintenance")
    FOLLOW_UP = "follow_up", _("Follow-up visit")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    PORTAL = "portal", _("Web portal")
    CHAT = "chat", _("Online chat")
    WECHAT = "wechat", _("WeChat")
    APP = "app", _("App")
    API = "api", _("API")


class Mode(models.TextChoices):
    ONSITE = "onsite", _("On-site visit")
    MAIL_IN = "mail_in", _("Mail-in")


class Coverage(models.TextChoices):
    UNDETERMINED = "undetermined", _("Not yet assessed")
    WARRANTY = "warranty", _("In warranty (free)")
    PAID = "paid", _("Paid repair")


class QuoteStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting customer approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LineKind(models.TextChoices):
    LABOUR = "labour", _("Labour")
    MATERIAL = "material", _("Materials")
    TRAVEL = "travel", _("Travel")
    OTHER = "other", _("Other")


class EventType(EventTypes):
    """What a work-order event row records (``WorkOrderEvent.action``): a transition of the
    workflow (labelled as its button) or another business event. The timeline shows the label."""

    CREATE = "create", _("Request created")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    ASSESS = "assess", _("Assess warranty")
    SCHEDULE = "schedule", _("Schedule")
    START = "start", _("Start work")
    WAIT_PARTS = "wait_parts", _("Wait for parts")
    WAIT_CUSTOMER = "wait_customer", _("Wait for customer")
    RESUME = "resume", _("Resume")
    RESOLVE = "resolve", _("Mark resolved")
    ACCEPT = "accept", _("Customer accepts")
    REFUSE = "refuse", _("Customer refuses acceptance")
    CLOSE = "close", _("Close")
    CANCEL = "cancel", _("Cancel")
    REOPEN = "reopen", _("Reopen")
    ASSIGN = "assign", _("Assignment")
    NOTE = "note", _("Note")
    QUOTE = "quote", _("Quote issued")
    QUOTE_APPROVED = "quote_approved", _("Quote approved")
    QUOTE_REJECTED = "quote_rejected", _("Quote rejected")
    REPORT = "report", _("Repair report saved")
    REPLACE = "replace", _("Replacement")
    SHIPMENT = "shipment", _("Shipment recorded")
    SHIPMENT_RECEIVED = "shipment_received", _("Shipment received")
    CHECK_IN = "check_in", _("Checked in on site")
    CHECK_OUT = "check_out", _("Checked out")
    CUSTOMER_NOTIFIED = "customer_notified", _("Customer notified")
    SLA_EXTENDED = ClockEvent.EXTENDED.value, ClockEvent.EXTENDED.label
    SLA_AT_RISK = ClockEvent.AT_RISK.value, ClockEvent.AT_RISK.label
    SLA_BREACHED = ClockEvent.BREACHED.value, ClockEvent.BREACHED.label


class MessageKind(models.TextChoices):
    """The messages the customer receives about their order (service/customer_messages.py)."""

    ACKNOWLEDGEMENT = "acknowledgement", _("acknowledgement")
    APPOINTMENT = "appointment", _("appointment")
    QUOTE = "quote", _("quote")
    RESOLUTION = "resolution", _("resolution")
    CLOSURE = "closure", _("closure")
