"""Shared fixtures. Tests that need PostgreSQL, Redis or the face dataset skip with a reason on a
laptop without them, and fail instead when CI=true (CI must run them)."""

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
from kombu import pools
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
    from config.celery import app

    app.control.purge()  # nothing left over from an earlier run
    workers = CeleryProcesses(tmp_path, imports=celery_worker_imports)
    proc = workers.worker(name="test", pool="solo")
    app.conf.task_always_eager = False
    try:
        yield proc
    finally:
        app.conf.task_always_eager = True
        workers.stop_all()


# Real brokers and worker processes for the fault tests: a Redis of the test's own, on a free
# port (never the shared one), that a test may stop, restart or freeze; workers and beat started as
# deploy/ starts them, that a test may kill.

WORKER_QUEUES = "recognition_urgent,default,recognition,housekeeping"


class RedisServer:
    """A throwaway redis-server on a free port, no persistence: ``stop``/``start`` (an outage),
    ``freeze``/``thaw`` (SIGSTOP/SIGCONT: a hung broker that still accepts connections)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self) -> None:
        import subprocess

        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        cmd += ["--dir", str(self.folder)]
        with open(self.folder / "redis.log", "a") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: port_open("127.0.0.1", self.port), timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.thaw()
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def freeze(self) -> None:
        import signal

        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        import signal

        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own (see ``RedisServer``), stopped afterwards."""
    import shutil

    require(shutil.which("redis-server") is not None, "redis-server is not installed (apt-get install redis-server)")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def redis_transport_options(**extra) -> dict:
    """The Redis transport options production uses (timeouts included), whatever broker this run has."""
    from django.conf import settings

    options = {"visibility_timeout": 3600, "socket_keepalive": True}
    if hasattr(settings, "CELERY_BROKER_SOCKET_TIMEOUT"):
        options.update(
            socket_timeout=settings.CELERY_BROKER_SOCKET_TIMEOUT,
            socket_connect_timeout=settings.CELERY_BROKER_CONNECT_TIMEOUT,
        )
    return {**options, **extra}


def use_broker(app, url: str | None, transport_options: dict, *, read_write: str | None = None) -> None:
    """Point this process's Celery app at another broker (its pooled connections closed). The read and
    write URLs are set too: Celery prefers the CELERY_BROKER_URL environment variable to ``broker_url``."""
    app.conf.broker_url, app.conf.broker_transport_options = url, transport_options
    app.conf.broker_read_url = app.conf.broker_write_url = read_write if read_write is not None else url
    # kombu keeps one connection pool per broker URL for the whole process: close them all and forget
    # them, or the closed pool would be handed out again once the app points back at that URL.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_app_on():
    """``celery_app_on(url, options)`` points this process's Celery app at that broker, not eagerly, for
    the rest of the test; the app is put back afterwards."""
    from config.celery import app

    saved = app.conf.get("broker_url"), app.conf.broker_transport_options, app.conf.task_always_eager
    saved_read_write = app.conf.get("broker_write_url")

    def point(url: str, transport_options: dict):
        use_broker(app, url, transport_options)
        app.conf.task_always_eager = False
        return app

    try:
        yield point
    finally:
        use_broker(app, saved[0], saved[1], read_write=saved_read_write)
        app.conf.task_always_eager = saved[2]


class CeleryProcesses:
    """Celery worker and beat processes of one test, on this test's database: each one's log in the
    test's folder, each tagged with a marker in its command line (``orphans()`` finds what a killed one
    left running), all stopped by ``stop_all``."""

    def __init__(self, folder: Path, *, imports: list[str] | None = None, env: dict | None = None) -> None:
        import uuid

        self.folder, self.imports, self.env = folder, imports or [], env or {}
        self.marker = f"t{uuid.uuid4().hex[:10]}"
        self.procs: list = []

    def _start(self, name: str, cmd: list[str], env: dict | None):
        import subprocess

        log = self.folder / f"{name}.log"
        with open(log, "a") as out:
            proc = subprocess.Popen(
                cmd, cwd=REPO, env=subprocess_env(**self.env, **(env or {})), stdout=out, stderr=subprocess.STDOUT
            )
        proc.log = log
        self.procs.append(proc)
        return proc

    def worker(self, *, name: str = "worker", queues: str = WORKER_QUEUES, pool: str = "prefork", args=(), env=None):
        """``celery worker`` as deploy/ starts it (prefork, one process: the main process and its pool
        child), with REMAP_SIGTERM=SIGQUIT as deploy/ sets it."""
        import sys

        cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO", "--pool", pool]
        cmd += ["--queues", queues, "--without-mingle", "--without-gossip", "--hostname", f"{name}-{self.marker}@%h"]
        if pool == "prefork":
            cmd += ["--concurrency", "1"]
        if self.imports:
            cmd += ["--include", ",".join(self.imports)]
        return self._start(name, [*cmd, *args], {"REMAP_SIGTERM": "SIGQUIT", **(env or {})})

    def beat(self, *, env=None):
        """``celery beat`` as a process of its own, with a pidfile (as deploy/ runs it)."""
        import sys

        cmd = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO", "--max-interval", "1"]
        cmd += ["--schedule", str(self.folder / "beat-schedule"), "--pidfile", str(self.folder / "beat.pid")]
        return self._start("beat", cmd, env)

    def tagged(self) -> dict[int, int]:
        """Every running process of this test's workers (main, pool and embedding children): pid -> ppid."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if self.marker.encode() in (entry / "cmdline").read_bytes():
                    stat = (entry / "stat").read_text()
                    found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
        return found

    def orphans(self) -> list[int]:
        """Processes of this test's workers whose worker is gone (a killed worker's pool or embedding
        child still running): their parent is neither a worker process nor one of theirs."""
        tagged = self.tagged()
        return sorted(pid for pid, ppid in tagged.items() if ppid not in tagged and pid not in self._pids())

    def _pids(self) -> set[int]:
        return {p.pid for p in self.procs if p.poll() is None}

    def stop_all(self) -> None:
        import signal
        import subprocess

        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.returncode not in (0, -15, -9, 1):
                print(proc.log.read_text()[-4000:])
        for pid in self.tagged():  # whatever a killed worker left behind
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


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
    # A UK user's browser, so that date fields show dd/mm/yyyy as the people using Retrace see them: the page's
    # locale (navigator.language, Accept-Language) and Chromium's own, which lays out date fields; Chromium on
    # Linux takes that from LANGUAGE and needs its en-GB strings (Debian: apt-get install chromium-l10n).
    args += ["--lang=en-GB"]
    env = {**os.environ, "LANGUAGE": "en_GB:en"}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=args, env=env)
        page = browser.new_page(locale="en-GB", timezone_id="Europe/London")
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
