"""Security headers of responses (Content-Security-Policy, caching of personal data)."""

# Apps and middleware this concern adds (base.py places them).
HEADER_APPS: list[str] = []
HEADER_MIDDLEWARE: list[str] = []  # right after Django's SecurityMiddleware
