"""Personal information rights (China's PIPL): export of everything held about one customer,
and erasure by anonymisation.

Erasure keeps every order, status, date, product, serial number, coverage and cause, so the
service statistics stay the same; what identifies the person is replaced by a placeholder:

1. known personal fields get the placeholder (names, phones, e-mails, address lines, signer
   names, tracking numbers) and customer-written free text is replaced whole (fault
   descriptions, preferred times, notes, acceptance comments, complaint descriptions);
2. every text and JSON column of every row linked to the person (found by walking the foreign
   keys from the customer and their portal login, plus the rows the apps link otherwise, such
   as staff notifications about their orders) is scrubbed of the person's values — the walk
   reaches tables added later without changes anywhere;
3. uploaded files (purchase proofs, photos, signatures) lose their content; the rows stay;
4. the portal login is deactivated, its username scrambled, its password made unusable;
5. audit rows about these objects are redacted (``core.audit.redact_personal_data``) and one
   ``pii_erase`` row is appended.

This module holds the procedure, the customer's own tables (customer, contacts, addresses),
the walk, the scrub and the audit redaction. Every other app says what it holds through a
handler registered in ``core.pii`` from its ``AppConfig.ready`` (e.g. ``service/pii.py``): its
section of the export, its personal values, its step 1 (``erase``) or step 4
(``after_scrub``), and the tables and foreign keys the walk must not enter. Handlers run in
their ``order``, inside the erasure's transaction.

Only managers and administrators may do either (or the command line, ``actor=None``).
"""

import json
import re

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can
from core import audit, pii
from core.errors import Forbidden, NotFound, ValidationFailed
from core.models import AuditLog, Document
from core.pii import PLACEHOLDER, Context, Handler, document_summary, fields_of

from .models import Address, Contact, Customer

MAX_WALK_DEPTH = 4
# Tables never walked into (besides those the apps declare): the audit log is redacted
# separately, the rest hold no personal text.
_SKIP_LABELS = {"core.auditlog", "contenttypes.contenttype", "auth.permission", "sessions.session"}
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


# ---------------------------------------------------------------- the foreign-key walk


def _linked_rows(customer) -> dict[type[models.Model], set]:
    """Every row that belongs to this person: the customer, their login, and everything that
    points to them (transitively, through foreign keys, up to ``MAX_WALK_DEPTH`` hops)."""
    linked: dict[type[models.Model], set] = {Customer: {customer.pk}}
    if customer.user_id:
        linked[get_user_model()] = {customer.user_id}
    skipped = pii.skip_models()
    edges = pii.skip_edges()
    frontier = dict(linked)
    for _depth in range(MAX_WALK_DEPTH):
        found: dict[type[models.Model], set] = {}
        for model in apps.get_models():
            if model._meta.label_lower in _SKIP_LABELS or model in skipped:
                continue
            for field in model._meta.concrete_fields:
                if not (field.is_relation and (field.many_to_one or field.one_to_one)):
                    continue
                target = field.related_model
                if target not in frontier:
                    continue
                if (model, field.name) in edges:
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


def _context(customer) -> Context:
    """The person's login and rows: the walk's, then those the apps link otherwise."""
    ctx = Context(user=customer.user, linked=_linked_rows(customer))
    for handler in pii.handlers():
        if handler.linked is not None:
            for model, pks in handler.linked(customer, ctx).items():
                ctx.linked.setdefault(model, set()).update(pks)
    return ctx


def _linked_documents(linked) -> set:
    """Uploaded files referred to by any linked row (proofs, photos, signatures)."""
    ids: set = set()
    for model, pks in linked.items():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Document:
                for chunk in _chunks(pks):
                    ids.update(v for v in model.objects.filter(pk__in=chunk).values_list(field.attname, flat=True) if v)
    return ids


# ---------------------------------------------------------------- the customer's own tables


def _customer_export(customer, ctx) -> dict:
    user = ctx.user
    return {
        **fields_of(customer, ["id", "name", "kind", "tier", "phone", "email", "region", "created_at"]),
        "portal_login": None
        if user is None
        else fields_of(
            user, ["username", "first_name", "last_name", "email", "phone", "date_joined", "last_login", "is_active"]
        ),
    }


def _customer_values(customer, ctx) -> set:
    return {customer.name, customer.phone, customer.email}


