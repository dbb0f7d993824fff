from django.db import models
from django.utils.translation import gettext_lazy as _


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
