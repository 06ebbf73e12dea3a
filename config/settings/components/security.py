"""Who may reach the site and how they sign in: secret key, hosts, users, passwords, tokens, sessions."""

from datetime import timedelta

from config.env import env
from config.settings.components.database import EMBEDDED_DEFAULT

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-embedded-default-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

AUTH_USER_MODEL = "accounts.User"
# Apps and middleware sign-in needs (base.py places them): AUTH_MIDDLEWARE runs right after Django's
# AuthenticationMiddleware, AUTH_LAST_MIDDLEWARE at the end.
AUTH_APPS: list[str] = []
AUTH_MIDDLEWARE: list[str] = []
AUTH_LAST_MIDDLEWARE: list[str] = []
AUTHENTICATION_BACKENDS = ["accounts.backends.RetraceModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Demo accounts made by `seed_demo` may sign in only on the embedded default (SQLite).
DEMO_LOGINS_ALLOWED = env.bool("RETRACE_DEMO_LOGINS_ALLOWED", default=EMBEDDED_DEFAULT)
# API tokens expire; a client asks for a new one at /api/auth/token/.
API_TOKEN_TTL = timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=12))
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE_SECONDS", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
