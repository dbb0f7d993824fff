import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n import BilingualName

from .choices import DepartmentKind, Role


class Department(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=DepartmentKind.choices)
    scope_orders = models.BooleanField(
        _("members see only this team's work orders"),
        default=False,
        help_text=_(
            "Agents, technical support, complaint handlers and supervisors of this team then see the "
            "orders routed to the team or assigned to its engineers; managers and organisation-wide "
            "roles keep seeing everything."
        ),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.CUSTOMER)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_staff_member(self) -> bool:
        return self.role != Role.CUSTOMER

    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Absence(models.Model):
    """A person away (leave, training, sickness) from ``starts`` to ``ends``: routing and
    dispatch skip them then (``accounts.services.absence_record``, ``accounts.selectors.absent_ids``)."""

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="absences")
    starts = models.DateTimeField(_("from"))
    ends = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        indexes = [models.Index(fields=["user", "ends"], name="absence_user_ends")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends__gt=models.F("starts")), name="absence_ends_after")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts:%Y-%m-%d}–{self.ends:%Y-%m-%d}"


class ApiToken(models.Model):
    """A per-user API token; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60, default="default")
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "default") -> tuple["ApiToken", str]:
        token = secrets.token_urlsafe(32)
        row = cls.objects.create(user=user, name=name, prefix=token[:8], digest=cls.hash(token))
        return row, token
