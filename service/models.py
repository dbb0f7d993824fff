from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import pick
from products.warranty import Cause
from sla.models import Clock, PolicySnapshot, clock_constraints, clock_indexes

from .choices import Channel, Coverage, EventType, LineKind, Mode, Priority, QuoteStatus, ServiceType, Status
from .replacement import ReplacementGround

NUMBER_PREFIX = "WO"


def order_number(pk: int | None) -> str:
    return f"{NUMBER_PREFIX}{pk:08d}" if pk else ""


class WorkOrder(models.Model):
    """A service request and the work order it becomes (SPEC §1)."""

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    version = models.PositiveIntegerField(default=1)
    # No single-column index where a composite of Meta.indexes starts with the column (customer,
    # assignee, department): every index is one more B-tree entry for each intake to write.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    contact_name = models.CharField(_("contact"), max_length=120)
    contact_phone = models.CharField(_("contact phone"), max_length=30, db_index=True)
    unit = models.ForeignKey(
        "products.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    serial = models.CharField(_("serial number"), max_length=60, blank=True, db_index=True)
    product_model = models.ForeignKey(  # no order is looked up by model: no index to keep up
        "products.ProductModel",
        verbose_name=_("model"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    mode = models.CharField(_("service mode"), max_length=10, choices=Mode.choices, default=Mode.ONSITE)
    fault_description = models.TextField(_("fault description"), max_length=5000)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Where the visit goes, WGS-84 (core.geo): typed with the address, from the geocoder, or the
    # customer's default address's. Map links convert it to the map apps' datums.
    site_lat = models.DecimalField(_("site latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    site_lng = models.DecimalField(_("site longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    preferred_time = models.CharField(_("preferred time"), max_length=100, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_orders",
        db_index=False,
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    coverage = models.CharField(_("coverage"), max_length=15, choices=Coverage.choices, default=Coverage.UNDETERMINED)
    coverage_reason = models.CharField(_("coverage reason"), max_length=30, blank=True)
    cause = models.CharField(_("cause"), max_length=30, choices=Cause.choices, blank=True)
    # The assessment's failed component decides the coverage (docs/warranty.md).
    failed_component = models.ForeignKey(
        "products.ComponentClass",
        verbose_name=_("failed component"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    failed_part = models.CharField(_("failed part"), max_length=120, blank=True)
    failed_part_serial = models.CharField(_("failed part serial"), max_length=60, blank=True)
    warranty_end = models.DateField(_("last day of the warranty used"), null=True, blank=True)
    warranty_convention = models.CharField(_("period convention"), max_length=20, blank=True)
    paused_from = models.CharField(max_length=20, blank=True)
    due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Given by the services (``now``: the time of the change, a past one for the demo's history).
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            # due_at last: the dashboard counts the overdue orders of a period from the index alone
            models.Index(fields=["status", "-created_at", "-id", "due_at"], name="wo_status_created"),
            models.Index(fields=["-created_at", "-id"], name="wo_created"),
            models.Index(fields=["assignee", "status", "-created_at"], name="wo_assignee"),
            models.Index(fields=["customer", "-created_at"], name="wo_customer"),
            models.Index(fields=["department", "status", "due_at", "id"], name="wo_team_due"),
            models.Index(fields=["status", "due_at", "id"], name="wo_status_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return order_number(self.pk)

    @staticmethod
    def pk_from_number(text: str) -> int | None:
        text = text.strip().upper()
        digits = text[len(NUMBER_PREFIX) :]
        if text.startswith(NUMBER_PREFIX) and digits.isascii() and digits.isdigit():  # not "²" or "٣"
            return int(digits)
        return None


class WorkOrderEvent(models.Model):
    """One row per business event on an order: the timeline and the trail."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events", db_index=False)
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    action = models.CharField(_("action"), max_length=30, choices=EventType.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["order", "id"]),  # also the order's foreign-key index
            # Deleting a user nulls their events: only rows with an actor need the entry.
            models.Index(fields=["actor"], condition=models.Q(actor__isnull=False), name="event_actor"),
            # The events of some kinds in a period (the quality review list's reopen and refuse
            # events, ``service.worklists``) without reading the others. Not partial: the kinds
            # come as bound parameters, which neither database matches to a partial index.
            models.Index(fields=["action", "at", "order"], name="event_action_at"),
        ]

    def __str__(self) -> str:
        return f"{order_number(self.order_id)} {self.action}"


class OrderDocument(models.Model):
    class Kind(models.TextChoices):
        PROOF = "proof", _("Purchase proof")
        PHOTO = "photo", _("Photo")
        ATTACHMENT = "attachment", _("Attachment")
        SIGNATURE = "signature", _("Signature")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("core.Document", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)

    class Meta:
        verbose_name = _("order document")
        verbose_name_plural = _("order documents")

    def __str__(self) -> str:
        return f"{order_number(self.order_id)} {self.kind}"


class Quote(models.Model):
    """An itemised quote for a paid repair; work starts only once the customer approves it."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="quotes")
    status = models.CharField(_("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.PENDING)
    currency = models.CharField(max_length=3, default="CNY")
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    estimated_hours = models.DecimalField(
        _("estimated duration (hours)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    plan = models.TextField(_("repair plan"), blank=True, max_length=5000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.order.number} {self.total} {self.currency}"


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"


class RepairReport(models.Model):
    order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="report")
    engineer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    service_date = models.DateField(_("service date"))
    cause = models.TextField(_("cause"), max_length=5000)
    process = models.TextField(_("process"), max_length=5000)
    minutes_spent = models.PositiveIntegerField(_("time spent (minutes)"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("repair report")
        verbose_name_plural = _("repair reports")

    def __str__(self) -> str:
        return f"{order_number(self.order_id)} report"


class PartUsed(models.Model):
    report = models.ForeignKey(RepairReport, on_delete=models.CASCADE, related_name="parts")
    part_number = models.CharField(_("part number"), max_length=60)
    name = models.CharField(_("part"), max_length=120)
    old_serial = models.CharField(_("old part serial"), max_length=60, blank=True)
    new_serial = models.CharField(_("new part serial"), max_length=60, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")

    def __str__(self) -> str:
        return f"{self.part_number} {self.name}".strip()


class Acceptance(models.Model):
    """The customer's acceptance (验收签字) or refusal, with a drawn signature."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="acceptances")
    accepted = models.BooleanField(_("accepted"))
    signer_name = models.CharField(_("signed by"), max_length=120)
    signed_at = models.DateTimeField(_("signed at"))
    signature = models.ForeignKey("core.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{order_number(self.order_id)} {'accepted' if self.accepted else 'refused'}"


class Replacement(models.Model):
    """A unit replaced (or returned) under warranty: the old unit is collected, the new one recorded."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="replacements")
    ground = models.CharField(_("ground"), max_length=30, choices=ReplacementGround.choices)
    old_unit = models.ForeignKey("products.Unit", on_delete=models.PROTECT, related_name="+")
    new_unit = models.ForeignKey("products.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    new_serial = models.CharField(_("new serial number"), max_length=60, blank=True)
    new_model = models.ForeignKey(
        "products.ProductModel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_colour = models.CharField(_("new colour"), max_length=30, blank=True)
    new_colour_en = models.CharField(_("new colour (English)"), max_length=30, blank=True)
    is_return = models.BooleanField(_("return (refund) instead of a new unit"), default=False)
    prior_repairs = models.PositiveIntegerField(_("repairs in warranty before"))
    # What the Three Guarantees owed when it was recorded, and a manager's override (docs/warranty.md).
    entitled = models.JSONField(_("remedies owed"), default=list, blank=True)
    override_reason = models.TextField(_("reason for the manager's approval"), max_length=2000, blank=True)
    goods_condition = models.CharField(_("condition of the returned goods"), max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "warranty_replacement"  # the table's name from before the model moved here
        verbose_name = _("replacement")
        verbose_name_plural = _("replacements")

    def __str__(self) -> str:
        return f"{order_number(self.order_id)} {self.ground}"

    @property
    def new_colour_label(self) -> str:
        return pick(self.new_colour, self.new_colour_en)


class Shipment(models.Model):
    """Mail-in (寄修) shipments in and out."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Customer to service centre")
        OUTBOUND = "out", _("Service centre to customer")

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="shipments")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    carrier = models.CharField(_("carrier"), max_length=60)
    tracking_number = models.CharField(_("tracking number"), max_length=60)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return f"{order_number(self.order_id)} {self.direction} {self.tracking_number}"


class WorkOrderClock(Clock):
    """One SLA clock of an order (the fields and their rules: ``sla.models.Clock``)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="clocks", db_index=False)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = clock_constraints("order", name="uniq_order_clock")
        indexes = clock_indexes("clock", subject="order")

    def __str__(self) -> str:
        return f"{order_number(self.order_id)} {self.clock}"


class OrderSla(PolicySnapshot):
    """The policy matched when the order came in, as it was then."""

    order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="sla")

    def __str__(self) -> str:
        return f"{order_number(self.order_id)} {self.policy_code}"
