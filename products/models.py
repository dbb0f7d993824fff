from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import BilingualName, pick


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
    updated_at = models.DateTimeField(_("updated"), auto_now=True)  # the terms cache's stamp

    class Meta:
        verbose_name = _("warranty term")
        verbose_name_plural = _("warranty terms")
        constraints = [models.UniqueConstraint(fields=["model", "component_class"], name="uniq_term_per_class")]

    def __str__(self) -> str:
        return f"{self.model.code} / {self.component_class}: {self.months}"


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
