"""Reads of orders. The question everything else asks is answered here:

    which orders, in force and served, prohibited this person (or anyone) from this store at this moment?

Whether an order or a prohibition is in force on a day is ``orders.in_force`` (the one home of that
rule, with its query twin); a moment is turned into its UK local day by ``local_day`` (BST respected).
Whether a prohibition covers a store is decided here, at query time, from the store as it is now: a
store that opened inside a zone after the order was made is covered.

Other apps use ``gallery_offender_ids``, ``breaching_prohibitions``, ``prohibitions_in_force``,
``stores_covered``, ``local_day``, ``offenders_for`` and ``orders_for``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import access
from accounts.models import Store
from orders import geo
from orders.in_force import local_day, order_in_force_q, prohibition_in_effect_q
from orders.models import Offender, Order, Prohibition
from orders.validators import normalise_pnc_id


def orders_in_force(*, at: datetime.datetime | datetime.date, force_id: int | None = None) -> QuerySet[Order]:
    qs = Order.objects.filter(order_in_force_q(local_day(at)))
    if force_id is not None:
        qs = qs.filter(force_id=force_id)
    return qs


def gallery_offender_ids(*, force_id: int, at: datetime.datetime, among=None) -> set[int]:
    """Offenders of the force with at least one order in force and served at ``at``: the face gallery; only
    those ``among`` the offender ids given, if given (a page of a list asks about its own rows only)."""
    qs = orders_in_force(at=at, force_id=force_id)
    if among is not None:
        qs = qs.filter(offender_id__in=list(among))
    return set(qs.values_list("offender_id", flat=True))


def prohibition_covers_store(prohibition: Prohibition, store: Store) -> bool:
    """Whether the prohibition's premises, area or zone take in the store (its period is not considered)."""
    store_ids = {s.pk for s in prohibition.stores.all()} if prohibition.kind == Prohibition.Kind.PREMISES else set()
    beat_ids = {b.pk for b in prohibition.beats.all()} if prohibition.kind == Prohibition.Kind.RETAILER_AREA else set()
    return _covers(prohibition, store, store_ids=store_ids, beat_ids=beat_ids)


def _covers(prohibition: Prohibition, store: Store, *, store_ids: set[int], beat_ids: set[int]) -> bool:
    """The rule of ``prohibition_covers_store``, with the prohibition's stores and beats given (so that an
    unsaved prohibition, as the order desk's wizard holds it, is judged by the same rule)."""
    kind = Prohibition.Kind
    if prohibition.kind == kind.PREMISES:
        return store.pk in store_ids
    if prohibition.kind == kind.RETAILER_AREA:
        if prohibition.retailer_id != store.retailer_id:
            return False
        if store.beat_id in beat_ids:
            return True
        return prohibition.has_circle and _in_circle(prohibition, store)
    if prohibition.kind == kind.ZONE:
        if prohibition.polygon and geo.polygon_contains(prohibition.polygon, lat=store.latitude, lon=store.longitude):
            return True
        return prohibition.has_circle and _in_circle(prohibition, store)
    return False


def _in_circle(prohibition: Prohibition, store: Store) -> bool:
    return geo.within_radius(
        lat=store.latitude,
        lon=store.longitude,
        centre_lat=prohibition.centre_latitude,
        centre_lon=prohibition.centre_longitude,
        radius_m=prohibition.radius_m or 0,
    )


def _zone_may_cover(store: Store) -> Q:
    """Zones whose bounding box holds the store (the exact test follows), or that have no box (kept as candidates:
    the box is an aid, never the rule)."""
    lat, lon = float(store.latitude), float(store.longitude)
    inside = Q(zone_south__lte=lat, zone_north__gte=lat, zone_west__lte=lon, zone_east__gte=lon)
    return inside | Q(zone_south__isnull=True)


