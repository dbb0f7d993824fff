"""Personal information rights (China's PIPL): export of everything held about one customer,
and erasure by anonymisation.

Erasure keeps every order, status, date, product, serial number, coverage and cause, so the
service statistics stay the same; what identifies the person is replaced by a placeholder:

1. known personal fields get the placeholder (names, phones, e-mails, address lines, signer
   names, tracking numbers) and customer-written free text is replaced whole (fault
   descriptions, preferred times, notes, acceptance comments, complaint descriptions);
2. every text and JSON column of every row linked to the person (found by walking the foreign
   keys from the customer, their portal login and their orders) is scrubbed of the person's
   values — this reaches tables added later without changes here;
3. uploaded files (purchase proofs, photos, signatures) lose their content; the rows stay;
4. the portal login is deactivated, its username scrambled, its password made unusable;
5. audit rows about these objects are redacted (``core.audit.redact_personal_data``) and one
   ``pii_erase`` row is appended.

Only managers and administrators may do either (or the command line, ``actor=None``).
"""

import json
import re
import secrets

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can
from core import audit
from core.errors import Forbidden, NotFound, ValidationFailed
from core.models import AuditLog, Document

from .models import Address, Contact, Customer

PLACEHOLDER = "已删除"
MAX_WALK_DEPTH = 4
# Tables never walked into: the audit log is redacted separately, the rest hold no personal text.
_SKIP_LABELS = {"core.auditlog", "contenttypes.contenttype", "auth.permission", "sessions.session"}
# Edges not followed: a unit may have had other owners, whose orders are not this person's.
_SKIP_EDGES = {
    ("service.workorder", "unit"),
    ("products.unit", "replaced_by"),
    ("service.replacement", "old_unit"),
    ("service.replacement", "new_unit"),
}
_TEXT_FIELDS = (models.CharField, models.TextField)
CHUNK = 500  # ids per IN (...) list: SQLite limits the number of parameters of a query


def _chunks(ids) -> list[list]:
    ids = sorted(ids)
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _require(actor, customer_id):
    if actor is not None and not can(actor, "customer.pii_rights"):
        raise Forbidden()
    customer = Customer.objects.filter(pk=customer_id).select_related("user").first()
    if customer is None:
        raise NotFound()
    return customer


