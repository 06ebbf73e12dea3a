"""Audit rows of offenders and orders: one keyword-only writer per kind of event (as Saleor's
``order/events.py``), each recording who, when and the old and new values, and ``describe``: the one
wording of an event for people (the admin's history). The API gives the rows as they are."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models

from accounts.models import Beat, Retailer, Store
from orders.models import OffenderEvent, Order, OrderEvent, Prohibition, ReferencePhoto

# What the history records of each row.
OFFENDER_FIELDS = ["given_names", "family_name", "aliases", "date_of_birth", "pnc_id", "notes"]
PHOTO_FIELDS = ["image", "source", "taken_on", "sha256"]
ORDER_FIELDS = [
    "kind",
    "court",
    "case_reference",
    "made_on",
    "effective_from",
    "ends_on",
    "indefinite",
    "served_on",
    "served_by",
    "youth",
    "positive_requirements",
    "supervisor",
    "replaces_id",
    "superseded_on",
    "discharged_on",
]
PROHIBITION_FIELDS = [
    "kind",
    "description",
    "retailer_id",
    "centre_latitude",
    "centre_longitude",
    "radius_m",
    "polygon",
    "starts_on",
    "ends_on",
    "added_on",
    "removed_on",
]


def jsonable(value):
    """A value as it can sit in an event's JSON: dates as ISO text, decimals as text, rows as ids."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    return {f: jsonable(getattr(obj, f)) for f in fields}


def prohibition_snapshot(prohibition: Prohibition) -> dict:
    data = snapshot(prohibition, PROHIBITION_FIELDS)
    if prohibition.pk:
        data["store_ids"] = sorted(prohibition.stores.values_list("pk", flat=True))
        data["beat_ids"] = sorted(prohibition.beats.values_list("pk", flat=True))
    return data


def diff(old: dict, new: dict) -> tuple[dict, dict]:
    """Only the keys whose values changed, as (old, new)."""
    changed = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in changed}, {k: new[k] for k in changed}


# Offenders and their photos --------------------------------------------------------------------


def _offender_event(offender_id: int, kind: str, *, actor, old=None, new=None, photo_id=None, reason=""):
    return OffenderEvent.objects.create(
        offender_id=offender_id,
        kind=kind,
        actor=actor,
        photo_id=photo_id,
        old=jsonable(old or {}),
        new=jsonable(new or {}),
        reason=reason,
    )


def offender_created_event(*, offender, actor) -> OffenderEvent:
    return _offender_event(
        offender.pk, OffenderEvent.Kind.CREATED, actor=actor, new=snapshot(offender, OFFENDER_FIELDS)
    )


def offender_changed_event(*, offender, actor, old: dict, new: dict, reason: str = "") -> OffenderEvent:
    return _offender_event(offender.pk, OffenderEvent.Kind.CHANGED, actor=actor, old=old, new=new, reason=reason)


def photo_added_event(*, photo: ReferencePhoto, actor) -> OffenderEvent:
    new = snapshot(photo, PHOTO_FIELDS)
    return _offender_event(photo.offender_id, OffenderEvent.Kind.PHOTO_ADDED, actor=actor, photo_id=photo.pk, new=new)


def photo_changed_event(*, photo: ReferencePhoto, actor, old: dict, new: dict) -> OffenderEvent:
    kind = OffenderEvent.Kind.PHOTO_CHANGED
    return _offender_event(photo.offender_id, kind, actor=actor, photo_id=photo.pk, old=old, new=new)


def photo_removed_event(*, photo: ReferencePhoto, actor, reason: str = "") -> OffenderEvent:
    """A force admin removed the photo (written before it is deleted: the old values are the photo's)."""
    old = snapshot(photo, PHOTO_FIELDS)
    kind = OffenderEvent.Kind.PHOTO_REMOVED
    return _offender_event(photo.offender_id, kind, actor=actor, photo_id=photo.pk, old=old, reason=reason)