def prohibitions_in_force(
    *, store: Store, at: datetime.datetime | datetime.date, offender: Offender | None = None
) -> list[Prohibition]:
    """Prohibitions of orders in force and served at ``at`` that cover ``store`` at ``at``: the one query.

    ``offender=None`` asks about anyone. Only orders held by the store's force count (a prohibition
    can only name premises of its own force)."""
    day = local_day(at)
    qs = Prohibition.objects.filter(prohibition_in_effect_q(day), order__force_id=store.beat.force_id)
    if offender is not None:
        qs = qs.filter(order__offender=offender)
    named = Prohibition.stores.through.objects.filter(prohibition_id=OuterRef("pk"), store_id=store.pk)
    qs = qs.filter(
        (Q(kind=Prohibition.Kind.PREMISES) & Exists(named))
        | Q(kind=Prohibition.Kind.RETAILER_AREA, retailer_id=store.retailer_id)
        | (Q(kind=Prohibition.Kind.ZONE) & _zone_may_cover(store))
    )
    # The candidates' ids first (the orders in force of the force, their prohibitions: no other table), then
    # every row the answer shows, read with them: the order and its offender, the named stores with their
    # retailers (a query per store before), the retailer of an area. In one query the database joined every
    # offender of the force before narrowing to the few candidates.
    ids = list(qs.values_list("pk", flat=True))
    stores = Prefetch("stores", queryset=Store.objects.select_related("retailer"))
    rows = Prohibition.objects.filter(pk__in=ids).select_related("order__offender", "retailer")
    rows = rows.prefetch_related(stores, "beats").order_by("order_id", "pk")
    return [p for p in rows if prohibition_covers_store(p, store)]


def breaching_prohibitions(*, offender: Offender, store: Store, at: datetime.datetime) -> list[Prohibition]:
    """The offender's prohibitions (orders in force and served) that made presence at ``store`` at ``at`` a breach."""
    return prohibitions_in_force(store=store, at=at, offender=offender)


def orders_prohibiting(*, store: Store, at: datetime.datetime) -> list[Order]:
    """Orders in force and served at ``at`` with a prohibition covering ``store`` (anyone's)."""
    seen: dict[int, Order] = {}
    for p in prohibitions_in_force(store=store, at=at):
        seen.setdefault(p.order_id, p.order)
    return list(seen.values())


def stores_covered(prohibition: Prohibition) -> list[Store]:
    """Stores of the order's force that the prohibition covers now (for showing it to an admin)."""
    force_id = prohibition.order.offender.force_id
    stores = Store.objects.filter(beat__force_id=force_id).select_related("retailer", "beat")
    if prohibition.kind == Prohibition.Kind.PREMISES:
        return list(prohibition.stores.select_related("retailer", "beat"))
    if prohibition.kind == Prohibition.Kind.RETAILER_AREA:
        if prohibition.retailer_id is None:
            return []  # a retailer area names its retailer (the services require one)
        stores = stores.filter(retailer_id=prohibition.retailer_id)
    return [s for s in stores if prohibition_covers_store(prohibition, s)]


# Scoped reads for the API and admin ---------------------------------------------------------


def offenders_for(user) -> QuerySet[Offender]:
    """Police of the force see its offenders; shop workers and users without a role see none."""
    return access.scope_to_police(Offender.objects.all(), user)


def offenders_search(qs: QuerySet[Offender], *, q: str = "") -> QuerySet[Offender]:
    """Offenders whose names, aliases or PNC ID contain every word of ``q`` (a PNC ID in short form is found too)."""
    q = (q or "").strip()
    if not q:
        return qs
    try:
        return qs.filter(pnc_id=normalise_pnc_id(q))
    except ValidationError:
        pass
    for term in q.split():
        qs = qs.filter(
            Q(given_names__icontains=term)
            | Q(family_name__icontains=term)
            | Q(aliases__icontains=term)
            | Q(pnc_id__icontains=term)
        )
    return qs


def orders_for(user) -> QuerySet[Order]:
    return access.scope_to_police(Order.objects.select_related("offender"), user, force_path="force")


def offender_in_gallery(*, offender: Offender, at: datetime.datetime) -> bool:
    return offender.pk in gallery_offender_ids(force_id=offender.force_id, at=at, among=[offender.pk])


