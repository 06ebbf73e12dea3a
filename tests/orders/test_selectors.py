"""The one query: which orders in force and served prohibited this person (or anyone) from this store now?

Dates are UK local days, inclusive at both ends. Moments are given in UTC so that each BST test
shows the local day (not the UTC day) decides."""

import datetime

import pytest

from orders import selectors
from orders.models import Order, Prohibition
from tests.factories import StoreFactory
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = pytest.mark.django_db

D = datetime.date
UTC = datetime.UTC


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@pytest.fixture
def offender(world):
    return OffenderFactory(force=world.a.force)


def premises_order(offender, store, **order_fields):
    order = OrderFactory(offender=offender, **order_fields)
    return order, ProhibitionFactory(order=order, stores=[store])


def breaches(offender, store, when):
    return selectors.breaching_prohibitions(offender=offender, store=store, at=when)


# First and last day, UK local time across BST ------------------------------------------------


def test_first_day_in_summer_starts_at_local_midnight_not_utc(world, offender):
    order, p = premises_order(offender, world.a.store, made_on=D(2026, 6, 10), ends_on=D(2026, 6, 20))
    assert breaches(offender, world.a.store, at(2026, 6, 9, 22, 59)) == []  # 23:59 BST on the 9th
    assert breaches(offender, world.a.store, at(2026, 6, 9, 23, 0)) == [p]  # 00:00 BST on the 10th


def test_last_day_in_summer_ends_at_local_midnight_not_utc(world, offender):
    order, p = premises_order(offender, world.a.store, made_on=D(2026, 6, 10), ends_on=D(2026, 6, 20))
    assert breaches(offender, world.a.store, at(2026, 6, 20, 22, 59)) == [p]  # 23:59 BST on the 20th
    assert breaches(offender, world.a.store, at(2026, 6, 20, 23, 0)) == []  # 00:00 BST on the 21st


def test_first_day_on_the_spring_clock_change(world, offender):
    # 29 March 2026: clocks go forward at 01:00 GMT; the day is 23 hours long.
    order, p = premises_order(offender, world.a.store, made_on=D(2026, 3, 29), ends_on=D(2026, 3, 29))
    assert breaches(offender, world.a.store, at(2026, 3, 28, 23, 59, 59)) == []  # GMT, the 28th
    assert breaches(offender, world.a.store, at(2026, 3, 29, 0, 0)) == [p]  # 00:00 GMT, the 29th
    assert breaches(offender, world.a.store, at(2026, 3, 29, 22, 59)) == [p]  # 23:59 BST, the 29th
    assert breaches(offender, world.a.store, at(2026, 3, 29, 23, 0)) == []  # 00:00 BST, the 30th


def test_last_day_on_the_autumn_clock_change(world, offender):
    # 25 October 2026: clocks go back at 01:00 UTC; the day is 25 hours long.
    order, p = premises_order(offender, world.a.store, made_on=D(2026, 10, 25), ends_on=D(2026, 10, 25))
    assert breaches(offender, world.a.store, at(2026, 10, 24, 22, 59)) == []  # 23:59 BST, the 24th
    assert breaches(offender, world.a.store, at(2026, 10, 24, 23, 0)) == [p]  # 00:00 BST, the 25th
    assert breaches(offender, world.a.store, at(2026, 10, 25, 23, 59)) == [p]  # 23:59 GMT, the 25th
    assert breaches(offender, world.a.store, at(2026, 10, 26, 0, 0)) == []  # 00:00 GMT, the 26th


def test_winter_days_are_utc_days(world, offender):
    order, p = premises_order(offender, world.a.store, made_on=D(2026, 1, 5), ends_on=D(2026, 1, 31))
    assert breaches(offender, world.a.store, at(2026, 1, 4, 23, 59, 59)) == []
    assert breaches(offender, world.a.store, at(2026, 1, 5, 0, 0)) == [p]
    assert breaches(offender, world.a.store, at(2026, 1, 31, 23, 59, 59)) == [p]
    assert breaches(offender, world.a.store, at(2026, 2, 1, 0, 0)) == []


