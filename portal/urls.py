from django.urls import path, register_converter

from . import views
from .views import complaints as complaint_views


class IdConverter:
    """A database id: digits only, and short enough never to overflow a 64-bit key (so never a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "portal_id")

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("units/new/", views.register_unit, name="register_unit"),
    path("units/<portal_id:unit_id>/", views.unit_detail, name="unit_detail"),
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.new_request, name="new_request"),
    path("requests/<portal_id:order_id>/", views.request_detail, name="request_detail"),
    path("requests/<portal_id:order_id>/quotes/<portal_id:quote_id>/decide/", views.quote_decide, name="quote_decide"),
    path("requests/<portal_id:order_id>/acceptance/", views.acceptance, name="acceptance"),
    path("requests/<portal_id:order_id>/cancel/", views.cancel, name="cancel"),
    path("complaints/", complaint_views.complaints, name="complaints"),
    path("complaints/new/", complaint_views.new_complaint, name="new_complaint"),
    path("complaints/<portal_id:complaint_id>/", complaint_views.complaint_detail_page, name="complaint_detail"),
]