def _customer_erase(customer, ctx) -> None:
    Customer.objects.filter(pk=customer.pk).update(name=PLACEHOLDER, phone=PLACEHOLDER, email="", user=None)


def _contacts_export(customer, ctx) -> list:
    return [fields_of(c, ["name", "phone", "email", "is_primary"]) for c in customer.contacts.order_by("id")]


def _contacts_values(customer, ctx) -> set:
    return {v for c in Contact.objects.filter(customer=customer) for v in (c.name, c.phone, c.email)}


def _contacts_erase(customer, ctx) -> None:
    Contact.objects.filter(customer=customer).update(name=PLACEHOLDER, phone=PLACEHOLDER, email="")


def _addresses_export(customer, ctx) -> list:
    return [
        fields_of(a, ["label", "province", "city", "line", "is_default"]) for a in customer.addresses.order_by("id")
    ]


def _addresses_values(customer, ctx) -> set:
    return {v for a in Address.objects.filter(customer=customer) for v in (a.line, str(a))}


def _addresses_erase(customer, ctx) -> None:
    Address.objects.filter(customer=customer).update(label="", line=PLACEHOLDER)


def _documents_export(customer, ctx) -> list:
    return [
        document_summary(d)
        for chunk in _chunks(_linked_documents(ctx.linked))
        for d in Document.objects.filter(pk__in=chunk).order_by("id")
    ]


# Registered by ``CustomersConfig.ready``; the other apps' sections come between (``order``).
HANDLERS = [
    Handler(
        key="customer",
        order=10,
        export=_customer_export,
        values=_customer_values,
        erase=_customer_erase,
    ),
    Handler(key="contacts", order=20, export=_contacts_export, values=_contacts_values, erase=_contacts_erase),
    Handler(key="addresses", order=30, export=_addresses_export, values=_addresses_values, erase=_addresses_erase),
    # every file uploaded for a linked row (proofs, photos, signatures); step 3 erases them
    Handler(key="documents", order=70, export=_documents_export),
]


# ---------------------------------------------------------------- export


def personal_data_export(*, actor, customer_id: int) -> dict:
    """Everything we hold about one customer, as JSON-ready data (PIPL access right): one
    section per registered handler, in the handlers' order."""
    customer = _require(actor, customer_id)
    ctx = _context(customer)
    data = {"exported_at": timezone.now()}
    for handler in pii.handlers():
        if handler.export is not None:
            data[handler.key] = handler.export(customer, ctx)
    audit.record(actor=actor, action="pii_export", obj=customer, after={"customer": customer.pk})
    return _jsonable(data)


# ---------------------------------------------------------------- erasure


def _personal_values(customer, ctx) -> list[str]:
    """The person's identifying strings, longest first (so a name inside another is caught)."""
    values: set = set()
    for handler in pii.handlers():
        if handler.values is not None:
            values |= set(handler.values(customer, ctx))
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


def personal_data_erase(*, actor, customer_id: int, reason: str) -> dict:
    """Anonymise one customer (PIPL erasure right); returns what was done, in counts."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("A reason is required.")]})
    with transaction.atomic():
        customer = _require(actor, customer_id)
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        ctx = _context(customer)
        ctx.scrub = scrub = _scrubber(_personal_values(customer, ctx))
        documents = _linked_documents(ctx.linked)
        steps = pii.handlers()
        for handler in steps:
            if handler.erase is not None:
                handler.erase(customer, ctx)
        rows = _scrub_rows(ctx.linked, scrub)
        files = _erase_files(documents)
        for handler in steps:
            if handler.after_scrub is not None:
                handler.after_scrub(customer, ctx)
        audit_rows = sum(audit.redact_personal_data(queryset=qs, scrub=scrub) for qs in _audit_querysets(ctx.linked))
        result = {
            "customer": customer.pk,
            "rows_scrubbed": rows,
            "files_erased": files,
            "audit_rows_redacted": audit_rows,
        }
        customer.refresh_from_db()
        audit.record(actor=actor, action="pii_erase", obj=customer, after={**result, "reason": scrub(reason)[:500]})
    return result


def _audit_querysets(linked):
    """Audit rows about any linked object, or written by the person's own login (in chunks)."""
    user_model = get_user_model()
    for model, pks in linked.items():
        for chunk in _chunks(pks):
            yield AuditLog.objects.filter(object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in chunk])
    for chunk in _chunks(linked.get(user_model, ())):
        yield AuditLog.objects.filter(actor_id__in=chunk)