def test_effective_later_than_made(world, offender):
    order, p = premises_order(offender, world.a.store, made_on=D(2026, 2, 1), effective_from=D(2026, 2, 15))
    assert breaches(offender, world.a.store, noon(D(2026, 2, 14))) == []
    assert breaches(offender, world.a.store, noon(D(2026, 2, 15))) == [p]


def test_naive_moment_is_refused(world, offender):
    with pytest.raises(ValueError, match="timezone-aware"):
        breaches(offender, world.a.store, datetime.datetime(2026, 6, 1, 12))  # noqa: DTZ001


# Indefinite, served, discharged, varied, replaced ---------------------------------------------


def test_indefinite_order_stays_in_force(world, offender):
    order, p = premises_order(offender, world.a.store, ends_on=None, indefinite=True)
    assert breaches(offender, world.a.store, noon(D(2026, 1, 4))) == []
    assert breaches(offender, world.a.store, noon(D(2026, 1, 5))) == [p]
    assert breaches(offender, world.a.store, noon(D(2045, 12, 31))) == [p]


def test_not_yet_served_is_no_breach(world, offender):
    order, p = premises_order(offender, world.a.store, served_on=None)
    assert breaches(offender, world.a.store, noon(D(2026, 3, 1))) == []
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(D(2026, 3, 1))) == set()


def test_served_late_counts_from_the_day_served(world, offender):
    order, p = premises_order(offender, world.a.store, made_on=D(2026, 1, 5), served_on=D(2026, 1, 20))
    assert breaches(offender, world.a.store, noon(D(2026, 1, 19))) == []
    assert breaches(offender, world.a.store, at(2026, 1, 20, 0, 0)) == [p]


def test_discharged_part_way(world, offender):
    order, p = premises_order(offender, world.a.store)
    Order.objects.filter(pk=order.pk).update(discharged_on=D(2026, 7, 1))
    assert breaches(offender, world.a.store, at(2026, 6, 30, 22, 59)) == [p]  # 23:59 BST, 30 June
    assert breaches(offender, world.a.store, at(2026, 6, 30, 23, 0)) == []  # 1 July, local
    assert breaches(offender, world.a.store, noon(D(2027, 1, 1))) == []


def test_prohibition_removed_by_variation_part_way(world, offender):
    order, p = premises_order(offender, world.a.store)
    Prohibition.objects.filter(pk=p.pk).update(removed_on=D(2026, 5, 1))
    assert breaches(offender, world.a.store, noon(D(2026, 4, 30))) == [p]
    assert breaches(offender, world.a.store, noon(D(2026, 5, 1))) == []
    # The order itself is still in force: the person stays in the gallery.
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(D(2026, 5, 1))) == {offender.pk}


def test_prohibition_added_by_variation_part_way(world, offender):
    order, p = premises_order(offender, world.a.store)
    added = ProhibitionFactory(order=order, stores=[world.a.sibling_store])
    Prohibition.objects.filter(pk=added.pk).update(added_on=D(2026, 5, 1))
    assert breaches(offender, world.a.sibling_store, noon(D(2026, 4, 30))) == []
    assert breaches(offender, world.a.sibling_store, noon(D(2026, 5, 1))) == [added]


def test_end_date_shortened_by_variation(world, offender):
    order, p = premises_order(offender, world.a.store)
    Order.objects.filter(pk=order.pk).update(ends_on=D(2026, 9, 30))
    assert breaches(offender, world.a.store, noon(D(2026, 9, 30))) == [p]
    assert breaches(offender, world.a.store, noon(D(2026, 10, 1))) == []


def test_interim_replaced_by_full_order(world, offender):
    interim, p_interim = premises_order(
        offender, world.a.store, kind=Order.Kind.INTERIM, made_on=D(2026, 1, 5), ends_on=D(2026, 12, 31)
    )
    full, p_full = premises_order(offender, world.a.sibling_store, made_on=D(2026, 3, 2), replaces=interim)
    Order.objects.filter(pk=interim.pk).update(superseded_on=D(2026, 3, 2))
    day_before, day_of = noon(D(2026, 3, 1)), noon(D(2026, 3, 2))
    assert breaches(offender, world.a.store, day_before) == [p_interim]
    assert breaches(offender, world.a.sibling_store, day_before) == []
    assert breaches(offender, world.a.store, day_of) == []
    assert breaches(offender, world.a.sibling_store, day_of) == [p_full]
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=day_of) == {offender.pk}


