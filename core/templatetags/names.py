"""``{{ row|name_in_language:"department" }}``: of a dict holding ``department`` (Chinese) and
``department_en`` (English), the one of the active language (``core.i18n.pick``)."""

from django import template

from core.i18n import pick

register = template.Library()


@register.filter
def name_in_language(row: dict, key: str) -> str:
    return pick(row.get(key) or "", row.get(f"{key}_en") or "")
