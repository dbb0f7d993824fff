"""Forms of the agent console and the engineer view.

They check the *shape* of the input (types, lengths, choices); the rules live in the
services, which both the UI and the API call.
"""

from django import forms
from django.db import router
from django.forms import formset_factory
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import Department, User
from core import dates, lean
from products.warranty import Cause
from sla.models import ClockName

from .choices import Channel, LineKind, Mode, Priority, ServiceType, Status
from .filters import WorkOrderFilter
from .rendering import renderer
from .replacement import ReplacementGround
from .workflow import ACTIONS

ANY = [("", _("Any"))]
PAGE_SIZES = [(10, "10"), (25, "25"), (50, "50"), (100, "100")]
SORT_CHOICES = [("newest", _("Newest first")), ("oldest", _("Oldest first")), ("due", _("Next deadline"))]
# The work order's clocks (sla.cases: service/clocks.py) and what the dashboard counts of each.
ORDER_CLOCKS = [(c.value, c.label) for c in (ClockName.RESPONSE, ClockName.ONSITE, ClockName.RESOLUTION, ClockName.FIX)]
CLOCK_STATE_CHOICES = [
    ("met", _("Met on time")),
    ("breached", _("Breached")),
    ("pending", _("Pending")),
    ("stopped", _("Stopped (met or breached)")),
]
DATETIME_LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class Form(forms.Form):
    """A console form: its widgets are written by ``service.rendering`` (the same HTML, faster)."""

    default_renderer = renderer


_ENGINEERS = lean.Compiled(
    lambda: (
        User.objects.filter(role=Role.ENGINEER, is_active=True)
        .order_by("first_name", "last_name", "username")
        .only("pk", "username", "first_name", "last_name")
    )
)
_TEAMS = lean.Compiled(lambda: Department.objects.order_by("name"))


