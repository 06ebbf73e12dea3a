"""Prohibitions of an order: what each says (premises, a retailer within an area, an exclusion zone, with
its own period), checked against the order; record, correct and delete one (audited).

A prohibition the court adds or removes later is a variation (``orders.services.orders.order_vary``).
A re-search of old footage after a prohibition is recorded or corrected is recognition's:
entry points call ``workflows.orders`` (same names, same arguments)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import ProtectedError

from accounts.models import Beat, Retailer, Store
from core.exceptions import ApplicationError, ErrorCode
from core.filters import MAX_ID
from orders import geo
from orders.errors import OrderErrorCode
from orders.events import (
    diff,
    prohibition_added_event,
    prohibition_corrected_event,
    prohibition_deleted_event,
    prohibition_snapshot,
)
from orders.models import Order, Prohibition
from orders.services.common import Errors, date_range_errors, one_line, raise_first, require_force_admin, require_reason

MAX_RADIUS_M = 50_000
Code = OrderErrorCode


@dataclass
class ProhibitionInput:
    """What one prohibition says. ``kind`` decides which of the other fields apply."""

    kind: str
    description: str = ""
    stores: list[Store] = field(default_factory=list)
    retailer: Retailer | None = None
    beats: list[Beat] = field(default_factory=list)
    centre_latitude: Decimal | float | str | None = None
    centre_longitude: Decimal | float | str | None = None
    radius_m: int | None = None
    polygon: dict | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


# Checks ---------------------------------------------------------------------------------------


def _decimal(value, name: str, low: float, high: float, errors: Errors) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors.append((name, ErrorCode.INVALID, f"{name} must be a number."))
        return None
    if not low <= number <= high:
        errors.append((name, Code.OUT_OF_BOUNDS, f"{name} must be between {low} and {high} (inside the UK)."))
    return number


def _clean_circle(data: ProhibitionInput, prefix: str, errors: Errors) -> bool:
    """Validate centre and radius in place; True when a complete circle was given."""
    data.centre_latitude = _decimal(data.centre_latitude, f"{prefix}centre_latitude", 49, 61, errors)
    data.centre_longitude = _decimal(data.centre_longitude, f"{prefix}centre_longitude", -9, 2, errors)
    parts = [data.centre_latitude, data.centre_longitude, data.radius_m]
    if all(p is None for p in parts):
        return False
    if any(p is None for p in parts):
        message = "A circle needs a centre latitude, longitude and radius."
        errors.append((f"{prefix}radius_m", Code.INCOMPLETE_CIRCLE, message))
        return False
    if not isinstance(data.radius_m, int) or not 1 <= data.radius_m <= MAX_RADIUS_M:
        message = f"The radius must be 1 to {MAX_RADIUS_M} metres."
        errors.append((f"{prefix}radius_m", Code.INVALID_RADIUS, message))
    return True


def _clean_polygon(data: ProhibitionInput, prefix: str, errors: Errors) -> bool:
    if data.polygon in (None, "", {}):
        data.polygon = None
        return False
    try:
        data.polygon = geo.validate_polygon(data.polygon)
    except geo.GeometryError as exc:
        errors.append((f"{prefix}polygon", Code.polygon(exc.code), exc.message))
    return True


def _outside_message(row, label: str) -> str:
    """An API caller's id outside their force arrives as an unsaved row of no force (``orders.apis``):
    name only the id, so the answer is the same whether it is another force's or nobody's."""
    what = row._meta.verbose_name
    if row._state.adding:
        return f"No {what} with id {row.pk} in your force."
    return f"{what.capitalize()} {label} is in another force."


def _clean_premises(data: ProhibitionInput, force_id: int, prefix: str, errors: Errors) -> None:
    if not data.stores:
        errors.append((f"{prefix}stores", Code.NO_PREMISES, "Named premises need at least one store."))
    for store in data.stores:
        if store.beat.force_id != force_id:
            message = _outside_message(store, f"{store.code} ({store.name})")
            errors.append((f"{prefix}stores", Code.STORE_OTHER_FORCE, message))


def _clean_retailer_area(data: ProhibitionInput, force_id: int, prefix: str, errors: Errors) -> None:
    if data.retailer is None:
        errors.append((f"{prefix}retailer", Code.REQUIRED, "Say which retailer's stores are prohibited."))
    elif (
        data.retailer.pk > MAX_ID
        or not Store.objects.filter(retailer_id=data.retailer.pk, beat__force_id=force_id).exists()
    ):
        # Only a retailer with a store in the force: one that trades only elsewhere is refused exactly as
        # one that does not exist (an API caller's id outside the force arrives as an unsaved row).
        message = f"No retailer with id {data.retailer.pk} has a store in your force."
        errors.append((f"{prefix}retailer", ErrorCode.INVALID, message))
    for beat in data.beats:
        if beat.force_id != force_id:
            errors.append((f"{prefix}beats", Code.BEAT_OTHER_FORCE, _outside_message(beat, beat.name)))
    has_circle = _clean_circle(data, prefix, errors)
    if not data.beats and not has_circle:
        errors.append((f"{prefix}beats", Code.NO_PREMISES, "Give the area: beats, or a centre and radius."))


def _clean_zone(data: ProhibitionInput, prefix: str, errors: Errors) -> None:
    has_polygon = _clean_polygon(data, prefix, errors)
    has_circle = _clean_circle(data, prefix, errors)
    if not has_polygon and not has_circle:
        message = "An exclusion zone needs a polygon or a centre and radius."
        errors.append((f"{prefix}polygon", Code.NO_PREMISES, message))
    elif has_polygon and has_circle:
        errors.append((f"{prefix}polygon", Code.ZONE_AMBIGUOUS, "Give either a polygon or a circle, not both."))


FIELDS_OF_KIND: dict[str, set[str]] = {
    Prohibition.Kind.PREMISES: {"stores"},
    Prohibition.Kind.RETAILER_AREA: {"retailer", "beats", "centre_latitude", "centre_longitude", "radius_m"},
    Prohibition.Kind.ZONE: {"polygon", "centre_latitude", "centre_longitude", "radius_m"},
}


def _clean_extras(data: ProhibitionInput, prefix: str, errors: Errors) -> None:
    """Fields that do not belong to the kind must be empty, so that nothing is silently ignored."""
    allowed = FIELDS_OF_KIND[data.kind]
    for name in ("stores", "retailer", "beats", "centre_latitude", "centre_longitude", "radius_m", "polygon"):
        if name not in allowed and getattr(data, name) not in (None, "", [], {}):
            message = f"{name} does not apply to this kind of prohibition."
            errors.append((f"{prefix}{name}", Code.NOT_FOR_KIND, message))


def _clean_period(data: ProhibitionInput, order: Order, prefix: str, errors: Errors) -> None:
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.append((f"{prefix}ends_on", Code.ENDS_BEFORE_START, "The prohibition ends before it starts."))
    if data.starts_on and data.starts_on < order.effective_from:
        message = "The prohibition starts before the order takes effect."
        errors.append((f"{prefix}starts_on", Code.OUTSIDE_ORDER, message))
    errors += [(f"{prefix}{n}", c, m) for n, c, m in date_range_errors(starts_on=data.starts_on, ends_on=data.ends_on)]
    last = order.ends_on if not order.indefinite else None
    for name in ("starts_on", "ends_on"):
        value = getattr(data, name)
        if value and last and value > last:
            message = f"The prohibition's {name} is after the order ends."
            errors.append((f"{prefix}{name}", Code.OUTSIDE_ORDER, message))


def clean_prohibition(data: ProhibitionInput, order: Order, prefix: str = "") -> Errors:
    """All that is wrong with a prohibition for this order, as (field, code, message)."""
    errors: Errors = []
    if data.kind not in Prohibition.Kind.values:
        return [(f"{prefix}kind", ErrorCode.INVALID, f"Kind must be one of {', '.join(Prohibition.Kind.values)}.")]
    data.description = one_line(data.description)[:255]
    data.stores, data.beats = list(data.stores or []), list(data.beats or [])
    force_id = order.offender.force_id
    if data.kind == Prohibition.Kind.PREMISES:
        _clean_premises(data, force_id, prefix, errors)
    elif data.kind == Prohibition.Kind.RETAILER_AREA:
        _clean_retailer_area(data, force_id, prefix, errors)
    else:
        _clean_zone(data, prefix, errors)
    _clean_extras(data, prefix, errors)
    _clean_period(data, order, prefix, errors)
    return errors


# Writes ---------------------------------------------------------------------------------------


def _save(prohibition: Prohibition, data: ProhibitionInput) -> Prohibition:
    for name in ("kind", "description", "retailer", "centre_latitude", "centre_longitude", "radius_m", "polygon"):
        setattr(prohibition, name, getattr(data, name))
    prohibition.starts_on, prohibition.ends_on = data.starts_on, data.ends_on
    box = prohibition.zone_box()
    prohibition.zone_south, prohibition.zone_west, prohibition.zone_north, prohibition.zone_east = box or (None,) * 4
    prohibition.save()
    prohibition.stores.set(data.stores)
    prohibition.beats.set(data.beats)
    return prohibition


def prohibition_create(*, order: Order, data: ProhibitionInput, actor, added_on=None, reason="") -> Prohibition:
    """Save a prohibition already checked (``clean_prohibition``) and its audit row: the order services'
    step for an order recorded or varied. ``added_on``: the variation's day."""
    prohibition = _save(Prohibition(order=order, added_on=added_on), data)
    prohibition_added_event(prohibition=prohibition, actor=actor, reason=reason)
    return prohibition


