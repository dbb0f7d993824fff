from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.masking import mask_email, mask_phone

from .models import ChannelName


class PreferenceForm(forms.Form):
    """Shape only; the rules are ``preferences.preference_set``'s."""

    language = forms.ChoiceField(label=_("Language of messages"), choices=settings.LANGUAGES)
    channels = forms.MultipleChoiceField(
        label=_("Also send my messages by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Messages always appear in your inbox here."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        email = mask_email(user.email) if user.email else _("no e-mail address on file")
        phone = mask_phone(user.phone) if user.phone else _("no mobile number on file")
        self.fields["channels"].choices = [
            (ChannelName.EMAIL, _("E-mail (%(address)s)") % {"address": email}),
            (ChannelName.SMS, _("SMS (%(number)s)") % {"number": phone}),
        ]
