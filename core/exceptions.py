"""Domain errors. Services raise these; `core.exception_handlers` turns them into the API's error shape."""

from enum import StrEnum


class ErrorCodes(StrEnum):
    """Base of every error-code enum. Each member is ``NAME = "code", "when a client gets it"``; the
    OpenAPI description lists every code of every enum (``core.schema``), so a client can branch on
    them. Each app keeps its own enum in ``<app>/errors.py``."""

    description: str

    def __new__(cls, value: str, description: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member


class ErrorCode(ErrorCodes):
    """Codes any part of the API may answer with (authentication, roles, input, conflicts)."""

    INVALID = "invalid", "The input is not valid: see `fields`."
    NOT_AUTHENTICATED = "not_authenticated", "Not signed in (401)."
    AUTHENTICATION_FAILED = "authentication_failed", "Wrong credentials or an unknown token (401)."
    TOKEN_EXPIRED = "token_expired", "The API token has expired: get a new one (401)."
    PERMISSION_DENIED = "permission_denied", "This role may not do this (403)."
    NO_ROLE = "no_role", "The account has no role or force yet (403)."
    NOT_FOUND = "not_found", "Not found, or outside what this user may see (404)."
    METHOD_NOT_ALLOWED = "method_not_allowed", "This operation does not take that HTTP method (405)."
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", "The body's content type is not accepted (415)."
    THROTTLED = "throttled", "Too many requests: wait and try again (429)."
    PARSE_ERROR = "parse_error", "The body could not be parsed (400)."
    CONFLICT = "conflict", "Conflicts with the current state (409)."
    SERVER_ERROR = "server_error", "A fault on the server; it has been logged (500)."
    SERVICE_UNAVAILABLE = (
        "service_unavailable",
        "The database is unavailable for a moment: nothing was changed; send the same request again after the "
        "`Retry-After` header's seconds (503).",
    )
    STORAGE_FULL = (
        "storage_full",
        "The server has no room left to store files: nothing was kept; try again later, or tell your force (507).",
    )


class ApplicationError(Exception):
    """An error a person can act on. ``fields`` maps a field name to its messages."""

    code: str = ErrorCode.INVALID
    status_code: int = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.fields = fields or {}
