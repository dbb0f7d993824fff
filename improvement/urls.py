from django.urls import path

from . import views

app_name = "improvement"
urlpatterns = [
    path("", views.board, name="board"),
    path("actions/new/", views.action_new, name="action_new"),
    path("actions/<int:action_id>/", views.action_detail, name="action"),
    path("actions/<int:action_id>/transition/", views.action_transition, name="action_transition"),
    path("actions/<int:action_id>/effect/", views.action_effect, name="action_effect"),
    path("corrective/", views.corrective_list, name="corrective"),
    path("corrective/<int:action_id>/", views.corrective_detail, name="corrective_detail"),
    path("corrective/<int:action_id>/transition/", views.corrective_transition, name="corrective_transition"),
    path("complaints/<int:complaint_id>/", views.complaint_page, name="complaint"),
    path("complaints/<int:complaint_id>/corrective/", views.corrective_create, name="corrective_create"),
    path("complaints/<int:complaint_id>/promises/", views.promise_create, name="promise_create"),
    path("promises/<int:promise_id>/decide/", views.promise_decide, name="promise_decide"),
    path("promises/<int:promise_id>/communicate/", views.promise_communicate, name="promise_communicate"),
    path("approvals/", views.approvals, name="approvals"),
    path("voc/", views.voc_page, name="voc"),
    path("voc/recompute/", views.voc_recompute, name="voc_recompute"),
]
