from accounts.roles import can

from .models import Customer


def visible_to(actor):
    """Customers the actor may see: their own record for customers, all for back office."""
    qs = Customer.objects.all()
    if actor is None or not actor.is_authenticated:
        return qs.none()
    if can(actor, "customer.view_all"):
        return qs
    return qs.filter(user=actor)


def customer_of(actor) -> Customer | None:
    return Customer.objects.filter(user=actor).first() if actor.is_authenticated else None
