"""Portal forms: they check the shape of the input; the rules live in the services.

``add_domain_error`` is the one place where a service's ``DomainError`` becomes form errors.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from products.models import ProductModel, Unit
from service.choices import Mode, Priority, ServiceType

MAX_ATTACHMENTS = 5
UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def add_domain_error(form: forms.Form, exc: DomainError, *, aliases: dict[str, str] | None = None) -> None:
    """Put a service error on the form: on its fields where the service named them, else on top."""
    aliases = aliases or {}
    placed = False
    for key, messages in (exc.fields or {}).items():
        name = aliases.get(key, key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


class SignupForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    name = forms.CharField(label=_("Your name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords do not match."))
        return data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class UnitRegisterForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    model = forms.ModelChoiceField(
        label=_("Product model"),
        queryset=ProductModel.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("— already in your product archive —"),
        help_text=_("Needed when the serial number is not yet known to us."),
    )
    purchase_date = forms.DateField(
        label=_("Purchase date (on the invoice or receipt)"), required=False, widget=DateInput()
    )
    proof = forms.FileField(
        label=_("Purchase proof (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
        help_text=_("The warranty starts on the purchase date shown on the proof."),
    )
    sold_online = forms.BooleanField(label=_("Bought online (e-commerce platform)"), required=False)
    received_date = forms.DateField(
        label=_("Day you received the goods"),
        required=False,
        widget=DateInput(),
        help_text=_("For online purchases: the seven-day no-reason return counts from this day."),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": UPLOAD_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class RequestForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— none / not registered —"),
    )
    service_type = forms.ChoiceField(label=_("Service type"), choices=ServiceType.choices, initial=ServiceType.REPAIR)
    fault_description = forms.CharField(
        label=_("What is the problem?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    mode = forms.ChoiceField(label=_("Service mode"), choices=Mode.choices, initial=Mode.ONSITE)
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    preferred_time = forms.CharField(
        label=_("Preferred time"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. weekday mornings")}),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL, widget=forms.RadioSelect
    )
    urgent_reason = forms.CharField(
        label=_("Why is it urgent?"),
        max_length=500,
        required=False,
        help_text=_("For example a safety risk or production stopped."),
    )
    attachments = MultipleFileField(label=_("Photos or documents (PDF, JPEG or PNG)"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.model.label} · {u.serial}"

    def clean(self):
        data = super().clean()
        if data.get("priority") == Priority.URGENT and not (data.get("urgent_reason") or "").strip():
            self.add_error("urgent_reason", _("Tell us why the request is urgent."))
        if data.get("mode") == Mode.ONSITE and not (data.get("address") or "").strip():
            self.add_error("address", _("Give the address for the on-site visit."))
        return data


class CancelForm(forms.Form):
    note = forms.CharField(label=_("Why do you cancel?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class QuoteDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Comment (optional)"), max_length=2000, required=False)


class AcceptanceForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("refuse", _("Refuse"))])
    signer_name = forms.CharField(label=_("Your name"), max_length=120)
    signature = forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        max_length=2_000_000,
        error_messages={"max_length": _("The signature is too large.")},
    )
    comment = forms.CharField(
        label=_("Comment (required when you refuse)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("signature"):
            self.add_error("signature", _("Draw the signature first."))
        if data.get("decision") == "refuse" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Tell us why you do not accept the service."))
        return data
