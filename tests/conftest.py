"""Shared fixtures. Tests that need PostgreSQL, Redis or the face dataset skip with a reason on a
laptop without them, and fail instead when CI=true (CI must run them)."""

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from accounts.models import Beat, Force, Retailer, Store, User
from tests.factories import BeatFactory, ForceFactory, RetailerFactory, StoreFactory, UserFactory

PASSWORD = "correct-horse-battery"
REPO = Path(__file__).resolve().parent.parent
# The labelled photographs (not in the repository): ../shared/datasets/faces beside the clone, or
# wherever RETRACE_FACES_DIR says. Without them, the real-model tests skip (and fail in CI).
FACES = Path(os.environ.get("RETRACE_FACES_DIR") or REPO.parent / "shared" / "datasets" / "faces")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available: bool, reason: str) -> None:
    """Skip with ``reason`` when something the test needs is missing; in CI, fail instead."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this must run in CI)")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never leave this machine: connections outside loopback fail loudly."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0") and "/" not in host:
            raise RuntimeError(f"Network access to {host!r} is blocked in tests")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def api():
    return APIClient()


def signed_in(user: User):
    """A Django test client signed in as ``user`` (portal pages and admin), second factor included."""
    from django.test import Client

    client = Client()
    client.force_login(user)  # fully signed in: see _force_login_includes_the_second_factor
    return client


def authenticator_for(user: User):
    """The user's authenticator app (a confirmed TOTP device), set up if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def otp_code(device) -> str:
    """The code the device's app shows now, or the next one if this one was already used (each is accepted
    once; the device accepts the next 30-second step too)."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        totp.time = totp.time + device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch):
    """``Client.force_login`` skips signing in; for police users (who sign in with a password and a one-time
    code) it skips the code too, marking the session verified as the code page would. Tests of the sign-in
    itself sign in through the pages instead."""
    from django.test.client import ClientMixin

    real = ClientMixin.force_login

    def force_login(self, user, backend=None):
        real(self, user, backend)
        from accounts.otp import DEVICE_ID_SESSION_KEY, second_factor_required

        if second_factor_required(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@dataclass
class Side:
    """One force with everything in it, so every test can also check the other force's view."""

    force: Force
    beat: Beat
    other_beat: Beat
    retailer: Retailer
    store: Store
    sibling_store: Store  # same retailer, same force, the worker is not a member
    other_retailer_store: Store
    worker: User
    officer: User
    admin: User


def _side(prefix: str, retailer: Retailer, other_retailer: Retailer) -> Side:
    force = ForceFactory(name=f"{prefix} Constabulary", code=prefix.lower())
    beat = BeatFactory(force=force, name=f"{prefix} North")
    other_beat = BeatFactory(force=force, name=f"{prefix} South")
    store = StoreFactory(retailer=retailer, beat=beat, code=f"{prefix}-1")
    sibling = StoreFactory(retailer=retailer, beat=other_beat, code=f"{prefix}-2")
    other_store = StoreFactory(retailer=other_retailer, beat=beat, code=f"{prefix}-3")
    R = User.Role
    return Side(
        force=force,
        beat=beat,
        other_beat=other_beat,
        retailer=retailer,
        store=store,
        sibling_store=sibling,
        other_retailer_store=other_store,
        worker=UserFactory(username=f"{prefix}-worker", role=R.SHOP_WORKER, force=force, stores=[store]),
        officer=UserFactory(username=f"{prefix}-officer", role=R.BEAT_OFFICER, force=force, beats=[beat]),
        admin=UserFactory(username=f"{prefix}-admin", role=R.FORCE_ADMIN, force=force),
    )


@dataclass
class World:
    a: Side
    b: Side
    norole: User


@pytest.fixture
def world(db) -> World:
    r1, r2 = RetailerFactory(name="Northway Foods"), RetailerFactory(name="Valu Corner")
    return World(a=_side("A", r1, r2), b=_side("B", r1, r2), norole=UserFactory(username="norole"))


def database_url_for_subprocess() -> str:
    """A DATABASE_URL that points a child process (worker, gunicorn) at this test run's database."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def subprocess_env(**extra: str) -> dict:
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url_for_subprocess(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        RETRACE_VAR_DIR=str(settings.VAR_DIR),
        DJANGO_SETTINGS_MODULE="config.settings.test",
        CELERY_TASK_ALWAYS_EAGER="false",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture
def celery_worker_imports() -> list[str]:
    """Modules the test worker imports besides the apps' tasks (``celery worker --include``). A test
    module that defines its own task overrides this fixture with its own name, so that test-only
    tasks stay in the test package."""
    return []


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path, celery_worker_imports):
    """A real Celery worker process on the configured broker (Redis in CI, the filesystem transport
    on a laptop), sharing this test's database. Tasks sent while it runs go to it, not eagerly."""
    import subprocess
    import sys

    from config.celery import app

    app.control.purge()  # nothing left over from an earlier run
    log = tmp_path / "worker.log"
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO"]
    cmd += ["--queues", "default,recognition", "--without-mingle", "--without-gossip", "--hostname", "test@%h"]
    if celery_worker_imports:
        cmd += ["--include", ",".join(celery_worker_imports)]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=subprocess_env(), stdout=out, stderr=subprocess.STDOUT)
    app.conf.task_always_eager = False
    try:
        yield proc
    finally:
        app.conf.task_always_eager = True
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.returncode not in (0, -15):
            print(log.read_text()[-4000:])


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A Playwright page in Debian's Chromium (apt-get install chromium), against live_server.

    Playwright's sync API runs an event loop in this thread; Django's async-safety check would
    then refuse the test's own database calls, so it is relaxed for browser tests only."""
    import shutil

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    require(Path(chromium).exists(), "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
    args += ["--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=args)
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.base_url = live_server.url
        try:
            yield page
        finally:
            browser.close()
            # Under Playwright's loop the test body got its own (context-local) database connection;
            # close it here, in the same context, so the test database can be dropped afterwards.
            from django.db import connections

            connections.close_all()


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the pages; a police user then types the code of their authenticator app (set up for
    them here if they have none)."""
    from accounts.otp import second_factor_required

    user = User.objects.filter(username=username).first()
    device = authenticator_for(user) if user is not None and second_factor_required(user) else None
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if device is not None and "/login/code/" in page.url:
        page.fill("#id_code", otp_code(device))
        page.press("#id_code", "Enter")  # the header has a submit button too (Sign out)
        page.wait_for_load_state()


@pytest.fixture
def media_root(settings, tmp_path):
    """A fresh media folder per test, so that 'no file left behind' can be checked exactly."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def openapi_schema() -> dict:
    """The OpenAPI schema as drf-spectacular generates it (openapi.yaml is written from it)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="session")
def face_engine():
    """The real face model, loaded once for the whole test session."""
    require(FACES.is_dir(), f"Face dataset not found at {FACES}")
    from recognition import engine

    return engine.get_engine()


@pytest.fixture(autouse=True)
def _fresh_gallery_cache():
    # Each test's database is rolled back, so a gallery cached in this process by an earlier test
    # must not be reused.
    from recognition import gallery

    gallery.clear_cache()
    yield
    gallery.clear_cache()
