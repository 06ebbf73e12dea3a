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


def test_healthz_checks_the_projects_celery_app_from_any_thread():
    """core does not import config: the health check asks Celery for its current app, which must be the
    project's in every thread (gunicorn serves requests from a thread pool)."""
    import threading

    from celery import current_app

    from config.celery import app

    seen = []
    thread = threading.Thread(target=lambda: seen.append(current_app._get_current_object()))
    thread.start()
    thread.join()
    assert seen == [app]