def photo_retention_events(*, photos: list[ReferencePhoto], reasons: dict[int, str]) -> list[OffenderEvent]:
    """The nightly retention deleted these photos (no actor: the system), each for its person's reason in
    ``reasons`` (by offender id); written before the photos go, in one ``bulk_create``."""
    kind = OffenderEvent.Kind.RETENTION
    rows = [
        OffenderEvent(
            offender_id=photo.offender_id,
            kind=kind,
            actor=None,
            photo_id=photo.pk,
            old=jsonable(snapshot(photo, PHOTO_FIELDS)),
            new={},
            reason=reasons[photo.offender_id],
        )
        for photo in photos
    ]
    return OffenderEvent.objects.bulk_create(rows)


def photo_viewed_event(*, photo: ReferencePhoto, actor, via: str) -> OffenderEvent:
    """``actor`` was served the photo's image; ``via``: "desk" or "api" (the admin shows the API's image).
    Only which photo and where: never the image or its file name."""
    kind = OffenderEvent.Kind.PHOTO_VIEWED
    return _offender_event(photo.offender_id, kind, actor=actor, photo_id=photo.pk, new={"via": via})


# Orders and their prohibitions -----------------------------------------------------------------


def _order_event(
    order_id: int, kind: str, *, actor, old=None, new=None, prohibition_id=None, effective_on=None, reason=""
) -> OrderEvent:
    return OrderEvent.objects.create(
        order_id=order_id,
        kind=kind,
        actor=actor,
        prohibition_id=prohibition_id,
        effective_on=effective_on,
        old=jsonable(old or {}),
        new=jsonable(new or {}),
        reason=reason,
    )


def order_made_event(*, order: Order, actor) -> OrderEvent:
    new = snapshot(order, ORDER_FIELDS)
    return _order_event(order.pk, OrderEvent.Kind.MADE, actor=actor, new=new, effective_on=order.made_on)


def order_corrected_event(*, order: Order, actor, old: dict, new: dict, reason: str = "") -> OrderEvent:
    return _order_event(order.pk, OrderEvent.Kind.CORRECTED, actor=actor, old=old, new=new, reason=reason)


def order_served_event(*, order: Order, actor) -> OrderEvent:
    new = {"served_on": order.served_on, "served_by": order.served_by}
    kind = OrderEvent.Kind.SERVED
    return _order_event(order.pk, kind, actor=actor, old={"served_on": None}, new=new, effective_on=order.served_on)


def order_varied_event(
    *, order: Order, actor, old: dict, new: dict, varied_on: datetime.date, reason: str
) -> OrderEvent:
    kind = OrderEvent.Kind.VARIED
    return _order_event(order.pk, kind, actor=actor, old=old, new=new, effective_on=varied_on, reason=reason)


def order_discharged_event(*, order: Order, actor, reason: str) -> OrderEvent:
    day = order.discharged_on
    return _order_event(order.pk, OrderEvent.Kind.DISCHARGED, actor=actor, old={"discharged_on": None},
                        new={"discharged_on": day}, effective_on=day, reason=reason)  # fmt: skip


def order_replaced_event(*, interim: Order, by: Order, actor, old: dict) -> OrderEvent:
    """The interim order stops the day the full order ``by`` takes effect."""
    new = {"superseded_on": jsonable(by.effective_from), "replaced_by_id": by.pk}
    kind = OrderEvent.Kind.REPLACED
    return _order_event(interim.pk, kind, actor=actor, old=old, new=new, effective_on=by.effective_from)


def prohibition_added_event(*, prohibition: Prohibition, actor, reason: str = "") -> OrderEvent:
    """Recorded with the order (no ``added_on``), or added by a variation from ``added_on``."""
    return _order_event(
        prohibition.order_id,
        OrderEvent.Kind.PROHIBITION_ADDED,
        actor=actor,
        prohibition_id=prohibition.pk,
        effective_on=prohibition.added_on,
        new=prohibition_snapshot(prohibition),
        reason=reason,
    )


def prohibition_corrected_event(*, prohibition: Prohibition, actor, old: dict, new: dict, reason: str = ""):
    kind = OrderEvent.Kind.PROHIBITION_CORRECTED
    return _order_event(prohibition.order_id, kind, actor=actor, prohibition_id=prohibition.pk, old=old, new=new,
                        reason=reason)  # fmt: skip


