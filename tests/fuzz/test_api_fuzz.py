"""API fuzzing: schemathesis drives every operation of our OpenAPI document, as every role.

The schema is the one ``/api/v1/openapi.json`` serves (checked below), loaded in-process; every
request goes through the whole WSGI application (middleware, auth, the API) against the test
database, with seeded data: customers, units, work orders in several states, quotes, a shipment.

Two runs, each with one pytest item per operation (tests/fuzz/seeds.py holds the settings):

* ``test_api_fuzz_fixed_seed``: the fixed seed (``FUZZ_SEED``), the same cases in every run. First
  the coverage phase: the fixed cases schemathesis derives from the schema (boundary values, each
  missing or wrong-typed field, undeclared methods and content types), each sent as one role, picked
  from the case's content so that the cases rotate through the roles and a replay picks the same;
  then the fuzzing phase: ``FUZZ_EXAMPLES`` random cases (valid and invalid by the schema), each
  sent as every role. Half the valid ones are steered to the seeded rows (ids that exist, a request
  that can succeed), so that success paths and their response bodies are checked too.
* ``test_api_fuzz_random_seed``: the fuzzing phase again with a seed drawn for this run
  (``FUZZ_RANDOM_SEED`` to give it), new cases every time. The report header and the summary
  print both seeds and the command that replays the random run.

Every response must be no 5xx, carry a documented status code and content type, match the
documented response schema; invalid input must be refused (4xx), an undeclared method answered
with 405 and ``Allow``, and no operation may work without credentials. docs/security.md ("API
fuzzing") tells why ``FUZZ_EXAMPLES`` is 100 and how to run more.
"""

import datetime as dt
import zlib
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.meta import TestPhase

from accounts.choices import Role
from accounts.models import ApiToken
from complaints.choices import Status as ComplaintStatus
from complaints.tests.flow import complaint_in
from config.api import api
from feedback import services as feedback
from feedback.tests.helpers import GOOD as SURVEY_ANSWERS
from improvement import services as improvement
from notifications.models import Notification
from service import services
from service.choices import Mode, Status
from service.models import Quote, Shipment, WorkOrderClock
from service.services.shipping import shipment_record
from service.tests.flow import new_order, order_in, signature_url
from service.workflow import TRANSITIONS
from tests.factories import CustomerFactory, DepartmentFactory, ProductModelFactory, UnitFactory, UserFactory

from .seeds import EXAMPLES, FIXED_SEED, RANDOM_SEED

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "unsupported_method",
    "ignored_auth",
)
OPENAPI_PATH = "/api/v1/openapi.json"

RAW_SCHEMA = api.get_openapi_schema(path_prefix="/api/v1")


