from django.urls import path

from . import views

app_name = "sla"
urlpatterns = [
    path("calendars/", views.calendar_list, name="calendars"),
    path("calendars/<slug:code>/<int:year>/", views.calendar_year, name="calendar_year"),
]
