"""The dashboard's filter form: the shape of the input; the period's rules are ``dashboard.parse_filters``'s."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.regions import region_label

from .dashboard import MAX_DAYS

ANY = [("", _("Any"))]
DATE = {"type": "date"}


class DashboardFilterForm(forms.Form):
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    days = forms.IntegerField(required=False, min_value=1, max_value=MAX_DAYS, widget=forms.HiddenInput)
    region = forms.ChoiceField(label=_("Region"), required=False)
    product_line = forms.TypedChoiceField(label=_("Product line"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, regions, product_lines, departments):
        super().__init__(data)
        self.fields["region"].choices = ANY + [(r, region_label(r)) for r in regions]
        self.fields["product_line"].choices = ANY + list(product_lines)
        self.fields["department"].choices = ANY + list(departments)

    def values(self) -> dict:
        """The valid fields' values (an invalid one is left out: its default applies)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        names = ("received_from", "received_to", "days", "region", "product_line", "department")
        return {name: data[name] for name in names if data.get(name) not in (None, "")}
