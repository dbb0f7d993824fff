"""The work lists' filter forms (shape only; the reads are in ``selectors``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.pagination import CURSOR_MAX_LENGTH

from .choices import Status

PERIODS = (7, 30, 90)


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
        empty_value=30,
        choices=[(d, _("Last %(n)s days") % {"n": d}) for d in PERIODS],
    )
    cursor = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH, widget=forms.HiddenInput)
