import pytest

pytestmark = pytest.mark.django_db


def test_healthz_checks_database_and_broker(client):
    r = client.get("/healthz")
    assert r.status_code == 200, r.content
    assert r.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_broker_is_down(client, monkeypatch):
    from config.celery import app

    # The health check writes to the broker: point writes at a port where nothing listens.
    monkeypatch.setattr(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["database"] == "ok" and r.json()["broker"].startswith("unavailable")
