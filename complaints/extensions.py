"""Extension points of the complaint page, filled by apps above ``complaints`` in their
``AppConfig.ready`` (``complaints`` never imports them), as ``service/extensions.py`` does for
the order page.

A complaint panel is a callable ``panel(complaint, actor, request=None) -> str`` returning HTML (already
rendered, escaped by its template) or ``""`` when it has nothing to show for this actor;
panels appear on the console's complaint page in registration order, after its clocks. Each
reads what it needs in a fixed number of queries (the page's query count is asserted).
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

ComplaintPanel = Callable[..., str]
_PANELS: list[ComplaintPanel] = []


def register_complaint_panel(panel: ComplaintPanel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def unregister_complaint_panel(panel: ComplaintPanel) -> None:
    if panel in _PANELS:
        _PANELS.remove(panel)


def complaint_panels(complaint, actor, request=None) -> list[SafeString]:
    """The registered panels' HTML for this complaint and actor (empty ones left out); the page's
    ``request`` lets a panel render forms (their CSRF token)."""
    return [mark_safe(html) for panel in _PANELS if (html := panel(complaint, actor, request=request))]  # noqa: S308