# Per-prohibition periods -------------------------------------------------------------------


def test_prohibition_with_its_own_period(world, offender):
    order = OrderFactory(offender=offender)
    p = ProhibitionFactory(order=order, stores=[world.a.store], starts_on=D(2026, 7, 1), ends_on=D(2026, 8, 31))
    assert breaches(offender, world.a.store, at(2026, 6, 30, 22, 59)) == []  # 23:59 BST 30 June
    assert breaches(offender, world.a.store, at(2026, 6, 30, 23, 0)) == [p]  # 00:00 BST 1 July
    assert breaches(offender, world.a.store, at(2026, 8, 31, 22, 59)) == [p]
    assert breaches(offender, world.a.store, at(2026, 8, 31, 23, 0)) == []


def test_prohibition_period_cannot_outlive_its_order(world, offender):
    order = OrderFactory(offender=offender, ends_on=D(2026, 6, 30))
    p = ProhibitionFactory(order=order, stores=[world.a.store], ends_on=D(2026, 12, 31))
    assert breaches(offender, world.a.store, noon(D(2026, 6, 30))) == [p]
    assert breaches(offender, world.a.store, noon(D(2026, 7, 1))) == []


# Kinds of prohibition ----------------------------------------------------------------------


def test_named_premises_cover_only_those_stores(world, offender):
    order, p = premises_order(offender, world.a.store)
    when = noon(D(2026, 3, 1))
    assert breaches(offender, world.a.store, when) == [p]
    assert breaches(offender, world.a.sibling_store, when) == []
    assert breaches(offender, world.a.other_retailer_store, when) == []


def test_retailer_within_beats(world, offender):
    order = OrderFactory(offender=offender)
    p = ProhibitionFactory(
        order=order, kind=Prohibition.Kind.RETAILER_AREA, retailer=world.a.retailer, beats=[world.a.beat]
    )
    when = noon(D(2026, 3, 1))
    assert breaches(offender, world.a.store, when) == [p]  # retailer's store in the beat
    assert breaches(offender, world.a.sibling_store, when) == []  # same retailer, other beat
    assert breaches(offender, world.a.other_retailer_store, when) == []  # other retailer, same beat
    opened_later = StoreFactory(retailer=world.a.retailer, beat=world.a.beat, code="A-NEW")
    assert breaches(offender, opened_later, when) == [p]


def test_retailer_within_radius(world, offender):
    order = OrderFactory(offender=offender)
    p = ProhibitionFactory(
        order=order,
        kind=Prohibition.Kind.RETAILER_AREA,
        retailer=world.a.retailer,
        centre_latitude="53.100000",
        centre_longitude="-2.300000",
        radius_m=1000,
    )
    # 0.008 degrees of latitude is about 890 m; 0.010 about 1112 m.
    near = StoreFactory(retailer=world.a.retailer, beat=world.a.other_beat, latitude="53.108000", longitude="-2.300000")
    far = StoreFactory(retailer=world.a.retailer, beat=world.a.beat, latitude="53.110000", longitude="-2.300000")
    rival = StoreFactory(beat=world.a.beat, latitude="53.100000", longitude="-2.300000")
    when = noon(D(2026, 3, 1))
    assert breaches(offender, near, when) == [p]
    assert breaches(offender, far, when) == []
    assert breaches(offender, rival, when) == []


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-2.32, 53.09], [-2.29, 53.09], [-2.29, 53.11], [-2.32, 53.11], [-2.32, 53.09]]],
}


def test_exclusion_zone_polygon_covers_a_store_opened_after_the_order(world, offender):
    order = OrderFactory(offender=offender, made_on=D(2026, 1, 5))
    p = ProhibitionFactory(order=order, kind=Prohibition.Kind.ZONE, polygon=SQUARE)
    inside = StoreFactory(beat=world.a.beat, latitude="53.100000", longitude="-2.300000")  # opens today
    outside = StoreFactory(beat=world.a.beat, latitude="53.120000", longitude="-2.300000")
    when = noon(D(2026, 3, 1))
    assert breaches(offender, inside, when) == [p]
    assert breaches(offender, outside, when) == []


