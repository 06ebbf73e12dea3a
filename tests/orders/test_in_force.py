"""The legal heart, once: every edge case through the Python rule AND its query twin (``orders.in_force``).

Each case is an order (and one prohibition of it) and a moment; both forms must give the expected answer,
for the order and for the prohibition. Moments are given in UTC so that the BST cases show that the UK
local day (not the UTC day) decides. The order's defaults: made, in effect and served on 5 January 2026,
ending 4 January 2028."""

import datetime

import pytest
from django.utils import timezone

from orders import in_force, selectors
from orders.models import Order, Prohibition
from tests.conftest import client_for
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


JUNE = dict(made_on=D(2026, 6, 10), ends_on=D(2026, 6, 20))
INTERIM = dict(kind=Order.Kind.INTERIM, ends_on=D(2026, 12, 31), superseded_on=D(2026, 3, 2))
INDEFINITE = dict(ends_on=None, indefinite=True)

# (what, order fields, prohibition fields, moment or local day, order in force, prohibition in effect)
CASES = [
    # The UK local day decides, not the UTC day: BST in summer, GMT in winter, both clock changes.
    ("BST: 23:59 the evening before the first day", JUNE, {}, utc(2026, 6, 9, 22, 59), False, False),
    ("BST: 00:00 on the first day (23:00 UTC the day before)", JUNE, {}, utc(2026, 6, 9, 23, 0), True, True),
    ("BST: 23:59 on the last day", JUNE, {}, utc(2026, 6, 20, 22, 59), True, True),
    ("BST: 00:00 after the last day (23:00 UTC on it)", JUNE, {}, utc(2026, 6, 20, 23, 0), False, False),
    ("GMT: the last second before the first day", {}, {}, utc(2026, 1, 4, 23, 59, 59), False, False),
    ("GMT: midnight of the first day", {}, {}, utc(2026, 1, 5, 0, 0), True, True),
    ("spring change: 00:00 GMT on a one-day order", dict(made_on=D(2026, 3, 29), ends_on=D(2026, 3, 29)), {},
     utc(2026, 3, 29, 0, 0), True, True),
    ("spring change: 00:00 BST the next day", dict(made_on=D(2026, 3, 29), ends_on=D(2026, 3, 29)), {},
     utc(2026, 3, 29, 23, 0), False, False),
    ("autumn change: 23:59 GMT on the last day", dict(made_on=D(2026, 10, 25), ends_on=D(2026, 10, 25)), {},
     utc(2026, 10, 25, 23, 59), True, True),
    ("autumn change: 00:00 BST on it (23:00 UTC the day before)", dict(made_on=D(2026, 10, 25),
     ends_on=D(2026, 10, 25)), {}, utc(2026, 10, 24, 23, 0), True, True),
    # First and last day, inclusive.
    ("the day before it takes effect", dict(made_on=D(2026, 2, 1), effective_from=D(2026, 2, 15)), {},
     D(2026, 2, 14), False, False),
    ("the day it takes effect, later than made", dict(made_on=D(2026, 2, 1), effective_from=D(2026, 2, 15)), {},
     D(2026, 2, 15), True, True),
    ("its last day", {}, {}, D(2028, 1, 4), True, True),
    ("the day after its last day", {}, {}, D(2028, 1, 5), False, False),
    # Service: no breach without it.
    ("never served", dict(served_on=None), {}, D(2026, 3, 1), False, False),
    ("the day before it was served", dict(served_on=D(2026, 1, 20)), {}, D(2026, 1, 19), False, False),
    ("the day it was served", dict(served_on=D(2026, 1, 20)), {}, D(2026, 1, 20), True, True),
    ("served at BST midnight", dict(made_on=D(2026, 6, 1), served_on=D(2026, 6, 10)), {},
     utc(2026, 6, 9, 23, 0), True, True),
    # Indefinite.
    ("indefinite, decades on", INDEFINITE, {}, D(2045, 12, 31), True, True),
    ("indefinite, before it takes effect", INDEFINITE, {}, D(2026, 1, 4), False, False),
    # Discharged: the discharge day is the first day without effect.
    ("the day before the discharge", dict(discharged_on=D(2026, 7, 1)), {}, D(2026, 6, 30), True, True),
    ("the discharge day", dict(discharged_on=D(2026, 7, 1)), {}, D(2026, 7, 1), False, False),
    ("discharge day, BST midnight", dict(discharged_on=D(2026, 7, 1)), {}, utc(2026, 6, 30, 23, 0), False, False),
    ("indefinite, discharged", dict(INDEFINITE, discharged_on=D(2030, 1, 1)), {}, D(2030, 1, 1), False, False),
    ("discharged after its end date", dict(ends_on=D(2026, 3, 1), discharged_on=D(2026, 6, 1)), {},
     D(2026, 3, 2), False, False),
    # Replaced: an interim order stops the day the full order takes effect.
    ("interim, the day before the full order", INTERIM, {}, D(2026, 3, 1), True, True),
    ("interim, the day the full order takes effect", INTERIM, {}, D(2026, 3, 2), False, False),
    ("replaced and discharged: the earlier end", dict(INTERIM, discharged_on=D(2026, 2, 1)), {},
     D(2026, 2, 1), False, False),
    # Varied: the order's end moved (ends_on is the varied end), prohibitions removed or added from a day.
    ("varied end, its new last day", dict(ends_on=D(2027, 6, 30)), {}, D(2027, 6, 30), True, True),
    ("prohibition removed by variation, the day before", {}, dict(removed_on=D(2026, 5, 1)), D(2026, 4, 30),
     True, True),
    ("prohibition removed by variation, that day", {}, dict(removed_on=D(2026, 5, 1)), D(2026, 5, 1),
     True, False),
    ("prohibition removed, BST midnight", {}, dict(removed_on=D(2026, 5, 1)), utc(2026, 4, 30, 23, 0),
     True, False),
    ("prohibition added by variation, the day before", {}, dict(added_on=D(2026, 5, 1)), D(2026, 4, 30),
     True, False),
    ("prohibition added by variation, that day", {}, dict(added_on=D(2026, 5, 1)), D(2026, 5, 1), True, True),
    # A prohibition's own period, inside the order's.
    ("before the prohibition's own first day", {}, dict(starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31)),
     D(2026, 1, 31), True, False),
    ("the prohibition's own first day", {}, dict(starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31)),
     D(2026, 2, 1), True, True),
    ("the prohibition's own last day", {}, dict(starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31)),
     D(2026, 12, 31), True, True),
    ("after the prohibition's own last day", {}, dict(starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31)),
     D(2027, 1, 1), True, False),
    ("prohibition's own first day, BST midnight", {}, dict(starts_on=D(2026, 6, 10)), utc(2026, 6, 9, 23, 0),
     True, True),
    ("prohibition's own period, order not served", dict(served_on=None), dict(starts_on=D(2026, 2, 1)),
     D(2026, 3, 1), False, False),
    ("prohibition's own period, order discharged", dict(discharged_on=D(2026, 3, 1)),
     dict(starts_on=D(2026, 2, 1)), D(2026, 3, 1), False, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("order_fields", "prohibition_fields", "when", "order_expected", "prohibition_expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_python_rule_and_query_agree(world, order_fields, prohibition_fields, when, order_expected,
                                     prohibition_expected):  # fmt: skip
    order = OrderFactory(offender=OffenderFactory(force=world.a.force), **order_fields)
    prohibition = ProhibitionFactory(order=order, stores=[world.a.store], **prohibition_fields)
    order.refresh_from_db()
    prohibition = Prohibition.objects.select_related("order").get(pk=prohibition.pk)
    day = in_force.local_day(when)

    python_order = in_force.order_in_force_on(order, day)
    query_order = Order.objects.filter(in_force.order_in_force_q(day), pk=order.pk).exists()
    assert (python_order, query_order) == (order_expected, order_expected)
    python_prohibition = in_force.prohibition_in_effect_on(prohibition, day)
    query_prohibition = Prohibition.objects.filter(in_force.prohibition_in_effect_q(day), pk=prohibition.pk).exists()
    assert (python_prohibition, query_prohibition) == (prohibition_expected, prohibition_expected)

    # Everything else asks the same rule: the models, the gallery and the breach question.
    assert order.in_force_on(day) is order_expected and prohibition.in_effect_on(day) is prohibition_expected
    in_gallery = order.offender_id in selectors.gallery_offender_ids(force_id=world.a.force.pk, at=when)
    assert in_gallery is order_expected
    found = selectors.prohibitions_in_force(store=world.a.store, at=when, offender=order.offender)
    assert found == ([prohibition] if prohibition_expected else [])
    # The last day is the last day in force (when the order was ever in force on ``day``).
    if order_expected and order.last_day is not None:
        assert day <= order.last_day and not in_force.order_in_force_on(order, order.last_day + in_force.ONE_DAY)


def test_the_twin_on_another_model_reaches_the_order_through_a_prefix(world):
    live = ProhibitionFactory(order=OrderFactory(offender=OffenderFactory(force=world.a.force)))
    ProhibitionFactory(order=OrderFactory(offender=OffenderFactory(force=world.a.force), served_on=None))
    day = D(2026, 3, 1)
    assert list(Prohibition.objects.filter(in_force.order_in_force_q(day, prefix="order__"))) == [live]


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        in_force.local_day(datetime.datetime(2026, 6, 1, 12))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("fields", "day", "status"),
    [
        ({}, D(2026, 3, 1), "in force"),
        ({"served_on": None}, D(2026, 3, 1), "not yet served"),
        ({"made_on": D(2026, 4, 1)}, D(2026, 3, 1), "not yet in effect"),
        ({}, D(2028, 1, 5), "ended"),
        ({"discharged_on": D(2026, 6, 1)}, D(2026, 3, 1), "discharged from 01/06/2026"),
        (INTERIM, D(2026, 3, 1), "replaced by a full order from 02/03/2026"),
    ],
)
def test_status_in_words(world, fields, day, status):
    order = OrderFactory(offender=OffenderFactory(force=world.a.force), **fields)
    assert in_force.order_status(order, day) == status


