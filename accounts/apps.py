from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The embedded default's own hosts: this machine only.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1", "testserver"})


def embedded_on_loopback() -> bool:
    """SQLite, the folder broker (or none) and only loopback host names: `make run` on one machine."""
    sqlite = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    broker = str(getattr(settings, "CELERY_BROKER_URL", "") or "filesystem://")
    hosts = set(settings.ALLOWED_HOSTS)
    return sqlite and broker.startswith(("filesystem://", "memory://")) and hosts <= LOOPBACK_HOSTS


def refuse_public_secret_key() -> None:
    """The embedded default's secret key is public (it is in the repository): anyone could forge sessions,
    password-reset links and signed values with it. It is refused anywhere but the embedded default."""
    if settings.SECRET_KEY == getattr(settings, "PUBLIC_SECRET_KEY", None) and not embedded_on_loopback():
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set (or is set to the public default key): that key is published in the "
            "repository and is allowed only on the embedded default (SQLite, the folder broker, loopback hosts). "
            "Set DJANGO_SECRET_KEY to a long random value, for "
            'example the output of: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organisations and users"

    def ready(self) -> None:
        # Every process (gunicorn, Celery, manage.py) starts Django, so every one is refused.
        refuse_public_secret_key()
