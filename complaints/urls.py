from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.work_list, name="list"),
    path("quality/", views.quality, name="quality"),
]
