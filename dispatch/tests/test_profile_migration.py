"""Migration ``dispatch.0002_profile_rows``: the ``",a,b,"`` strings become rows, and back."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ProductLineFactory, UserFactory

BEFORE = [("dispatch", "0001_initial")]
AFTER = [("dispatch", "0002_profile_rows")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_profiles(transactional_db):
    ProductLineFactory(code="camera", name="camera")
    ProductLineFactory(code="lock", name="lock")
    users = [UserFactory(role="engineer", dispatch=False) for _ in range(2)]
    old = _migrate(BEFORE)
    Profile = old.get_model("dispatch", "EngineerProfile")
    Profile.objects.create(
        user_id=users[0].pk,
        regions=",广东省,广西壮族自治区,",
        product_lines=",camera,lock,gone,",
        certificate_valid_until=dt.date(2027, 3, 1),
    )
    Profile.objects.create(user_id=users[1].pk)  # every region, every line, no certificate
    yield users
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_strings_become_rows_and_back(old_profiles):
    first, second = old_profiles
    new = _migrate(AFTER)
    Area, Skill = new.get_model("dispatch", "ServiceArea"), new.get_model("dispatch", "Skill")
    Certificate = new.get_model("dispatch", "Certificate")
    assert sorted(Area.objects.filter(profile_id=first.pk).values_list("region", flat=True)) == [
        "广东省",
        "广西壮族自治区",
    ]
    lines = Skill.objects.filter(profile_id=first.pk).values_list("product_line__code", "service_type", "level")
    assert sorted(lines) == [("camera", "", 2), ("lock", "", 2)]  # the unknown code is dropped
    cert = Certificate.objects.get(profile_id=first.pk)
    assert (cert.kind.code, cert.valid_until) == ("service-qualification", dt.date(2027, 3, 1))
    # "every line" stays every line, "every region" stays every region
    assert list(Skill.objects.filter(profile_id=second.pk).values_list("product_line_id", "service_type")) == [
        (None, "")
    ]
    assert not Area.objects.filter(profile_id=second.pk).exists()

    old = _migrate(BEFORE)
    Profile = old.get_model("dispatch", "EngineerProfile")
    back = Profile.objects.get(user_id=first.pk)
    assert (back.regions, back.product_lines, back.certificate_valid_until) == (
        ",广东省,广西壮族自治区,",
        ",camera,lock,",
        dt.date(2027, 3, 1),
    )
    assert Profile.objects.get(user_id=second.pk).product_lines == ""
