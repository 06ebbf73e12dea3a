"""Audit writers: one function per kind of event, each recording who, when, and the old and new values."""

import datetime
from decimal import Decimal

from django.db import models

from orders.models import OffenderEvent, Order, OrderEvent


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


def diff(old: dict, new: dict) -> tuple[dict, dict]:
    """Only the keys whose values changed, as (old, new)."""
    changed = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in changed}, {k: new[k] for k in changed}


def offender_event(offender, kind: str, *, actor, old=None, new=None, photo_id=None, reason="") -> OffenderEvent:
    return OffenderEvent.objects.create(
        offender=offender,
        kind=kind,
        actor=actor,
        photo_id=photo_id,
        old=jsonable(old or {}),
        new=jsonable(new or {}),
        reason=reason,
    )


def order_event(
    order: Order, kind: str, *, actor, old=None, new=None, prohibition_id=None, effective_on=None, reason=""
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor,
        prohibition_id=prohibition_id,
        effective_on=effective_on,
        old=jsonable(old or {}),
        new=jsonable(new or {}),
        reason=reason,
    )
