"""The audit log is append-only, and viewing unmasked personal data is itself logged."""

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client, RequestFactory

from core import audit
from core.admin import AuditLogAdmin
from core.models import AppendOnlyError, AuditLog
from tests.factories import CustomerFactory, UserFactory, WorkOrderFactory

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


@pytest.fixture
def entry(db):
    customer = CustomerFactory(name="Wang Fang", phone="13512345678")
    return audit.record(actor=None, action="create", obj=customer)


# ---------------------------------------------------------------- model and queryset guards


def test_a_stored_entry_cannot_be_saved_again(entry):
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditLog.objects.get(pk=entry.pk).action == "create"


def test_a_new_entry_with_a_chosen_id_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditLog(pk=entry.pk, action="x", object_type="x", object_id="1").save()


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("operation", ["update", "delete"], ids=str)
def test_queryset_update_and_delete_are_refused(entry, operation):
    with pytest.raises(AppendOnlyError):
        if operation == "update":
            AuditLog.objects.filter(pk=entry.pk).update(action="tampered")
        else:
            AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=entry.pk).action == "create"


# ---------------------------------------------------------------- the PostgreSQL trigger


@pg_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditlog SET action = 'tampered' WHERE id = %s",
        "UPDATE core_auditlog SET after = NULL WHERE id = %s",
        "DELETE FROM core_auditlog WHERE id = %s",
    ],
    ids=["update-action", "update-values", "delete"],
)
def test_the_database_refuses_update_and_delete(entry, sql):
    # when SQL bypasses the model
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])

    # then the row is as it was
    row = AuditLog.objects.get(pk=entry.pk)
    assert row.action == "create" and row.after["phone"] == "13512345678"


@pg_only
def test_redaction_mode_lets_only_the_values_change(entry):
    # given the redaction switch of a PIPL erasure
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('aftersales.audit_redaction', 'on', true)")
        # then who/what/when still cannot change
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("UPDATE core_auditlog SET action = 'x' WHERE id = %s", [entry.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [entry.pk])


def test_redaction_rewrites_values_and_keeps_the_row(entry):
    # when
    changed = audit.redact_personal_data(
        queryset=AuditLog.objects.filter(pk=entry.pk),
        scrub=lambda v: {k: ("X" if x == "13512345678" else x) for k, x in v.items()} if isinstance(v, dict) else v,
    )

    # then
    row = AuditLog.objects.get(pk=entry.pk)
    assert changed == 1 and row.after["phone"] == "X" and row.action == "create" and row.at == entry.at


@pg_only
def test_the_redaction_switch_is_off_again_afterwards(entry):
    audit.redact_personal_data(queryset=AuditLog.objects.filter(pk=entry.pk), scrub=lambda v: v)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditlog SET after = NULL WHERE id = %s", [entry.pk])


# ---------------------------------------------------------------- the admin


def test_the_admin_permissions_are_all_false(entry):
    request = RequestFactory().get("/")
    request.user = UserFactory(role="admin", is_staff=True, is_superuser=True)
    admin = AuditLogAdmin(AuditLog, site)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)
    assert admin.get_actions(request) == {}


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/admin/core/auditlog/add/"),
        ("post", "/admin/core/auditlog/{pk}/change/"),
        ("get", "/admin/core/auditlog/{pk}/delete/"),
        ("post", "/admin/core/auditlog/{pk}/delete/"),
    ],
    ids=["add", "change", "delete-page", "delete-post"],
)
def test_the_admin_refuses_to_write(entry, method, path):
    # given a superuser in the admin
    client = Client()
    client.force_login(UserFactory(role="admin", is_staff=True, is_superuser=True))

    # when
    response = getattr(client, method)(path.format(pk=entry.pk), {"action": "tampered", "post": "yes"})

    # then
    assert response.status_code == 403
    assert AuditLog.objects.get(pk=entry.pk).action == "create"


