from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Free text")


class Dimension(models.TextChoices):
    """Which part of the overall satisfaction a scale question feeds (docs/feedback.md)."""

    PRODUCT = "product", _("Product")
    SERVICE = "service", _("Service")


class Reason(models.TextChoices):
    """Why a customer was invited."""

    ORDER_CLOSED = "order_closed", _("Work order closed")
    COMPLAINT_CLOSED = "complaint_closed", _("Complaint closed")
    PERIODIC = "periodic", _("Periodic survey (key customer)")
    CALL = "call", _("Recorded on a call")


class Channel(models.TextChoices):
    LINK = "link", _("Link")
    PHONE = "phone", _("Phone call")


class FollowUpReason(models.TextChoices):
    AFTER_SERVICE = "after_service", _("After service")
    LOW_SCORE = "low_score", _("Low score")
    NEGATIVE_TEXT = "negative_text", _("Negative comment")
    KEY_VISIT = "key_visit", _("Key customer visit")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached, no issue")
    ISSUE_FOUND = "issue_found", _("Reached, issue found")
    NOT_REACHED = "not_reached", _("Not reached")
    DECLINED = "declined", _("Declined to talk")


class ReachShape(models.IntegerChoices):
    """Which filter a reach row serves: all customers, one department, one line, or both."""

    ALL = 0
    DEPARTMENT = 1
    LINE = 2
    BOTH = 3
