"""The pages: role access, forms through the services, fixed query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from improvement import services
from improvement.models import CorrectiveAction, Promise
from tests.factories import CustomerFactory

from .fixtures import DUE, complaint_of

PAGES = ["improvement:board", "improvement:corrective", "improvement:voc", "improvement:action_new"]


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "quality",
            {
                "improvement:board": 200,
                "improvement:corrective": 200,
                "improvement:voc": 200,
                "improvement:action_new": 200,
                "improvement:approvals": 403,
            },
        ),
        (
            "analyst",
            {
                "improvement:board": 200,
                "improvement:corrective": 200,
                "improvement:voc": 200,
                "improvement:action_new": 403,
                "improvement:approvals": 403,
            },
        ),
        ("supervisor", {"improvement:board": 200, "improvement:approvals": 200}),
        (
            "engineer",
            {
                "improvement:board": 403,
                "improvement:corrective": 403,
                "improvement:voc": 403,
                "improvement:approvals": 403,
            },
        ),
        ("agent", {"improvement:board": 403, "improvement:approvals": 403}),
        ("finance", {"improvement:board": 403}),
    ],
)
def test_role_access(client, people, role, expected):
    login(client, people[role])
    assert {name: client.get(reverse(name)).status_code for name in expected} == expected


def test_customers_get_403_and_anonymous_the_login(client, customer_user):
    assert client.get(reverse("improvement:board")).status_code == 302
    login(client, customer_user)
    assert client.get(reverse("improvement:board")).status_code == 403


def test_the_quality_home_is_the_board_with_quality_feedback(client, people):
    complaint = complaint_of(
        "product_quality", handler=people["handler"], agent=people["agent"], engineer=people["engineer"]
    )
    row = services.corrective_action_create(
        actor=people["handler"],
        complaint_id=complaint.pk,
        title="Seal leaks",
        owner_id=people["quality"].pk,
        due_date=DUE,
    )
    page = login(client, people["quality"]).get("/", follow=True)
    assert page.redirect_chain[-1][0] == reverse("improvement:board")
    html = page.content.decode()
    assert row.number in html and "B2026-07" in html


def test_complaint_page_opens_a_corrective_action_and_a_promise_through_the_forms(client, people):
    complaint = complaint_of("service", handler=people["handler"], agent=people["agent"], engineer=people["engineer"])
    login(client, people["handler"])
    url = reverse("improvement:complaint", args=[complaint.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Training need for the staff involved" in page.content.decode()

    r = client.post(
        reverse("improvement:corrective_create", args=[complaint.pk]),
        {
            "kind": "training",
            "title": "Punctuality",
            "owner": people["quality"].pk,
            "due_date": "2026-12-31",
            "staff": [people["engineer"].pk],
            "major": "on",
        },
    )
    assert r.status_code == 302
    row = CorrectiveAction.objects.get(complaint=complaint)
    assert row.major and row.training_needs.get().ad_hoc_appraisal

    r = client.post(
        reverse("improvement:promise_create", args=[complaint.pk]),
        {"kind": "compensation", "description": "Refund", "amount": "300", "reason": "Late twice"},
    )
    assert r.status_code == 302
    p = Promise.objects.get(complaint=complaint)
    assert p.required_role == "supervisor"

    # the handler cannot decide; the supervisor can
    assert (
        client.post(
            reverse("improvement:promise_decide", args=[p.pk]), {"decision": "approve", "note": "x"}
        ).status_code
        == 403
    )
    login(client, people["supervisor"])
    r = client.post(reverse("improvement:promise_decide", args=[p.pk]), {"decision": "approve", "note": "同意"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "approved" and p.decided_by == people["supervisor"]


def test_bad_form_input_changes_nothing(client, people):
    complaint = complaint_of("other", handler=people["handler"], with_order=False)
    login(client, people["handler"])
    r = client.post(
        reverse("improvement:corrective_create", args=[complaint.pk]),
        {"kind": "free", "title": "x" * 500, "owner": "abc", "due_date": "3000-01-01"},
    )
    assert r.status_code == 302 and not CorrectiveAction.objects.exists()
    assert client.get(reverse("improvement:complaint", args=[987654])).status_code == 404
    assert client.get(reverse("improvement:action", args=[987654])).status_code == 404
    assert client.get(reverse("improvement:corrective"), {"kind": "nonsense"}).status_code == 400
    assert client.get(reverse("improvement:voc"), {"month": "2026-13"}).status_code == 400
    assert client.get(reverse("improvement:corrective"), {"cursor": "forged"}).status_code == 400


def test_the_voc_page_computes_on_demand(client, people):
    complaint_of("other", handler=people["handler"], with_order=False)
    login(client, people["quality"])
    r = client.post(reverse("improvement:voc_recompute"), {"month": ""}, follow=True)
    html = r.content.decode()
    assert r.status_code == 200 and 'data-term="洗衣机"' in html


def count(client, url):
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    return len(q.captured_queries)


def test_pages_run_a_fixed_number_of_queries(client, people):
    login(client, people["manager"])
    complaint = complaint_of("product_quality", handler=people["handler"], with_order=False)
    urls = [
        reverse(n) for n in ("improvement:board", "improvement:corrective", "improvement:approvals", "improvement:voc")
    ]
    [count(client, u) for u in urls]  # warm: the policies' cache
    few = [count(client, u) for u in urls]
    from tests.factories import ProductModelFactory

    model = ProductModelFactory()
    for i in range(6):
        services.corrective_action_create(
            actor=people["handler"],
            complaint_id=complaint.pk,
            title=f"t{i}",
            owner_id=people["quality"].pk,
            due_date=DUE,
            product_model_id=model.pk,
        )
        services.improvement_action_open(actor=people["quality"], source_kind="analysis", title=f"a{i}")
        services.promise_request(
            actor=people["handler"], complaint_id=complaint.pk, kind="promise", description="d", reason="r"
        )
    CustomerFactory()
    many = [count(client, u) for u in urls]
    assert many == few
    assert many[0] <= 10  # session, user, board counts, four columns, quality feedback, approvals count, bell
    assert max(many) <= 10


def test_complaint_page_queries_do_not_grow(client, people):
    complaint = complaint_of("service", handler=people["handler"], agent=people["agent"], engineer=people["engineer"])
    login(client, people["manager"])
    url = reverse("improvement:complaint", args=[complaint.pk])

    def add():
        services.corrective_action_create(
            actor=people["handler"], complaint_id=complaint.pk, title="t", owner_id=people["quality"].pk, due_date=DUE
        )
        services.promise_request(
            actor=people["handler"], complaint_id=complaint.pk, kind="promise", description="d", reason="r"
        )

    add()
    count(client, url)  # warm: the policies' cache
    few = count(client, url)
    for _ in range(4):
        add()
    assert count(client, url) == few
