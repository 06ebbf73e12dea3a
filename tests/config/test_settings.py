"""Settings: importing them writes nothing; production refuses to start on the embedded default; the
folders settings name are created where they are first needed."""

import subprocess
import sys

import pytest

from tests.conftest import REPO

# A developer's .env must not answer for the variables these tests leave out.
NO_DOTENV = "import environ; environ.Env.read_env = classmethod(lambda cls, *a, **k: None);"
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "test-only-secret-key",
    "DJANGO_ALLOWED_HOSTS": "retrace.example",
    "DATABASE_URL": "postgres://retrace@127.0.0.1:1/retrace",
    "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
}


def _python(code: str, env: dict, cwd=REPO) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", NO_DOTENV + code], env={**base, **env}, cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.parametrize("module", ["local", "test", "production"])
def test_importing_settings_creates_no_folder(tmp_path, module):
    var = tmp_path / "var"
    env = {**PRODUCTION_ENV, "RETRACE_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": f"config.settings.{module}"}
    env["CELERY_BROKER_URL"] = "filesystem://"  # the transport whose folders settings used to create
    if module != "production":
        del env["DATABASE_URL"]  # SQLite under var/
    out = _python(f"import config.settings.{module} as s; print(s.CELERY_BROKER_TRANSPORT_OPTIONS)", env)
    assert out.returncode == 0, out.stderr
    assert str(var) in out.stdout  # the broker's folders are named under var/...
    assert not var.exists()  # ...and not made


@pytest.mark.parametrize(
    ("missing", "example"),
    [("DATABASE_URL", "DATABASE_URL=postgres://"), ("CELERY_BROKER_URL", "CELERY_BROKER_URL=redis://")],
)
def test_production_refuses_to_start_without(tmp_path, missing, example):
    env = {
        **PRODUCTION_ENV,
        "RETRACE_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    del env[missing]
    out = _python("import django; django.setup()", env)
    assert out.returncode != 0
    last_line = out.stderr.strip().splitlines()[-1]
    assert last_line.startswith(f"django.core.exceptions.ImproperlyConfigured: {missing} is not set."), out.stderr
    assert example in last_line
    assert not (tmp_path / "var").exists()  # refused before anything was written


def test_production_starts_with_database_and_broker_named(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "RETRACE_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default'])"
    out = _python(code, env)
    assert out.returncode == 0, out.stderr
    assert "'ENGINE': 'django.db.backends.postgresql'" in out.stdout


def test_fresh_clone_gets_its_folders_when_first_needed(tmp_path):
    """No var/ yet: Django's start creates the SQLite folder, the Celery app the broker's folders, and
    kombu writes nothing into the working directory."""
    var, cwd = tmp_path / "var", tmp_path / "cwd"
    cwd.mkdir()
    env = {"RETRACE_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    code = (
        "import django; django.setup();"
        "from django.db import connection; connection.ensure_connection();"
        "from config.celery import app; app.send_task('retrace.nothing', queue='default')"
    )
    out = _python(code, env, cwd=cwd)
    assert out.returncode == 0, out.stderr
    assert (var / "retrace.sqlite3").is_file()
    assert len(list((var / "broker" / "out").iterdir())) == 1  # the message
    assert list((var / "broker" / "control").glob("*.exchange"))  # the exchange table, under var/
    assert list(cwd.iterdir()) == []


# The public default secret key ----------------------------------------------------------

START = "import django; django.setup(); from django.conf import settings; print('started', settings.SECRET_KEY[:8])"
PUBLIC_KEY = "insecure-embedded-default-key-do-not-use-in-production"


@pytest.mark.parametrize(
    ("module", "env"),
    [
        # config.settings.local is the default of wsgi.py and config/celery.py: on PostgreSQL, ...
        ("local", {"DATABASE_URL": "postgres://retrace@127.0.0.1:1/retrace"}),
        # ... on Redis, ...
        ("local", {"CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}),
        # ... or answering to a host name other than this machine's, the key is refused;
        ("local", {"DJANGO_ALLOWED_HOSTS": "retrace.example"}),
        # and production with the public key written into DJANGO_SECRET_KEY too.
        ("production", {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": PUBLIC_KEY}),
    ],
)
def test_public_secret_key_refused_outside_the_embedded_default(tmp_path, module, env):
    env = {**env, "RETRACE_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": f"config.settings.{module}"}
    out = _python(START, env)
    assert out.returncode != 0 and "started" not in out.stdout
    last_line = out.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY is not set"), out.stderr
    assert "secrets.token_urlsafe" in last_line and "embedded default" in last_line


def test_embedded_default_on_loopback_starts_with_the_public_key(tmp_path):
    env = {"RETRACE_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    out = _python(START, env)
    assert out.returncode == 0, out.stderr
    assert "started insecure" in out.stdout


def test_local_settings_start_on_postgresql_with_a_key_of_their_own(tmp_path):
    env = {
        "RETRACE_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": "postgres://retrace@127.0.0.1:1/retrace",
        "DJANGO_SECRET_KEY": "a-real-secret-key-from-the-environment",
    }
    out = _python(START, env)
    assert out.returncode == 0, out.stderr