def _schema(seed: int, *, coverage: bool):
    """The served schema, loaded for one run: ``EXAMPLES`` random cases per operation from ``seed``,
    derandomized (the seed alone decides the cases), with or without the coverage phase."""
    loaded = schemathesis.openapi.from_dict(
        RAW_SCHEMA,
        config=SchemathesisConfig.from_dict(
            {
                "seed": seed,
                "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "database": "none"},
                "phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}},
                "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            }
        ),
    )
    loaded.app = WSGIHandler()
    loaded.hook(flatmap_case)
    return loaded


ROLES = list(Role.values)

# Requests that can succeed on the seeded rows, per operation: filled by the ``world`` fixture.
TEMPLATES: dict[str, list[dict]] = {}
DROP = object()  # a template value: leave this field out of the body


def _over(generated: dict, fields: dict) -> dict:
    return {k: v for k, v in {**generated, **fields}.items() if v is not DROP}


def _steered(case, template: dict):
    """``case`` with ``template``'s path parameters, query and body fields laid over the generated ones."""
    steered = case.derive(keep_auth=True)
    if "path" in template:
        steered.path_parameters = _over(steered.path_parameters, template["path"])
    if "query" in template:
        steered.query = _over(steered.query, template["query"])
    if "body" in template and isinstance(steered.body, dict):
        steered.body = _over(steered.body, template["body"])
    return steered


def flatmap_case(context, case):
    """Half the cases the schema calls valid: laid over a seeded request, so that real rows are hit."""
    templates = TEMPLATES.get(case.operation.label)
    if not templates or case.meta is None or not case.meta.generation.mode.is_positive:
        return st.just(case)
    if case.media_type not in (None, "application/json"):  # a multipart body with a file: kept as generated
        return st.just(case)
    return st.one_of(st.sampled_from(templates).map(lambda t: _steered(case, t)), st.just(case))


# The two runs: the fixed seed (the same cases in every CI run, with the coverage phase) and a seed
# drawn for this run (new cases each time; the coverage phase's fixed cases are the fixed run's).
schema = _schema(FIXED_SEED, coverage=True)
random_schema = _schema(RANDOM_SEED, coverage=False)


def _templates(
    *, orders, quotes, shipment, units, customer, engineer, department, model, cases=None
) -> dict[str, list[dict]]:
    """Complete requests (path parameters, query, JSON body) that can succeed on the seeded rows, per operation."""
    in_status = {s: [o for o in orders if o.status == s] for s in Status.values}
    clocks = (
        WorkOrderClock.objects.filter(
            order__in=orders, state__in=[WorkOrderClock.State.RUNNING, WorkOrderClock.State.PAUSED]
        )
        .order_by("order_id", "clock")
        .values_list("order_id", "clock")
    )  # one order on every database
    line = {"kind": "material", "description": "Fuse", "quantity": "2", "unit_price": "12.50"}
    v1 = "/api/v1"
    return {
        f"POST {v1}/service-requests": [
            {
                "body": {
                    "fault_description": "It does not start.",
                    "customer_id": customer.pk,
                    "serial": units[0].serial,
                }
            },
            {"body": {"fault_description": "It does not start.", "customer_id": customer.pk}},
        ],
        f"GET {v1}/work-orders": [
            {"query": {"status": [s], "cursor": DROP}} for s in (Status.NEW, Status.ASSESSED, Status.RESOLVED)
        ]
        + [{"query": {"assignee": engineer.pk, "cursor": DROP}}, {"query": {"q": "Fuzz", "cursor": DROP}}],
        f"GET {v1}/work-orders/{{order_id}}": [{"path": {"order_id": o.pk}} for o in orders],
        f"POST {v1}/work-orders/{{order_id}}/contact/reveal": [{"path": {"order_id": o.pk}} for o in orders],
        f"POST {v1}/work-orders/{{order_id}}/transitions": [
            {
                "path": {"order_id": o.pk},
                "body": {"action": t.action, "note": "Fuzz", "version": None, "cause": "defect"},
            }
            for o in orders
            for t in TRANSITIONS.values()
            if o.status in t.sources
        ],
        f"POST {v1}/work-orders/{{order_id}}/assignment": [
            {
                "path": {"order_id": o.pk},
                "body": {
                    "assignee_id": engineer.pk,
                    "department_id": department.pk,
                    "appointment_at": None,
                    "reason": "Fuzz",
                    "version": None,
                },
            }
            for o in orders
        ],
        f"GET {v1}/work-orders/{{order_id}}/eligible-engineers": [
            {"path": {"order_id": o.pk}, "query": {"appointment_at": DROP}} for o in orders
        ],
        f"POST {v1}/work-orders/{{order_id}}/quotes": [
            {"path": {"order_id": o.pk}, "body": {"lines": [line], "plan": "Replace the fuse", "estimated_hours": None}}
            for o in in_status[Status.ASSESSED]
        ],
        f"POST {v1}/quotes/{{quote_id}}/decision": [
            {"path": {"quote_id": q}, "body": {"approve": True, "note": ""}} for q in quotes
        ],
        f"PUT {v1}/work-orders/{{order_id}}/report": [
            {
                "path": {"order_id": o.pk},
                "body": {
                    "cause": "Loose connector",
                    "process": "Replaced it",
                    "minutes_spent": 30,
                    "service_date": None,
                    "parts": [],
                },
            }
            for o in in_status[Status.IN_SERVICE]
        ],
        f"POST {v1}/work-orders/{{order_id}}/acceptance": [
            {
                "path": {"order_id": o.pk},
                "body": {"accepted": True, "signer_name": "Zhang San", "signature": signature_url(), "comment": ""},
            }
            for o in in_status[Status.RESOLVED]
        ],
        f"POST {v1}/work-orders/{{order_id}}/shipments": [
            {
                "path": {"order_id": o.pk},
                "body": {
                    "direction": Shipment.Direction.INBOUND.value,
                    "carrier": "SF Express",
                    "tracking_number": "SF100200300",
                    "shipped_at": None,
                },
            }
            for o in orders
            if o.mode == Mode.MAIL_IN
        ],
        f"POST {v1}/shipments/{{shipment_id}}/received": [{"path": {"shipment_id": shipment.pk}}],
        f"POST {v1}/work-orders/{{order_id}}/replacement": [
            {
                "path": {"order_id": o.pk},
                "body": {
                    "ground": "quality_defect",
                    "new_serial": "",
                    "new_model": "",
                    "new_colour": "",
                    "is_return": True,
                    "manager_approved": True,
                },
            }
            for o in orders
        ],
        f"GET {v1}/units/{{serial}}/warranty": [
            {"path": {"serial": u.serial}, "query": {"on": DROP, "component": DROP}} for u in units
        ],
        f"GET {v1}/units/{{serial}}/entitlements": [
            {"path": {"serial": u.serial}, "query": {"on": DROP}} for u in units
        ],
        f"POST {v1}/units": [
            {
                "body": {
                    "serial": "FUZZ-NEW-1",
                    "model": model.code,
                    "customer_id": customer.pk,
                    "purchase_date": DROP,
                    "sale_date": DROP,
                }
            },
            {"body": {"serial": units[0].serial, "model": DROP, "customer_id": customer.pk}},
        ],
        f"GET {v1}/sla/preview": [
            {"query": {"policy": code, "start": ""}} for code in ("standard", "urgent", "industrial", "complaint")
        ],
        f"POST {v1}/work-orders/{{order_id}}/clocks/{{clock}}/extension": [
            {
                "path": {"order_id": order_id, "clock": clock},
                "body": {"reason": "Waiting for a part", "extra": 60, "new_due_at": None},
            }
            for order_id, clock in clocks
        ],
        f"GET {v1}/analytics/kpis": [{"query": {"month": ""}}],
        f"GET {v1}/notifications": [{"query": {"cursor": DROP}}, {"query": {"unread": True, "cursor": DROP}}],
        f"GET {v1}/notifications/unread-count": [{}],
        f"POST {v1}/notifications/read-all": [{}],
        f"POST {v1}/notifications/{{notification_id}}/read": [
            {"path": {"notification_id": pk}}
            for pk in Notification.objects.filter(recipient=customer.user, channel="inapp").values_list(
                "pk", flat=True
            )[:2]
        ],
        **_case_templates(cases, customer=customer, handler_id=cases.handler.pk if cases else None),
        f"GET {v1}/analytics/dashboard": [
            {
                "query": {
                    "days": days,
                    "received_from": DROP,
                    "received_to": DROP,
                    "product_line": DROP,
                    "department": DROP,
                }
            }
            for days in (7, 30)
        ],
    }


@dataclass
class Cases:
    """The seeded complaints, improvement rows and survey links (``_seed_cases``)."""

    handler: object
    complaints: list
    corrective: list
    promises: list
    actions: list
    tokens: list


def _case_templates(cases: Cases | None, *, customer, handler_id) -> dict[str, list[dict]]:
    """Requests that can succeed on the seeded complaints, improvement rows and survey links."""
    if cases is None:
        return {}
    v1 = "/api/v1"
    by_status = {c.status: c for c in cases.complaints}
    investigating = by_status[ComplaintStatus.INVESTIGATING]
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    return {
        f"POST {v1}/complaints": [
            {
                "body": {
                    "customer_id": customer.pk,
                    "channel": "api",
                    "description": "Fuzz: the door seal leaks.",
                    "serial": DROP,
                    "order_id": DROP,
                    "category": DROP,
                    "received_at": DROP,
                }
            }
        ],
        f"GET {v1}/complaints": [{"query": {"cursor": DROP}}, {"query": {"overdue": False, "cursor": DROP}}],
        f"GET {v1}/complaints/{{complaint_id}}": [{"path": {"complaint_id": c.pk}} for c in cases.complaints],
        f"POST {v1}/complaints/{{complaint_id}}/transitions": [
            {
                "path": {"complaint_id": by_status[ComplaintStatus.NEW].pk},
                "body": {"action": "acknowledge", "version": None},
            },
            {
                "path": {"complaint_id": investigating.pk},
                "body": {
                    "action": "resolve",
                    "version": None,
                    "measures": "Replaced the seal",
                    "result": "No leak",
                    "follow_up": "Call in a week",
                },
            },
        ],
        f"POST {v1}/complaints/{{complaint_id}}/extension": [
            {
                "path": {"complaint_id": investigating.pk},
                "body": {"reason": "Waiting for the lab", "clock": "resolution", "extra": 2, "new_due_at": None},
            }
        ],
        f"GET {v1}/improvement/corrective-actions": [{"query": {"cursor": DROP}}],
        f"POST {v1}/improvement/corrective-actions": [
            {
                "body": {
                    "complaint_id": investigating.pk,
                    "kind": "free",
                    "title": "Fuzz: call the customer back",
                    "owner_id": handler_id,
                    "due_date": due,
                    "product_model_id": DROP,
                    "unit_id": DROP,
                    "staff_ids": DROP,
                }
            }
        ],
        f"POST {v1}/improvement/corrective-actions/{{action_id}}/transitions": [
            {"path": {"action_id": a.pk}, "body": {"action": "start", "note": "", "version": None}}
            for a in cases.corrective
        ],
        f"POST {v1}/improvement/promises": [
            {
                "body": {
                    "complaint_id": investigating.pk,
                    "kind": "compensation",
                    "description": "Refund the call-out fee",
                    "reason": "Two late visits",
                    "amount": "100.00",
                }
            }
        ],
        f"POST {v1}/improvement/promises/{{promise_id}}/decision": [
            {
                "path": {"promise_id": p.pk},
                "body": {"decision": "approve", "note": "Approved in writing", "version": None},
            }
            for p in cases.promises
        ],
        f"GET {v1}/improvement/actions": [{"query": {"cursor": DROP}}],
        f"POST {v1}/improvement/actions": [
            {
                "body": {
                    "source_kind": "analysis",
                    "source_id": None,
                    "title": "Fuzz: shorten the first response",
                    "owner_id": DROP,
                    "due_date": DROP,
                    "metric": DROP,
                }
            }
        ],
        f"POST {v1}/improvement/actions/{{action_id}}/transitions": [
            {"path": {"action_id": a.pk}, "body": {"action": "start", "note": "", "version": None}}
            for a in cases.actions
        ],
        f"POST {v1}/improvement/actions/{{action_id}}/effect-check": [
            {"path": {"action_id": cases.actions[1].pk}, "body": {"metric": "complaint_rate"}}
        ],
        f"GET {v1}/improvement/voc": [{"query": {"month": "", "source": "", "language": ""}}],
        f"GET {v1}/surveys/kpis": [
            {"query": {"date_from": DROP, "date_to": DROP, "department": DROP, "product_line": DROP}}
        ],
        f"GET {v1}/surveys/{{token}}": [{"path": {"token": t}} for t in cases.tokens],
        f"POST {v1}/surveys/{{token}}/answers": [
            {"path": {"token": t}, "body": {"answers": dict(SURVEY_ANSWERS)}} for t in cases.tokens
        ],
    }


def _seed_cases(*, agent, customer, order) -> Cases:
    """Complaints in several states, a corrective action, a promise, an improvement action and
    open survey links, through the services."""
    handler = UserFactory(role=Role.COMPLAINT_HANDLER)
    complaints = [
        complaint_in(status, handler=handler, customer=customer, order=order if status != ComplaintStatus.NEW else None)
        for status in (ComplaintStatus.NEW, ComplaintStatus.INVESTIGATING, ComplaintStatus.CLOSED)
    ]
    investigating = complaints[1]
    due = timezone.localdate() + dt.timedelta(days=20)
    corrective = [
        improvement.corrective_action_create(
            actor=handler,
            complaint_id=investigating.pk,
            title="Check the seal",
            owner_id=handler.pk,
            due_date=due,
            kind="free",
        )
    ]
    promises = [
        improvement.promise_request(
            actor=handler,
            complaint_id=investigating.pk,
            kind="compensation",
            description="Refund",
            reason="Late",
            amount="50.00",
        )
    ]
    actions = [
        improvement.improvement_action_open(actor=handler, source_kind="analysis", title=title)
        for title in ("Faster first response", "Fewer reopened orders")
    ]
    for step in ("start", "to_check"):  # the second one at the check stage (its effect can be measured)
        improvement.improvement_action_transition(actor=handler, action_id=actions[1].pk, action=step)
    tokens = [feedback.survey_invite(actor=agent, customer_id=customer.pk)[1] for _ in range(3)]
    return Cases(handler, complaints, corrective, promises, actions, tokens)


@pytest.fixture
def in_process_requests(db):
    """Requests through the WSGI handler keep the test's database connection (and its transaction):
    what Django's own test client does, since its handler closes old connections at each request's
    start and end (on PostgreSQL that would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


CASE_PATHS = ("/complaints", "/improvement/", "/surveys/")  # the operations that need ``_seed_cases``


@pytest.fixture
def world(request, in_process_requests):
    """Seeded rows through the real services, the requests that can succeed on them, one API token per role.
    The complaints, improvement rows and survey links are seeded only for the items of their
    operations (each item seeds its own world: the others need not pay for them)."""
    agent = UserFactory(role=Role.AGENT)
    engineer = UserFactory(role=Role.ENGINEER)
    customer_user = UserFactory(role=Role.CUSTOMER)
    mine = CustomerFactory(user=customer_user, name="Fuzz Customer", phone="13812345678")
    other, third = CustomerFactory(), CustomerFactory()
    orders = [
        order_in(status, agent=agent, customer=customer, engineer=engineer)
        for status, customer in [
            (Status.NEW, mine),
            (Status.ACKNOWLEDGED, other),
            (Status.IN_SERVICE, mine),
            (Status.IN_SERVICE, other),
            (Status.RESOLVED, mine),
            (Status.CLOSED, third),
        ]
    ]
    paid = order_in(Status.ASSESSED, agent=agent, customer=mine, engineer=engineer, paid=True)
    orders.append(paid)
    line = {"kind": "labour", "description": "Repair", "unit_price": "180.00"}
    services.quote_decide(
        quote_id=services.quote_create(order_id=paid.pk, actor=agent, lines=[line]).pk, actor=agent, approve=False
    )
    services.quote_create(order_id=paid.pk, actor=agent, lines=[line])  # pending
    orders.append(order_in(Status.ASSESSED, agent=agent, customer=other, engineer=engineer))
    mail_in = new_order(agent=agent, customer=mine, unit=UnitFactory(owner=mine), mode=Mode.MAIL_IN)
    orders.append(mail_in)
    shipment = shipment_record(
        order_id=mail_in.pk, actor=agent, direction=Shipment.Direction.INBOUND, carrier="SF", tracking_number="SF1"
    )
    units = [UnitFactory(owner=mine), UnitFactory(owner=other)] + [o.unit for o in orders if o.unit_id]
    for order in orders:
        order.refresh_from_db()
    TEMPLATES.clear()
    TEMPLATES.update(
        _templates(
            orders=orders,
            quotes=list(Quote.objects.filter(order__in=orders).order_by("pk").values_list("pk", flat=True)),
            shipment=shipment,
            units=units,
            customer=mine,
            engineer=engineer,
            department=DepartmentFactory(),
            model=ProductModelFactory(),
            cases=_seed_cases(agent=agent, customer=mine, order=orders[4])  # mine, resolved
            if any(p in request.node.name for p in CASE_PATHS)
            else None,
        )
    )
    tokens = {}
    for role in ROLES:
        user = {Role.CUSTOMER: customer_user, Role.ENGINEER: engineer, Role.AGENT: agent}.get(role)
        tokens[role] = ApiToken.issue(user or UserFactory(role=role))[1]
    yield tokens
    TEMPLATES.clear()


def _roles_for(case) -> list[str]:
    """Every role for a random case; one role, from the case's content, for a fixed case of the coverage phase."""
    if case.meta is None or case.meta.phase.name == TestPhase.FUZZING:
        return ROLES
    text = repr((case.method, case.path_parameters, case.query, case.headers, case.body, case.media_type))
    return [ROLES[zlib.crc32(text.encode("utf-8", "backslashreplace")) % len(ROLES)]]


LABELS = [f"{method.upper()} {path}" for path, methods in RAW_SCHEMA["paths"].items() for method in methods]


def _headers(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def test_the_fuzzed_schema_is_the_served_one(db):
    # when
    served = Client().get(OPENAPI_PATH)

    # then
    assert served.status_code == 200
    assert served.json() == RAW_SCHEMA


def _send(case, world):
    # Schemathesis collects the failures of all examples and reports them at the end, with a curl
    # line per failure: the X-Fuzz-Role header in that line names the role (the server ignores it).
    for role in _roles_for(case):
        case.call_and_validate(headers={**_headers(world[role]), "X-Fuzz-Role": role})


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the seeded rows are shared on purpose
def test_api_fuzz_fixed_seed(case, world):
    _send(case, world)


@random_schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_fuzz_random_seed(case, world):
    _send(case, world)


@pytest.mark.parametrize("label", LABELS)
def test_every_operation_succeeds_on_the_seeded_rows(world, label):
    """What the steering lays over the fuzzed cases works: each operation answers 2xx for some role
    on the seeded rows, and that response, too, passes every check (its body matches the schema)."""
    operation = schema.find_operation_by_label(label)
    templates = TEMPLATES.get(label)
    assert templates, f"{label}: add requests that can succeed on the seeded rows to _templates()"
    answered = []
    for template in templates:
        body = {"body": _over({}, template["body"]), "media_type": "application/json"} if "body" in template else {}
        case = operation.Case(
            path_parameters=_over({}, template.get("path", {})), query=_over({}, template.get("query", {})), **body
        )
        for role in ROLES:
            response = case.call_and_validate(headers=_headers(world[role]))
            if response.status_code < 300:
                return
            answered.append((role, response.status_code, response.text[:200]))
    pytest.fail(f"{label}: no 2xx for any role on the seeded rows: {answered[:12]}")
