from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "improvement"
    verbose_name = _("Improvement")

    def ready(self):
        from complaints.extensions import register_complaint_panel
        from core import events
        from core.pii import register
        from feedback.events import FollowupDone

        from . import voc_sources
        from .panels import complaint_improvement_panel
        from .pii import IMPROVEMENT
        from .subscribers import SURVEY_COMMENTS, action_from_followup
        from .voc import register_text_source

        voc_sources.register_defaults()
        register_text_source(SURVEY_COMMENTS)
        register_complaint_panel(complaint_improvement_panel)  # corrective actions and promises
        events.subscribe(FollowupDone, action_from_followup)  # a follow-up found an issue
        register(IMPROVEMENT)  # personal data: the survey answers' actions, the VoC words
