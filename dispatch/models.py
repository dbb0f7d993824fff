"""Field engineers as the dispatcher sees them: where they work, what they may repair, their load."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EngineerProfile(models.Model):
    """One field engineer's dispatch data (SPEC §4).

    ``regions`` and ``product_lines`` hold the customer regions (provinces) the engineer covers
    and the product-line codes they are trained for, stored as ``",a,b,"`` so that one indexed
    query with ``LIKE '%,a,%'`` finds the candidates on any database; empty means "any". ``open_orders``
    is the engineer's current load (assigned orders not yet closed or cancelled): kept in step by
    the assignment and transition services and recounted by a periodic job.
    """

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
    regions = models.CharField(
        _("service regions"),
        max_length=1000,
        blank=True,
        help_text=_("Customer regions (provinces) this engineer covers, separated by commas; empty for all."),
    )
    product_lines = models.CharField(
        _("product lines (skills)"),
        max_length=1000,
        blank=True,
        help_text=_("Codes of the product lines this engineer is trained for, separated by commas; empty for all."),
    )
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity (open orders)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of the dispatch.max_open_orders setting."),
    )
    auto_assign = models.BooleanField(_("takes automatic assignments"), default=True)
    open_orders = models.PositiveIntegerField(_("open orders"), default=0)
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)

    class Meta:
        verbose_name = _("engineer dispatch profile")
        verbose_name_plural = _("engineer dispatch profiles")
        indexes = [models.Index(fields=["auto_assign", "open_orders", "last_assigned_at"], name="dispatch_pick")]

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        self.regions = comma_list(self.regions)
        self.product_lines = comma_list(self.product_lines)


def comma_list(text: str) -> str:
    """``"广东, 广西，"`` → ``",广东,广西,"`` (full-width commas too); ``""`` stays empty."""
    items = [part.strip() for part in (text or "").replace("，", ",").split(",")]
    items = list(dict.fromkeys(i for i in items if i))
    return f",{','.join(items)}," if items else ""


def comma_items(text: str) -> list[str]:
    return [i for i in (text or "").split(",") if i]