def assignment_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The active field engineers (by name) and the teams (by name): the order page's
    assignment form, its POST and the queue's filters show both lists on every request, so
    both statements are compiled once (``core.lean.Compiled``)."""
    engineers = [(u.pk, u.display_name()) for u in _ENGINEERS.fetch(router.db_for_read(User))]
    return engineers, [(d.pk, d.label) for d in _TEAMS.fetch(router.db_for_read(Department))]


class QueueFilterForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Order number, serial or phone")}),
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=Status.choices, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=ANY + Priority.choices)
    service_type = forms.ChoiceField(label=_("Service type"), required=False, choices=ANY + ServiceType.choices)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=ANY + Channel.choices)
    assignee = forms.TypedChoiceField(label=_("Engineer"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    # The dashboard's drill-downs (analytics): the period, region and product line it was
    # filtered by, and what the figure counts.
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=60)
    product_line = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    open = forms.BooleanField(label=_("Open only"), required=False)
    at_risk = forms.BooleanField(label=_("At risk only"), required=False)
    clock = forms.ChoiceField(label=_("SLA clock"), required=False, choices=ANY + ORDER_CLOCKS)
    clock_state = forms.ChoiceField(label=_("Clock state"), required=False, choices=ANY + CLOCK_STATE_CHOICES)
    clock_from = forms.DateField(
        label=_("Clock started from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    clock_to = forms.DateField(
        label=_("Clock started to"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)
    size = forms.TypedChoiceField(label=_("Per page"), required=False, coerce=int, empty_value=None, choices=PAGE_SIZES)
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, data=None, *, engineers, departments, default_size: int = 25):
        if data is not None and not data.get("size"):
            data = data.copy()
            data["size"] = str(default_size)
        super().__init__(data, initial={"size": default_size})
        sizes = sorted({n for n, _label in PAGE_SIZES} | {default_size})
        self.fields["size"].choices = [(n, str(n)) for n in sizes]
        self.fields["assignee"].choices = ANY + list(engineers)
        self.fields["department"].choices = ANY + list(departments)

    def _value(self, name, default=None):
        """A field's clean value, or ``default`` when it is missing or invalid."""
        if not self.is_bound:
            return default
        data = getattr(self, "cleaned_data", {})
        value = data.get(name)
        return default if value in (None, "") else value

    def to_filter(self) -> WorkOrderFilter:
        return WorkOrderFilter(
            status=list(self._value("status", [])),
            priority=self._value("priority", ""),
            service_type=self._value("service_type", ""),
            channel=self._value("channel", ""),
            assignee=self._value("assignee"),
            department=self._value("department"),
            overdue=bool(self._value("overdue", False)),
            q=self._value("q", ""),
            sort=self._value("sort", "newest"),
            received_from=self._value("received_from"),
            received_to=self._value("received_to"),
            region=self._value("region", "").strip(),
            product_line=self._value("product_line"),
            open=bool(self._value("open", False)),
            at_risk=bool(self._value("at_risk", False)),
            clock=self._value("clock", ""),
            clock_state=self._value("clock_state", ""),
            clock_from=self._value("clock_from"),
            clock_to=self._value("clock_to"),
        )

    @property
    def cursor_value(self) -> str | None:
        return self._value("cursor")

    @property
    def size_value(self) -> int | None:
        return self._value("size")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; returns a list (possibly empty)."""

    def __init__(self, *args, max_files: int = 10, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        self.max_files = max_files
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > self.max_files:
            raise forms.ValidationError(_("At most %(n)s files.") % {"n": self.max_files}, code="too_many_files")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class RequestForm(Form):
    """A request an agent keys in during a phone call."""

    phone = forms.CharField(
        label=_("Caller's phone"), max_length=30, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
    )
    customer = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Customer name (new customer)"), required=False, max_length=120)
    email = forms.EmailField(label=_("Email (new customer)"), required=False, max_length=254)
    region = forms.CharField(label=_("Region (new customer)"), required=False, max_length=60)
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=120)
    serial = forms.CharField(
        label=_("Serial number"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={  # the unit's model and its Three Guarantees remedies, while the agent types
                "autocomplete": "off",
                "hx-get": reverse_lazy("service:serial_check"),
                "hx-trigger": "input changed delay:400ms, change",  # typed or pasted
                "hx-target": "#serial-check",
            }
        ),
    )
    service_type = forms.ChoiceField(label=_("Service type"), choices=ServiceType.choices, initial=ServiceType.REPAIR)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    mode = forms.ChoiceField(label=_("Service mode"), choices=Mode.choices, initial=Mode.ONSITE)
    fault_description = forms.CharField(label=_("Fault description"), max_length=5000, widget=forms.Textarea)
    address = forms.CharField(label=_("Service address"), required=False, max_length=300)
    preferred_time = forms.CharField(label=_("Preferred time"), required=False, max_length=100)
    attachments = MultipleFileField(label=_("Attachments (purchase proof, photos)"), required=False)

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])


def normalise_phone(value: str) -> str:
    """Drop the spaces and dashes people type; the rest is checked by the service."""
    return "".join(ch for ch in (value or "") if ch not in " -()\u3000").strip()


class TransitionForm(Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)
    version = forms.IntegerField(min_value=1, max_value=2**31, widget=forms.HiddenInput)
    cause = forms.ChoiceField(label=_("Cause"), required=False, choices=[("", "—")] + Cause.choices)
    component = forms.CharField(label=_("Failed component"), required=False, max_length=40)
    part = forms.CharField(label=_("Failed part"), required=False, max_length=120)
    part_serial = forms.CharField(label=_("Failed part serial"), required=False, max_length=60)


class VisitForm(Form):
    """A check-in or check-out: the phone's position if it gave one (``latitude,longitude``);
    the service checks the numbers (``services.visits.parse_location``)."""

    location = forms.CharField(label=_("Location"), required=False, max_length=60)


class AssignForm(Form):
    assignee = forms.TypedChoiceField(label=_("Engineer"), required=False, coerce=int, empty_value=None)
    appointment_at = dates.DateTimeField(
        label=_("Appointment"),
        required=False,
        input_formats=DATETIME_LOCAL,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    department = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        help_text=_("Needed to override the dispatch rules, or for a visit after the on-site deadline."),
    )
    version = forms.IntegerField(min_value=1, max_value=2**31, widget=forms.HiddenInput)

    def __init__(self, *args, engineers, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Unassigned"))] + list(engineers)
        self.fields["department"].choices = [("", _("Unchanged"))] + list(departments)


class QuoteForm(Form):
    plan = forms.CharField(
        label=_("Repair plan"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    estimated_hours = forms.DecimalField(
        label=_("Estimated duration (hours)"), required=False, min_value=0, max_digits=6, decimal_places=1
    )


class QuoteLineForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LineKind.choices, initial=LineKind.LABOUR)
    description = forms.CharField(label=_("Description"), max_length=200)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0.01, max_digits=10, decimal_places=2, initial=1)
    unit_price = forms.DecimalField(label=_("Unit price (CNY)"), min_value=0, max_digits=12, decimal_places=2)


QuoteLineFormSet = formset_factory(
    QuoteLineForm, extra=3, max_num=30, absolute_max=30, validate_max=True, renderer=renderer
)


class QuoteDecisionForm(Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)


class ReportForm(Form):
    cause = forms.CharField(label=_("Cause"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    process = forms.CharField(label=_("Process"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    minutes_spent = forms.IntegerField(label=_("Time spent (minutes)"), min_value=0, max_value=100_000)
    service_date = forms.DateField(
        label=_("Service date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    version = forms.IntegerField(min_value=1, max_value=2**31, widget=forms.HiddenInput)


class PartForm(Form):
    """One part used; a row without a part number and a name is ignored."""

    part_number = forms.CharField(label=_("Part number"), required=False, max_length=60)
    name = forms.CharField(label=_("Part"), required=False, max_length=120)
    old_serial = forms.CharField(label=_("Old serial"), required=False, max_length=60)
    new_serial = forms.CharField(label=_("New serial"), required=False, max_length=60)
    quantity = forms.IntegerField(label=_("Qty"), required=False, min_value=1, max_value=1000, initial=1)

    def clean(self):
        data = super().clean()
        if (data.get("old_serial") or data.get("new_serial")) and not (data.get("part_number") or data.get("name")):
            raise forms.ValidationError(_("Give the part number or the name of the part."))
        return data


PartFormSet = formset_factory(PartForm, extra=2, max_num=50, absolute_max=50, validate_max=True, renderer=renderer)


def parts_of(formset) -> list[dict]:
    """The filled-in rows of a valid parts formset."""
    return [
        {**f.cleaned_data, "quantity": f.cleaned_data.get("quantity") or 1}
        for f in formset.forms
        if f.cleaned_data and (f.cleaned_data.get("part_number") or f.cleaned_data.get("name"))
    ]


class AcceptanceForm(Form):
    signer_name = forms.CharField(label=_("Signed by"), max_length=120)
    signature = forms.CharField(required=False, max_length=3_000_000, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("refuse", _("Refuse"))])
    comment = forms.CharField(
        label=_("Comment (reason when refusing)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReplacementForm(Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=ReplacementGround.choices)
    new_serial = forms.CharField(label=_("New serial number"), required=False, max_length=60)
    new_model_code = forms.CharField(label=_("New model code (blank: same model)"), required=False, max_length=40)
    new_colour = forms.CharField(label=_("Colour"), required=False, max_length=30)
    new_colour_en = forms.CharField(label=_("Colour in English"), required=False, max_length=30)
    is_return = forms.BooleanField(label=_("Return (refund) instead of a new unit"), required=False)
    manager_approved = forms.BooleanField(label=_("Special case approved by me (manager)"), required=False)
    approval_reason = forms.CharField(
        label=_("Reason for the approval (when the rules do not allow it)"), required=False, max_length=2000
    )
    goods_condition = forms.CharField(label=_("Condition of the returned goods"), required=False, max_length=300)


class NoteForm(Form):
    note = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
