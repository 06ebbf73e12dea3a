"""Is this order, or this prohibition, in force on this day? The legal heart of Retrace, written once.

Each rule is here twice, side by side: in Python (for one row already loaded) and as a query
(``Q`` objects, for the database to pick the rows). ``tests/orders/test_in_force.py`` runs every
edge case through both and checks that they agree. Everything else (the models' properties, the
selectors, the API's ``in_force_now`` and ``in_effect_now``, the admin's status) calls these.

The rule (DESIGN.md, "CBO breach"). Days are UK local days (settings.TIME_ZONE, Europe/London: a
moment in British Summer Time belongs to the local day, not the UTC day) and every period is
inclusive of its first and last day.

- An order is in force on day ``d`` when it was served on or before ``d`` (an unserved order is not
  in force: no breach without service), took effect on or before ``d``, and ``d`` is on or before
  its end date (none when indefinite) and before its discharge day and the day a full order replaced
  it (``discharged_on`` and ``superseded_on`` are each the first day it no longer has effect).
- A prohibition is in effect on ``d`` when its order is in force on ``d``, its own period (if any,
  ``starts_on``/``ends_on``) takes in ``d``, and a variation did not add it after ``d``
  (``added_on``) or remove it on or before ``d`` (``removed_on``).
"""

import datetime

from django.db.models import Q
from django.utils import timezone

ONE_DAY = datetime.timedelta(days=1)

# The order's fields that decide on which days it is in force (besides a discharge or replacement,
# which have their own services): a correction of one of these changes what the order covered.
PERIOD_FIELDS = frozenset({"effective_from", "ends_on", "indefinite", "served_on"})


def local_day(at: datetime.datetime | datetime.date) -> datetime.date:
    """The UK local day of a moment. A bare date is taken as already local; a naive datetime is refused."""
    if isinstance(at, datetime.datetime):
        if timezone.is_naive(at):
            raise ValueError("A moment must be timezone-aware (use timezone.now() or an aware datetime).")
        return timezone.localdate(at)
    return at


# Orders ---------------------------------------------------------------------------------------


def order_last_day(order) -> datetime.date | None:
    """The last UK local day the order is in force, all ends considered; None when indefinite and not ended."""
    ends = [] if order.indefinite else [order.ends_on]
    ends += [
        first_day_gone - ONE_DAY for first_day_gone in (order.discharged_on, order.superseded_on) if first_day_gone
    ]
    return min(ends) if ends else None


def order_in_force_on(order, day: datetime.date) -> bool:
    """Python: the order is in force (and served) on UK local ``day``."""
    if order.served_on is None or order.served_on > day or order.effective_from > day:
        return False
    last = order_last_day(order)
    return last is None or day <= last


def order_in_force_q(day: datetime.date, prefix: str = "") -> Q:
    """Query twin of ``order_in_force_on``; ``prefix`` (e.g. "order__") reaches the order from another model."""

    def f(name: str) -> str:
        return prefix + name

    return (
        Q(**{f("served_on__isnull"): False, f("served_on__lte"): day, f("effective_from__lte"): day})
        & (Q(**{f("indefinite"): True}) | Q(**{f("ends_on__gte"): day}))
        & (Q(**{f("discharged_on__isnull"): True}) | Q(**{f("discharged_on__gt"): day}))
        & (Q(**{f("superseded_on__isnull"): True}) | Q(**{f("superseded_on__gt"): day}))
    )


# Prohibitions ---------------------------------------------------------------------------------


def prohibition_period_allows(prohibition, day: datetime.date) -> bool:
    """Python: the prohibition's own period and the variations that added or removed it take in ``day``
    (its order is not considered)."""
    p = prohibition
    return (
        (p.starts_on is None or p.starts_on <= day)
        and (p.ends_on is None or day <= p.ends_on)
        and (p.added_on is None or p.added_on <= day)
        and (p.removed_on is None or day < p.removed_on)
    )


def prohibition_period_q(day: datetime.date) -> Q:
    """Query twin of ``prohibition_period_allows``."""
    return (
        (Q(starts_on__isnull=True) | Q(starts_on__lte=day))
        & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        & (Q(added_on__isnull=True) | Q(added_on__lte=day))
        & (Q(removed_on__isnull=True) | Q(removed_on__gt=day))
    )


def prohibition_in_effect_on(prohibition, day: datetime.date) -> bool:
    """Python: the prohibition is in effect on ``day``, its order in force and served."""
    return order_in_force_on(prohibition.order, day) and prohibition_period_allows(prohibition, day)


def prohibition_in_effect_q(day: datetime.date) -> Q:
    """Query twin of ``prohibition_in_effect_on`` (over ``Prohibition``)."""
    return order_in_force_q(day, prefix="order__") & prohibition_period_q(day)


# Status, in words ---------------------------------------------------------------------------


def order_status(order, day: datetime.date) -> str:
    """What a force admin reads about the order on ``day``: in force, or why not. A discharge or a
    replacement is named as soon as it is recorded, whatever its day."""
    if order.discharged_on:
        return f"discharged from {order.discharged_on:%d/%m/%Y}"
    if order.superseded_on:
        return f"replaced by a full order from {order.superseded_on:%d/%m/%Y}"
    if order.served_on is None:
        return "not yet served"
    if order_in_force_on(order, day):
        return "in force"
    return "not yet in effect" if order.effective_from > day else "ended"