def test_the_api_answers_now_with_the_same_rule(world):
    """``in_force_now`` and ``in_effect_now`` (the latter untested before) are the rule asked for today."""
    today = timezone.localdate()
    order = OrderFactory(offender=OffenderFactory(force=world.a.force), made_on=today - datetime.timedelta(days=30),
                         ends_on=today + datetime.timedelta(days=30))  # fmt: skip
    whole = ProhibitionFactory(order=order, stores=[world.a.store])
    removed_today = ProhibitionFactory(order=order, stores=[world.a.store], removed_on=today)
    from_tomorrow = ProhibitionFactory(order=order, stores=[world.a.store], starts_on=today + in_force.ONE_DAY)
    last_day_today = ProhibitionFactory(order=order, stores=[world.a.store], ends_on=today)
    admin = client_for(world.a.admin)

    def answers():
        body = admin.get(f"/api/orders/{order.pk}/").json()
        return body["in_force_now"], {p["id"]: p["in_effect_now"] for p in body["prohibitions"]}

    assert answers() == (
        True,
        {whole.pk: True, removed_today.pk: False, from_tomorrow.pk: False, last_day_today.pk: True},
    )
    Order.objects.filter(pk=order.pk).update(discharged_on=today)
    assert answers() == (False, dict.fromkeys([whole.pk, removed_today.pk, from_tomorrow.pk, last_day_today.pk], False))