def _jsonable(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _doc(doc: Document | None) -> dict | None:
    if doc is None:
        return None
    return {
        "id": doc.pk,
        "name": doc.original_name,
        "content_type": doc.content_type,
        "size": doc.size,
        "sha256": doc.sha256,
        "uploaded_at": doc.uploaded_at,
        "has_file": bool(doc.file),
    }


def _fields(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


# ---------------------------------------------------------------- the foreign-key walk


def _linked_rows(customer) -> dict[type[models.Model], set]:
    """Every row that belongs to this person: the customer, their login, and everything that
    points to them (transitively, through foreign keys, up to ``MAX_WALK_DEPTH`` hops)."""
    linked: dict[type[models.Model], set] = {Customer: {customer.pk}}
    if customer.user_id:
        linked[apps.get_model("accounts", "User")] = {customer.user_id}
    frontier = dict(linked)
    for _depth in range(MAX_WALK_DEPTH):
        found: dict[type[models.Model], set] = {}
        for model in apps.get_models():
            if model._meta.label_lower in _SKIP_LABELS:
                continue
            for field in model._meta.concrete_fields:
                if not (field.is_relation and (field.many_to_one or field.one_to_one)):
                    continue
                target = field.related_model
                if target not in frontier:
                    continue
                if (model._meta.label_lower, field.name) in _SKIP_EDGES:
                    continue
                pks = set()
                for chunk in _chunks(frontier[target]):
                    pks.update(model.objects.filter(**{f"{field.attname}__in": chunk}).values_list("pk", flat=True))
                new = pks - linked.get(model, set())
                if new:
                    found.setdefault(model, set()).update(new)
                    linked.setdefault(model, set()).update(new)
        if not found:
            break
        frontier = found
    return linked


def _linked_documents(linked) -> set:
    """Uploaded files referred to by any linked row (proofs, photos, signatures)."""
    ids: set = set()
    for model, pks in linked.items():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Document:
                for chunk in _chunks(pks):
                    ids.update(v for v in model.objects.filter(pk__in=chunk).values_list(field.attname, flat=True) if v)
    return ids


# ---------------------------------------------------------------- export


def personal_data_export(*, actor, customer_id: int) -> dict:
    """Everything we hold about one customer, as JSON-ready data (PIPL access right)."""
    customer = _require(actor, customer_id)
    orders = list(
        customer.orders.order_by("id")
        .select_related("product_model")
        .prefetch_related("events", "quotes__lines", "acceptances__signature", "shipments", "documents__document")
    )
    reports = {
        r.order_id: r
        for r in apps.get_model("service", "RepairReport").objects.filter(order__in=orders).prefetch_related("parts")
    }
    user = customer.user
    units = list(customer.units.select_related("model", "proof").order_by("id"))
    linked = _linked_rows(customer)
    data = {
        "exported_at": timezone.now(),
        "customer": {
            **_fields(customer, ["id", "name", "kind", "tier", "phone", "email", "region", "created_at"]),
            "portal_login": None
            if user is None
            else _fields(
                user,
                ["username", "first_name", "last_name", "email", "phone", "date_joined", "last_login", "is_active"],
            ),
        },
        "contacts": [_fields(c, ["name", "phone", "email", "is_primary"]) for c in customer.contacts.order_by("id")],
        "addresses": [
            _fields(a, ["label", "province", "city", "line", "is_default"]) for a in customer.addresses.order_by("id")
        ],
        "units": [
            {
                **_fields(
                    u,
                    [
                        "serial",
                        "batch",
                        "production_date",
                        "sale_date",
                        "purchase_date",
                        "channel",
                        "colour",
                        "status",
                        "registered_at",
                    ],
                ),
                "model": u.model.code,
                "proof": _doc(u.proof),
            }
            for u in units
        ],
        "work_orders": [_order_export(o, reports.get(o.pk)) for o in orders],
        "complaints": [
            {
                **_fields(c, ["source", "description", "status", "created_at"]),
                "order": c.order.number if c.order_id else None,
            }
            for c in customer.complaints.select_related("order").order_by("id")
        ],
        "documents": [
            _doc(d)
            for chunk in _chunks(_linked_documents(linked))
            for d in Document.objects.filter(pk__in=chunk).order_by("id")
        ],
        "notifications": _notifications_export(user),
    }
    audit.record(actor=actor, action="pii_export", obj=customer, after={"customer": customer.pk})
    return _jsonable(data)


def _order_export(order, report) -> dict:
    latest_fields = [
        "status",
        "service_type",
        "priority",
        "channel",
        "mode",
        "contact_name",
        "contact_phone",
        "address",
        "serial",
        "fault_description",
        "preferred_time",
        "coverage",
        "cause",
        "appointment_at",
        "created_at",
        "closed_at",
    ]
    return {
        "number": order.number,
        **_fields(order, latest_fields),
        "product_model": order.product_model.code if order.product_model_id else None,
        "events": [_fields(e, ["at", "action", "from_status", "to_status", "note"]) for e in order.events.all()],
        "quotes": [
            {
                **_fields(q, ["status", "currency", "total", "plan", "created_at", "decided_at"]),
                "lines": [
                    _fields(ln, ["kind", "description", "quantity", "unit_price", "amount"]) for ln in q.lines.all()
                ],
            }
            for q in order.quotes.all()
        ],
        "report": None
        if report is None
        else {
            **_fields(report, ["service_date", "cause", "process", "minutes_spent"]),
            "parts": [
                _fields(p, ["part_number", "name", "old_serial", "new_serial", "quantity"]) for p in report.parts.all()
            ],
        },
        "acceptances": [
            {**_fields(a, ["accepted", "signer_name", "signed_at", "comment"]), "signature": _doc(a.signature)}
            for a in order.acceptances.all()
        ],
        "shipments": [
            _fields(s, ["direction", "carrier", "tracking_number", "shipped_at", "received_at"])
            for s in order.shipments.all()
        ],
        "documents": [{"kind": d.kind, **_doc(d.document)} for d in order.documents.all()],
    }


def _notifications_export(user) -> list:
    if user is None or not apps.is_installed("notifications"):
        return []
    notification = apps.get_model("notifications", "Notification")
    return [
        _fields(n, ["channel", "subject", "body", "created_at", "sent_at", "read_at"])
        for n in notification.objects.filter(recipient=user).order_by("id")
    ]


# ---------------------------------------------------------------- erasure


def _personal_values(customer, linked) -> list[str]:
    """The person's identifying strings, longest first (so a name inside another is caught)."""
    values = {customer.name, customer.phone, customer.email}
    for c in Contact.objects.filter(customer=customer):
        values |= {c.name, c.phone, c.email}
    for a in Address.objects.filter(customer=customer):
        values |= {a.line, str(a)}
    user = customer.user
    if user is not None:
        values |= {user.username, user.first_name, user.last_name, user.get_full_name(), user.email, user.phone}
    order_model = apps.get_model("service", "WorkOrder")
    for name, phone, address in order_model.objects.filter(customer=customer).values_list(
        "contact_name", "contact_phone", "address"
    ):
        values |= {name, phone, address}
    acceptance = apps.get_model("service", "Acceptance")
    values |= set(acceptance.objects.filter(order__customer=customer).values_list("signer_name", flat=True))
    values = {v.strip() for v in values if v and len(v.strip()) >= 2 and v.strip() != PLACEHOLDER}
    return sorted(values, key=len, reverse=True)


def _term(value: str) -> str:
    """A value as a pattern; a Latin word only as a whole word ("Li" must not eat "Replaced")."""
    term = re.escape(value)
    if value[0].isascii() and value[0].isalnum():
        term = r"(?<![A-Za-z0-9])" + term
    if value[-1].isascii() and value[-1].isalnum():
        term += r"(?![A-Za-z0-9])"
    return term


def _scrubber(values):
    if not values:
        return lambda value: value
    pattern = re.compile("|".join(_term(v) for v in values), re.IGNORECASE)

    def scrub(value):
        if isinstance(value, str):
            return pattern.sub(PLACEHOLDER, value)
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    return scrub


def _placeholders(customer) -> None:
    """Step 1: the known personal fields and the customer-written free text."""
    wo = apps.get_model("service", "WorkOrder")
    event = apps.get_model("service", "WorkOrderEvent")
    acceptance = apps.get_model("service", "Acceptance")
    complaint = apps.get_model("service", "Complaint")
    shipment = apps.get_model("service", "Shipment")
    Customer.objects.filter(pk=customer.pk).update(name=PLACEHOLDER, phone=PLACEHOLDER, email="", user=None)
    Contact.objects.filter(customer=customer).update(name=PLACEHOLDER, phone=PLACEHOLDER, email="")
    Address.objects.filter(customer=customer).update(label="", line=PLACEHOLDER)
    orders = wo.objects.filter(customer=customer)
    orders.update(contact_name=PLACEHOLDER, contact_phone=PLACEHOLDER, fault_description=PLACEHOLDER)
    orders.exclude(address="").update(address=PLACEHOLDER)
    orders.exclude(preferred_time="").update(preferred_time=PLACEHOLDER)
    event.objects.filter(order__customer=customer).exclude(note="").update(note=PLACEHOLDER)
    acceptance.objects.filter(order__customer=customer).update(signer_name=PLACEHOLDER)
    acceptance.objects.filter(order__customer=customer).exclude(comment="").update(comment=PLACEHOLDER)
    complaint.objects.filter(customer=customer).update(description=PLACEHOLDER)
    shipment.objects.filter(order__customer=customer).update(tracking_number=PLACEHOLDER)


def _scrub_rows(linked, scrub) -> int:
    """Step 2: every text / JSON value of every linked row, through ``scrub``."""
    changed = 0
    for model, pks in linked.items():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (*_TEXT_FIELDS, models.JSONField)) and not f.choices and not f.unique
        ]
        if not names:
            continue
        for chunk in _chunks(pks):
            for row in list(model.objects.filter(pk__in=chunk).values("pk", *names)):
                update = {n: scrub(row[n]) for n in names if scrub(row[n]) != row[n]}
                if update:
                    model.objects.filter(pk=row["pk"]).update(**update)
                    changed += 1
    return changed


