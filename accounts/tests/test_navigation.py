"""The menu and the homes come from one table: every role is walked through every entry.

An entry in a role's menu answers 200 (never 403); an entry outside it is refused (403; a
customer's pages to staff, staff pages to customers); the start page sends the role to its home.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.navigation import FLAT_MAX, GROUPS, HOMES, MENU, Entry, home_entry, menu_for, menu_tree
from tests.factories import CustomerFactory, UserFactory

ROLES = list(Role)


def user_of(role):
    user = UserFactory(role=role, is_staff=role == Role.ADMIN)
    if role == Role.CUSTOMER:
        CustomerFactory(user=user)
    return user


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_every_menu_entry_answers_200_and_every_other_403(db, role):
    # given a signed-in user of the role
    user = user_of(role)
    client = Client()
    client.force_login(user)
    shown = {e.key for e in menu_for(user)}

    # when every entry of the table is opened
    answers = {e.key: client.get(reverse(e.url_name)).status_code for e in MENU}

    # then the menu's entries open, the others are refused (Django's admin sends those who are
    # not staff to its login instead)
    refused = {e.key: {302, 403} if e.needs_staff else {403} for e in MENU}
    assert {k: s for k, s in answers.items() if k in shown and s != 200} == {}
    assert {k: s for k, s in answers.items() if k not in shown and s not in refused[k]} == {}


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_the_menu_shows_the_entries_of_the_role_and_its_home_first_class(db, role):
    # given
    user = user_of(role)
    client = Client()
    client.force_login(user)

    # when
    page = client.get("/", follow=True)

    # then the start page lands on the role's home, which is in its menu
    entry = home_entry(user)
    assert entry.key == HOMES[role]
    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == reverse(entry.url_name)
    html = page.content.decode()
    nav = html[html.index("<nav>") : html.index("</nav>")]
    for e in MENU:
        assert (f'href="{reverse(e.url_name)}"' in nav) is (e.key in {m.key for m in menu_for(user)}), e.key
    assert 'aria-current="page"' in nav


def test_new_phone_request_is_not_offered_to_who_may_not_file(db):
    # given roles that see the queue but may not file a request
    for role in (Role.FINANCE, Role.QUALITY, Role.ANALYST):
        client = Client()
        client.force_login(UserFactory(role=role))

        # when
        html = client.get(reverse("service:queue")).content.decode()

        # then neither the menu nor the queue's button offers it
        assert reverse("service:new") not in html, role


def test_an_admin_without_staff_status_is_not_offered_the_admin(db):
    # given
    user = UserFactory(role=Role.ADMIN, is_staff=False)

    # when / then
    assert "admin" not in {e.key for e in menu_for(user)}


def _entries(*groups):
    return [Entry(f"e{i}", f"E{i}", "home", "portal.use", group=g) for i, g in enumerate(groups)]


def test_a_short_menu_stays_flat():
    # given six entries in three groups
    entries = _entries("service", "service", "care", "care", "settings", "settings")

    # then every entry is its own link, in order
    assert [(i.is_group, i.entry.key) for i in menu_tree(entries)] == [(False, f"e{n}") for n in range(6)]


def test_a_long_menu_groups_its_entries_where_the_first_of_each_group_stands():
    # given eight entries, two ungrouped, one group of one
    entries = _entries("", "service", "care", "service", "", "care", "settings", "care")

    # when
    tree = menu_tree(entries)

    # then each group of two or more is one drop-down in the place of its first entry; a group
    # of one is a plain link
    shown = [(str(i.label), [e.key for e in i.entries]) if i.is_group else i.entry.key for i in tree]
    assert shown == [
        "e0",
        (str(GROUPS["service"]), ["e1", "e3"]),
        (str(GROUPS["care"]), ["e2", "e5", "e7"]),
        "e4",
        "e6",
    ]


def test_the_manager_sees_drop_downs_holding_the_current_page(db):
    # given a manager, whose menu is long
    client = Client()
    client.force_login(UserFactory(role=Role.MANAGER, is_staff=True))
    assert len(menu_for(UserFactory.build(role=Role.MANAGER, is_staff=True))) > FLAT_MAX

    # when they open the audit log
    html = client.get(reverse("audit")).content.decode()

    # then the settings drop-down is marked as holding the current page
    nav = html[html.index("<nav>") : html.index("</nav>")]
    assert '<details class="navgroup current"><summary>Settings</summary>' in nav
    assert f'<a href="{reverse("audit")}" aria-current="page">' in nav
