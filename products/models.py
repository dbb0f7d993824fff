from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import BilingualName, pick

from .guarantees import OnlineExclusion
from .periods import Convention
from .warranty import Cause


class ProductLine(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    is_industrial = models.BooleanField(_("industrial equipment"), default=False)

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")


class ComponentClass(BilingualName):
    """A class of components with its own warranty period (main unit, accessory, software…)."""

    class Kind(models.TextChoices):
        MAIN = "main", _("Main unit")
        CORE = "core", _("Core component")
        ACCESSORY = "accessory", _("Accessory")
        SOFTWARE = "software", _("Software")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)  # the terms cache's stamp

    class Meta:
        verbose_name = _("component class")
        verbose_name_plural = _("component classes")
        ordering = ["id"]


class ProductModel(BilingualName):
    code = models.CharField(_("model code"), max_length=40, unique=True)
    line = models.ForeignKey(ProductLine, verbose_name=_("product line"), on_delete=models.PROTECT)
    component_classes = models.ManyToManyField(
        ComponentClass, verbose_name=_("component classes"), through="WarrantyTerm", blank=True
    )

    class Meta:
        verbose_name = _("product model")
        verbose_name_plural = _("product models")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class WarrantyTerm(models.Model):
    """Warranty period of one component class on one product model, in months."""

    model = models.ForeignKey(ProductModel, on_delete=models.CASCADE, related_name="terms")
    component_class = models.ForeignKey(ComponentClass, on_delete=models.PROTECT)
    months = models.PositiveSmallIntegerField(_("months"))
    convention = models.CharField(
        _("period convention"),
        max_length=20,
        choices=Convention.choices,
        default=Convention.CIVIL_CODE,
        help_text=_("How the period is counted (docs/warranty.md)."),
    )
    covered_causes = models.JSONField(
        _("covered causes"),
        default=list,
        blank=True,
        help_text=_("Codes of the causes this component's warranty covers; empty: the standard ones (%(codes)s).")
        % {"codes": ", ".join(sorted(c.value for c in (Cause.DEFECT, Cause.MANUAL_ERROR, Cause.TRANSPORT_DAMAGE)))},
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)  # the terms cache's stamp

    class Meta:
        verbose_name = _("warranty term")
        verbose_name_plural = _("warranty terms")
        constraints = [models.UniqueConstraint(fields=["model", "component_class"], name="uniq_term_per_class")]

    def __str__(self) -> str:
        return f"{self.model.code} / {self.component_class}: {self.months}"

    def clean(self):
        causes = self.covered_causes or []
        if not isinstance(causes, list) or any(c not in Cause.values for c in causes):
            msg = _("A list of cause codes: %(codes)s.") % {"codes": ", ".join(Cause.values)}
            raise ValidationError({"covered_causes": msg})


class Unit(models.Model):
    """One sold unit, by serial number (the product archive)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In use")
        RETURNED = "returned", _("Returned")
        SCRAPPED = "scrapped", _("Scrapped")

    serial = models.CharField(_("serial number"), max_length=60, unique=True)
    model = models.ForeignKey(ProductModel, verbose_name=_("model"), on_delete=models.PROTECT)
    batch = models.CharField(_("production batch"), max_length=40, blank=True)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    sale_date = models.DateField(_("sale date"), null=True, blank=True)
    purchase_date = models.DateField(_("purchase date on proof"), null=True, blank=True)
    channel = models.CharField(_("dealer / channel"), max_length=80, blank=True)
    channel_en = models.CharField(
        _("dealer / channel (English)"), max_length=80, blank=True, help_text=_("Empty: the Chinese name is shown.")
    )
    colour = models.CharField(_("colour (Chinese)"), max_length=30, blank=True)
    colour_en = models.CharField(
        _("colour (English)"), max_length=30, blank=True, help_text=_("Empty: the Chinese name is shown.")
    )
    owner = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    proof = models.ForeignKey(
        "core.Document",
        verbose_name=_("purchase proof"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces")
    sold_online = models.BooleanField(_("bought online"), default=False)
    received_date = models.DateField(
        _("date the buyer received it"), null=True, blank=True, help_text=_("Starts the seven-day no-reason return.")
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.serial

    @property
    def colour_label(self) -> str:
        return pick(self.colour, self.colour_en)

    @property
    def channel_label(self) -> str:
        return pick(self.channel, self.channel_en)


def _days(default: int, maximum: int = 3650):
    return {"default": default, "validators": [MinValueValidator(1), MaxValueValidator(maximum)]}


class ThreeGuaranteesPolicy(models.Model):
    """The Three Guarantees (三包) rules of a product line; defaults from the regulations (docs/warranty.md)."""

    line = models.OneToOneField(
        ProductLine, verbose_name=_("product line"), on_delete=models.CASCADE, related_name="three_guarantees"
    )
    enabled = models.BooleanField(
        _("Three Guarantees apply"), default=True, help_text=_("Off for lines sold under contract.")
    )
    return_days = models.PositiveSmallIntegerField(_("return, exchange or repair within (days)"), **_days(7, 365))
    exchange_days = models.PositiveSmallIntegerField(_("exchange or repair within (days)"), **_days(15, 365))
    period_months = models.PositiveSmallIntegerField(_("Three Guarantees period (months)"), **_days(12, 120))
    repairs_before_exchange = models.PositiveSmallIntegerField(
        _("repairs of the same fault before an exchange is owed"), **_days(2, 10)
    )
    repair_days_limit = models.PositiveSmallIntegerField(_("longest repair (days)"), **_days(30, 365))
    parts_wait_days_limit = models.PositiveSmallIntegerField(_("longest wait for parts (days)"), **_days(90, 365))
    online_return_days = models.PositiveSmallIntegerField(
        _("no-reason return of online purchases (days)"), **_days(7, 365)
    )
    online_exclusion = models.CharField(
        _("excluded from the no-reason return"), max_length=30, choices=OnlineExclusion.choices, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("Three Guarantees policy")
        verbose_name_plural = _("Three Guarantees policies")

    def __str__(self) -> str:
        return f"{self.line}: {_('on') if self.enabled else _('off')}"