# The force admin's order desk ---------------------------------------------------------------

ORDER_STATUSES = {"in_force": "In force", "not_served": "Not yet served", "ended": "Ended"}


def _day(value: datetime.date) -> str:
    return f"{value.day} {value:%b %Y}"


def order_status_words(order: Order, today: datetime.date) -> str:
    """The order's state on ``today`` as a person says it: "In force until 2 Mar 2027", "Discharged on 1 Jun
    2026", "Not yet served" (the rule itself is ``orders.in_force``)."""
    if order.discharged_on:
        return f"Discharged on {_day(order.discharged_on)}"
    if order.superseded_on:
        return f"Replaced by a full order on {_day(order.superseded_on)}"
    if order.served_on is None:
        return "Not yet served"
    last = order.last_day
    if order.in_force_on(today):
        return f"In force until {_day(last)}" if last else "In force, indefinitely"
    if order.effective_from > today:
        return f"Takes effect on {_day(order.effective_from)}"
    return f"Ended on {_day(last)}" if last else "Ended"


def _ended_q(today: datetime.date) -> Q:
    return Q(discharged_on__lte=today) | Q(superseded_on__lte=today) | Q(indefinite=False, ends_on__lt=today)


def orders_desk(user, *, status: str = "", q: str = "", ending_within: int | None = None) -> QuerySet[Order]:
    """The force's orders for the desk's list: ``status`` one of ``ORDER_STATUSES``; ``q`` searches the person
    (name, alias, PNC ID) and the case reference; ``ending_within`` days keeps orders in force whose last day
    falls within that many days from today. Newest first."""
    today = timezone.localdate()
    qs = orders_for(user)
    if status == "in_force":
        qs = qs.filter(order_in_force_q(today))
    elif status == "not_served":
        qs = qs.filter(served_on__isnull=True, discharged_on__isnull=True, superseded_on__isnull=True)
    elif status == "ended":
        qs = qs.filter(_ended_q(today))
    if q.strip():
        people = offenders_search(Offender.objects.all(), q=q).values("pk")
        qs = qs.filter(Q(offender__in=people) | Q(case_reference__icontains=q.strip()))
    if ending_within is not None:
        horizon = today + datetime.timedelta(days=ending_within)
        gone_by = horizon + datetime.timedelta(days=1)  # discharged_on, superseded_on: first day without effect
        soon = Q(indefinite=False, ends_on__lte=horizon) | Q(discharged_on__lte=gone_by) | Q(superseded_on__lte=gone_by)
        qs = qs.filter(order_in_force_q(today)).filter(soon)
    return qs.order_by("-effective_from", "-pk")


def stores_covered_unsaved(prohibition: Prohibition, *, force_id: int, store_ids, beat_ids) -> list[Store]:
    """Stores of the force that an unsaved prohibition (its stores and beats given as ids) would cover now."""
    stores = Store.objects.filter(beat__force_id=force_id).select_related("retailer", "beat")
    if prohibition.kind == Prohibition.Kind.PREMISES:
        stores = stores.filter(pk__in=list(store_ids))
    elif prohibition.kind == Prohibition.Kind.RETAILER_AREA:
        if prohibition.retailer_id is None:
            return []  # no retailer chosen yet: it covers nothing
        stores = stores.filter(retailer_id=prohibition.retailer_id)
    ids, beats = set(store_ids), set(beat_ids)
    return [s for s in stores if _covers(prohibition, s, store_ids=ids, beat_ids=beats)]


def stores_search(user, q: str = "") -> QuerySet[Store]:
    """The user's force's stores whose retailer, name, code or postcode contain every word of ``q``."""
    qs = access.stores_for(user)
    for term in (q or "").split():
        qs = qs.filter(
            Q(retailer__name__icontains=term)
            | Q(name__icontains=term)
            | Q(code__icontains=term)
            | Q(postcode__icontains=term)
            | Q(address__icontains=term)
        )
    return qs.order_by("retailer__name", "name", "pk")
