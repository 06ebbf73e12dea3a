"""A database that refuses connections: 503 with Retry-After, never a 500. The API answers in
its error shape (``service_unavailable``), pages with a plain page; the same request succeeds once it is back.

The outage is real: the test's connection is closed and pointed at a port nothing listens on (PostgreSQL) or a
file that cannot be opened (SQLite), so every query fails as it does when the server is down."""

import contextlib

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import client_for, free_port, signed_in
from tests.incidents.conftest import image_bytes, upload
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def database_refusing_connections(tmp_path):
    saved = dict(connection.settings_dict)
    close_pool = getattr(connection, "close_pool", lambda: None)  # PostgreSQL's pool holds the old server
    connection.close()
    close_pool()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
        options = connection.settings_dict["OPTIONS"] = dict(saved.get("OPTIONS", {}))
        if "pool" in options:  # the pool waits this long for a connection before the request gives up
            options["pool"] = {**options["pool"], "timeout": 1.0}
    else:
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "retrace.sqlite3")
    try:
        yield
    finally:
        connection.close()
        close_pool()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def assert_api_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    assert response.json() == {
        "message": "The service is unavailable for a moment (its database cannot be reached). Nothing was changed: "
        "send the same request again in 15 seconds.",
        "code": "service_unavailable",
        "fields": {},
    }


def assert_page_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    html = response.content.decode()
    assert "Retrace is unavailable for a moment" in html
    assert "its database cannot be reached" in html
    assert "call 999" in html


def test_the_api_answers_503_with_retry_after_then_serves_the_same_request(world, tmp_path):
    client = client_for(world.a.officer)
    with database_refusing_connections(tmp_path):
        assert_api_503(client.get("/api/incidents/"))
    assert client.get("/api/incidents/").status_code == 200


def test_an_upload_during_an_outage_is_a_503_and_stores_nothing(world, tmp_path, media_root):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    client = client_for(world.a.worker)
    files = {"files": [upload("till.jpg", image_bytes("JPEG"), "image/jpeg")]}
    with database_refusing_connections(tmp_path):
        assert_api_503(client.post(f"/api/incidents/{incident.pk}/evidence/", files, format="multipart"))
    assert not any(media_root.rglob("*.*"))
    files["files"][0].seek(0)
    assert client.post(f"/api/incidents/{incident.pk}/evidence/", files, format="multipart").status_code == 201


def test_pages_answer_a_plain_503_with_retry_after(world, tmp_path):
    officer, worker = signed_in(world.a.officer), signed_in(world.a.worker)
    with database_refusing_connections(tmp_path):
        assert_page_503(officer.get("/incidents/"))
        assert_page_503(worker.post("/incidents/new/", {"description": "Took a crate of lager."}))
    assert officer.get("/incidents/").status_code == 200


class QueriesTheDatabaseMiddleware:
    """A middleware after core's that reads the database before the view (as sign-in checks do)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from accounts.models import User

        User.objects.exists()
        return self.get_response(request)


def test_an_outage_met_in_a_later_middleware_is_a_503_too(world, tmp_path, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.QueriesTheDatabaseMiddleware"]
    client = Client(raise_request_exception=False)
    with database_refusing_connections(tmp_path):
        assert_page_503(client.get("/login/"))
        assert_api_503(client.get("/api/incidents/"))
