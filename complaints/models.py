"""Complaints (SPEC §5): the case, its event rows; its SLA clocks run under the complaint policy."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sla.models import Clock, PolicySnapshot, clock_constraints, clock_indexes

from .choices import Category, Channel, EventType, ServiceAspect, Status

NUMBER_PREFIX = "CP"


def complaint_number(pk: int | None) -> str:
    return f"{NUMBER_PREFIX}{pk:08d}" if pk else ""


class Complaint(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    order = models.ForeignKey(
        "service.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    unit = models.ForeignKey(
        "products.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(
        _("received"),
        default=timezone.now,
        help_text=_("When the complaint reached us (the clocks run from it); never in the future."),
    )
    description = models.TextField(_("description"), max_length=5000)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    version = models.PositiveIntegerField(default=1)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    service_aspect = models.CharField(_("service aspect"), max_length=20, choices=ServiceAspect.choices, blank=True)
    major = models.BooleanField(_("major complaint"), default=False)
    callback_at = models.DateTimeField(_("agreed callback"), null=True, blank=True)
    measures = models.TextField(_("measures taken"), max_length=5000, blank=True)
    result = models.TextField(_("result"), max_length=5000, blank=True)
    follow_up = models.TextField(_("follow-up"), max_length=5000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("complaint", "owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_complaints",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL
    )
    paused_from = models.CharField(max_length=20, blank=True)
    due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    classified_at = models.DateTimeField(_("classified"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["status", "due_at", "id"], name="complaint_status_due"),
            models.Index(fields=["owner", "status"], name="complaint_owner"),
            models.Index(fields=["customer", "id"], name="complaint_customer"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return complaint_number(self.pk)


class ComplaintEvent(models.Model):
    """One row per business event on a complaint: its timeline and trail."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events", db_index=False)
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30, choices=EventType.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "id"], name="complaint_event")]

    def __str__(self) -> str:
        return f"{complaint_number(self.complaint_id)} {self.action}"


class ComplaintDocument(models.Model):
    """Evidence attached to a complaint (a stored ``core.Document``)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("core.Document", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("complaint evidence")
        verbose_name_plural = _("complaint evidence")

    def __str__(self) -> str:
        return f"{complaint_number(self.complaint_id)} {self.document_id}"


class ComplaintClock(Clock):
    """One SLA clock of a complaint (acknowledge, classify, resolution; fields: ``sla.models.Clock``)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="clocks", db_index=False)

    class Meta:
        verbose_name = _("complaint SLA clock")
        verbose_name_plural = _("complaint SLA clocks")
        constraints = clock_constraints("complaint", name="uniq_complaint_clock")
        indexes = clock_indexes("complaint_clock")

    def __str__(self) -> str:
        return f"{complaint_number(self.complaint_id)} {self.clock}"


class ComplaintSla(PolicySnapshot):
    """The complaint policy matched when the complaint came in, as it was then."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="sla")

    def __str__(self) -> str:
        return f"{complaint_number(self.complaint_id)} {self.policy_code}"
