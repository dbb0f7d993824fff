from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("Service")

    def ready(self):
        from core.pii import register
        from sla import cases

        from .clocks import WORK_ORDER
        from .pii import REPLACEMENTS, WORK_ORDERS

        register(WORK_ORDERS)
        register(REPLACEMENTS)
        cases.register(WORK_ORDER)
