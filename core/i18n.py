"""Names of master data in both languages.

A product line, product model, component class, department, business calendar or SLA policy
is named in Chinese first (``name``, as the manufacturer catalogues it) and in English second
(``name_en``; empty means "the Chinese name"). ``label`` is the name in the active language.
Free-text attributes of a unit (colour, sales channel) follow the same rule with a second
``*_en`` field beside the first; ``pick`` chooses between such a pair.

``split_bilingual`` takes apart the single "中文 English" / "中文 / English" strings that were
stored before the two fields existed; the data migrations use it.
"""

import re

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def wants_chinese(language: str | None = None) -> bool:
    """Whether names are shown in Chinese in ``language`` (default: the active language)."""
    return (language or get_language() or "").lower().startswith("zh")


def pick(zh: str, en: str, language: str | None = None) -> str:
    """The name in ``language``: Chinese there, else the English one or, when empty, the Chinese."""
    if wants_chinese(language):
        return zh or en
    return en or zh


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def split_bilingual(text: str) -> tuple[str, str]:
    """``"黑色 Black"`` → ``("黑色", "Black")``; ``"指纹智能锁 X1 / Fingerprint smart lock X1"`` →
    ``("指纹智能锁 X1", "Fingerprint smart lock X1")``.

    The Chinese part runs to the last word holding a Chinese character; the rest is English. A
    model designation written on both sides of a `` / `` (``X1``) stays with both. Text without
    Chinese is ``(text, text)``: the name is all there is, in either language; text without
    Latin letters is ``(text, "")``.
    """
    text = (text or "").strip()
    if not has_chinese(text):
        return text, text
    words = text.split()
    last = max(i for i, w in enumerate(words) if has_chinese(w))
    zh, rest = words[: last + 1], words[last + 1 :]
    if "/" in rest:
        cut = rest.index("/")
        between, after = rest[:cut], rest[cut + 1 :]
        if not between or after[-len(between) :] == between:
            zh, rest = zh + between, after
    if not re.search(r"[A-Za-z]", " ".join(rest)):
        return text, ""
    return " ".join(zh), " ".join(rest)


class BilingualName(models.Model):
    """``name`` in Chinese, ``name_en`` in English (empty: the Chinese name), ``label`` in the
    active language. Admin searches list both fields."""

    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(
        _("name (English)"), max_length=120, blank=True, help_text=_("Empty: the Chinese name is shown.")
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick(self.name, self.name_en)

    def label_in(self, language: str) -> str:
        return pick(self.name, self.name_en, language)


def split_stored(model, *, field: str = "name", en_field: str = "name_en", known: dict | None = None) -> int:
    """Data migrations: give ``model``'s rows (a historical model) their two names.

    A value holding Chinese and English (``"黑色 Black"``) is split into ``field`` and
    ``en_field``; a value in ``known`` (``{english: (chinese, english)}``, the English-only
    names seeded earlier) gets its pair; other values stay as they are. Rows whose ``en_field``
    is already filled are left alone. Works per distinct value, so large tables cost one
    UPDATE per value. Returns the number of rows changed.
    """
    known = known or {}
    rows = model.objects.filter(**{en_field: ""})
    changed = 0
    for value in rows.values_list(field, flat=True).distinct().order_by():
        if value in known:
            zh, en = known[value]
        else:
            zh, en = split_bilingual(value)
            if not (has_chinese(value) and en):
                continue
        changed += rows.filter(**{field: value}).update(**{field: zh, en_field: en})
    return changed