def prohibition_removed_event(*, prohibition: Prohibition, actor, reason: str) -> OrderEvent:
    """A variation removed the prohibition from ``removed_on`` (the row is kept: earlier days still count)."""
    day = prohibition.removed_on
    return _order_event(
        prohibition.order_id,
        OrderEvent.Kind.PROHIBITION_REMOVED,
        actor=actor,
        prohibition_id=prohibition.pk,
        old={"removed_on": None},
        new={"removed_on": day},
        effective_on=day,
        reason=reason,
    )


def prohibition_deleted_event(*, prohibition: Prohibition, actor, reason: str) -> OrderEvent:
    """A prohibition recorded in error is deleted (written before the delete: its values stay here)."""
    return _order_event(
        prohibition.order_id,
        OrderEvent.Kind.PROHIBITION_REMOVED,
        actor=actor,
        prohibition_id=prohibition.pk,
        old=prohibition_snapshot(prohibition),
        new={"deleted": True},
        reason=reason,
    )


def premises_imported_event(*, prohibition: Prohibition, actor, rows: int, store_ids: list[int], file_sha256: str):
    new = {"rows": rows, "store_ids": sorted(store_ids), "file_sha256": file_sha256}
    kind = OrderEvent.Kind.PREMISES_IMPORTED
    return _order_event(prohibition.order_id, kind, actor=actor, prohibition_id=prohibition.pk, new=new)


# Wording for people ------------------------------------------------------------------------------
#
# Each event reads as a sentence a force admin or a court would use ("Prohibition added: Northway Foods
# Alsager, from 2 Mar 2026", "Order served by PC 1234 Jones on 6 Jan 2026"), never a dump of fields: the
# values are named in words (dates as "2 Mar 2026", stores by retailer and name), and long text is only said
# to have changed. The admin's history, the order desk and the evidence pack all use ``describe``.


def describe(event: OffenderEvent | OrderEvent) -> str:
    """The event in a line a person reads, e.g. "Prohibition added: Northway Foods Alsager, from 2 Mar 2026"."""
    words = _WORDING.get((type(event), event.kind))
    if words is None:
        return event.get_kind_display()
    return words(event)


def _day(value) -> str:
    """An ISO date (as events hold them) as "2 Mar 2026"."""
    if not value:
        return ""
    day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%b %Y}"


# Field names as people say them; fields whose values are too long to repeat are only named.
_FIELD_WORDS = {
    "given_names": "given names", "family_name": "family name", "date_of_birth": "date of birth",
    "pnc_id": "PNC ID", "taken_on": "date taken", "made_on": "date made", "effective_from": "start",
    "ends_on": "last day", "served_on": "date served", "served_by": "served by", "youth": "youth order",
    "positive_requirements": "positive requirements", "case_reference": "case reference",
    "replaces_id": "interim order replaced", "superseded_on": "replaced from", "discharged_on": "discharged from",
    "retailer_id": "retailer", "centre_latitude": "centre latitude", "centre_longitude": "centre longitude",
    "radius_m": "radius", "polygon": "zone outline", "starts_on": "first day", "added_on": "added from",
    "removed_on": "removed from", "store_ids": "stores", "beat_ids": "beats", "sha256": "image",
}  # fmt: skip
_NAMED_ONLY = {"aliases", "notes", "positive_requirements", "polygon", "image", "sha256", "description"}

# The order fields are named in (a JSON column keeps its keys in its own order).
_FIELD_ORDER = {
    name: i
    for i, name in enumerate(
        dict.fromkeys([*OFFENDER_FIELDS, *PHOTO_FIELDS, *ORDER_FIELDS, *PROHIBITION_FIELDS, "store_ids", "beat_ids"])
    )
}


def _sorted(values: dict) -> list[str]:
    return sorted(values, key=lambda name: (_FIELD_ORDER.get(name, len(_FIELD_ORDER)), name))


def _value(name: str, value) -> str:
    if value in (None, "", [], {}):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in ("store_ids", "beat_ids"):
        return _stores(value) if name == "store_ids" else _beats(value)
    if name == "retailer_id":
        return _retailer(value)
    if name == "radius_m":
        return f"{value} m"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return _day(value)
    return str(value)


