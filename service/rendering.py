"""Form widgets rendered in Python: the HTML of Django's own widget templates, ~10× faster.

Rendering a widget through its template costs ~0.2 ms (the input, its attributes and, for a
select, every option are template includes): a quote form with three blank lines was 3 ms of
an order page, the queue's filter form a third of the queue page. ``FastRenderer`` writes the
same markup in Python for the built-in templates below (inputs, selects, textareas, an empty
error list) and renders everything else through the templates, as Django does. A template of
the same name overridden in a project or app directory is used as it is (no fast path for it).
``service/tests/test_rendering.py`` checks the output is the templates', byte for byte.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
ATTRS = WIDGETS + "attrs.html"
INPUT = WIDGETS + "input.html"
OPTION = WIDGETS + "select_option.html"
# Templates that are ``{% include "django/forms/widgets/input.html" %}`` and nothing else.
INPUTS = frozenset(
    WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "number.html",
        "email.html",
        "url.html",
        "tel.html",
        "search.html",
        "password.html",
        "hidden.html",
        "date.html",
        "datetime.html",
        "time.html",
        "checkbox.html",
    )
)
SELECT = WIDGETS + "select.html"
TEXTAREA = WIDGETS + "textarea.html"
ERRORS = frozenset({"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"})


def text(value) -> str:
    """What ``{{ value }}`` prints: localised, converted to the current time zone, escaped."""
    value = localize(template_localtime(value))
    return conditional_escape(value if issubclass(type(value), str) else str(value))


def text_s(value) -> str:
    """What ``{{ value|stringformat:'s' }}`` prints."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        out = "%s" % value  # noqa: UP031 (the filter's own formatting)
    except (ValueError, TypeError):
        out = ""
    return text(mark_safe(out) if isinstance(value, SafeData) else out)


def attrs_html(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(" " + text(name))
            if value is not True:
                out.append('="' + text_s(value) + '"')
    return "".join(out)


def input_html(w: dict) -> str:
    value = f' value="{text_s(w["value"])}"' if w["value"] != None else ""  # noqa: E711 (the template's test)
    return f'<input type="{text(w["type"])}" name="{text(w["name"])}"{value}{attrs_html(w["attrs"])}>'


def option_html(o: dict) -> str:
    """``select_option.html``, with the newline that ends the file."""
    return f'<option value="{text_s(o["value"])}"{attrs_html(o["attrs"])}>{text(o["label"])}</option>\n'


def select_html(w: dict) -> str:
    out = [f'<select name="{text(w["name"])}"{attrs_html(w["attrs"])}>']
    for group_name, options, _index in w["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{text(group_name)}">')
        for o in options:
            out.append("\n  " + option_html(o))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def textarea_html(w: dict) -> str:
    value = text(w["value"]) if w["value"] else ""
    return f'<textarea name="{text(w["name"])}"{attrs_html(w["attrs"])}>\n{value}</textarea>'


class FastRenderer(DjangoTemplates):
    """Django's template form renderer with Python fast paths for the common widgets."""

    def __init__(self):
        super().__init__()
        self._stock: dict[str, bool] = {}

    def is_stock(self, template_name: str) -> bool:
        """Whether ``template_name`` resolves to Django's own file (not an override)."""
        stock = self._stock.get(template_name)
        if stock is None:
            origin = self.get_template(template_name).origin.name
            stock = self._stock[template_name] = origin.replace("\\", "/").endswith(
                "/django/forms/templates/" + template_name
            )
        return stock

    def fast(self, template_name: str, context: dict) -> str | None:
        if template_name in ERRORS:
            empty = not context.get("errors")
            return "" if empty and all(self.is_stock(name) for name in ERRORS) else None
        w = context.get("widget")
        if w is None or not (self.is_stock(template_name) and self.is_stock(ATTRS)):
            return None
        if template_name in INPUTS:
            return input_html(w) if self.is_stock(INPUT) else None
        if template_name == SELECT:
            options = [o for _name, group, _i in w["optgroups"] for o in group]
            if all(o["template_name"] == OPTION for o in options) and self.is_stock(OPTION):
                return select_html(w)
            return None
        if template_name == TEXTAREA:
            return textarea_html(w)
        return None

    def render(self, template_name, context, request=None):
        html = self.fast(template_name, context)
        if html is None:
            return super().render(template_name, context, request=request)
        return html.strip()


renderer = FastRenderer()
