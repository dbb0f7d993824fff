"""Satisfaction surveys and follow-up tasks (SPEC §6; docs/feedback.md).

A survey template has versions; a version's questions are frozen once it has an answer
(``SurveyVersion.answered``), so every response points to the exact questions it answered and
old answers stay comparable. An invitation is one customer's chance to answer once: its link
token is stored only as a SHA-256 hash, and the one-answer rule holds in the database (the
conditional update of ``answered_at`` and the one-to-one ``Response.invitation``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import BilingualName, pick

from .choices import Channel, Dimension, FollowUpReason, FollowUpStatus, Outcome, QuestionKind, ReachShape, Reason


class SurveyTemplate(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")

    def current_version(self):
        return self.versions.order_by("-number").first()


class SurveyVersion(models.Model):
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    answered = models.BooleanField(_("answered (frozen)"), default=False)

    class Meta:
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="uniq_survey_version")]

    def __str__(self) -> str:
        return f"{self.template.code} v{self.number}"


class Question(models.Model):
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=40)
    text = models.CharField(_("question (Chinese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SCALE)
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=0)
    scale_min = models.SmallIntegerField(_("lowest"), default=0)
    scale_max = models.SmallIntegerField(_("highest"), default=10)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_question_code"),
            models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="question_scale_range"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="question_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        return pick(self.text, self.text_en)


class Invitation(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="survey_invitations"
    )
    order = models.ForeignKey(
        "service.WorkOrder", verbose_name=_("work order"), null=True, blank=True, on_delete=models.SET_NULL
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("complaint"), null=True, blank=True, on_delete=models.SET_NULL
    )
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    # The KPI's cut: copied from the order (or complaint) when invited, so the KPIs read one table.
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL
    )
    product_line = models.ForeignKey(
        "products.ProductLine", verbose_name=_("product line"), null=True, blank=True, on_delete=models.SET_NULL
    )
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    channels = models.JSONField(_("sent through"), default=list, blank=True)
    # "2026-05" for a periodic survey: one per customer and period (idempotent job).
    period = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "period"], condition=~Q(period=""), name="uniq_periodic_invitation"
            ),
            models.UniqueConstraint(
                fields=["order"], condition=Q(reason=Reason.ORDER_CLOSED), name="uniq_invitation_order"
            ),
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(reason=Reason.COMPLAINT_CLOSED), name="uniq_invitation_complaint"
            ),
        ]
        indexes = [
            # the KPIs' funnel reads this index alone (covering: no table lookups)
            models.Index(fields=["created_at", "customer", "answered_at"], name="invitation_created"),
            models.Index(fields=["customer", "answered_at"], name="invitation_customer"),
        ]

    def __str__(self) -> str:
        return f"S{self.pk:08d}" if self.pk else ""


class Response(models.Model):
    """One answered survey: its scores on 0–100, computed once when answered."""

    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.SET_NULL)
    product_line = models.ForeignKey("products.ProductLine", null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.DecimalField(_("weighted score"), max_digits=5, decimal_places=2)
    product_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    service_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    overall = models.DecimalField(_("overall satisfaction"), max_digits=5, decimal_places=2)
    satisfied = models.BooleanField(_("satisfied"))
    negative = models.BooleanField(_("negative"), default=False)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["answered_at", "id"], name="response_answered"),  # the list (keyset)
            # the KPIs read this index alone (covering)
            models.Index(
                fields=["answered_at", "satisfied", "negative", "score", "product_score", "service_score"],
                name="response_kpi",
            ),
        ]

    def __str__(self) -> str:
        return f"R{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)  # the value on 0–100
    text = models.TextField(blank=True, max_length=2000)
    answered_at = models.DateTimeField(default=timezone.now)  # the response's, for the per-question KPIs

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="uniq_answer")]
        indexes = [models.Index(fields=["answered_at", "question", "score"], name="answer_answered")]  # covering

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"


class FollowUp(models.Model):
    """A follow-up call or visit (回访) to a customer, with its outcome."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="followups"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=FollowUpReason.choices)
    order = models.ForeignKey(
        "service.WorkOrder", verbose_name=_("work order"), null=True, blank=True, on_delete=models.SET_NULL
    )
    response = models.ForeignKey(
        Response, verbose_name=_("survey response"), null=True, blank=True, on_delete=models.SET_NULL
    )
    team = models.ForeignKey(
        "accounts.Department", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
    )
    status = models.CharField(_("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    period = models.CharField(max_length=10, blank=True)  # "2026-H1" for a key customer's visit
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    start_at = models.DateTimeField(_("from"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "reason"], condition=Q(reason=FollowUpReason.AFTER_SERVICE), name="uniq_followup_order"
            ),
            models.UniqueConstraint(
                fields=["response", "reason"], condition=Q(response__isnull=False), name="uniq_followup_response"
            ),
            models.UniqueConstraint(fields=["customer", "period"], condition=~Q(period=""), name="uniq_followup_visit"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at", "id"], name="followup_status_due"),
            models.Index(fields=["assignee", "status"], name="followup_assignee"),
        ]

    def __str__(self) -> str:
        return f"F{self.pk:08d}" if self.pk else ""

    @property
    def number(self) -> str:
        return str(self)


# --- the KPIs' daily roll-up (docs/feedback.md, "The roll-up") ---------------------------------
# Kept by the write path (``feedback.rollup``) in the transaction that writes the invitation or
# the answer, rebuilt from the raw rows by ``manage.py rebuild_survey_rollup``. A cut is a
# department and a product line; 0 stands for "none" (the upserts need non-null keys), so these
# are plain integers, not foreign keys.


class SurveyDay(models.Model):
    """One local day (Asia/Shanghai) of a department and a product line: the invitations sent
    that day (and how many of them are answered by now), the responses answered that day and the
    parts of their means (sums in hundredths, exact)."""

    day = models.DateField()
    department = models.IntegerField(default=0)
    line = models.IntegerField(default=0)
    sent = models.IntegerField(default=0)  # invitations created this day
    answered = models.IntegerField(default=0)  # of those, answered (whenever)
    responses = models.IntegerField(default=0)  # responses answered this day
    satisfied = models.IntegerField(default=0)
    negative = models.IntegerField(default=0)
    score_cents = models.BigIntegerField(default=0)
    product_n = models.IntegerField(default=0)
    product_cents = models.BigIntegerField(default=0)
    service_n = models.IntegerField(default=0)
    service_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "department", "line"], name="uniq_survey_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.department}/{self.line}"


class SurveyQuestionDay(models.Model):
    """The scale answers of one question answered on one local day, per department and line."""

    day = models.DateField()
    department = models.IntegerField(default=0)
    line = models.IntegerField(default=0)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", db_index=False)
    answers = models.IntegerField(default=0)
    score_cents = models.BigIntegerField(default=0)
    low = models.IntegerField(default=0)  # answers below 60

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "department", "line", "question"], name="uniq_survey_question_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department}/{self.line} q{self.question_id}"


