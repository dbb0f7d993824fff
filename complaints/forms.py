"""The work lists' filter forms (shape only; the reads are in ``selectors``)."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.pagination import CURSOR_MAX_LENGTH

from .choices import Status

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30


def _last_days(n: int) -> str:
    return gettext("Last %(n)s days") % {"n": n}


last_days = lazy(_last_days, str)  # translated when shown, in the reader's language


class WorkListForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All open"))] + Status.choices)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)
    cursor = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH, widget=forms.HiddenInput)


class QualityForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"),
        required=False,
        coerce=int,
        empty_value=DEFAULT_DAYS,
        initial=DEFAULT_DAYS,
        choices=[(d, last_days(d)) for d in PERIODS],
    )
    cursor = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH, widget=forms.HiddenInput)
