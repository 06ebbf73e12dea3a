"""Domain errors. Services raise these; `core.exception_handlers` turns them into the API's error shape."""

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable codes a client may branch on. Documented in the OpenAPI description."""

    INVALID = "invalid"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    TOKEN_EXPIRED = "token_expired"
    PERMISSION_DENIED = "permission_denied"
    NO_ROLE = "no_role"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    PARSE_ERROR = "parse_error"
    CONFLICT = "conflict"
    SERVER_ERROR = "server_error"


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
