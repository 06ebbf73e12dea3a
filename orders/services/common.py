"""What every orders service shares: the force-admin check, raising errors, today, the date bounds."""

import datetime
from typing import NoReturn

from django.utils import timezone

from accounts.access import is_force_admin_of
from core.exceptions import ApplicationError, ErrorCode
from orders.errors import OrderErrorCode

# A keyword left out (None may be a value: "no end date").
UNSET: object = object()

# Dates an order, a prohibition or a photo may carry. Without a bound, an order accepted with ends_on
# 9999-12-31 (or made_on 0001-01-01) made every later variation, discharge or "last day" sum overflow
# Python's date range: a 500 on an order already saved.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)

Errors = list[tuple[str, str, str]]  # (field, code, message)


def fail(message: str, code: str, field_name: str | None = None, status_code: int | None = None) -> NoReturn:
    raise ApplicationError(
        message, code=code, fields={field_name: [message]} if field_name else None, status_code=status_code
    )


def raise_first(errors: Errors) -> None:
    """Raise for a list of (field, code, message): the first one's code and message, every field listed."""
    if not errors:
        return
    fields: dict[str, list[str]] = {}
    for name, _code, message in errors:
        fields.setdefault(name, []).append(message)
    raise ApplicationError(errors[0][2], code=errors[0][1], fields=fields)


def require_force_admin(actor, force_id: int) -> None:
    """Only a force admin of the offender's force (or a superuser) may write; anyone else is a 403."""
    if not is_force_admin_of(actor, force_id):
        fail(
            "Only a force admin of this force may change offenders, photos and orders.",
            ErrorCode.PERMISSION_DENIED,
            status_code=403,
        )


def require_reason(reason: str, message: str = "Say why (e.g. the court's decision and hearing).") -> str:
    reason = (reason or "").strip()
    if not reason:
        fail(message, OrderErrorCode.REASON_REQUIRED, "reason")
    return reason


def today() -> datetime.date:
    return timezone.localdate()


def one_line(text: str | None) -> str:
    """Text with its runs of white space (new lines included) made single spaces."""
    return " ".join((text or "").split())


def date_range_errors(**dates: datetime.date | None) -> Errors:
    span = f"between {EARLIEST_DATE:%d/%m/%Y} and {LATEST_DATE:%d/%m/%Y}"
    return [
        (name, OrderErrorCode.DATE_OUT_OF_RANGE, f"{name.replace('_', ' ').capitalize()} must be {span}.")
        for name, value in dates.items()
        if isinstance(value, datetime.date) and not EARLIEST_DATE <= value <= LATEST_DATE
    ]
