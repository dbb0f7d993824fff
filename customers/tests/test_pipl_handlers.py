"""The PIPL procedures call every app's registered handler, and know no other app's tables."""

import ast
import json
from pathlib import Path

import pytest
from django.apps import apps

from core import pii
from core.models import AuditLog, Document
from customers.pipl import PLACEHOLDER, personal_data_erase, personal_data_export
from tests.factories import CustomerFactory, UserFactory

SECRET = "秘密暗号"


@pytest.fixture
def recorder(db):
    """A handler of a pretend app, registered for one test: it records its calls, holds one
    personal value, and links a row that no foreign key reaches."""
    calls = []
    stray = Document.objects.create(
        file="", original_name=f"{SECRET}.pdf", content_type="application/pdf", size=0, sha256=""
    )

    def export(customer, ctx):
        calls.append(("export", customer.pk, ctx.user))
        return {"secret": SECRET}

    def erase(customer, ctx):
        calls.append(("erase", customer.pk, ctx.user))

    def after_scrub(customer, ctx):
        customer.refresh_from_db()
        calls.append(("after_scrub", customer.pk, customer.region))

    handler = pii.Handler(
        key="test_section",
        order=65,
        export=export,
        values=lambda customer, ctx: {SECRET},
        linked=lambda customer, ctx: {Document: {stray.pk}},
        erase=erase,
        after_scrub=after_scrub,
    )
    pii.register(handler)
    yield calls, stray
    pii.unregister(handler.key)


@pytest.fixture
def person(db):
    user = UserFactory(role="customer", first_name="欧阳", last_name="娜娜")
    return CustomerFactory(user=user, name="欧阳娜娜", region=f"{SECRET}区")


def test_a_registered_handler_gives_its_section_of_the_export(recorder, person, make_user):
    # given
    calls, _stray = recorder

    # when
    data = personal_data_export(actor=make_user(role="manager"), customer_id=person.pk)

    # then its section comes in its order, between the complaints and the documents
    assert data["test_section"] == {"secret": SECRET}
    keys = list(data)
    assert keys.index("complaints") < keys.index("test_section") < keys.index("documents")
    assert calls == [("export", person.pk, person.user)]


def test_a_registered_handler_takes_part_in_the_erasure(recorder, person, make_user):
    # given
    calls, stray = recorder

    # when
    personal_data_erase(actor=make_user(role="admin"), customer_id=person.pk, reason="request")

    # then it was called with the customer, before the scrub and after it
    assert calls == [("erase", person.pk, person.user), ("after_scrub", person.pk, f"{PLACEHOLDER}区")]
    # and its value was scrubbed from the customer's row and from the row it linked
    person.refresh_from_db()
    stray.refresh_from_db()
    assert person.region == f"{PLACEHOLDER}区" and stray.original_name == f"{PLACEHOLDER}.pdf"


def test_a_failing_handler_leaves_the_person_untouched(person, make_user):
    # given
    def fail(customer, ctx):
        raise RuntimeError("disk full")

    pii.register(pii.Handler(key="test_failing", order=65, after_scrub=fail))
    try:
        # when
        with pytest.raises(RuntimeError):
            personal_data_erase(actor=make_user(role="admin"), customer_id=person.pk, reason="request")
    finally:
        pii.unregister("test_failing")

    # then the whole erasure was rolled back
    person.refresh_from_db()
    person.user.refresh_from_db()
    assert person.name == "欧阳娜娜" and person.user.is_active and person.user_id is not None
    assert not AuditLog.objects.filter(action="pii_erase").exists()


def test_the_export_keeps_its_sections_and_their_order(person, make_user):
    data = personal_data_export(actor=make_user(role="manager"), customer_id=person.pk)
    assert list(data) == [
        "exported_at",
        "customer",
        "contacts",
        "addresses",
        "units",
        "work_orders",
        "complaints",
        "documents",
        "feedback",
        "notifications",
    ]
    assert json.loads(json.dumps(data)) == data


def _project_apps() -> set[str]:
    root = Path(apps.get_app_config("customers").path).parent
    return {c.name.split(".")[0] for c in apps.get_app_configs() if Path(c.path).parent == root}


def test_pipl_imports_no_other_apps_tables():
    # given the module's syntax tree
    source = Path(apps.get_app_config("customers").path, "pipl.py")
    tree = ast.parse(source.read_text(encoding="utf-8"))
    others = _project_apps() - {"core", "customers"}
    assert {"accounts", "service", "products", "notifications"} <= others  # the check can fail

    # when
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module)
    get_model = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "get_model"]
    labels = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.split(".")[0] in others
    ]

    # then only the roles of the accounts app (a lower layer) are used, and no model by name
    assert {m for m in imported if m.split(".")[0] in others} == {"accounts.roles"}
    assert get_model == [] and labels == []
