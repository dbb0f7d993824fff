"""The assignment form's and the queue filters' choice lists: active engineers and teams, by name."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.models import Department, User
from service.forms import assignment_choices
from tests.factories import DepartmentFactory, UserFactory


def engineer_choices() -> list[tuple[int, str]]:
    """The engineers' list as the ORM reads it (the reference)."""
    rows = User.objects.filter(role=Role.ENGINEER, is_active=True).order_by("first_name", "last_name", "username")
    return [(u.pk, u.display_name()) for u in rows.only("pk", "username", "first_name", "last_name")]


def department_choices() -> list[tuple[int, str]]:
    """The teams' list as the ORM reads it (the reference)."""
    return list(Department.objects.order_by("name").values_list("pk", "name"))


@pytest.mark.django_db
def test_both_lists_are_the_active_engineers_and_the_teams_by_name():
    # given engineers (active or not, named or not), other staff, and teams
    UserFactory(role="engineer", first_name="Li", last_name="Gong", username="z-li")
    UserFactory(role="engineer", first_name="Li", last_name="Ang", username="a-li")
    UserFactory(role="engineer", first_name="", last_name="", username="bare")
    UserFactory(role="engineer", first_name="王", last_name="五", username="wang")
    UserFactory(role="engineer", first_name="Gone", is_active=False)
    UserFactory(role="agent", first_name="Not an engineer")
    for name in ("现场服务部 Field service", "CRM", "Billing & <finance>"):
        DepartmentFactory(name=name)
    # when both lists are read
    with CaptureQueriesContext(connection) as ctx:
        engineers, departments = assignment_choices()
    # then they are the two ORM lists, in the same order, one query each
    assert len(ctx.captured_queries) == 2
    assert (engineers, departments) == (engineer_choices(), department_choices())
    assert [name for _pk, name in engineers] == ["bare", "Li Ang", "Li Gong", "王 五"]
    assert [name for _pk, name in departments] == ["Billing & <finance>", "CRM", "现场服务部 Field service"]


@pytest.mark.django_db
def test_no_engineer_and_no_team():
    assert assignment_choices() == ([], []) == (engineer_choices(), department_choices())
