from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Satisfaction and follow-ups")

    def ready(self):
        from complaints.events import ComplaintClosed
        from core import events
        from core.pii import register
        from service.events import OrderClosed

        from . import tasks  # noqa: F401  (the periodic jobs)
        from .pii import FEEDBACK
        from .services import followup_after_order, invite_after_complaint, invite_after_order

        events.subscribe(OrderClosed, invite_after_order)
        events.subscribe(OrderClosed, followup_after_order)
        events.subscribe(ComplaintClosed, invite_after_complaint)
        register(FEEDBACK)
