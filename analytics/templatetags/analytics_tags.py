from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def minutes(value) -> str:
    """A duration in whole minutes as people read it: "45 min", "26.5 h"; "–" for none."""
    if value is None or value == "":
        return "–"
    value = int(value)
    if value < 120:
        return _("%(n)s min") % {"n": value}
    return _("%(n)s h") % {"n": f"{value / 60:.1f}"}
