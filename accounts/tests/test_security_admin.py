"""Users are deactivated, never deleted: the append-only audit log refers to them."""

from django.test import Client

from accounts.models import User
from tests.factories import UserFactory


def test_the_admin_does_not_delete_users(db):
    # given a superuser and a user
    client = Client()
    client.force_login(UserFactory(role="admin", is_staff=True, is_superuser=True))
    user = UserFactory(role="agent")

    # when
    response = client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})

    # then
    assert response.status_code == 403
    assert User.objects.filter(pk=user.pk).exists()