def _changes(old: dict, new: dict) -> str:
    """What changed, in words: "family name from Smith to Smyth; notes changed"."""
    parts = []
    for name in _sorted(new):
        label = _FIELD_WORDS.get(name, name.removesuffix("_id").replace("_", " "))
        if name in _NAMED_ONLY:
            parts.append(f"{label} changed")
        elif name in old:
            parts.append(f"{label} from {_value(name, old.get(name))} to {_value(name, new[name])}")
        else:
            parts.append(f"{label} now {_value(name, new[name])}")
    return "; ".join(parts)


def _stores(ids) -> str:
    rows = Store.objects.filter(pk__in=list(ids or [])).select_related("retailer").order_by("retailer__name", "name")
    return ", ".join(_clause(f"{s.retailer.name} {s.name}") for s in rows) or "no store"


def _beats(ids) -> str:
    return ", ".join(Beat.objects.filter(pk__in=list(ids or [])).order_by("name").values_list("name", flat=True))


def _retailer(pk) -> str:
    retailer = Retailer.objects.filter(pk=pk).first()
    return retailer.name if retailer else "a retailer no longer held"


def _clause(text: str) -> str:
    """A name or wording that a sentence goes on after: its own closing full stop dropped ("Alsager." in
    "Alsager, from 2 Mar 2026"); an ellipsis is kept."""
    text = str(text).strip()
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def _prohibition(values: dict) -> str:
    """A prohibition as its snapshot says it: its wording in the order, else what it covers."""
    if values.get("description"):
        return _clause(values["description"])
    kind = values.get("kind")
    circle = ""
    if values.get("radius_m") and values.get("centre_latitude") and values.get("centre_longitude"):
        circle = f"within {values['radius_m']} m of {values['centre_latitude']}, {values['centre_longitude']}"
    if kind == Prohibition.Kind.PREMISES and values.get("store_ids"):
        return _stores(values["store_ids"])
    if kind == Prohibition.Kind.RETAILER_AREA:
        where = [f"in {_beats(values['beat_ids'])}"] if values.get("beat_ids") else []
        where += [circle] if circle else []
        return f"every {_retailer(values.get('retailer_id'))} store {' or '.join(where)}".strip()
    if kind == Prohibition.Kind.ZONE:
        return "an exclusion zone drawn on a map" if values.get("polygon") else f"an exclusion zone {circle}".strip()
    return Prohibition.Kind(kind).label if kind in Prohibition.Kind.values else "prohibition"


def _prohibition_now(e: OrderEvent) -> str:
    """The prohibition an event is about, by the row where it is still held."""
    row = Prohibition.objects.filter(pk=e.prohibition_id).first() if e.prohibition_id else None
    return _prohibition(prohibition_snapshot(row)) if row else f"prohibition {e.prohibition_id}"


def _from(day) -> str:
    return f", from {_day(day)}" if day else ""


def _made(e: OrderEvent) -> str:
    kind = e.new.get("kind")
    label = Order.Kind(kind).label if kind in Order.Kind.values else ""
    court = _clause(e.new.get("court", ""))
    made = f"{label} CBO {e.new.get('case_reference', '')}, {court}, made {_day(e.new.get('made_on'))}"
    return f"Order recorded: {made}"


def _served(e: OrderEvent) -> str:
    by = _clause(e.new.get("served_by") or "")
    return "Order served" + (f" by {by}" if by else "") + f" on {_day(e.new.get('served_on'))}"


def _varied(e: OrderEvent) -> str:
    parts = [f"from {_day(e.effective_on)}"]
    terms = {k: v for k, v in e.new.items() if k not in ("prohibitions_removed", "prohibitions_added")}
    if terms.get("indefinite") is True:
        parts.append("now indefinite")
    elif terms.get("ends_on"):
        parts.append(f"now ends {_day(terms['ends_on'])}")
    other = {k: v for k, v in terms.items() if k not in ("ends_on", "indefinite")}
    if other:
        parts.append(_changes(e.old, other))
    for key, verb in (("prohibitions_removed", "removed"), ("prohibitions_added", "added")):
        if count := len(e.new.get(key) or []):
            parts.append(f"{count} prohibition{'s' if count != 1 else ''} {verb}")
    return "Varied: " + "; ".join(parts)


