"""Bulk import of prohibited premises from CSV: one store per row, by store code or postcode.

The file must be UTF-8 (a BOM is fine) with the header ``store_code,postcode`` and optionally a
``retailer`` column (needed only when two retailers in the force use the same store code). Each row
names a store by its code, or every store of the force at a postcode. A dry run shows what each row
resolves to, or why it is wrong; a real run imports nothing unless every row is right. The re-search
of old footage that new premises make relevant is ``workflows.orders.premises_import``'s.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Store, postcode_validator
from core.exceptions import ApplicationError
from orders.errors import OrderErrorCode
from orders.events import premises_imported_event
from orders.models import Order, Prohibition
from orders.services.common import require_force_admin
from orders.services.prohibitions import ProhibitionInput, prohibition_add, prohibition_correct

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
COLUMNS = {"store_code", "postcode", "retailer"}


@dataclass
class ImportRow:
    line: int
    store_code: str
    postcode: str
    retailer: str
    stores: list[Store] = field(default_factory=list)
    error: str = ""


@dataclass
class ImportReport:
    rows: list[ImportRow]
    dry_run: bool
    prohibition: Prohibition | None = None

    @property
    def errors(self) -> dict[str, list[str]]:
        return {f"line {r.line}": [r.error] for r in self.rows if r.error}

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    @property
    def store_count(self) -> int:
        return len(self.stores)

    @property
    def stores(self) -> list[Store]:
        seen: dict[int, Store] = {}
        for row in self.rows:
            for store in row.stores:
                seen.setdefault(store.pk, store)
        return list(seen.values())


def _decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise ApplicationError(
            "The CSV file is larger than 1 MB.", code=OrderErrorCode.CSV_TOO_LARGE, fields={"file": ["Too large."]}
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            f"The file is not UTF-8 text (byte {exc.start} cannot be read). Save it as 'CSV UTF-8' and try again.",
            code=OrderErrorCode.CSV_ENCODING,
            fields={"file": ["Not UTF-8."]},
        ) from exc
    if "\x00" in text:
        raise ApplicationError(
            "The file is not a text CSV (it holds NUL bytes: UTF-16 or a spreadsheet?). Save it as 'CSV UTF-8'.",
            code=OrderErrorCode.CSV_ENCODING,
            fields={"file": ["Not UTF-8 text."]},
        )
    return text


def _header(reader) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        header = []
    names = [h.strip().lower() for h in header]
    if (
        not names
        or set(names) - COLUMNS
        or not {"store_code", "postcode"} <= set(names)
        or len(set(names)) != len(names)
    ):
        found = ",".join(header) if header else "nothing"
        raise ApplicationError(
            f"The first row must be the header 'store_code,postcode' ('retailer' may be added); found: {found}.",
            code=OrderErrorCode.CSV_HEADER,
            fields={"file": ["Wrong header."]},
        )
    return names


def _norm_postcode(value: str) -> str:
    compact = "".join(value.upper().split())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _by_code(row: ImportRow, force_id: int) -> None:
    """The force's store with this code (and retailer, and postcode, when the row gives them). Only the
    force's stores are looked at: a code that only another force's store has is answered exactly as a code
    no store has, so the import never tells which codes exist elsewhere."""
    candidates = Store.objects.filter(code__iexact=row.store_code, beat__force_id=force_id)
    if row.retailer:
        candidates = candidates.filter(retailer__name__iexact=row.retailer)
    in_force = list(candidates.select_related("retailer", "beat"))
    at_postcode = [s for s in in_force if _norm_postcode(s.postcode) == _norm_postcode(row.postcode)]
    matching = at_postcode if row.postcode else in_force
    if len(matching) > 1:
        names = ", ".join(sorted(s.retailer.name for s in matching))
        row.error = f"Store code {row.store_code} is used by several retailers ({names}): add a retailer column."
    elif matching:
        row.stores = matching
    elif in_force:
        row.error = f"Store {row.store_code} is not at postcode {row.postcode}."
    else:
        who = f" of {row.retailer}" if row.retailer else ""
        row.error = f"No store{who} in this force has code {row.store_code}."


def _by_postcode(row: ImportRow, force_id: int) -> None:
    """Every store of the force at this postcode (of the row's retailer, if given). As with codes, a
    postcode where only another force has stores is answered as one where nobody has."""
    postcode = _norm_postcode(row.postcode)
    if not postcode_validator.regex.match(postcode):
        row.error = f"{row.postcode} is not a UK postcode."
        return
    compact = postcode.replace(" ", "")
    stores = [
        s
        for s in Store.objects.select_related("retailer", "beat").filter(
            beat__force_id=force_id, postcode__istartswith=compact[:2]
        )
        if s.postcode.replace(" ", "").upper() == compact
    ]
    if row.retailer:
        stores = [s for s in stores if s.retailer.name.lower() == row.retailer.lower()]
    if stores:
        row.stores = stores
    else:
        row.error = f"No store{' of ' + row.retailer if row.retailer else ''} in this force is at postcode {postcode}."


def parse_premises_csv(content: bytes, *, force_id: int) -> list[ImportRow]:
    """Every row resolved to stores of the force, or given an error. Raises for a bad file (encoding, header)."""
    reader = csv.reader(io.StringIO(_decode(content)))
    try:
        return _parse_rows(reader, force_id=force_id)
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 KB field limit: the file's fault, not a 500
        raise ApplicationError(
            f"Line {reader.line_num} of the file cannot be read as CSV ({exc}).",
            code=OrderErrorCode.CSV_MALFORMED,
            fields={"file": [f"Line {reader.line_num}: {exc}."]},
        ) from None


def _parse_rows(reader, *, force_id: int) -> list[ImportRow]:
    names = _header(reader)
    rows: list[ImportRow] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ApplicationError(f"The file has more than {MAX_ROWS} rows.", code=OrderErrorCode.CSV_TOO_LARGE)
        cells = dict(zip(names, (v.strip() for v in values), strict=False))
        row = ImportRow(line, cells.get("store_code", ""), cells.get("postcode", ""), cells.get("retailer", ""))
        if len(values) > len(names):
            row.error = f"The row has {len(values)} cells; the header has {len(names)}."
        elif row.store_code:
            _by_code(row, force_id)
        elif row.postcode:
            _by_postcode(row, force_id)
        else:
            row.error = "Give a store code or a postcode."
        rows.append(row)
    if not rows:
        raise ApplicationError(
            "The file has a header but no rows.", code=OrderErrorCode.CSV_EMPTY, fields={"file": ["No rows."]}
        )
    return rows


def premises_import(
    *,
    order: Order,
    actor,
    content: bytes,
    dry_run: bool,
    description: str = "",
    prohibition: Prohibition | None = None,
) -> ImportReport:
    """Import the stores listed in a CSV as named premises of ``order``: a new prohibition, or added to
    ``prohibition`` (one of the order's named-premises prohibitions). All or nothing."""
    require_force_admin(actor, order.offender.force_id)
    if prohibition is not None and (prohibition.order_id != order.pk or prohibition.kind != Prohibition.Kind.PREMISES):
        raise ApplicationError(
            "Stores can only be added to a named-premises prohibition of this order.",
            code=OrderErrorCode.NOT_IN_ORDER,
            fields={"prohibition": ["Not a named-premises prohibition of this order."]},
        )
    report = ImportReport(rows=parse_premises_csv(content, force_id=order.offender.force_id), dry_run=dry_run)
    if dry_run:
        return report
    if report.errors:
        count = len(report.errors)
        raise ApplicationError(
            f"{count} row{'s are' if count > 1 else ' is'} wrong; nothing was imported.",
            code=OrderErrorCode.CSV_ROWS_INVALID,
            fields=report.errors,
        )
    with transaction.atomic():
        report.prohibition = _apply(order, actor, report, description, prohibition)
        premises_imported_event(
            prohibition=report.prohibition,
            actor=actor,
            rows=len(report.rows),
            store_ids=[s.pk for s in report.stores],
            file_sha256=hashlib.sha256(content).hexdigest(),
        )
    return report


def _apply(order, actor, report: ImportReport, description: str, prohibition: Prohibition | None) -> Prohibition:
    if prohibition is None:
        data = ProhibitionInput(kind=Prohibition.Kind.PREMISES, stores=report.stores, description=description)
        return prohibition_add(order=order, actor=actor, data=data)
    current = list(prohibition.stores.all())
    merged = current + [s for s in report.stores if s.pk not in {c.pk for c in current}]
    data = ProhibitionInput(
        kind=Prohibition.Kind.PREMISES,
        stores=merged,
        description=description or prohibition.description,
        starts_on=prohibition.starts_on,
        ends_on=prohibition.ends_on,
    )
    return prohibition_correct(prohibition=prohibition, actor=actor, data=data, reason="Imported from CSV")
