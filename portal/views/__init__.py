"""Portal views, by page group: account sign-up, products, requests and the actions on a request."""

from .account import signup
from .actions import acceptance, cancel, quote_decide
from .requests import new_request, request_detail, requests
from .units import home, register_unit, unit_detail

__all__ = [
    "acceptance",
    "cancel",
    "home",
    "new_request",
    "quote_decide",
    "register_unit",
    "request_detail",
    "requests",
    "signup",
    "unit_detail",
]
