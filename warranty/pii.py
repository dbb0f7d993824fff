"""What the warranty app declares for the PIPL erasure (``core.pii``): the units of a
replacement may have had other owners, so the walk does not follow them."""

from core.pii import Handler

from .models import Replacement

REPLACEMENTS = Handler(
    key="replacements",
    order=55,
    skip_edges=[(Replacement, "old_unit"), (Replacement, "new_unit")],
)
