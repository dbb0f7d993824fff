from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from accounts import views as account_views
from core import views as core_views
from feedback import public as survey_public
from notifications import views as notification_views
from service import files as service_files

from . import views
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("accounts.urls")),  # login (axes lockout, two-factor), 2FA enrolment
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", notification_views.set_language, name="set_language"),  # remembers the choice
    path("i18n/", include("django.conf.urls.i18n")),
    path("inbox/", include("notifications.urls")),
    path("files/<int:document_id>/", service_files.document, name="document"),
    path("audit/", account_views.audit_log, name="audit"),
    path("audit/export.csv", account_views.audit_export, name="audit_export"),
    path("console/", include("service.urls")),
    path("complaints/", include("complaints.urls")),
    path("feedback/", include("feedback.urls")),
    path("s/<str:token>/", survey_public.survey_page, name="survey"),  # a customer's survey link (no login)
    path("improvement/", include("improvement.urls")),
    path("dashboard/", include("analytics.urls")),
    path("portal/", include("portal.urls")),
    path("sla/", include("sla.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", core_views.api_not_found, name="api-not-found"),  # a JSON 404, not the HTML page
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
]

handler400 = "core.views.bad_request"  # an oversized form: the product's 413 (core/limits.py)
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
