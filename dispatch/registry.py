"""The service types a skill or a certificate requirement can name.

They are the work order's (``service.choices.ServiceType``), and ``service`` sits above this
app: it registers its choices here in its ``AppConfig.ready`` (docs/architecture.md, "invert
it"). A skill stores the code; an empty code means every type.
"""

from django.utils.translation import gettext_lazy as _

_SERVICE_TYPES: list[tuple[str, str]] = []


def register_service_types(choices) -> None:
    _SERVICE_TYPES[:] = [(str(value), label) for value, label in choices]


def service_type_choices() -> list[tuple[str, str]]:
    return [("", _("Every service type")), *_SERVICE_TYPES]


def service_type_label(code: str) -> str:
    if not code:
        return str(_("every service type"))
    return str(dict(_SERVICE_TYPES).get(code, code))


def known_service_type(code: str) -> bool:
    return code == "" or code in dict(_SERVICE_TYPES)
