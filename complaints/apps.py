from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from core import events
        from core.pii import register
        from service.events import AcceptanceRefused
        from service.extensions import register_contact_grant, register_order_panel
        from sla import cases

        from .clocks import COMPLAINT
        from .panels import order_complaints_panel
        from .permissions import handler_calls_customer
        from .pii import COMPLAINTS
        from .services import complaint_open_for_refusal

        events.subscribe(AcceptanceRefused, complaint_open_for_refusal)
        register_order_panel(order_complaints_panel)
        register_contact_grant(handler_calls_customer)
        register(COMPLAINTS)
        cases.register(COMPLAINT)