def _erase_files(document_ids) -> int:
    """Step 3: delete the files' content; the rows stay (other rows point to them)."""
    erased = 0
    for doc in [d for chunk in _chunks(document_ids) for d in Document.objects.filter(pk__in=chunk)]:
        if doc.file:
            doc.file.storage.delete(doc.file.name)
            erased += 1
        Document.objects.filter(pk=doc.pk).update(file="", original_name=PLACEHOLDER, sha256="", size=0)
    return erased


def _close_login(user) -> None:
    """Step 4: the portal login can no longer be used nor recognised."""
    old_username = user.username
    user.username = f"erased-{secrets.token_hex(8)}"
    user.first_name = PLACEHOLDER
    user.last_name = ""
    user.email = ""
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    apps.get_model("accounts", "ApiToken").objects.filter(user=user).update(revoked=True, name=PLACEHOLDER)
    if apps.is_installed("axes"):
        for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
            apps.get_model("axes", name).objects.filter(username=old_username).delete()


def personal_data_erase(*, actor, customer_id: int, reason: str) -> dict:
    """Anonymise one customer (PIPL erasure right); returns what was done, in counts."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("A reason is required.")]})
    with transaction.atomic():
        customer = _require(actor, customer_id)
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        linked = _linked_rows(customer)
        values = _personal_values(customer, linked)
        scrub = _scrubber(values)
        documents = _linked_documents(linked)
        user = customer.user
        _placeholders(customer)
        rows = _scrub_rows(linked, scrub)
        rows += _scrub_notifications(customer, scrub)
        files = _erase_files(documents)
        if user is not None:
            _close_login(user)
        audit_rows = sum(audit.redact_personal_data(queryset=qs, scrub=scrub) for qs in _audit_querysets(linked))
        result = {
            "customer": customer.pk,
            "rows_scrubbed": rows,
            "files_erased": files,
            "audit_rows_redacted": audit_rows,
        }
        customer.refresh_from_db()
        audit.record(actor=actor, action="pii_erase", obj=customer, after={**result, "reason": scrub(reason)[:500]})
    return result


def _scrub_notifications(customer, scrub) -> int:
    """Staff notifications about the person's orders carry the order id, not a foreign key."""
    if not apps.is_installed("notifications"):
        return 0
    notification = apps.get_model("notifications", "Notification")
    rows = 0
    for n in list(
        notification.objects.filter(order_id__in=customer.orders.values("pk")).values("pk", "subject", "body", "link")
    ):
        update = {k: scrub(n[k]) for k in ("subject", "body", "link") if scrub(n[k]) != n[k]}
        if update:
            notification.objects.filter(pk=n["pk"]).update(**update)
            rows += 1
    return rows


def _audit_querysets(linked):
    """Audit rows about any linked object, or written by the person's own login (in chunks)."""
    user_model = apps.get_model("accounts", "User")
    for model, pks in linked.items():
        for chunk in _chunks(pks):
            yield AuditLog.objects.filter(object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in chunk])
    for chunk in _chunks(linked.get(user_model, ())):
        yield AuditLog.objects.filter(actor_id__in=chunk)
