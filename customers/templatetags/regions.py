"""``{{ customer.region|region_label }}``: the region in the reader's language (``customers.regions``)."""

from django import template

from customers.regions import region_label as _label

register = template.Library()


@register.filter
def region_label(region: str) -> str:
    return _label(region or "")