def _locked_order(order_id: int) -> Order:
    return Order.objects.select_for_update().select_related("offender").get(pk=order_id)


@transaction.atomic
def prohibition_add(*, order: Order, actor, data: ProhibitionInput) -> Prohibition:
    """Record a prohibition the order made (data entry). A prohibition added later by the court is a variation:
    use ``order_vary``."""
    require_force_admin(actor, order.offender.force_id)
    order = _locked_order(order.pk)
    raise_first(clean_prohibition(data, order))
    return prohibition_create(order=order, data=data, actor=actor)


@transaction.atomic
def prohibition_correct(*, prohibition: Prohibition, actor, data: ProhibitionInput, reason: str = "") -> Prohibition:
    """Correct a prohibition that was recorded wrongly (old and new values kept in the history)."""
    order = _locked_order(prohibition.order_id)
    require_force_admin(actor, order.offender.force_id)
    raise_first(clean_prohibition(data, order))
    before = prohibition_snapshot(prohibition)
    _save(prohibition, data)
    old, new = diff(before, prohibition_snapshot(prohibition))
    if new:
        prohibition_corrected_event(prohibition=prohibition, actor=actor, old=old, new=new, reason=reason)
    return prohibition


@transaction.atomic
def prohibition_delete(*, prohibition: Prohibition, actor, reason: str) -> None:
    """Delete a prohibition recorded in error (its values stay in the order's history). A prohibition the
    court removed is a variation: use ``order_vary``."""
    order = _locked_order(prohibition.order_id)
    require_force_admin(actor, order.offender.force_id)
    reason = require_reason(reason, "Say why the prohibition is being deleted.")
    prohibition_deleted_event(prohibition=prohibition, actor=actor, reason=reason)
    try:
        with transaction.atomic():
            prohibition.delete()
    except ProtectedError as exc:
        raise ApplicationError(
            "A breach case cites this prohibition, so it cannot be deleted. If the court removed it, record a "
            "variation instead.",
            code=Code.PROHIBITION_IN_USE,
            status_code=409,
        ) from exc
