import pytest

from tests.factories import UserFactory


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "handler": UserFactory(role="complaint_handler"),
        "quality": UserFactory(role="quality"),
        "supervisor": UserFactory(role="supervisor"),
        "manager": UserFactory(role="manager"),
        "manager2": UserFactory(role="manager"),
        "engineer": UserFactory(role="engineer"),
        "analyst": UserFactory(role="analyst"),
        "finance": UserFactory(role="finance"),
    }