def test_exclusion_zone_circle(world, offender):
    order = OrderFactory(offender=offender)
    p = ProhibitionFactory(
        order=order, kind=Prohibition.Kind.ZONE, centre_latitude="53.1", centre_longitude="-2.3", radius_m=500
    )
    near = StoreFactory(beat=world.a.beat, latitude="53.104000", longitude="-2.300000")  # ~445 m
    far = StoreFactory(beat=world.a.beat, latitude="53.105000", longitude="-2.300000")  # ~556 m
    assert breaches(offender, near, noon(D(2026, 3, 1))) == [p]
    assert breaches(offender, far, noon(D(2026, 3, 1))) == []


def test_zone_does_not_reach_into_another_force(world, offender):
    order = OrderFactory(offender=offender)
    ProhibitionFactory(order=order, kind=Prohibition.Kind.ZONE, polygon=SQUARE)
    across_border = StoreFactory(beat=world.b.beat, latitude="53.100000", longitude="-2.300000")
    assert breaches(offender, across_border, noon(D(2026, 3, 1))) == []


# Anyone, several orders, the gallery --------------------------------------------------------


def test_anyone_prohibited_from_a_store(world, offender):
    other = OffenderFactory(force=world.a.force)
    o1, p1 = premises_order(offender, world.a.store)
    o2, p2 = premises_order(other, world.a.store)
    o3, p3 = premises_order(OffenderFactory(force=world.a.force), world.a.sibling_store)
    when = noon(D(2026, 3, 1))
    assert selectors.prohibitions_in_force(store=world.a.store, at=when) == [p1, p2]
    assert selectors.orders_prohibiting(store=world.a.store, at=when) == [o1, o2]
    assert breaches(other, world.a.store, when) == [p2]
    assert breaches(other, world.a.sibling_store, when) == []


def test_several_prohibitions_of_one_order_each_reported(world, offender):
    order = OrderFactory(offender=offender)
    p1 = ProhibitionFactory(order=order, stores=[world.a.store])
    p2 = ProhibitionFactory(order=order, kind=Prohibition.Kind.ZONE, polygon=SQUARE)
    store = world.a.store  # StoreFactory places it at 53.096, -2.305: inside SQUARE
    assert breaches(offender, store, noon(D(2026, 3, 1))) == [p1, p2]
    assert breaches(offender, store, noon(D(2026, 3, 1)))[0].order == order


def test_gallery_membership(world, offender):
    other_force = OffenderFactory(force=world.b.force)
    OrderFactory(offender=other_force)
    ended = OffenderFactory(force=world.a.force)
    OrderFactory(offender=ended, ends_on=D(2026, 2, 28))
    OrderFactory(offender=offender)
    OffenderFactory(force=world.a.force)  # no order at all
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(D(2026, 2, 28))) == {
        offender.pk,
        ended.pk,
    }
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(D(2026, 3, 1))) == {offender.pk}
    assert selectors.gallery_offender_ids(force_id=world.b.force.pk, at=noon(D(2026, 3, 1))) == {other_force.pk}


def test_gallery_keeps_person_while_any_order_is_in_force(world, offender):
    first = OrderFactory(offender=offender, ends_on=D(2026, 6, 30))
    OrderFactory(offender=offender, made_on=D(2026, 6, 1), ends_on=D(2026, 12, 31))
    Order.objects.filter(pk=first.pk).update(discharged_on=D(2026, 6, 15))
    for day in (D(2026, 6, 16), D(2026, 12, 31)):
        assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(day)) == {offender.pk}
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(D(2027, 1, 1))) == set()


def test_prohibition_covers_store_reports_listed_stores(world, offender):
    order = OrderFactory(offender=offender)
    p = ProhibitionFactory(order=order, kind=Prohibition.Kind.ZONE, polygon=SQUARE)
    covered = selectors.stores_covered(p)
    assert world.a.store in covered and world.b.store not in covered


def test_scoped_reads(world, offender):
    order = OrderFactory(offender=offender)
    assert list(selectors.offenders_for(world.a.officer)) == [offender]
    assert list(selectors.orders_for(world.a.admin)) == [order]
    for user in (world.a.worker, world.b.admin, world.norole):
        assert not selectors.offenders_for(user).exists()
        assert not selectors.orders_for(user).exists()
