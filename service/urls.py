from django.urls import path

from . import views

app_name = "service"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("engineer/", views.engineer, name="engineer"),
]
