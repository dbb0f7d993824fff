from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoDataset(models.Model):
    """One run of ``seed_demo``: the seed the demo data and the demo API tokens derive from."""

    seed = models.BigIntegerField(_("seed"))
    orders = models.PositiveIntegerField(_("work orders"))
    rows = models.PositiveBigIntegerField(_("rows written"), default=0)
    seconds = models.FloatField(_("duration (seconds)"), default=0)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("demo data set")
        verbose_name_plural = _("demo data sets")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"seed {self.seed}: {self.orders} orders"