class SurveyReach(models.Model):
    """A customer invited on a local day, once per filter shape (the department and line not in
    the shape are 0), for the distinct-customer counts. ``prev_day`` is the customer's previous
    day in the same shape and cut, ``prev_answered_day`` their previous day with an answered
    invitation: a customer counts once in a period [a, b] through their first row in it, the one
    whose previous day is before a — a count over an index range instead of a DISTINCT."""

    shape = models.SmallIntegerField(choices=ReachShape.choices)
    department = models.IntegerField(default=0)
    line = models.IntegerField(default=0)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField()
    invitations = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    prev_day = models.DateField(null=True)
    prev_answered_day = models.DateField(null=True)

    class Meta:
        constraints = [
            # also the index of the maintenance and of the served customers' look-up
            models.UniqueConstraint(fields=["shape", "department", "line", "customer", "day"], name="uniq_survey_reach")
        ]
        indexes = [
            models.Index(
                fields=["shape", "department", "line", "day", "prev_day", "answered", "prev_answered_day"],
                name="survey_reach_period",  # the counts read this index alone (covering)
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.shape}:{self.department}/{self.line} c{self.customer_id}"


class SurveyReachCount(models.Model):
    """How many reach rows of a cut fall on ``day`` with ``prev_day`` as their previous day
    (``kind`` 0: every row and ``SurveyReach.prev_day``; 1: the answered rows and
    ``prev_answered_day``; no previous day is 0001-01-01). The customers of a period [a, b] are
    the sum over its days of the counts with a previous day before a: a scan of days × previous
    days, not of customers."""

    shape = models.SmallIntegerField(choices=ReachShape.choices)
    department = models.IntegerField(default=0)
    line = models.IntegerField(default=0)
    day = models.DateField()
    prev_day = models.DateField()
    kind = models.SmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shape", "department", "line", "day", "prev_day", "kind"], name="uniq_survey_reach_count"
            )
        ]
        indexes = [
            models.Index(
                fields=["shape", "department", "line", "day", "prev_day", "kind", "n"],
                name="survey_reach_count_period",  # covering
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} after {self.prev_day} ({self.kind}): {self.n}"
