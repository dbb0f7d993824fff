"""The site's icon: every page names it, and the conventional /favicon.ico leads to it."""

from django.templatetags.static import static


def test_favicon_ico_redirects_to_the_icon_which_is_served(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"] == static("favicon.svg")


def test_pages_name_their_icon(client):
    html = client.get("/login/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}"' in html
