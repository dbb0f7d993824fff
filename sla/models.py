"""Business calendars, SLA policies, and the abstract clock every case type's clock table extends.

The clock tables themselves belong to the case types (``WorkOrderClock`` in ``service``),
declared through ``sla.cases``; this app never names them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import BilingualName, pick

from .calendar_data import holiday_name_en
from .limits import MAX_MINUTES, MAX_WORKING_DAYS

DEFAULT_WINDOWS = {str(d): [["09:00", "12:00"], ["13:00", "18:00"]] for d in range(5)}


class BusinessCalendar(BilingualName):
    """Working hours per weekday (several windows), holidays and adjusted working days (调休)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    region = models.CharField(_("service region"), max_length=60, blank=True, db_index=True)
    is_default = models.BooleanField(_("default calendar"), default=False)
    tz = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    windows = models.JSONField(
        _("working windows"),
        default=dict,
        help_text=_('Per weekday (0 = Monday): a list of ["HH:MM", "HH:MM"] windows.'),
    )
    adjusted_day_windows = models.JSONField(
        _("windows on adjusted working days"),
        null=True,
        blank=True,
        help_text=_("Empty: the Monday windows."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["-is_default", "name"]


class CalendarYear(models.Model):
    """A year whose official schedule has been entered and confirmed by an admin."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("confirmed year")
        verbose_name_plural = _("confirmed years")
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="uniq_calendar_year")]
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.calendar.code} {self.year}"


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (day off)")
        WORKDAY = "workday", _("Adjusted working day (调休)")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="uniq_calendar_date")]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"

    @property
    def label(self) -> str:
        """The day's name in the active language: official holidays are named in Chinese by the
        State Council and in English by the ``chinesecalendar`` package."""
        return pick(self.name, holiday_name_en(self.name))


class ClockType(models.TextChoices):
    CALENDAR = "calendar", _("Calendar time (24×7)")
    BUSINESS = "business", _("Business hours")
    WORKING_DAYS = "working_days", _("Working days")


class ClockName(models.TextChoices):
    RESPONSE = "response", _("First response")
    ONSITE = "onsite", _("On-site arrival")
    RESOLUTION = "resolution", _("Resolution")
    FIX = "fix", _("Fixed after work starts")
    ACKNOWLEDGE = "acknowledge", _("Complaint acknowledgement")
    CLASSIFY = "classify", _("Complaint classification and owner")


class ClockEvent(models.TextChoices):
    """The event rows the SLA engine writes on a case (every case type's ``EventType`` has them)."""

    EXTENDED = "sla_extended", _("Deadline extended")
    AT_RISK = "sla_at_risk", _("Deadline at risk")
    BREACHED = "sla_breached", _("Deadline missed")


class CaseKind(models.TextChoices):
    """The case types a policy can be for; each is declared to the engine by its app (``sla.cases``)."""

    WORK_ORDER = "work_order", _("Work order")
    COMPLAINT = "complaint", _("Complaint")


class Milestone(models.TextChoices):
    """The waits a case type's states map to (``CaseType.waits``); a policy lists those that pause."""

    CUSTOMER = "customer", _("Waiting for the customer")
    PARTS = "parts", _("Waiting for parts")


def default_pause_on() -> list[str]:
    return [Milestone.CUSTOMER.value]


class SlaPolicy(BilingualName):
    """Which clocks a case gets. The first active policy of the case's type (by ``rank``) whose
    filters match wins; an empty filter matches anything."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(_("match order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    case_type = models.CharField(_("case type"), max_length=20, choices=CaseKind.choices, default=CaseKind.WORK_ORDER)
    service_types = models.JSONField(_("service types"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    customer_tiers = models.JSONField(_("customer tiers"), default=list, blank=True)
    industrial = models.BooleanField(_("industrial equipment"), null=True, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the calendar of the order's region, else the default calendar."),
    )
    pause_on = models.JSONField(
        _("waits that pause the clocks"),
        default=default_pause_on,
        blank=True,
        help_text=_("The clocks stop counting while the case waits for one of these."),
    )
    at_risk_ratio = models.DecimalField(
        _("at risk after (share of target)"), max_digits=3, decimal_places=2, default=0.8
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["rank", "id"]


class SlaTarget(models.Model):
    """One clock of a policy: its type and target (minutes, or working days)."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    clock = models.CharField(_("clock"), max_length=20, choices=ClockName.choices)
    clock_type = models.CharField(_("clock type"), max_length=20, choices=ClockType.choices)
    amount = models.PositiveIntegerField(
        _("target"),
        help_text=_("Minutes; working days for working-day clocks."),
        validators=[MaxValueValidator(MAX_MINUTES)],
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [models.UniqueConstraint(fields=["policy", "clock"], name="uniq_policy_clock")]

    def __str__(self) -> str:
        return f"{self.policy.code}: {self.clock} {self.amount} {self.clock_type}"

    def clean(self) -> None:
        super().clean()
        if self.clock_type == ClockType.WORKING_DAYS and self.amount is not None and self.amount > MAX_WORKING_DAYS:
            raise ValidationError(
                {"amount": _("At most %(max)s working days.") % {"max": MAX_WORKING_DAYS}}, code="max_value"
            )


class Clock(models.Model):
    """One SLA clock of a case (first response, on-site, resolution…); each case type's clock
    table extends it with the foreign key to its case (``CaseType.subject_field``) and declares
    ``clock_indexes`` and ``clock_constraints`` in its own Meta (index names are per table).

    ``due_at`` moves when the clock is paused (by the paused time of its own type) or
    extended; ``original_due_at`` keeps the first deadline. ``state`` and ``at_risk`` are
    set by the periodic scan with conditional updates (safe to re-run).
    """

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")
        BREACHED = "breached", _("Breached")
        CANCELLED = "cancelled", _("Cancelled")

    clock = models.CharField(_("clock"), max_length=20)
    clock_type = models.CharField(_("clock type"), max_length=20)
    amount = models.PositiveIntegerField(_("target"))
    calendar_code = models.CharField(max_length=40)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("original due"), null=True, blank=True)
    warn_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    provisional = models.BooleanField(_("provisional"), default=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused working time (s)"), default=0)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    at_risk = models.BooleanField(_("at risk"), default=False)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    extension_reason = models.TextField(_("extension reason"), blank=True, max_length=2000)
    extended_at = models.DateTimeField(null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        abstract = True
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")


def clock_constraints(subject_field: str, *, name: str) -> list:
    """One clock of each name per case; the unique (case, clock) is also the case's foreign-key index."""
    return [models.UniqueConstraint(fields=[subject_field, "clock"], name=name)]


def clock_indexes(prefix: str, *, subject: str | None = None) -> list:
    """The indexes every clock table needs, named ``<prefix>_…`` (names are unique per database).

    ``subject``: the foreign key to the case, appended to the KPI index so that the clocks of a
    subset of cases (a region, a team: the dashboard's filters) are counted from it alone, and
    with the deadline to the warned clocks' index (the cases at risk)."""
    return [
        # Few clocks are ever extended: the rows without an extender get no entry.
        models.Index(
            fields=["extended_by"], condition=models.Q(extended_by__isnull=False), name=f"{prefix}_extended_by"
        ),
        # The escalation scan's two claims (sla.escalation) look only at running clocks, a few
        # per open case; the millions of stopped ones get no entry in either index.
        models.Index(fields=["due_at"], condition=models.Q(state="running"), name=f"{prefix}_running_due"),
        # With ``subject``, the deadline and the case too: the dashboard's cases at risk (warned,
        # not yet due) from this index alone.
        models.Index(
            fields=["at_risk", "warn_at", *(["due_at", subject] if subject else [])],
            condition=models.Q(state="running"),
            name=f"{prefix}_running_warn",
        ),
        # The dashboard's SLA aggregates (sla.kpi): an index-only range scan per (clock, state)
        # over the month's start times, on SQLite and PostgreSQL.
        models.Index(
            fields=["clock", "state", "started_at", "due_at", "stopped_at", *([subject] if subject else [])],
            name=f"{prefix}_kpi",
        ),
    ]


class PolicySnapshot(models.Model):
    """The policy matched when the case came in, as it was then; each case type's snapshot
    table extends it with a one-to-one to its case (``CaseType.subject_field``)."""

    policy_code = models.CharField(max_length=40)
    snapshot = models.JSONField()

    class Meta:
        abstract = True
