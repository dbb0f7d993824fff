"""What the product archive holds about a person, for the PIPL export and erasure
(``core.pii``): the units they own, with their purchase proofs."""

from core.pii import Handler, document_summary, fields_of

from .models import Unit

_UNIT_FIELDS = [
    "serial",
    "batch",
    "production_date",
    "sale_date",
    "purchase_date",
    "channel",
    "channel_en",
    "colour",
    "colour_en",
    "status",
    "registered_at",
]


def units_export(customer, ctx) -> list:
    return [
        {**fields_of(u, _UNIT_FIELDS), "model": u.model.code, "proof": document_summary(u.proof)}
        for u in Unit.objects.filter(owner=customer).select_related("model", "proof").order_by("id")
    ]


UNITS = Handler(
    key="units",
    order=40,
    export=units_export,
    # the unit that replaced this one may belong to someone else
    skip_edges=[(Unit, "replaced_by")],
)