def test_the_admin_shows_the_log_read_only(entry):
    client = Client()
    client.force_login(UserFactory(role="admin", is_staff=True, is_superuser=True))
    assert client.get("/admin/core/auditlog/").status_code == 200
    page = client.get(f"/admin/core/auditlog/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


# ---------------------------------------------------------------- viewing personal data is logged


def test_record_pii_view_stores_field_names_not_values(db):
    viewer = UserFactory(role="agent")
    order = WorkOrderFactory(contact_phone="13799998888")
    row = audit.record_pii_view(actor=viewer, obj=order, fields=["contact_phone", "contact_name"])
    assert (row.action, row.object_type, row.object_id) == ("view_pii", "service.workorder", str(order.pk))
    assert row.after == {"fields": ["contact_name", "contact_phone"]} and row.before is None
    assert "13799998888" not in str(row.after)


def _pii_rows(actor):
    return list(AuditLog.objects.filter(action="view_pii", actor=actor))


@pytest.mark.parametrize(
    "role,logged",
    [("agent", True), ("supervisor", True), ("quality", False), ("analyst", False)],
    ids=["agent-unmasked", "supervisor-unmasked", "quality-masked", "analyst-masked"],
)
def test_an_order_detail_logs_who_saw_unmasked_contact_data(db, api_as, role, logged):
    # given
    viewer = UserFactory(role=role)
    order = WorkOrderFactory(contact_phone="13799998888")

    # when
    body = api_as(viewer).get(f"/work-orders/{order.pk}").json()

    # then the unmasked view (of the names: the phone is masked for every staff role) is logged,
    # the masked one is not
    assert body["contact_phone"] == "137****8888"
    assert (body["contact_name"] == order.contact_name) is logged
    rows = _pii_rows(viewer)
    assert len(rows) == (1 if logged else 0)
    if logged:
        assert rows[0].object_id == str(order.pk) and rows[0].after["fields"] == ["contact_name", "customer.name"]


def test_the_assigned_engineer_viewing_is_logged(db, api_as, engineer):
    order = WorkOrderFactory(assignee=engineer)
    api_as(engineer).get(f"/work-orders/{order.pk}")
    assert len(_pii_rows(engineer)) == 1


def test_a_customer_viewing_their_own_order_is_not_logged(db, api_as, customer_user):
    order = WorkOrderFactory(customer=customer_user.customer)
    assert api_as(customer_user).get(f"/work-orders/{order.pk}").status_code == 200
    assert _pii_rows(customer_user) == []


def test_a_list_page_logs_one_row_with_the_order_ids(db, api_as, agent):
    # given
    orders = [WorkOrderFactory() for _ in range(4)]

    # when two pages are read
    api = api_as(agent)
    first = api.get("/work-orders", {"limit": 3}).json()
    api.get("/work-orders", {"limit": 3, "cursor": first["next_cursor"]})

    # then one row per page, listing that page's ids
    rows = sorted(_pii_rows(agent), key=lambda r: r.pk)
    assert len(rows) == 2
    assert rows[0].object_id == "list" and rows[0].after["ids"] == [item["id"] for item in first["items"]]
    assert sorted(rows[0].after["ids"] + rows[1].after["ids"]) == sorted(o.pk for o in orders)


# ---------------------------------------------------------------- the actor of a row stays


def test_a_user_with_audit_rows_cannot_be_deleted_and_the_rows_keep_their_actor(db):
    # given a user who did things (their actions are in the log)
    user = UserFactory(role="agent", first_name="Li", last_name="Lei")
    customer = CustomerFactory(name="Zhao Min")
    rows = [
        audit.record(actor=user, action="create", obj=customer),
        audit.record_denial(actor=user, method="GET", path="/api/v1/work-orders/9", status=404),
    ]

    # when someone deletes the user (the shell, a script, a cascade)
    with pytest.raises(ProtectedError), transaction.atomic():
        user.delete()

    # then the refusal is Django's own (on both databases, before any SQL), the user is still
    # there, and every row still names them
    assert type(user).objects.filter(pk=user.pk).exists()
    assert [r.actor_id for r in AuditLog.objects.filter(pk__in=[r.pk for r in rows])] == [user.pk, user.pk]


def test_a_user_without_audit_rows_can_still_be_deleted(db):
    user = UserFactory(role="agent")
    user.delete()
    assert not type(user).objects.filter(pk=user.pk).exists()


def test_the_admin_offers_no_delete_for_users_deactivate_instead(db):
    # given a superuser in the admin and a user with audit rows
    client = Client()
    client.force_login(UserFactory(role="admin", is_staff=True, is_superuser=True))
    user = UserFactory(role="agent")
    row = audit.record(actor=user, action="create", obj=CustomerFactory())

    # when the delete page is opened and posted, and the bulk delete action is tried
    page = client.get(f"/admin/accounts/user/{user.pk}/delete/")
    posted = client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/accounts/user/", {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"}
    )

    # then each is refused cleanly (no 500), the user stays and the row still names them
    assert (page.status_code, posted.status_code) == (403, 403)
    assert bulk.status_code in (200, 302)
    assert type(user).objects.filter(pk=user.pk).exists()
    assert AuditLog.objects.get(pk=row.pk).actor_id == user.pk
