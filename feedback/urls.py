from django.urls import path

from service.urls import IdConverter  # noqa: F401 (registers the "oid" converter)

from . import public, views

app_name = "feedback"
urlpatterns = [
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/record/", views.record_call, name="record"),
    path("surveys/<oid:response_id>/", views.response_detail, name="response"),
    path("kpis/", views.kpi_page, name="kpis"),
    path("followups/", views.followup_list, name="followups"),
    path("followups/<int:followup_id>/", views.followup_detail, name="followup"),
    path("mine/<int:invitation_id>/", public.own_survey_page, name="own_survey"),
]
