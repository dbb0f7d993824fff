"""Every demo role in a real browser: it logs in, lands on its home page (screenshot in English
and in Chinese) and every link of its menu opens — no 403, no 404. Screenshots in
test-artifacts/homes-*.png."""

import pytest

from accounts.choices import Role
from accounts.navigation import HOMES, menu_for
from complaints.tests.flow import complaint_in
from service import services
from service.tests.flow import advance, new_order, order_in
from tests.factories import CustomerFactory, UserFactory

from .test_journey import DESKTOP, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The demo's usernames (demo/catalogue.py DEMO_USERS), one per role.
LOGINS = {
    Role.CUSTOMER: "customer",
    Role.AGENT: "agent",
    Role.TECH_SUPPORT: "support",
    Role.ENGINEER: "engineer",
    Role.COMPLAINT_HANDLER: "complaints",
    Role.SUPERVISOR: "supervisor",
    Role.MANAGER: "manager",
    Role.FINANCE: "finance",
    Role.QUALITY: "quality",
    Role.ANALYST: "analyst",
    Role.ADMIN: "admin",
}
TITLES = {  # the home page's heading, in English and in Chinese
    "portal_home": ("My products", "我的产品"),
    "queue": ("Work orders", "工单"),
    "engineer": ("My orders", "我的工单"),
    "complaints": ("Complaints", "投诉"),
    "dashboard": ("Dashboard", "仪表盘"),
    "finance": ("Chargeable orders", "收费工单"),
    "improvement": ("Improvement board", "改进看板"),
    "audit": ("Audit log", "审计日志"),
}


@pytest.fixture
def people(db):
    users = {
        role: UserFactory(username=name, role=role, is_staff=role == Role.ADMIN, first_name=name.title(), last_name="")
        for role, name in LOGINS.items()
    }
    customer = CustomerFactory(user=users[Role.CUSTOMER], name="陈晓明")
    agent, engineer, handler = users[Role.AGENT], users[Role.ENGINEER], users[Role.COMPLAINT_HANDLER]
    # something on every home: an engineer's job, a paid order with a quote, a reopened order, complaints
    order_in("scheduled", agent=agent, customer=customer, engineer=engineer)
    paid = advance(new_order(agent=agent, customer=customer), ["acknowledge", "assess"], agent=agent, paid=True)
    services.quote_create(
        order_id=paid.pk, actor=agent, lines=[{"kind": "labour", "description": "Repair", "unit_price": "260.00"}]
    )
    reopened = order_in("reopened", agent=agent, customer=customer, engineer=engineer)
    complaint_in("classified", handler=handler, customer=customer, order=reopened)
    complaint_in("closed", handler=handler, customer=customer)
    return users


def switch_to_chinese(page) -> None:
    """The top bar's language selector: choosing submits it and reloads the page."""
    with page.expect_navigation():
        page.locator("select[name=language]").select_option("zh-hans")
    page.wait_for_load_state()


def heading(page) -> str:
    return page.locator("main h1").first.inner_text().strip()


def test_every_role_lands_on_its_home_and_every_menu_link_opens(live_server, chromium, shots, people):
    base = live_server.url
    for role, username in LOGINS.items():
        user = people[role]
        home = HOMES[role]
        context = chromium.new_context(viewport=DESKTOP, locale="en-GB")
        page = context.new_page()
        statuses = {}
        page.on("response", lambda r, statuses=statuses: statuses.__setitem__(r.url, r.status))
        try:
            # when the user logs in
            log_in(page, base, username)

            # then they land on their home page, titled, in English
            if home in TITLES:
                assert heading(page) == TITLES[home][0], (role, page.url)
            shots(page, f"{username}-home-en")

            # and every link of the menu opens
            links = page.locator("header.topbar nav a")
            labels = [links.nth(i).text_content().strip() for i in range(links.count())]
            assert labels == [str(e.label) for e in menu_for(user)], role
            for i, label in enumerate(labels):
                link = page.locator("header.topbar nav a").nth(i)
                summary = link.locator("xpath=ancestor::details[1]/summary")
                if summary.count():  # in a drop-down: open it first, as a user would
                    summary.click()
                    if role == Role.MANAGER and i == 0:
                        shots(page, f"{username}-menu-open-en")
                link.click()
                page.wait_for_load_state()
                status = statuses.get(page.url)
                assert status == 200, (role, label, page.url, status)
                assert "403" not in heading(page) and "Page not found" not in page.content(), (role, label)

            # and in Chinese, through the language selector of the top bar
            page.goto(f"{base}/")
            switch_to_chinese(page)
            if home in TITLES:
                assert heading(page) == TITLES[home][1], (role, page.url)
            shots(page, f"{username}-home-zh")
        finally:
            context.close()


def test_a_forbidden_page_is_the_styled_403_in_chinese(live_server, chromium, shots, people):
    context = chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    try:
        log_in(page, live_server.url, "finance")
        page.goto(f"{live_server.url}/console/new/")
        switch_to_chinese(page)
        assert heading(page) == "您的角色无权使用此页面"
        shots(page, "finance-403-zh")
        page.get_by_role("link", name="返回我的首页").click()
        page.wait_for_load_state()
        assert heading(page) == "收费工单"
    finally:
        context.close()


def test_the_menu_table_has_a_title_for_every_home():
    assert set(HOMES.values()) == set(TITLES)
