from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from .security import count_failed_login

        # Security plumbing, not a business reaction: the login rate limit counts failures only.
        user_login_failed.connect(count_failed_login, dispatch_uid="core.security.count_failed_login")
