"""``service.rendering.FastRenderer`` writes exactly what Django's widget templates write."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from service import forms as console_forms
from service.rendering import FastRenderer

TEMPLATES = DjangoTemplates()


class Tricky(forms.Form):
    """Every widget the fast path covers, with values and attributes that need escaping."""

    text = forms.CharField(initial='a "quoted" <b>value</b> & more', widget=forms.TextInput(attrs={"data-x": "<&>"}))
    safe = forms.CharField(initial=mark_safe("<i>safe</i>"), required=False)
    number = forms.DecimalField(initial=Decimal("1234.50"), min_value=0, max_digits=8, decimal_places=2)
    integer = forms.IntegerField(initial=0, widget=forms.NumberInput(attrs={"min": 0, "step": 1, "autofocus": True}))
    hidden = forms.CharField(initial=None, required=False, widget=forms.HiddenInput(attrs={"disabled": False}))
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"placeholder": _("Email")}))
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="s3cret")
    date = forms.DateField(initial=dt.date(2026, 3, 9), widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(
        initial=dt.datetime(2026, 3, 9, 14, 5, tzinfo=dt.UTC),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    plain_when = forms.DateTimeField(initial=dt.datetime(2026, 3, 9, 14, 5, tzinfo=dt.UTC), required=False)
    time = forms.TimeField(initial=dt.time(8, 30), required=False)
    flag = forms.BooleanField(initial=True, required=False)
    off = forms.BooleanField(initial=False, required=False)
    notes = forms.CharField(initial='line 1\n<script>alert("x")</script>\n', widget=forms.Textarea(attrs={"rows": 2}))
    empty_notes = forms.CharField(required=False, widget=forms.Textarea)
    choice = forms.ChoiceField(choices=[("", _("Any")), ("a", "A & B"), (3, 3), ("<", mark_safe("<b>safe</b>"))])
    typed = forms.TypedChoiceField(choices=[(1, "one"), (2, "two")], coerce=int, initial=2)
    grouped = forms.ChoiceField(choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("x", "X")], initial="pear")
    many = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B"), ("c", "C")], initial=["a", "c"], widget=forms.SelectMultiple(attrs={"size": 3})
    )


def rendered(form) -> list[str]:
    return [str(bf) for bf in form] + [str(bf.errors) for bf in form] + [str(form.non_field_errors())]


def both(make) -> tuple[list[str], list[str]]:
    out = []
    for renderer in (TEMPLATES, FastRenderer()):
        form = make(renderer)
        form.renderer = renderer  # also for a form whose __init__ takes no renderer
        out.append(rendered(form))
    return out[0], out[1]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_tricky_widgets_render_the_same(language):
    with translation.override(language):
        slow, fast = both(lambda r: Tricky(renderer=r))
        assert fast == slow


def test_bound_forms_with_errors_render_the_same():
    data = {"text": "", "number": "x", "integer": "-", "choice": "nope", "many": ["z"], "notes": "n", "date": "?"}
    slow, fast = both(lambda r: Tricky(data, renderer=r))
    assert any("errorlist" in html for html in slow)
    assert fast == slow


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_console_forms_render_the_same(language):
    engineers, teams = [(7, "Li Gong"), (9, "王 <五>")], [(1, "Field service")]
    makers = [
        lambda r: console_forms.AssignForm(
            engineers=engineers, departments=teams, initial={"assignee": 9, "version": 3}, renderer=r
        ),
        lambda r: console_forms.QueueFilterForm(
            {"status": ["new", "scheduled"], "department": "1", "sort": "due"}, engineers=engineers, departments=teams
        ),
        lambda r: console_forms.ReportForm(initial={"version": 2, "minutes_spent": 90, "cause": "a < b"}, renderer=r),
        lambda r: console_forms.QuoteForm(renderer=r),
        lambda r: console_forms.ReplacementForm(renderer=r),
        lambda r: console_forms.AcceptanceForm(initial={"signer_name": "张三"}, renderer=r),
        lambda r: console_forms.RequestForm(renderer=r),
    ]
    with translation.override(language):
        for make in makers:
            slow, fast = both(make)
            assert fast == slow
        lines = [
            type("Lines", (console_forms.QuoteLineFormSet,), {"renderer": r})(prefix="lines")
            for r in (TEMPLATES, FastRenderer())
        ]
        assert [rendered(f) for f in lines[1]] == [rendered(f) for f in lines[0]]
        assert str(lines[1].management_form) == str(lines[0].management_form)


def test_the_console_forms_use_the_fast_renderer():
    assert isinstance(console_forms.NoteForm().renderer, FastRenderer)
    assert isinstance(console_forms.PartFormSet(prefix="parts").forms[0].renderer, FastRenderer)
    assert isinstance(console_forms.QuoteLineFormSet(prefix="lines").management_form.renderer, FastRenderer)
