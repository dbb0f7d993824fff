"""Shared bases for choice enums."""

from django.db import models
from django.utils.translation import gettext


class EventTypes(models.TextChoices):
    """Base of a case type's event-type enum: a stored action's translated label, never its code."""

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored action; an unknown one (a row older than its type) reads "Event"."""
        try:
            return str(cls(value).label)
        except ValueError:
            return gettext("Event")
