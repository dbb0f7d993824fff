from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "improvement"
    verbose_name = _("Improvement")

    def ready(self):
        from complaints.extensions import register_complaint_panel

        from . import voc_sources
        from .panels import complaint_improvement_panel

        voc_sources.register_defaults()
        register_complaint_panel(complaint_improvement_panel)  # corrective actions and promises
