"""Finding a customer while taking a call (the phone request's and the complaint's intake)."""

from django.db.models import Q

from .permissions import visible_to

MAX_MATCHES = 10
MIN_NAME = 2  # characters before a name is looked up (one would list half the archive)


def customers_by_phone(actor, phone: str, *, limit: int = MAX_MATCHES) -> list:
    """Customers (or their contacts) with exactly this phone number, in the actor's scope; two
    queries (the customers, their units)."""
    if not phone:
        return []
    qs = (
        visible_to(actor)
        .filter(Q(phone=phone) | Q(contacts__phone=phone))
        .distinct()
        .prefetch_related("units__model")
        .order_by("name", "id")
    )
    return list(qs[:limit])


def customers_by_name(actor, name: str, *, limit: int = MAX_MATCHES) -> list:
    """Customers whose name begins with ``name`` (at least ``MIN_NAME`` characters), in the
    actor's scope; two queries."""
    name = (name or "").strip()
    if len(name) < MIN_NAME:
        return []
    qs = visible_to(actor).filter(name__startswith=name).prefetch_related("units__model").order_by("name", "id")
    return list(qs[:limit])


def customer_by_number(actor, number: int) -> list:
    """The customer with this number (id), in the actor's scope: a list of none or one."""
    if not 0 < number < 2**62:
        return []
    return list(visible_to(actor).filter(pk=number).prefetch_related("units__model"))
