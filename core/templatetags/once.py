"""``{% form_token %}``: the one-time token that makes a form's second submission a no-op (core.idempotency)."""

from django import template
from django.utils.html import format_html

from core.idempotency import FORM_FIELD, new_form_token

register = template.Library()


@register.simple_tag
def form_token():
    """A hidden field with a fresh token; the view must be decorated with ``once_per_form``."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, new_form_token())
