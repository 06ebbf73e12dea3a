"""Who may reach the site and how they sign in: secret key, hosts, users, passwords, tokens, sessions, the
lock-out after failed sign-ins (django-axes) and the second factor (django-otp)."""

from datetime import timedelta

from config.env import env
from config.settings.components.database import EMBEDDED_DEFAULT

# This key is public (it is written here): `accounts.apps` refuses to start with it anywhere but the
# embedded default on loopback (SQLite, the folder broker, loopback hosts only).
PUBLIC_SECRET_KEY = "insecure-embedded-default-key-do-not-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=PUBLIC_SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

AUTH_USER_MODEL = "accounts.User"
# Apps and middleware sign-in needs (base.py places them): AUTH_MIDDLEWARE runs right after Django's
# AuthenticationMiddleware, AUTH_LAST_MIDDLEWARE at the end.
AUTH_APPS: list[str] = ["axes", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
AUTH_MIDDLEWARE: list[str] = [
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor of this session
    "accounts.middleware.SecondFactorMiddleware",  # police: nothing but the code pages until verified
]
# django-axes turns a refused sign-in into its lock-out answer (accounts.lockout.lockout_response); it asks
# to be the last middleware.
AUTH_LAST_MIDDLEWARE: list[str] = ["axes.middleware.AxesMiddleware"]
# AxesStandaloneBackend first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.RetraceModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The demo password (`retrace-demo`) and the like are public: never a real account's.
    {"NAME": "accounts.validators.PublicPasswordValidator"},
]
# Demo accounts made by `seed_demo` may sign in only on the embedded default (SQLite).
DEMO_LOGINS_ALLOWED = env.bool("RETRACE_DEMO_LOGINS_ALLOWED", default=EMBEDDED_DEFAULT)
# API tokens expire; a client asks for a new one at /api/auth/token/. Each device has its own token.
API_TOKEN_TTL = timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=12))
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE_SECONDS", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True

# Failed sign-ins (django-axes, counted in the database so every web process sees them), on /login/,
# /admin/login/, /api/auth/token/ and the one-time-code page. https://django-axes.readthedocs.io/
# Three counts, each over the failures of the last SIGN_IN_COOLOFF_MINUTES (accounts.lockout):
# - one account from one address: SIGN_IN_FAILURE_LIMIT (a guesser is stopped; the real officer, signing in
#   from elsewhere, is not);
# - one address, any accounts: SIGN_IN_ADDRESS_FAILURE_LIMIT (one machine trying many usernames);
# - one account, any addresses: SIGN_IN_ACCOUNT_FAILURE_LIMIT (guessing spread over many machines). This one
#   can pause a real user's sign-in too, so it is higher, and lasts the cool-off at most.
# Attempts refused during a lock-out are not counted, so nobody can keep a lock-out going by retrying; a
# force admin lifts one at once on /sign-ins/ (a superuser also in the admin, or `manage.py axes_reset_username`).
AXES_HANDLER = "accounts.lockout.RetraceAxesHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=20)
SIGN_IN_ACCOUNT_FAILURE_LIMIT = env.int("SIGN_IN_ACCOUNT_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
# Behind a reverse proxy every request comes from the proxy: name how many proxies add X-Forwarded-For
# (the address counted is the one the outermost of them saw). 0: the connection's own address.
SIGN_IN_PROXY_COUNT = env.int("SIGN_IN_PROXY_COUNT", default=0)
# The token API is also rate-limited (DRF throttles, in Django's cache: per process unless CACHES is shared).
API_SIGN_IN_RATE_PER_ADDRESS = env("API_SIGN_IN_RATE_PER_ADDRESS", default="30/min")
API_SIGN_IN_RATE_PER_ACCOUNT = env("API_SIGN_IN_RATE_PER_ACCOUNT", default="10/min")

# The second factor (django-otp): beat officers, force admins and superusers sign in with a password and a
# time-based code from an authenticator app (TOTP), set up at their first sign-in, with recovery codes.
# Shop workers may set one up too. https://django-otp-official.readthedocs.io/
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Retrace")
OTP_RECOVERY_CODES = 10
