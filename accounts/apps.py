from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from core.pii import register

        from . import middleware  # noqa: F401  (connects the two-factor login guard)
        from .pii import LOGIN

        register(LOGIN)
