"""The complaint page, the new complaint form and the handler's home: roles, forms, queries."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.extensions import register_complaint_panel, unregister_complaint_panel
from complaints.models import Complaint, ComplaintDocument, ComplaintEvent
from complaints.tests.flow import complaint_in
from service.tests.flow import order_in
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory


@pytest.fixture
def team(db):
    desk = DepartmentFactory(code="problem-handling")
    customer_user = UserFactory(role="customer")
    return SimpleNamespace(
        agent=UserFactory(role="agent"),
        engineer=UserFactory(role="engineer"),
        quality=UserFactory(role="quality"),
        handler=UserFactory(role="complaint_handler", department=desk),
        customer_user=customer_user,
        customer=CustomerFactory(user=customer_user, name="王小明", phone="13812345678"),
    )


def page(c):
    return f"/complaints/{c.pk}/"


def login(client, user):
    client.force_login(user)
    return client


def test_roles_reach_the_page_or_not(client, team):
    c = complaint_in("new", handler=team.handler, customer=team.customer)
    assert login(client, team.handler).get(page(c)).status_code == 200
    assert login(client, team.quality).get(page(c)).status_code == 200  # reads, takes no action
    assert login(client, team.engineer).get(page(c)).status_code in (403, 404)
    assert login(client, team.customer_user).get(page(c)).status_code in (403, 404)
    assert login(client, team.handler).get("/complaints/999999/").status_code == 404


def test_the_page_shows_labels_clocks_actions_and_masks_for_other_roles(client, team):
    order = order_in("closed", agent=team.agent, customer=team.customer)
    c = complaint_in("acknowledged", handler=team.handler, customer=team.customer, order=order)
    html = login(client, team.handler).get(page(c)).content.decode()
    assert "Complaint received" in html and "Acknowledge" in html  # event labels, not codes
    assert 'data-clock="resolution"' in html
    assert 'data-action="classify"' in html and "Route automatically" in html
    assert "138****5678" in html  # masked until revealed through the order's logged reveal
    assert order.number in html
    html = login(client, team.quality).get(page(c)).content.decode()
    assert 'data-action="classify"' not in html
    assert "王**" in html and "王小明" not in html  # quality reads the name masked


def test_classify_progress_callback_resolve_close_through_the_forms(client, team):
    c = complaint_in("acknowledged", handler=team.handler, customer=team.customer)
    web = login(client, team.handler)
    r = web.post(
        f"{page(c)}transition/",
        {"action": "classify", "version": c.version, "category": "other", "owner": "", "major": "on"},
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.owner, c.major) == ("classified", team.handler, True)
    web.post(f"{page(c)}transition/", {"action": "investigate", "version": c.version})
    web.post(f"{page(c)}progress/", {"text": "已安排复核。"})
    later = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    web.post(f"{page(c)}callback/", {"callback_at": later})
    c.refresh_from_db()
    r = web.post(f"{page(c)}transition/", {"action": "resolve", "version": c.version, "measures": "x"})
    c.refresh_from_db()
    assert c.status == "investigating"  # refused: the notice is incomplete
    web.post(
        f"{page(c)}transition/",
        {
            "action": "resolve",
            "version": c.version,
            "measures": "更换部件",
            "result": "已修复",
            "follow_up": "一周回访",
        },
    )
    c.refresh_from_db()
    web.post(f"{page(c)}transition/", {"action": "close", "version": c.version})
    c.refresh_from_db()
    assert c.status == "closed" and c.result == "已修复"
    actions = set(ComplaintEvent.objects.filter(complaint=c).values_list("action", flat=True))
    assert {"progress", "callback", "resolve", "close", "customer_notified"} <= actions


def test_evidence_upload_and_download_by_scope(client, team):
    c = complaint_in("investigating", handler=team.handler, customer=team.customer)
    web = login(client, team.handler)
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert web.post(f"{page(c)}evidence/", {"file": pdf, "note": "检测报告"}).status_code == 302
    row = ComplaintDocument.objects.get(complaint=c)
    assert web.get(f"{page(c)}files/{row.document_id}/").status_code == 200
    assert login(client, team.engineer).get(f"{page(c)}files/{row.document_id}/").status_code == 404


def test_an_agent_records_a_phone_complaint_received_earlier(client, team):
    web = login(client, team.agent)
    assert web.get("/complaints/new/").status_code == 200
    earlier = (timezone.localtime() - dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    r = web.post(
        "/complaints/new/",
        {
            "customer": team.customer.pk,
            "channel": "phone",
            "received_at": earlier.strftime("%Y-%m-%dT%H:%M"),
            "description": "电话投诉：维修后仍漏水。",
        },
    )
    assert r.status_code == 302, r.content
    c = Complaint.objects.get()
    assert c.received_at == earlier and c.channel == "phone"
    future = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    r = web.post(
        "/complaints/new/",
        {"customer": team.customer.pk, "channel": "phone", "received_at": future, "description": "x"},
    )
    assert r.status_code == 422 and Complaint.objects.count() == 1
    assert login(client, team.engineer).get("/complaints/new/").status_code in (403, 404)


def test_the_home_lists_mine_by_deadline_at_risk_and_unassigned(client, team):
    mine = complaint_in("classified", handler=team.handler, customer=team.customer)
    unowned = complaint_in("new", handler=team.handler, customer=team.customer)
    web = login(client, team.handler)
    html = web.get("/complaints/?view=mine").content.decode()
    assert f'data-complaint="{mine.number}"' in html and f'data-complaint="{unowned.number}"' not in html
    assert f'href="/complaints/{mine.pk}/"' in html
    html = web.get("/complaints/?view=unassigned").content.decode()
    assert f'data-complaint="{unowned.number}"' in html and f'data-complaint="{mine.number}"' not in html
    mine.clocks.filter(clock="resolution").update(at_risk=True)
    html = web.get("/complaints/?view=at_risk").content.decode()
    assert f'data-complaint="{mine.number}"' in html and f'data-complaint="{unowned.number}"' not in html
    assert web.get("/complaints/?view=bogus").status_code == 400


def test_the_page_and_its_panels_cost_a_fixed_number_of_queries(client, team):
    order = order_in("closed", agent=team.agent, customer=team.customer)
    c = complaint_in("investigating", handler=team.handler, customer=team.customer, order=order)

    def panel(complaint, actor, request=None):
        return f"<section id='extra-panel'>{complaint.number}</section>"

    register_complaint_panel(panel)
    try:
        web = login(client, team.handler)
        web.get(page(c))
        with CaptureQueriesContext(connection) as ctx:
            html = web.get(page(c)).content.decode()
        assert "extra-panel" in html
        first = len(ctx.captured_queries)
        for _ in range(3):
            ComplaintEvent.objects.create(complaint=c, action="progress", note="x", actor=team.handler)
        with CaptureQueriesContext(connection) as ctx:
            web.get(page(c))
        assert len(ctx.captured_queries) == first <= 25
    finally:
        unregister_complaint_panel(panel)


def test_a_customer_files_and_follows_a_complaint_in_the_portal(client, team):
    web = login(client, team.customer_user)
    order = order_in("closed", agent=team.agent, customer=team.customer)
    assert web.get("/portal/complaints/new/").status_code == 200
    r = web.post("/portal/complaints/new/", {"description": "维修太慢。", "order": order.pk})
    assert r.status_code == 302, r.content
    c = Complaint.objects.get()
    assert (c.channel, c.order_id, c.customer_id) == ("portal", order.pk, team.customer.pk)
    html = web.get(f"/portal/complaints/{c.pk}/").content.decode()
    assert "Expected handling time" in html and "Complaint received" in html
    assert f'data-complaint="{c.number}"' in web.get("/portal/complaints/").content.decode()
    other = complaint_in("new", handler=team.handler, customer=CustomerFactory())
    assert web.get(f"/portal/complaints/{other.pk}/").status_code == 404
    assert web.post("/portal/complaints/new/", {"description": ""}).status_code == 422
    assert login(client, team.handler).get("/portal/complaints/").status_code == 403


ACTIONS = {  # the complaint page's action forms (views._act), with data each accepts
    "progress": lambda c: {"text": "已安排复核。", "version": c.version},
    "callback": lambda c: {
        "callback_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "version": c.version,
    },
    "extension": lambda c: {"clock": "resolution", "reason": "等待检测报告", "extra": 2},
    "evidence": lambda c: {
        "file": SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        "note": "检测报告",
    },
}


@pytest.mark.parametrize("action", ACTIONS, ids=list(ACTIONS))
def test_each_action_form_refuses_bad_input_and_other_roles_and_then_acts(client, team, action):
    # given a complaint under investigation
    c = complaint_in("investigating", handler=team.handler, customer=team.customer)
    before = ComplaintEvent.objects.filter(complaint=c).count()
    # when the handler posts the form empty, HTMX: a 4xx in the user's language, nothing written
    web = login(client, team.handler)
    r = web.post(f"{page(c)}{action}/", {}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 422 and "必填" in r.content.decode()
    # and the quality specialist, who reads the page, may not act: 403, nothing written
    assert login(client, team.quality).post(f"{page(c)}{action}/", ACTIONS[action](c)).status_code == 403
    assert ComplaintEvent.objects.filter(complaint=c).count() == before
    # when the handler posts it filled in: back to the complaint, one event more
    r = login(client, team.handler).post(f"{page(c)}{action}/", ACTIONS[action](c))
    assert (r.status_code, r.headers["Location"]) == (302, page(c))
    assert ComplaintEvent.objects.filter(complaint=c).count() > before


def test_the_new_complaint_form_finds_the_caller_by_phone_number_or_name_masked(
    client, team, django_assert_max_num_queries
):
    # given two customers with the same family name, one with a contact's phone
    other = CustomerFactory(name="王大伟", phone="13900001111")
    other.contacts.create(name="王太太", phone="13755556666")
    web = login(client, team.agent)

    def found(text):
        html = web.get("/complaints/new/customers/", {"lookup": text}).content.decode()
        return html, {int(v) for v in re.findall(r'data-customer="(\d+)"', html)}

    # when the agent types the caller's phone (spaces and dashes as people type them)
    with django_assert_max_num_queries(5):  # session, user, customers, their units
        html, ids = found("138-1234 5678")
    # then the customer is found, masked (name and phone), with the number to confirm
    assert ids == {team.customer.pk}
    assert "王**" in html and "138****5678" in html and "王小明" not in html and "13812345678" not in html
    assert found("137 5555 6666")[1] == {other.pk}  # a contact's phone
    # by the start of the name: both, masked
    html, ids = found("王")
    assert ids == set()  # one character lists nobody
    html, ids = found("王小")
    assert ids == {team.customer.pk}
    assert found("王大")[1] == {other.pk}
    # by the customer number
    assert found(str(other.pk))[1] == {other.pk}
    assert found("x" * 500)[1] == set()
    # and only staff who take complaints may look
    assert login(client, team.engineer).get("/complaints/new/customers/", {"lookup": "王小"}).status_code in (403, 404)
    assert login(client, team.customer_user).get("/complaints/new/customers/", {"lookup": "王小"}).status_code in (
        403,
        404,
    )


def test_the_new_complaint_form_shows_the_customer_it_was_opened_for(client, team):
    # given the form opened from a customer's order ("?customer=")
    html = login(client, team.agent).get(f"/complaints/new/?customer={team.customer.pk}").content.decode()
    # then the customer is shown, masked and chosen
    assert f'data-customer="{team.customer.pk}"' in html and "王**" in html and "checked" in html
    # and a post without a customer says so on the form
    r = client.post("/complaints/new/", {"channel": "phone", "description": "x", "received_at": ""})
    assert r.status_code in (400, 422) and Complaint.objects.count() == 0
