"""The work lists' filter forms (shape only; the reads are in ``selectors``)."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import DateTimeField
from core.pagination import CURSOR_MAX_LENGTH

from .choices import AGENT_CHANNELS, Category, ServiceAspect, Status

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30


def _last_days(n: int) -> str:
    return gettext("Last %(n)s days") % {"n": n}


last_days = lazy(_last_days, str)  # translated when shown, in the reader's language


class WorkListForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All open"))] + Status.choices)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)
    view = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("All open")),
            ("mine", _("My complaints by deadline")),
            ("at_risk", _("At risk")),
            ("unassigned", _("Unassigned")),
        ],
        widget=forms.HiddenInput,
    )
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


# --- the complaint page and the new complaint form (shape only; the services decide) ---------


class NewComplaintForm(forms.Form):
    customer = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=2**62)
    channel = forms.ChoiceField(label=_("Channel"), choices=[(c.value, c.label) for c in AGENT_CHANNELS])
    received_at = DateTimeField(
        label=_("Received at"),
        help_text=_("When the customer called or wrote (Beijing time); earlier for a call keyed in later."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    description = forms.CharField(label=_("Complaint"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    order = forms.IntegerField(label=_("Work order number (optional)"), required=False, min_value=1, max_value=2**62)
    serial = forms.CharField(label=_("Serial number (optional)"), required=False, max_length=60)


class PortalComplaintForm(forms.Form):
    description = forms.CharField(label=_("Your complaint"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    order = forms.TypedChoiceField(label=_("About the order (optional)"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [("", "—")] + [(o.pk, o.number) for o in orders]


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=30)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)
    version = forms.IntegerField(required=False, min_value=0, max_value=2**31)


class ClassifyForm(TransitionForm):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    service_aspect = forms.ChoiceField(
        label=_("Service aspect"), required=False, choices=[("", "—")] + ServiceAspect.choices
    )
    major = forms.BooleanField(label=_("Major complaint"), required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Route automatically"))] + [(u.pk, u.display_name()) for u in owners]


class ResolveForm(TransitionForm):
    measures = forms.CharField(label=_("Measures taken"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("Result"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label=_("Follow-up"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("Message to the customer"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, min_value=0, max_value=2**31)


class CallbackForm(forms.Form):
    callback_at = DateTimeField(
        label=_("Agreed callback time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    version = forms.IntegerField(required=False, min_value=0, max_value=2**31)


class ExtensionForm(forms.Form):
    clock = forms.ChoiceField(
        label=_("Clock"),
        choices=[("resolution", _("Resolution")), ("acknowledge", _("Acknowledge")), ("classify", _("Classify"))],
    )
    extra = forms.IntegerField(
        label=_("Extra time"),
        min_value=1,
        max_value=10**6,
        help_text=_("Working days for the resolution clock, minutes otherwise."),
    )
    reason = forms.CharField(label=_("Reason (the customer sees it)"), max_length=2000)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
