from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from core.pii import register

        from .pipl import HANDLERS

        for handler in HANDLERS:
            register(handler)
