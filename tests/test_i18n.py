"""The Simplified Chinese catalogue: complete, compiled, and used by the API, the pages and the language switch."""

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif]|\{[A-Za-z_0-9]*\}|</?[A-Za-z][^>]*>")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    line: int
    flags: set = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict = field(default_factory=dict)  # index -> text; a singular entry uses index 0

    @property
    def label(self) -> str:
        ctx = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {ctx}{self.msgid!r}"


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), body)


def _entry(first_line: int, lines: list[str]) -> Entry | None:
    entry = Entry(line=first_line)
    target: tuple[str, int] | None = None
    for line in lines:
        if line.startswith("#~"):
            return None  # obsolete
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
        else:
            keyword, _, rest = line.partition(" ")
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[index] = _unquote(rest)
                target = ("msgstr", index)
            else:
                setattr(entry, keyword, _unquote(rest))
                target = (keyword, 0)
    return entry


def parse_po(path: Path) -> list[Entry]:
    """A small reader for the PO format (the project has no polib): every live entry, header excluded."""
    entries, block, first = [], [], 0
    for number, raw in enumerate([*path.read_text(encoding="utf-8").splitlines(), ""], start=1):
        line = raw.strip()
        if line:
            first = first or number
            block.append(line)
            continue
        if block:
            entry = _entry(first, block)
            if entry is not None and (entry.msgid or entry.msgctxt is not None):
                entries.append(entry)
        block, first = [], 0
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO_FILE.exists(), f"{PO_FILE} is missing: run makemessages -l zh_Hans"
    return parse_po(PO_FILE)


def test_the_catalogue_header_declares_one_plural_form():
    # given
    header = PO_FILE.read_text(encoding="utf-8").split("\n\n", 1)[0]

    # then
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    assert "#, fuzzy" not in header


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    # given
    assert len(catalogue) > 100, "the catalogue looks truncated"

    # when
    missing = [e.label for e in catalogue if not e.msgstr or not all(e.msgstr.values())]
    fuzzy = [e.label for e in catalogue if "fuzzy" in e.flags]

    # then
    assert not missing, f"{len(missing)} untranslated message(s):\n" + "\n".join(missing)
    assert not fuzzy, f"{len(fuzzy)} fuzzy message(s):\n" + "\n".join(fuzzy)


def test_plural_entries_have_exactly_one_form(catalogue):
    # when
    wrong = [e.label for e in catalogue if e.msgid_plural is not None and sorted(e.msgstr) != [0]]

    # then
    assert not wrong, "zh has nplurals=1; these need exactly msgstr[0]:\n" + "\n".join(wrong)


def test_translations_keep_every_placeholder_and_tag(catalogue):
    # when
    broken = [
        f"{e.label}: {sorted(PLACEHOLDER.findall(e.msgid))} != {sorted(PLACEHOLDER.findall(text))}"
        for e in catalogue
        for text in e.msgstr.values()
        if text and sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(text))
    ]

    # then
    assert not broken, "placeholders differ:\n" + "\n".join(broken)


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    # given
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run compilemessages -l zh_Hans"
    with MO_FILE.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)

    # when
    stale = []
    for e in catalogue:
        if e.msgid_plural is not None:
            got = (
                compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 1)
                if e.msgctxt
                else compiled.ngettext(e.msgid, e.msgid_plural, 1)
            )
        else:
            got = compiled.pgettext(e.msgctxt, e.msgid) if e.msgctxt else compiled.gettext(e.msgid)
        if got != e.msgstr.get(0):
            stale.append(e.label)

    # then
    assert not stale, "django.mo is out of date, run compilemessages:\n" + "\n".join(stale)


@pytest.mark.parametrize(
    ("language", "chinese"),
    [("zh-hans", True), ("zh-Hans,zh;q=0.9,en;q=0.5", True), ("zh-CN", True), ("en", False)],
    ids=["zh-hans", "browser-list", "zh-cn", "english"],
)
def test_a_malformed_json_body_is_explained_in_the_requested_language(customer_user, api_as, language, chinese):
    # given
    client = api_as(customer_user)

    # when
    response = client.post("/service-requests", raw="{not json", headers={"Accept-Language": language})

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "malformed_request"
    if chinese:
        with translation.override("zh-hans"):
            expected = translation.gettext("The request body is not valid JSON.")
        assert body["message"] == expected
        assert CJK.search(body["message"]), body["message"]
    else:
        assert body["message"] == "The request body is not valid JSON."


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("zh-hans", ["登录", "用户名", "密码", 'lang="zh-hans"'], ["Log in<", "Username<"]),
        ("en", ["Log in", "Username", "Password", 'lang="en"'], ["登录"]),
    ],
    ids=["chinese", "english"],
)
def test_the_login_page_renders_in_the_accepted_language(db, language, expected, absent):
    # when
    response = Client().get(reverse("login"), headers={"Accept-Language": language})

    # then
    assert response.status_code == 200
    html = response.content.decode()
    for text in expected:
        assert text in html
    for text in absent:
        assert text not in html


@pytest.mark.parametrize(
    ("start", "switch_to", "expected", "absent"),
    [("en", "zh-hans", "登录", "Log in<"), ("zh-hans", "en", "Log in", "登录")],
    ids=["english-to-chinese", "chinese-to-english"],
)
def test_the_language_switch_sets_the_cookie_and_the_next_page_follows_it(db, start, switch_to, expected, absent):
    # given
    client = Client(headers={"Accept-Language": start})
    login = reverse("login")

    # when
    response = client.post(reverse("set_language"), {"language": switch_to, "next": login})

    # then
    assert response.status_code == 302
    assert response["Location"] == login
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == switch_to
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f'lang="{switch_to}"' in html
    assert expected in html
    assert absent not in html


def test_a_logged_in_customer_sees_the_portal_in_chinese_after_switching(customer_user):
    # given
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(customer_user)

    # when
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("portal:home")})
    response = client.get(reverse("portal:home"))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "我的产品" in html and "退出登录" in html
    assert "My products" not in html
