"""Voice of the customer: the themes (frequent terms) of the customers' texts per month.

Texts come from registered sources (``voc_sources``: complaints, repair causes; the survey
comments register themselves the same way). Each text is cut into words by ``rjieba`` (Chinese)
— English words come out of it whole — lower-cased; stop words of both languages, numbers,
punctuation, one-character Chinese words, English words under three letters and the placeholder
of erased texts (``core.pii.PLACEHOLDER``, PIPL) are dropped.
``voc_compute`` writes one month's counts into ``VocTheme`` (a periodic job and a button).
"""

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import rjieba
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from core.dates import zone
from core.pii import PLACEHOLDER

from .models import VocTheme
from .stopwords import STOP_EN, STOP_ZH

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD_EN = re.compile(r"^[a-z][a-z'\-]*[a-z]$")
MAX_TERM = 60


def language_of(term: str) -> str:
    return "zh" if _CJK.search(term) else "en"


def tokenize(text: str) -> list[str]:
    """The theme words of ``text``, in order, stop words and noise dropped."""
    words = []
    for raw in rjieba.cut((text or "").replace(PLACEHOLDER, " ")):  # an erased text says nothing
        word = raw.strip().lower()
        if not word or len(word) > MAX_TERM:
            continue
        if _CJK.search(word):
            if len(word) < 2 or word in STOP_ZH or not all(_CJK.match(ch) for ch in word):
                continue
        elif not _WORD_EN.match(word) or len(word) < 3 or word in STOP_EN:
            continue
        words.append(word)
    return words


@dataclass(frozen=True)
class TextSource:
    """``texts(start, end)`` yields the texts written in ``[start, end)``."""

    key: str
    label: Promise | str
    texts: Callable[[dt.datetime, dt.datetime], Iterable[str]]


_SOURCES: dict[str, TextSource] = {}


def register_text_source(source: TextSource) -> None:
    _SOURCES[source.key] = source


def unregister_text_source(key: str) -> None:
    _SOURCES.pop(key, None)


def sources() -> list[TextSource]:
    return list(_SOURCES.values())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return month_start(month - dt.timedelta(days=1))


def next_month(month: dt.date) -> dt.date:
    return month_start(month + dt.timedelta(days=32))


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = zone()
    start = dt.datetime.combine(month, dt.time(), tzinfo=tz)
    return start, dt.datetime.combine(next_month(month), dt.time(), tzinfo=tz)


def count_terms(texts: Iterable[str]) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        counts.update(tokenize(text))
    return counts


def voc_compute(*, month: dt.date, now: dt.datetime | None = None) -> int:
    """(Re)compute the themes of ``month`` (any day in it) from every registered source; returns
    the number of rows written. Idempotent: the month's rows are replaced in one transaction.
    Derived data (recomputable from the sources at any time): no audit rows."""
    now = now or timezone.now()
    month = month_start(month)
    start, end = month_bounds(month)
    rows = []
    for source in sources():
        for term, n in count_terms(source.texts(start, end)).items():
            rows.append(
                VocTheme(
                    period=month, source=source.key, language=language_of(term), term=term, count=n, computed_at=now
                )
            )
    with transaction.atomic():
        VocTheme.objects.filter(period=month).delete()
        VocTheme.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
