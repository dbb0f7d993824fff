"""Extension points of the work order's pages, filled by apps above ``service`` in their
``AppConfig.ready`` (``service`` never imports them).

An order panel is a callable ``panel(order, actor) -> str`` returning HTML (already rendered,
escaped by its template) or ``""`` when it has nothing to show for this actor; panels appear
on the console's order page in registration order, after the order's own clocks. Each panel
reads what it needs in a fixed number of queries (the order page's query count is asserted).

A contact grant is a callable ``grant(order, actor) -> bool`` saying that ``actor`` needs to call
this order's customer for a reason the app above knows (the complaints app: a complaint handler
and the customer's open complaint); ``service.permissions.may_reveal_contact`` asks the grants
after its own rule, for one order at a time (never per row of a list).
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

OrderPanel = Callable[..., str]
_ORDER_PANELS: list[OrderPanel] = []


def register_order_panel(panel: OrderPanel) -> None:
    if panel not in _ORDER_PANELS:
        _ORDER_PANELS.append(panel)


def unregister_order_panel(panel: OrderPanel) -> None:
    if panel in _ORDER_PANELS:
        _ORDER_PANELS.remove(panel)


def order_panels(order, actor) -> list[SafeString]:
    """The registered panels' HTML for this order and actor (empty ones left out)."""
    return [mark_safe(html) for panel in _ORDER_PANELS if (html := panel(order, actor))]  # noqa: S308


ContactGrant = Callable[..., bool]
_CONTACT_GRANTS: list[ContactGrant] = []


def register_contact_grant(grant: ContactGrant) -> None:
    if grant not in _CONTACT_GRANTS:
        _CONTACT_GRANTS.append(grant)


def unregister_contact_grant(grant: ContactGrant) -> None:
    if grant in _CONTACT_GRANTS:
        _CONTACT_GRANTS.remove(grant)


def contact_granted(order, actor) -> bool:
    """Whether a registered grant lets ``actor`` reveal the contact details of ``order``."""
    return any(grant(order, actor) for grant in _CONTACT_GRANTS)
