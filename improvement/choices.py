from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import EventTypes


class CorrectiveKind(models.TextChoices):
    """SPEC §5: the corrective action a complaint's category calls for."""

    QUALITY_FEEDBACK = "quality_feedback", _("Product-quality feedback to production")
    TRAINING = "training", _("Training need for the staff involved")
    DOC_FIX = "doc_fix", _("Fix of the manual / service guide")
    FREE = "free", _("Other action")


# complaints.choices.Category value -> the kind proposed by default
KIND_FOR_CATEGORY = {
    "product_quality": CorrectiveKind.QUALITY_FEEDBACK,
    "service": CorrectiveKind.TRAINING,
    "information": CorrectiveKind.DOC_FIX,
    "other": CorrectiveKind.FREE,
}


class CorrectiveStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done, to verify")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


CORRECTIVE_OPEN = frozenset({CorrectiveStatus.OPEN, CorrectiveStatus.IN_PROGRESS, CorrectiveStatus.DONE})


class CorrectiveEvent(EventTypes):
    CREATE = "create", _("Corrective action opened")
    START = "start", _("Start")
    COMPLETE = "complete", _("Mark done")
    VERIFY = "verify", _("Verify and close")
    REWORK = "rework", _("Send back")
    CANCEL = "cancel", _("Cancel")
    NOTE = "note", _("Note")


class Document(models.TextChoices):
    MANUAL = "manual", _("User manual")
    SERVICE_GUIDE = "service_guide", _("Service guide")
    WEBSITE = "website", _("Product information online")


class TrainingStatus(models.TextChoices):
    OPEN = "open", _("To train")
    DONE = "done", _("Trained")


class PromiseKind(models.TextChoices):
    COMPENSATION = "compensation", _("Compensation")
    PROMISE = "promise", _("Other promise")


class PromiseStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    COMMUNICATED = "communicated", _("Told the customer")


class Stage(models.TextChoices):
    """PDCA."""

    PLAN = "plan", _("Plan")
    DO = "do", _("Do")
    CHECK = "check", _("Check")
    ACT = "act", _("Act")
    CLOSED = "closed", _("Closed")


OPEN_STAGES = frozenset(Stage) - {Stage.CLOSED}


class ImprovementEventType(EventTypes):
    CREATE = "create", _("Improvement action opened")
    START = "start", _("Start doing")
    TO_CHECK = "to_check", _("Check the effect")
    TO_ACT = "to_act", _("Act on the result")
    CLOSE = "close", _("Close")
    REPLAN = "replan", _("Plan again")
    EFFECT = "effect", _("Effect measured")


class SourceKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SURVEY = "survey", _("Low survey score")
    ANALYSIS = "analysis", _("Analysis")
    CORRECTIVE = "corrective", _("Corrective action")


class Metric(models.TextChoices):
    COMPLAINT_RATE = "complaint_rate", _("Complaints per 100 work orders")
    FIRST_RESPONSE_SLA = "first_response_sla", _("First-response SLA compliance (%)")
    RESOLUTION_MEDIAN = "resolution_median", _("Median resolution time (hours)")
    REOPEN_RATE = "reopen_rate", _("Reopened orders per 100 closed (%)")


LOWER_IS_BETTER = frozenset({Metric.COMPLAINT_RATE, Metric.RESOLUTION_MEDIAN, Metric.REOPEN_RATE})
