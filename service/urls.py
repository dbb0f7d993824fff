from django.urls import path, register_converter

from . import views


class IdConverter:
    """A database id: digits only, short enough never to overflow a 64-bit key."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "oid")

app_name = "service"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new_request, name="new"),
    path("customers/lookup/", views.customer_lookup, name="customer_lookup"),
    path("new/serial/", views.serial_check, name="serial_check"),
    path("orders/<oid:order_id>/", views.detail, name="detail"),
    path("orders/<oid:order_id>/report/", views.report_print, name="report_print"),
    path("orders/<oid:order_id>/contact/", views.contact_reveal, name="contact_reveal"),
    path("orders/<oid:order_id>/transition/", views.transition, name="transition"),
    path("orders/<oid:order_id>/assign/", views.assign, name="assign"),
    path("orders/<oid:order_id>/quotes/", views.quote_create, name="quote_create"),
    path("orders/<oid:order_id>/quotes/<oid:quote_id>/decision/", views.quote_decide, name="quote_decide"),
    path("orders/<oid:order_id>/repair-report/", views.report_save, name="report_save"),
    path("orders/<oid:order_id>/acceptance/", views.acceptance, name="acceptance"),
    path("orders/<oid:order_id>/replacement/", views.replacement, name="replacement"),
    path("orders/<oid:order_id>/notes/", views.note, name="note"),
    path("finance/", views.finance, name="finance"),
    path("engineer/", views.engineer, name="engineer"),
    path("engineer/orders/<oid:order_id>/", views.engineer_order, name="engineer_order"),
    path("engineer/orders/<oid:order_id>/check-in/", views.check_in, name="check_in"),
    path("engineer/orders/<oid:order_id>/check-out/", views.check_out, name="check_out"),
]
