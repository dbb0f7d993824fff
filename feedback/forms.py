"""Forms of the feedback pages (shape only; the rules are in ``services``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.pagination import CURSOR_MAX_LENGTH

from .choices import FollowUpStatus, Outcome
from .services import MAX_NOTE


class SurveyListForm(forms.Form):
    unsatisfied = forms.BooleanField(label=_("Not satisfied only"), required=False)
    negative = forms.BooleanField(label=_("Negative comments only"), required=False)
    cursor = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH, widget=forms.HiddenInput)


class FollowUpListForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=FollowUpStatus.choices)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)
    cursor = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH, widget=forms.HiddenInput)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 4})
    )


class KpiForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(label=_("Department"), required=False, queryset=None)
    product_line = forms.ModelChoiceField(label=_("Product line"), required=False, queryset=None)

    def __init__(self, *args, **kwargs):
        from accounts.models import Department
        from products.models import ProductLine

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("code")
        self.fields["product_line"].queryset = ProductLine.objects.order_by("code")
        self.fields["department"].label_from_instance = lambda d: d.label
        self.fields["product_line"].label_from_instance = lambda p: p.label


class CallLookupForm(forms.Form):
    """Who the agent is talking to: a work order number or the customer's phone."""

    order = forms.CharField(label=_("Work order number"), required=False, max_length=30)
    phone = forms.CharField(label=_("Customer phone"), required=False, max_length=30)
