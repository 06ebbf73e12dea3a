"""Validators for order data: PNC IDs. Geometry checks live in ``orders.geo``."""

import re

from django.core.exceptions import ValidationError

# PNC ID: year, slash, serial number (up to 7 digits), check letter. Written long (2009/0012345E)
# or short (09/12345E). The check letter is (YY followed by the 7-digit serial) mod 23 in this alphabet.
PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
_PNC_RE = re.compile(r"^(?P<year>\d{2}|\d{4})/(?P<serial>\d{1,7})(?P<check>[A-Z])$")


def pnc_check_letter(year: str, serial: str) -> str:
    return PNC_CHECK_LETTERS[int(year[-2:] + serial.zfill(7)) % 23]


def normalise_pnc_id(value: str) -> str:
    """Return the long form (YYYY/NNNNNNNA) of a valid PNC ID, or raise ValidationError saying what is wrong."""
    text = (value or "").strip().upper().replace(" ", "")
    match = _PNC_RE.match(text)
    if not match:
        raise ValidationError(
            "A PNC ID looks like 2009/0012345E or 09/12345E: year, '/', serial number, check letter.",
            code="pnc_format",
        )
    year, serial, check = match["year"], match["serial"], match["check"]
    if check != pnc_check_letter(year, serial):
        raise ValidationError(
            f"PNC ID {text} has the wrong check letter (it should end in {pnc_check_letter(year, serial)}).",
            code="pnc_check",
        )
    if len(year) == 2:
        # Two-digit years: 00-(this year) are 20xx, the rest 19xx (no PNC ID predates 1900).
        from django.utils import timezone

        this_year = timezone.localdate().year % 100
        year = ("20" if int(year) <= this_year else "19") + year
    return f"{year}/{serial.zfill(7)}{check}"


def validate_pnc_id(value: str) -> None:
    normalise_pnc_id(value)
