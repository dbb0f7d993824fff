"""The menu and the homes come from one table: every role is walked through every entry.

An entry in a role's menu answers 200 (never 403); an entry outside it is refused (403; a
customer's pages to staff, staff pages to customers); the start page sends the role to its home.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.navigation import HOMES, MENU, home_entry, menu_for
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
