"""The one write path for service requests and work orders."""

from .contact import contact_reveal
from .intake import request_create
from .repair import acceptance_check, acceptance_sign, quote_create, quote_decide, report_save
from .transitions import (
    UNCHANGED,
    work_order_assign,
    work_order_get_for_update,
    work_order_note,
    work_order_transition,
)
from .visits import work_order_check_in, work_order_check_out

__all__ = [
    "UNCHANGED",
    "acceptance_check",
    "acceptance_sign",
    "contact_reveal",
    "quote_create",
    "quote_decide",
    "report_save",
    "request_create",
    "work_order_assign",
    "work_order_check_in",
    "work_order_check_out",
    "work_order_get_for_update",
    "work_order_note",
    "work_order_transition",
]
