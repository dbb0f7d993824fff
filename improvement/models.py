"""The improvement loop (SPEC §5–6): corrective actions per complaint, training needs, promises
to customers and their approval, improvement actions (PDCA) with an effect check, and the
voice-of-the-customer themes computed per period (docs/improvement.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import (
    CorrectiveEvent,
    CorrectiveKind,
    CorrectiveStatus,
    Document,
    ImprovementEventType,
    Metric,
    PromiseKind,
    PromiseStatus,
    SourceKind,
    Stage,
    TrainingStatus,
)

USER = settings.AUTH_USER_MODEL


class TrackedAction(models.Model):
    """What a corrective action and an improvement action share: an owner and a due date, the
    row version of the optimistic lock, who opened it and when, when it changed and closed, and
    the number people know it by (``PREFIX`` and the id). Each declares its own ``status``: the
    two workflows have their own states (``CorrectiveStatus``, the PDCA ``Stage``)."""

    PREFIX = ""

    owner = models.ForeignKey(
        USER, verbose_name=pgettext_lazy("action", "owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"))
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("opened"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.PREFIX}{self.pk or 0:06d}"

    @property
    def number(self) -> str:
        return str(self)


class CorrectiveAction(TrackedAction):
    """One corrective action of a complaint; its kind follows the complaint's category by default.

    A product-quality feedback record names the product model and the production batch: the
    batch is copied from the unit's archive (``products.Unit.batch``) when a unit is known and
    may be typed when it is not (docs/improvement.md)."""

    PREFIX = "CA"

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="corrective_actions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CorrectiveKind.choices)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    status = models.CharField(_("status"), max_length=20, choices=CorrectiveStatus.choices, default="open")
    # quality feedback to production
    product_model = models.ForeignKey(
        "products.ProductModel",
        verbose_name=_("product model"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "products.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    batch = models.CharField(_("production batch"), max_length=40, blank=True)
    # information mismatch: which document to fix
    document = models.CharField(_("document"), max_length=20, choices=Document.choices, blank=True)
    section = models.CharField(_("section"), max_length=200, blank=True)
    # service: a major complaint flags the staff for an ad-hoc appraisal
    major = models.BooleanField(_("major complaint"), default=False)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        indexes = [
            models.Index(fields=["kind", "status", "id"], name="ca_kind_status"),
            models.Index(fields=["owner", "status"], name="ca_owner"),
            models.Index(fields=["complaint", "id"], name="ca_complaint"),
        ]


class CorrectiveActionEvent(models.Model):
    action_row = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="events", db_index=False)
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=30, choices=CorrectiveEvent.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["action_row", "id"], name="ca_event")]

    def __str__(self) -> str:
        return f"{self.action_row_id} {self.action}"


class TrainingNeed(models.Model):
    """A training need of one staff member, from a service complaint's corrective action. The
    workforce module (a later issue) reads these rows; ``ad_hoc_appraisal`` marks a major
    complaint (SPEC §5: a major complaint can trigger an ad-hoc appraisal)."""

    corrective_action = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="training_needs")
    user = models.ForeignKey(USER, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("topic"), max_length=200)
    ad_hoc_appraisal = models.BooleanField(_("ad-hoc appraisal"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=TrainingStatus.choices, default="open")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("training need")
        verbose_name_plural = _("training needs")
        constraints = [models.UniqueConstraint(fields=["corrective_action", "user"], name="uniq_training_need")]
        indexes = [models.Index(fields=["user", "status"], name="training_need_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.topic}"


class Promise(models.Model):
    """Compensation or any promise to the customer: written approval at the configured level
    before it may be told (seed 003 §4.1.6)."""

    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="promises"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PromiseKind.choices)
    description = models.TextField(_("what is promised"), max_length=2000)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=2000)
    required_role = models.CharField(_("approval level"), max_length=20)
    status = models.CharField(_("status"), max_length=20, choices=PromiseStatus.choices, default="pending")
    version = models.PositiveIntegerField(default=1)
    requested_by = models.ForeignKey(USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("written approval / refusal"), blank=True, max_length=2000)
    communicated_at = models.DateTimeField(_("told the customer"), null=True, blank=True)

    class Meta:
        verbose_name = _("promise to the customer")
        verbose_name_plural = _("promises to customers")
        indexes = [
            models.Index(fields=["status", "required_role", "id"], name="promise_queue"),
            models.Index(fields=["complaint", "id"], name="promise_complaint"),
        ]

    def __str__(self) -> str:
        return f"PR{self.pk or 0:06d}"

    @property
    def number(self) -> str:
        return str(self)


class ImprovementAction(TrackedAction):
    """An improvement action run through PDCA; its effect check compares a metric over equal
    windows before and after the day the action started (``done_from``)."""

    PREFIX = "IA"

    title = models.CharField(_("title"), max_length=200)
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_actions",
    )
    plan = models.TextField(_("plan"), max_length=5000)
    status = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default="plan")
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    done_from = models.DateTimeField(_("doing since"), null=True, blank=True)
    effect_before = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    effect_after = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    effect_days = models.PositiveIntegerField(null=True, blank=True)
    effect_checked_at = models.DateTimeField(null=True, blank=True)
    effect_detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        indexes = [
            models.Index(fields=["status", "due_date", "id"], name="ia_status_due"),
            models.Index(fields=["source_kind", "source_id"], name="ia_source"),
        ]


class ImprovementActionEvent(models.Model):
    improvement = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="events", db_index=False)
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=30, choices=ImprovementEventType.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["improvement", "id"], name="ia_event")]

    def __str__(self) -> str:
        return f"{self.improvement_id} {self.action}"


class VocTheme(models.Model):
    """One term's count in one text source for one month (the VoC job's output)."""

    period = models.DateField(_("month"))  # the first day of the month (Asia/Shanghai)
    source = models.CharField(_("source"), max_length=30)
    language = models.CharField(_("language"), max_length=5)  # "zh" or "en"
    term = models.CharField(_("term"), max_length=60)
    count = models.PositiveIntegerField(_("count"))
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("voice-of-the-customer theme")
        verbose_name_plural = _("voice-of-the-customer themes")
        constraints = [
            models.UniqueConstraint(fields=["period", "source", "language", "term"], name="uniq_voc_theme"),
        ]
        indexes = [models.Index(fields=["period", "-count"], name="voc_period_count")]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.term} {self.count}"