def _added(e: OrderEvent) -> str:
    # Added by a variation from its day; recorded with the order, from its own first day or the order's.
    day = e.effective_on or e.new.get("starts_on") or e.order.effective_from
    until = f", until {_day(e.new['ends_on'])}" if e.new.get("ends_on") else ""
    return f"Prohibition added: {_prohibition(e.new)}{_from(day)}{until}"


def _removed(e: OrderEvent) -> str:
    if e.new.get("deleted"):
        return f"Prohibition removed: {_prohibition(e.old)}, deleted (recorded in error)"
    return f"Prohibition removed: {_prohibition_now(e)}{_from(e.effective_on)}"


def _imported(e: OrderEvent) -> str:
    stores, rows = len(e.new.get("store_ids") or []), e.new.get("rows", 0)
    return (
        f"Prohibited premises imported: {stores} store{'s' if stores != 1 else ''} "
        f"from {rows} CSV row{'s' if rows != 1 else ''}"
    )


def _photo(values: dict) -> str:
    return f"{_clause(values.get('source', ''))}, taken {_day(values.get('taken_on'))}"


def _viewed(e: OffenderEvent) -> str:
    photo = ReferencePhoto.objects.filter(pk=e.photo_id).first() if e.photo_id else None
    which = _photo(snapshot(photo, PHOTO_FIELDS)) if photo else f"photo {e.photo_id}, no longer held"
    where = {"desk": "on the order desk", "api": "through the API or the admin"}.get(e.new.get("via"), "")
    return f"Reference photo viewed: {which}" + (f" ({where})" if where else "")


def _name(e: OffenderEvent) -> str:
    return f"Person recorded: {e.new.get('given_names', '')} {e.new.get('family_name', '')}"


_ORDER, _OFFENDER = OrderEvent.Kind, OffenderEvent.Kind
_WORDING: dict[tuple[type, str], Callable[[Any], str]] = {
    (OrderEvent, _ORDER.MADE): _made,
    (OrderEvent, _ORDER.CORRECTED): lambda e: f"Details corrected: {_changes(e.old, e.new)}",
    (OrderEvent, _ORDER.SERVED): _served,
    (OrderEvent, _ORDER.VARIED): _varied,
    (OrderEvent, _ORDER.DISCHARGED): lambda e: f"Discharged: from {_day(e.effective_on)}",
    (OrderEvent, _ORDER.REPLACED): lambda e: f"Replaced by a full order: from {_day(e.effective_on)}",
    (OrderEvent, _ORDER.PROHIBITION_ADDED): _added,
    (OrderEvent, _ORDER.PROHIBITION_CORRECTED): lambda e: (
        f"Prohibition corrected: {_prohibition_now(e)}: {_changes(e.old, e.new)}"
    ),
    (OrderEvent, _ORDER.PROHIBITION_REMOVED): _removed,
    (OrderEvent, _ORDER.PREMISES_IMPORTED): _imported,
    (OffenderEvent, _OFFENDER.CREATED): _name,
    (OffenderEvent, _OFFENDER.CHANGED): lambda e: f"Details changed: {_changes(e.old, e.new)}",
    (OffenderEvent, _OFFENDER.PHOTO_ADDED): lambda e: f"Photo added: {_photo(e.new)}",
    (OffenderEvent, _OFFENDER.PHOTO_CHANGED): lambda e: f"Photo details corrected: {_changes(e.old, e.new)}",
    (OffenderEvent, _OFFENDER.PHOTO_REMOVED): lambda e: f"Photo removed: {_photo(e.old)}",
    (OffenderEvent, _OFFENDER.PHOTO_VIEWED): _viewed,
    (OffenderEvent, _OFFENDER.RETENTION): lambda e: f"Photo deleted under the retention policy: {_photo(e.old)}",
}
