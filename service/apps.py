from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("Service")

    def ready(self):
        from core.pii import register
        from dispatch.registry import register_service_types
        from products.selectors import provide_working_days
        from sla import cases

        from .choices import ServiceType
        from .clocks import WORK_ORDER
        from .pii import REPLACEMENTS, WORK_ORDERS
        from .warranty import working_day

        provide_working_days(working_day)  # every warranty period's rest days: the business calendar
        register(WORK_ORDERS)
        register(REPLACEMENTS)
        cases.register(WORK_ORDER)
        register_service_types(ServiceType.choices)  # what a skill or a certificate requirement names
