from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from service.models import order_number

from .rules import ReplacementGround


class Replacement(models.Model):
    """A unit replaced (or returned) under warranty: the old unit is collected, the new one recorded."""

    order = models.ForeignKey("service.WorkOrder", on_delete=models.PROTECT, related_name="replacements")
    ground = models.CharField(_("ground"), max_length=30, choices=ReplacementGround.choices)
    old_unit = models.ForeignKey("products.Unit", on_delete=models.PROTECT, related_name="+")
    new_unit = models.ForeignKey("products.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    new_serial = models.CharField(_("new serial number"), max_length=60, blank=True)
    new_model = models.ForeignKey(
        "products.ProductModel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_colour = models.CharField(_("new colour"), max_length=30, blank=True)
    is_return = models.BooleanField(_("return (refund) instead of a new unit"), default=False)
    prior_repairs = models.PositiveIntegerField(_("repairs in warranty before"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("replacement")
        verbose_name_plural = _("replacements")

    def __str__(self) -> str:
        return f"{order_number(self.order_id)} {self.ground}"
