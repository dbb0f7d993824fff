"""Field engineers as the dispatcher sees them (SPEC §4): rows, not strings.

A profile (one per field engineer) carries the load, the daily capacity, the home base, the
van and the calendar; its rows say what the engineer may do and where: skills (product line ×
service type, with a level), certificates with their expiry, service areas (regions) and shifts.
Which certificate a piece of work needs is data too (``CertificateRequirement``). Leave is
``accounts.Absence``. The rules that read all of it are in ``dispatch/eligibility.py``.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.i18n import BilingualName

from .registry import service_type_label


class SkillLevel(models.IntegerChoices):
    TRAINEE = 1, _("Trainee")
    QUALIFIED = 2, _("Qualified")
    EXPERT = 3, _("Expert")


class EngineerProfile(models.Model):
    """One field engineer's dispatch data. ``open_orders`` is the current load (assigned orders
    not yet closed or cancelled): kept in step by the assignment and transition services and
    recounted by a periodic job."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="dispatch_profile",
    )
    team = models.ForeignKey(
        "accounts.Department", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity (open orders)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of the dispatch.max_open_orders setting."),
    )
    daily_capacity = models.PositiveSmallIntegerField(
        _("daily capacity (visits)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("Visits a day at most; empty for the dispatch.daily_visits setting."),
    )
    auto_assign = models.BooleanField(_("takes automatic assignments"), default=True)
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Working days and default hours; empty: the calendar of the first service area, else the default."),
    )
    home_address = models.CharField(_("home base"), max_length=200, blank=True)
    home_lat = models.DecimalField(
        _("home latitude (WGS-84)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    home_lng = models.DecimalField(
        _("home longitude (WGS-84)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    van_plate = models.CharField(_("van"), max_length=20, blank=True, help_text=_("Registration plate."))
    van_capacity = models.PositiveIntegerField(
        _("van capacity"), null=True, blank=True, help_text=_("Load units the van carries (parts, units).")
    )
    open_orders = models.PositiveIntegerField(_("open orders"), default=0)
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)  # the change stamp (dispatch.selectors)

    class Meta:
        verbose_name = _("engineer dispatch profile")
        verbose_name_plural = _("engineer dispatch profiles")
        indexes = [models.Index(fields=["auto_assign", "open_orders", "last_assigned_at"], name="dispatch_pick")]
        constraints = [
            models.CheckConstraint(
                condition=Q(home_lat__isnull=True, home_lng__isnull=True)
                | Q(home_lat__isnull=False, home_lng__isnull=False),
                name="dispatch_home_both_or_none",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        if (self.home_lat is None) != (self.home_lng is None):
            raise ValidationError({"home_lng": _("Give both the latitude and the longitude, or neither.")})


class WorkScope(models.Model):
    """Which work a row is about: a product line (empty: every line) × a service type (empty:
    every type). Shared by an engineer's skills and the certificates work needs."""

    product_line = models.ForeignKey(
        "products.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every product line."),
    )
    service_type = models.CharField(
        _("service type"), max_length=20, blank=True, help_text=_("Empty: every service type.")
    )

    class Meta:
        abstract = True


class Skill(WorkScope):
    """What an engineer may repair: a product line (empty: every line) × a service type (empty:
    every type), at a level."""

    profile = models.ForeignKey(EngineerProfile, on_delete=models.CASCADE, related_name="skills")
    level = models.PositiveSmallIntegerField(_("level"), choices=SkillLevel.choices, default=SkillLevel.QUALIFIED)
    updated_at = models.DateTimeField(auto_now=True)  # the change stamp (dispatch.selectors)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "product_line", "service_type"],
                condition=Q(product_line__isnull=False),
                name="dispatch_skill_unique",
            ),
            models.UniqueConstraint(
                fields=["profile", "service_type"],
                condition=Q(product_line__isnull=True),
                name="dispatch_skill_any_line",
            ),
        ]

    def __str__(self) -> str:
        line = self.product_line.label if self.product_line_id else _("every product line")
        return f"{line} × {service_type_label(self.service_type)} ({self.get_level_display()})"


class CertificateKind(BilingualName):
    """A kind of certificate (制冷作业证, 电工证, a manufacturer's qualification…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    updated_at = models.DateTimeField(auto_now=True)  # the change stamp (dispatch.selectors)

    class Meta:
        verbose_name = _("certificate kind")
        verbose_name_plural = _("certificate kinds")
        ordering = ["code"]


class CertificateRequirement(WorkScope):
    """Work that needs a certificate: a product line (empty: every line) × a service type
    (empty: every type). An engineer without a certificate of the kind valid on the day of the
    work is not eligible for it."""

    kind = models.ForeignKey(CertificateKind, verbose_name=_("certificate"), on_delete=models.CASCADE)
    updated_at = models.DateTimeField(auto_now=True)  # the change stamp (dispatch.selectors)

    class Meta:
        verbose_name = _("certificate requirement")
        verbose_name_plural = _("certificate requirements")

    def __str__(self) -> str:
        line = self.product_line.label if self.product_line_id else _("every product line")
        return f"{self.kind} ← {line} × {service_type_label(self.service_type)}"


class Certificate(models.Model):
    profile = models.ForeignKey(EngineerProfile, on_delete=models.CASCADE, related_name="certificates")
    kind = models.ForeignKey(CertificateKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=60, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: no expiry."))
    updated_at = models.DateTimeField(auto_now=True)  # the change stamp (dispatch.selectors)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [models.UniqueConstraint(fields=["profile", "kind"], name="dispatch_certificate_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.valid_until or ''}".strip()


class ServiceArea(models.Model):
    """A customer region (province) the engineer covers. An engineer with none covers every region."""

    profile = models.ForeignKey(EngineerProfile, on_delete=models.CASCADE, related_name="areas")
    region = models.CharField(_("region"), max_length=60)
    updated_at = models.DateTimeField(auto_now=True)  # the change stamp (dispatch.selectors)

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        constraints = [models.UniqueConstraint(fields=["profile", "region"], name="dispatch_area_unique")]
        indexes = [models.Index(fields=["region"], name="dispatch_area_region")]

    def __str__(self) -> str:
        return self.region


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Shift(models.Model):
    """Working hours on a weekday. On the calendar's working days an engineer with shifts works
    their shifts of that weekday (an adjusted working day, 调休, takes Monday's); on its rest days
    only the shifts marked ``on_rest_days`` (weekend duty). Without any shift, the calendar's
    own hours apply."""

    profile = models.ForeignKey(EngineerProfile, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"), help_text=_("00:00 means midnight, the end of the day."))
    on_rest_days = models.BooleanField(
        _("also on rest days"), default=False, help_text=_("Worked even when the calendar has a holiday or weekend.")
    )
    updated_at = models.DateTimeField(auto_now=True)  # the change stamp (dispatch.selectors)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")) | Q(ends=dt.time(0)), name="dispatch_shift_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"
