"""Agent console and engineer view (server-rendered, HTMX for partial updates)."""

from .actions import acceptance, assign, note, quote_create, quote_decide, replacement, report_save, transition
from .contact import contact_reveal
from .detail import detail, report_print
from .engineer import check_in, check_out, engineer, engineer_order
from .finance import finance
from .intake import customer_lookup, new_request, serial_check
from .queue import queue

__all__ = [
    "acceptance",
    "assign",
    "check_in",
    "check_out",
    "contact_reveal",
    "customer_lookup",
    "detail",
    "engineer",
    "engineer_order",
    "finance",
    "new_request",
    "note",
    "queue",
    "quote_create",
    "quote_decide",
    "replacement",
    "report_print",
    "report_save",
    "serial_check",
    "transition",
]
