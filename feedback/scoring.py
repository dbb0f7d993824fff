"""The survey's arithmetic, pure (no database): scale → 0–100, weighted score, overall
satisfaction, negative wording (docs/feedback.md)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .choices import Dimension

CENT = Decimal("0.01")


def scale_to_100(value: int, low: int, high: int) -> Decimal:
    """A scale answer on 0–100: the lowest point is 0, the highest 100, linear between."""
    return (Decimal(value - low) * 100 / Decimal(high - low)).quantize(CENT, ROUND_HALF_UP)


def _weighted(items: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    total = sum((w for _s, w in items), Decimal(0))
    if not items or total == 0:
        return None
    return (sum((s * w for s, w in items), Decimal(0)) / total).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Scores:
    score: Decimal  # weighted over every scale question
    product: Decimal | None  # weighted over the product-quality questions
    service: Decimal | None  # weighted over the service questions
    overall: Decimal  # product × w + service × (1 − w); one of them alone when the other is missing


def scores(items: list[tuple[Decimal, Decimal, str]], *, product_weight: float) -> Scores:
    """``items``: (score on 0–100, weight, dimension) of each answered scale question."""
    score = _weighted([(s, w) for s, w, _d in items]) or Decimal(0)
    product = _weighted([(s, w) for s, w, d in items if d == Dimension.PRODUCT])
    service = _weighted([(s, w) for s, w, d in items if d == Dimension.SERVICE])
    w = Decimal(str(product_weight))
    if product is not None and service is not None:
        overall = (product * w + service * (1 - w)).quantize(CENT, ROUND_HALF_UP)
    else:
        overall = product if product is not None else service if service is not None else score
    return Scores(score=score, product=product, service=service, overall=overall)


def is_negative(text: str, words) -> bool:
    """Whether ``text`` holds one of the negative words (case-insensitive substring match: a
    Chinese text has no spaces between words; the improvement app tokenizes properly)."""
    low = (text or "").lower()
    return any(w and str(w).lower() in low for w in words)
