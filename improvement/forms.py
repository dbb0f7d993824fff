"""The improvement pages' forms (shape only; the services check the rest)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.pagination import CURSOR_MAX_LENGTH

from .choices import CorrectiveKind, CorrectiveStatus, Document, Metric, PromiseKind, SourceKind

MAX_ID = 2**63 - 1


class DateInput(forms.DateInput):
    input_type = "date"


class CorrectiveFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds"))] + CorrectiveKind.choices)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All open"))] + CorrectiveStatus.choices
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)
    cursor = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH, widget=forms.HiddenInput)


class BoardFilterForm(forms.Form):
    source_kind = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources"))] + SourceKind.choices
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)


class CorrectiveForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CorrectiveKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    batch = forms.CharField(label=_("Production batch"), required=False, max_length=40)
    staff = forms.TypedMultipleChoiceField(label=_("Staff involved"), required=False, coerce=int)
    major = forms.BooleanField(
        label=_("Major complaint: ad-hoc appraisal"),
        required=False,
        help_text=_("Always so when the complaint was classified as major."),
    )
    document = forms.ChoiceField(label=_("Document"), required=False, choices=[("", "—")] + Document.choices)
    section = forms.CharField(label=_("Section"), required=False, max_length=200)

    def __init__(self, *args, owners=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = list(owners)
        self.fields["staff"].choices = list(staff)


class PromiseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PromiseKind.choices)
    description = forms.CharField(
        label=_("What is promised"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    amount = forms.DecimalField(label=_("Amount (CNY)"), required=False, min_value=0, max_digits=12, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", pgettext_lazy("promise", "Approve")), ("refuse", pgettext_lazy("promise", "Refuse"))]
    )
    note = forms.CharField(
        label=_("Written approval or refusal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=30)
    note = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class ImprovementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    source_kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices, initial=SourceKind.ANALYSIS)
    source_id = forms.IntegerField(label=_("Source number"), required=False, min_value=1, max_value=MAX_ID)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    plan = forms.CharField(label=_("Plan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    metric = forms.ChoiceField(label=_("Metric of the effect check"), choices=Metric.choices)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = list(owners)


class EffectForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)


class VocForm(forms.Form):
    month = forms.RegexField(label=_("Month"), regex=r"^(20\d\d)-(0[1-9]|1[0-2])$", required=False, max_length=7)
    source = forms.ChoiceField(label=_("Source"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Both")), ("zh", _("Chinese")), ("en", _("English"))]
    )

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("All sources"))] + list(sources)
