from django.urls import path

from service.urls import IdConverter  # noqa: F401 (registers the "oid" converter)

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.work_list, name="list"),
    path("new/", views.new, name="new"),
    path("new/customers/", views.customer_lookup, name="customer_lookup"),
    path("quality/", views.quality, name="quality"),
    path("<oid:complaint_id>/", views.detail, name="detail"),
    path("<oid:complaint_id>/transition/", views.transition, name="transition"),
    path("<oid:complaint_id>/progress/", views.progress, name="progress"),
    path("<oid:complaint_id>/callback/", views.callback, name="callback"),
    path("<oid:complaint_id>/extension/", views.extension, name="extension"),
    path("<oid:complaint_id>/evidence/", views.evidence, name="evidence"),
    path("<oid:complaint_id>/files/<oid:document_id>/", views.document, name="document"),
]
