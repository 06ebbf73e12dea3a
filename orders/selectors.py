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
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts import access
from accounts.models import Store
from orders import geo
from orders.in_force import local_day, order_in_force_q, prohibition_in_effect_q
from orders.models import Offender, Order, Prohibition
from orders.validators import normalise_pnc_id


def orders_in_force(*, at: datetime.datetime | datetime.date, force_id: int | None = None) -> QuerySet[Order]:
    qs = Order.objects.filter(order_in_force_q(local_day(at)))
    if force_id is not None:
        qs = qs.filter(offender__force_id=force_id)
    return qs


def gallery_offender_ids(*, force_id: int, at: datetime.datetime) -> set[int]:
    """Offenders of the force with at least one order in force and served at ``at``: the face gallery."""
    return set(orders_in_force(at=at, force_id=force_id).values_list("offender_id", flat=True))


def prohibition_covers_store(prohibition: Prohibition, store: Store) -> bool:
    """Whether the prohibition's premises, area or zone take in the store (its period is not considered)."""
    kind = Prohibition.Kind
    if prohibition.kind == kind.PREMISES:
        return any(s.pk == store.pk for s in prohibition.stores.all())
    if prohibition.kind == kind.RETAILER_AREA:
        if prohibition.retailer_id != store.retailer_id:
            return False
        if any(b.pk == store.beat_id for b in prohibition.beats.all()):
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


def prohibitions_in_force(
    *, store: Store, at: datetime.datetime | datetime.date, offender: Offender | None = None
) -> list[Prohibition]:
    """Prohibitions of orders in force and served at ``at`` that cover ``store`` at ``at``: the one query.

    ``offender=None`` asks about anyone. Only orders held by the store's force count (a prohibition
    can only name premises of its own force)."""
    day = local_day(at)
    qs = Prohibition.objects.filter(prohibition_in_effect_q(day), order__offender__force_id=store.beat.force_id)
    if offender is not None:
        qs = qs.filter(order__offender=offender)
    named = Prohibition.stores.through.objects.filter(prohibition_id=OuterRef("pk"), store_id=store.pk)
    qs = qs.filter(
        (Q(kind=Prohibition.Kind.PREMISES) & Exists(named))
        | Q(kind=Prohibition.Kind.RETAILER_AREA, retailer_id=store.retailer_id)
        | Q(kind=Prohibition.Kind.ZONE)
    )
    qs = qs.select_related("order__offender").prefetch_related("stores", "beats").order_by("order_id", "pk")
    return [p for p in qs if prohibition_covers_store(p, store)]


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
    return access.scope_to_police(Order.objects.select_related("offender"), user, force_path="offender__force")


def offender_in_gallery(*, offender: Offender, at: datetime.datetime) -> bool:
    return offender.pk in gallery_offender_ids(force_id=offender.force_id, at=at)
