"""403, 404 and 500: the product's pages in the user's language with a way home; the API's
error shape under /api/; the 500 page renders without the database or context processors."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path

from config import urls as project_urls
from tests.factories import UserFactory


def boom(request):
    raise RuntimeError("boom")


def refused(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", boom),
    path("api/boom/", boom),
    path("refused/", refused),
    *project_urls.urlpatterns,  # the menu of the pages names the product's URLs
]
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"


@pytest.fixture
def agent_client(db):
    client = Client()
    client.force_login(UserFactory(role="agent"))
    return client


@pytest.mark.parametrize(
    "language, title, home",
    [
        ("en", "This page is not open to your role", "Back to my home page"),
        ("zh-hans", "您的角色无权使用此页面", "返回我的首页"),
    ],
    ids=["en", "zh-hans"],
)
def test_403_is_the_products_page_in_the_users_language(agent_client, language, title, home):
    # when an agent opens the audit log (not their role's)
    response = agent_client.get("/audit/", HTTP_ACCEPT_LANGUAGE=language)

    # then
    html = response.content.decode()
    assert response.status_code == 403
    assert title in html and home in html
    assert 'href="/"' in html and "<nav>" in html  # the menu and a way home


@pytest.mark.parametrize(
    "language, title", [("en", "Page not found"), ("zh-hans", "页面不存在")], ids=["en", "zh-hans"]
)
def test_404_is_the_products_page(agent_client, language, title):
    response = agent_client.get("/console/orders/999999/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert title in response.content.decode()


def test_404_for_a_path_nobody_serves(agent_client):
    response = agent_client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_api_paths_keep_json_errors(agent_client):
    response = agent_client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@override_settings(ROOT_URLCONF="core.tests.test_error_pages")
@pytest.mark.parametrize(
    "language, text", [("en", "Something went wrong"), ("zh-hans", "出错了")], ids=["en", "zh-hans"]
)
def test_500_is_the_products_page_without_the_database(db, language, text, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    html = response.content.decode()
    assert text in html and 'href="/"' in html


@override_settings(ROOT_URLCONF="core.tests.test_error_pages")
def test_500_under_the_api_is_json(db):
    response = Client(raise_request_exception=False).get("/api/boom/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


@override_settings(ROOT_URLCONF="core.tests.test_error_pages")
def test_a_permission_denied_raised_by_a_view_uses_the_page(agent_client):
    response = agent_client.get("/refused/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "This page is not open to your role" in response.content.decode()


def test_the_500_page_renders_with_no_request():
    from django.template import loader

    assert "500" in loader.get_template("500.html").render()
