import pytest
from django.test import Client

from accounts.models import ApiToken, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_renders_with_999_advice(client):
    r = client.get("/login/")
    assert r.status_code == 200
    assert b"call 999" in r.content


def test_home_requires_login(client):
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_worker_signs_in_and_sees_only_their_store(world):
    c = Client()
    r = c.post("/login/", {"username": "A-worker", "password": PASSWORD}, follow=True)
    assert r.status_code == 200
    assert world.a.store.name.encode() in r.content
    assert world.a.sibling_store.name.encode() not in r.content


def test_wrong_password_shows_error(client, world):
    r = client.post("/login/", {"username": "A-worker", "password": "wrong"})
    assert r.status_code == 200 and b"Wrong username or password" in r.content


def test_demo_account_refused_outside_embedded_default(client, world, settings):
    User.objects.filter(pk=world.a.worker.pk).update(is_demo=True)
    settings.DEMO_LOGINS_ALLOWED = False
    r = client.post("/login/", {"username": "A-worker", "password": PASSWORD})
    assert b"Wrong username or password" in r.content
    assert "_auth_user_id" not in client.session
    settings.DEMO_LOGINS_ALLOWED = True
    r = client.post("/login/", {"username": "A-worker", "password": PASSWORD})
    assert r.status_code == 302


def test_demo_token_refused_outside_embedded_default(api, world, settings):
    User.objects.filter(pk=world.a.worker.pk).update(is_demo=True)
    settings.DEMO_LOGINS_ALLOWED = False
    r = api.post("/api/auth/token/", {"username": "A-worker", "password": PASSWORD}, format="json")
    assert r.status_code == 401
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "role, present, absent",
    [
        ("worker", ["/incidents/"], ["/cases/", "/recognition/", "/admin/"]),
        ("officer", ["/incidents/", "/cases/", "/recognition/"], ["/recognition/threshold/", "/admin/"]),
        ("admin", ["/cases/", "/recognition/threshold/", "/cases/access-log/", "/admin/"], []),
    ],
)
def test_navigation_offers_each_role_only_its_pages(world, role, present, absent):
    c = Client()
    c.force_login(getattr(world.a, role))
    html = c.get("/incidents/").content.decode()
    nav = html[html.index("<nav>") : html.index("</nav>")]
    for href in present:
        assert f'href="{href}"' in nav, href
    for href in absent:
        assert f'href="{href}"' not in nav, href
