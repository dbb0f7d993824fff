"""The text sources of the voice of the customer this app knows: complaint descriptions and
repair causes. Another app adds its own (the survey comments) with
``voc.register_text_source(TextSource(key, label, texts))`` in its ``AppConfig.ready``."""

from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from service.models import RepairReport

from .voc import TextSource, register_text_source


def complaint_texts(start, end):
    qs = Complaint.objects.filter(created_at__gte=start, created_at__lt=end).order_by("id")
    return qs.values_list("description", flat=True).iterator(chunk_size=2000)


def repair_texts(start, end):
    qs = RepairReport.objects.filter(created_at__gte=start, created_at__lt=end).order_by("id")
    return qs.values_list("cause", flat=True).iterator(chunk_size=2000)


COMPLAINTS = TextSource("complaints", _("Complaints"), complaint_texts)
REPAIRS = TextSource("repairs", _("Repair causes"), repair_texts)


def register_defaults() -> None:
    register_text_source(COMPLAINTS)
    register_text_source(REPAIRS)
