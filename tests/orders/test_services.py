"""Services: validation with a specific error for each bad input, nothing saved on error, audit rows."""

import datetime
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.exceptions import ApplicationError
from orders import selectors, services
from orders.models import Offender, OffenderEvent, Order, OrderEvent, Prohibition, ReferencePhoto
from orders.services import ProhibitionInput
from tests.factories import BeatFactory, StoreFactory
from tests.orders.conftest import SQUARE, order_kwargs, premises, zone
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory, valid_pnc

pytestmark = pytest.mark.django_db
D = datetime.date


@contextmanager
def refused(code: str, field: str | None = None):
    """Expect an ApplicationError with ``code`` (and ``field`` among its fields), and no new rows anywhere."""
    counts = [m.objects.count() for m in (Offender, Order, Prohibition, OrderEvent, OffenderEvent, ReferencePhoto)]
    with pytest.raises(ApplicationError) as exc:
        yield exc
    assert exc.value.code == code, (exc.value.code, exc.value.message)
    if field:
        assert field in exc.value.fields, exc.value.fields
    after = [m.objects.count() for m in (Offender, Order, Prohibition, OrderEvent, OffenderEvent, ReferencePhoto)]
    assert after == counts, "something was saved"


def noon(day):
    return datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC)


# Offenders ----------------------------------------------------------------------------------


def test_offender_create_records_who_and_what(world):
    o = services.offender_create(
        actor=world.a.admin,
        force=world.a.force,
        given_names="  Jo  Anne ",
        family_name="Bloggs",
        aliases=["JJ", "jj", " Jojo "],
        date_of_birth=D(1990, 2, 3),
        pnc_id=valid_pnc(2009, 12345),
    )
    assert o.given_names == "Jo Anne" and o.alias_list == ["JJ", "Jojo"]
    event = o.events.get()
    assert event.kind == "created" and event.actor == world.a.admin
    assert event.new["pnc_id"] == valid_pnc(2009, 12345)
    assert event.new["date_of_birth"] == "1990-02-03"


def test_short_pnc_is_normalised(world):
    short = "09/12345" + valid_pnc(2009, 12345)[-1]
    o = services.offender_create(
        actor=world.a.admin, force=world.a.force, given_names="A", family_name="B", pnc_id=short
    )
    assert o.pnc_id == valid_pnc(2009, 12345)


@pytest.mark.parametrize(
    "pnc, code",
    [("12345", "invalid_pnc_id"), ("2009/12345678A", "invalid_pnc_id"), ("2009/0012345", "invalid_pnc_id")],
)
def test_bad_pnc_format(world, pnc, code):
    with refused(code, "pnc_id"):
        services.offender_create(actor=world.a.admin, force=world.a.force, given_names="A", family_name="B", pnc_id=pnc)


def test_pnc_wrong_check_letter(world):
    good = valid_pnc(2009, 12345)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    with refused("invalid_pnc_id", "pnc_id") as exc:
        services.offender_create(actor=world.a.admin, force=world.a.force, given_names="A", family_name="B", pnc_id=bad)
    assert "check letter" in exc.value.message


def test_duplicate_pnc_in_force_refused_but_allowed_in_another_force(world):
    pnc = valid_pnc(2011, 777)
    services.offender_create(actor=world.a.admin, force=world.a.force, given_names="A", family_name="B", pnc_id=pnc)
    with refused("duplicate_pnc_id", "pnc_id") as exc:
        services.offender_create(actor=world.a.admin, force=world.a.force, given_names="C", family_name="D", pnc_id=pnc)
    assert exc.value.status_code == 409
    services.offender_create(actor=world.b.admin, force=world.b.force, given_names="A", family_name="B", pnc_id=pnc)


def test_offender_bad_names_and_birth_date(world):
    with refused("required", "family_name"):
        services.offender_create(actor=world.a.admin, force=world.a.force, given_names="A", family_name="  ")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with refused("date_of_birth_future", "date_of_birth"):
        services.offender_create(
            actor=world.a.admin, force=world.a.force, given_names="A", family_name="B", date_of_birth=tomorrow
        )


def test_offender_update_records_old_and_new_values(world, offender):
    services.offender_update(offender=offender, actor=world.a.admin, family_name="Smith", notes="New note")
    event = offender.events.filter(kind="changed").get()
    assert event.old == {"family_name": "Bloggs", "notes": ""}
    assert event.new == {"family_name": "Smith", "notes": "New note"}
    # No change, no event.
    services.offender_update(offender=offender, actor=world.a.admin, family_name="Smith")
    assert offender.events.filter(kind="changed").count() == 1


@pytest.mark.parametrize("who", ["a.officer", "a.worker", "b.admin", "norole"])
def test_only_own_force_admin_may_write(world, offender, who):
    side, _, role = who.partition(".")
    user = getattr(getattr(world, side), role) if role else world.norole
    with refused("permission_denied"):
        services.offender_create(actor=user, force=world.a.force, given_names="A", family_name="B")
    with refused("permission_denied"):
        services.offender_update(offender=offender, actor=user, family_name="X")
    with refused("permission_denied"):
        services.order_create(offender=offender, actor=user, **order_kwargs())
    order = OrderFactory(offender=offender)
    with refused("permission_denied"):
        services.order_discharge(order=order, actor=user, discharged_on=D(2026, 3, 1), reason="court")
    with refused("permission_denied"):
        services.prohibition_add(order=order, actor=user, data=premises(world.a.store))
    assert Offender.objects.get(pk=offender.pk).family_name == "Bloggs"


# Orders: creation and bad dates ----------------------------------------------------------------


def test_order_with_each_kind_of_prohibition(world, offender):
    order = services.order_create(
        offender=offender,
        actor=world.a.admin,
        prohibitions=[
            premises(world.a.store, world.a.sibling_store, description="Northway Crewe and Nantwich"),
            ProhibitionInput(kind="retailer_area", retailer=world.a.retailer, beats=[world.a.beat]),
            ProhibitionInput(kind="retailer_area", retailer=world.a.retailer, centre_latitude="53.1",
                             centre_longitude="-2.3", radius_m=800),
            zone(),
            ProhibitionInput(kind="zone", centre_latitude=53.1, centre_longitude=-2.3, radius_m=500,
                             starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31)),
        ],
        positive_requirements="Attend a drug rehabilitation course",
        supervisor="Cheshire Youth Justice Service",
        **order_kwargs(),
    )  # fmt: skip
    assert order.prohibitions.count() == 5
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == ["made"] + ["prohibition_added"] * 5
    made = order.events.get(kind="made")
    assert made.actor == world.a.admin and made.new["court"] == "Crewe Magistrates' Court"
    added = order.events.filter(kind="prohibition_added").first()
    assert added.new["store_ids"] == sorted([world.a.store.pk, world.a.sibling_store.pk])
    assert selectors.breaching_prohibitions(offender=offender, store=world.a.store, at=noon(D(2026, 3, 1)))


def test_indefinite_order(world, offender):
    order = services.order_create(offender=offender, actor=world.a.admin, **order_kwargs(ends_on=None, indefinite=True))
    assert order.indefinite and order.last_day is None


@pytest.mark.parametrize(
    "overrides, code, field",
    [
        ({"effective_from": D(2026, 1, 4)}, "effective_before_made", "effective_from"),
        ({"ends_on": D(2026, 1, 4)}, "ends_before_start", "ends_on"),
        ({"ends_on": None}, "end_required", "ends_on"),
        ({"indefinite": True}, "end_and_indefinite", "ends_on"),
        ({"served_on": D(2026, 1, 1)}, "served_before_made", "served_on"),
        ({"court": " "}, "required", "court"),
        ({"kind": "temporary"}, "invalid", "kind"),
        ({"positive_requirements": "Attend a course"}, "supervisor_required", "supervisor"),
    ],
)
def test_impossible_order_details(world, offender, overrides, code, field):
    with refused(code, field):
        services.order_create(offender=offender, actor=world.a.admin, **order_kwargs(**overrides))


def test_order_made_or_served_in_the_future(world, offender):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with refused("made_in_future", "made_on"):
        services.order_create(
            offender=offender, actor=world.a.admin, **order_kwargs(made_on=tomorrow, effective_from=tomorrow,
                                                                  served_on=None, ends_on=tomorrow)
        )  # fmt: skip
    with refused("served_in_future", "served_on"):
        services.order_create(offender=offender, actor=world.a.admin, **order_kwargs(served_on=tomorrow))


def test_youth_order(world):
    child = OffenderFactory(force=world.a.force, date_of_birth=D(2010, 4, 1))
    order = services.order_create(offender=child, actor=world.a.admin, youth=True, **order_kwargs())
    assert order.next_review_due(D(2026, 3, 1)) == D(2027, 1, 4)
    assert order.next_review_due(D(2027, 1, 4)) == D(2027, 1, 4)
    assert order.next_review_due(D(2027, 1, 5)) == D(2028, 1, 4)
    adult = OffenderFactory(force=world.a.force, date_of_birth=D(2000, 1, 1))
    with refused("youth_order_adult", "youth"):
        services.order_create(offender=adult, actor=world.a.admin, youth=True, **order_kwargs())
    assert OrderFactory(offender=adult).next_review_due(D(2026, 3, 1)) is None


# Prohibitions: bad input ---------------------------------------------------------------------


def test_prohibition_with_no_premises(world, offender):
    for bad in (
        premises(),
        ProhibitionInput(kind="retailer_area", retailer=world.a.retailer),
        ProhibitionInput(kind="zone"),
    ):
        with refused("no_premises"):
            services.order_create(offender=offender, actor=world.a.admin, prohibitions=[bad], **order_kwargs())


def test_polygon_that_does_not_close(world, offender):
    open_ring = {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0][:-1]]}
    with refused("polygon_not_closed", "prohibitions[0].polygon") as exc:
        services.order_create(offender=offender, actor=world.a.admin, prohibitions=[zone(open_ring)], **order_kwargs())
    assert "does not close" in exc.value.message


def test_polygon_that_crosses_itself(world, offender):
    bow_tie = {"type": "Polygon", "coordinates": [[[-2.32, 53.09], [-2.29, 53.11], [-2.29, 53.09], [-2.32, 53.11],
                                                   [-2.32, 53.09]]]}  # fmt: skip
    with refused("polygon_self_intersection", "prohibitions[0].polygon"):
        services.order_create(offender=offender, actor=world.a.admin, prohibitions=[zone(bow_tie)], **order_kwargs())


def test_store_from_another_force(world, offender):
    with refused("store_other_force", "prohibitions[1].stores") as exc:
        services.order_create(
            offender=offender,
            actor=world.a.admin,
            prohibitions=[premises(world.a.store), premises(world.b.store)],
            **order_kwargs(),
        )
    assert world.b.store.code in exc.value.message


def test_beat_from_another_force(world, offender):
    data = ProhibitionInput(kind="retailer_area", retailer=world.a.retailer, beats=[world.b.beat])
    with refused("beat_other_force"):
        services.order_create(offender=offender, actor=world.a.admin, prohibitions=[data], **order_kwargs())


@pytest.mark.parametrize(
    "data, code",
    [
        (ProhibitionInput(kind="zone", polygon=SQUARE, centre_latitude=53.1, centre_longitude=-2.3, radius_m=10),
         "zone_ambiguous"),
        (ProhibitionInput(kind="zone", centre_latitude=53.1, radius_m=10), "incomplete_circle"),
        (ProhibitionInput(kind="zone", centre_latitude=53.1, centre_longitude=-2.3, radius_m=0), "invalid_radius"),
        (ProhibitionInput(kind="zone", centre_latitude=40, centre_longitude=-2.3, radius_m=10), "out_of_bounds"),
        (ProhibitionInput(kind="zone", polygon=SQUARE, stores=["x"]), "not_for_kind"),
        (ProhibitionInput(kind="sometimes"), "invalid"),
        (ProhibitionInput(kind="zone", polygon=SQUARE, starts_on=D(2026, 5, 1), ends_on=D(2026, 4, 1)),
         "ends_before_start"),
        (ProhibitionInput(kind="zone", polygon=SQUARE, starts_on=D(2026, 1, 1)), "outside_order"),
        (ProhibitionInput(kind="zone", polygon=SQUARE, ends_on=D(2028, 1, 5)), "outside_order"),
    ],
)  # fmt: skip
def test_bad_prohibitions(world, offender, data, code):
    with refused(code):
        services.order_create(offender=offender, actor=world.a.admin, prohibitions=[data], **order_kwargs())


# Serving, discharge, variation, replacement ---------------------------------------------------


def test_serve_later(world, offender):
    order = services.order_create(offender=offender, actor=world.a.admin, **order_kwargs(served_on=None))
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(D(2026, 2, 1))) == set()
    services.order_serve(order=order, actor=world.a.admin, served_on=D(2026, 2, 1), served_by="PC 1234 Smith")
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(D(2026, 2, 1))) == {offender.pk}
    order.refresh_from_db()
    assert order.served_by == "PC 1234 Smith"
    event = order.events.get(kind="served")
    assert event.old == {"served_on": None}
    assert event.new == {"served_on": "2026-02-01", "served_by": "PC 1234 Smith"}
    with refused("already_served"):
        services.order_serve(order=order, actor=world.a.admin, served_on=D(2026, 2, 2))


def test_serve_before_made(world, offender):
    order = services.order_create(offender=offender, actor=world.a.admin, **order_kwargs(served_on=None))
    with refused("served_before_made", "served_on"):
        services.order_serve(order=order, actor=world.a.admin, served_on=D(2025, 12, 1))


def test_discharge_takes_the_person_out_of_the_gallery_at_once(world, offender):
    order = services.order_create(offender=offender, actor=world.a.admin, prohibitions=[premises(world.a.store)],
                                  **order_kwargs())  # fmt: skip
    services.order_discharge(order=order, actor=world.a.admin, discharged_on=D(2026, 6, 1), reason="Appeal allowed")
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(D(2026, 5, 31))) == {offender.pk}
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(D(2026, 6, 1))) == set()
    assert selectors.breaching_prohibitions(offender=offender, store=world.a.store, at=noon(D(2026, 6, 1))) == []
    event = order.events.get(kind="discharged")
    assert event.effective_on == D(2026, 6, 1) and event.reason == "Appeal allowed" and event.actor == world.a.admin
    # The order itself still says when it was meant to end: nothing was overwritten.
    order.refresh_from_db()
    assert order.ends_on == D(2028, 1, 4) and order.last_day == D(2026, 5, 31)
    with refused("already_discharged"):
        services.order_discharge(order=order, actor=world.a.admin, discharged_on=D(2026, 7, 1), reason="again")


def test_discharge_needs_reason_and_a_live_order(world, offender):
    order = services.order_create(offender=offender, actor=world.a.admin, **order_kwargs(ends_on=D(2026, 3, 31)))
    with refused("reason_required", "reason"):
        services.order_discharge(order=order, actor=world.a.admin, discharged_on=D(2026, 3, 1), reason=" ")
    with refused("order_ended"):
        services.order_discharge(order=order, actor=world.a.admin, discharged_on=D(2026, 5, 1), reason="late")
    with refused("discharge_before_made"):
        services.order_discharge(order=order, actor=world.a.admin, discharged_on=D(2025, 5, 1), reason="early")


def test_variation_part_way_keeps_earlier_terms(world, offender):
    order = services.order_create(
        offender=offender, actor=world.a.admin, prohibitions=[premises(world.a.store)], **order_kwargs()
    )
    first = order.prohibitions.get()
    services.order_vary(
        order=order,
        actor=world.a.admin,
        varied_on=D(2026, 5, 1),
        reason="Varied on application, Crewe MC",
        ends_on=D(2027, 6, 30),
        remove_prohibitions=[first],
        add_prohibitions=[premises(world.a.sibling_store)],
    )
    before, after = noon(D(2026, 4, 30)), noon(D(2026, 5, 1))
    br = selectors.breaching_prohibitions
    assert br(offender=offender, store=world.a.store, at=before) == [first]
    assert br(offender=offender, store=world.a.store, at=after) == []
    assert br(offender=offender, store=world.a.sibling_store, at=before) == []
    assert [p.pk for p in br(offender=offender, store=world.a.sibling_store, at=after)] != []
    assert selectors.gallery_offender_ids(force_id=world.a.force.pk, at=noon(D(2027, 7, 1))) == set()
    varied = order.events.get(kind="varied")
    assert varied.old == {"ends_on": "2028-01-04"}
    assert varied.new["ends_on"] == "2027-06-30" and varied.new["prohibitions_removed"] == [first.pk]
    assert varied.effective_on == D(2026, 5, 1)
    assert Prohibition.objects.filter(pk=first.pk).exists()  # kept, marked removed from the variation date


def test_bad_variations(world, offender):
    order = services.order_create(offender=offender, actor=world.a.admin, prohibitions=[premises(world.a.store)],
                                  **order_kwargs())  # fmt: skip
    vary = dict(order=order, actor=world.a.admin, varied_on=D(2026, 5, 1), reason="court")
    with refused("nothing_to_vary"):
        services.order_vary(**vary)
    with refused("variation_before_made", "varied_on"):
        services.order_vary(**vary | {"varied_on": D(2025, 12, 1), "ends_on": D(2027, 1, 1)})
    with refused("ends_before_variation", "ends_on"):
        services.order_vary(**vary | {"ends_on": D(2026, 3, 1)})
    with refused("reason_required"):
        services.order_vary(**vary | {"reason": "", "ends_on": D(2027, 1, 1)})
    elsewhere = ProhibitionFactory(order=OrderFactory(offender=offender))
    with refused("not_in_order"):
        services.order_vary(**vary | {"remove_prohibitions": [elsewhere]})
    with refused("before_variation"):
        services.order_vary(**vary | {"add_prohibitions": [zone(starts_on=D(2026, 4, 1))]})
    with refused("no_premises"):
        services.order_vary(**vary | {"add_prohibitions": [premises()]})


def test_interim_replaced_by_full(world, offender):
    interim = services.order_create(
        offender=offender, actor=world.a.admin, kind="interim", prohibitions=[premises(world.a.store)],
        **order_kwargs(ends_on=D(2026, 12, 31)),
    )  # fmt: skip
    full = services.order_create(
        offender=offender, actor=world.a.admin, replaces=interim, prohibitions=[zone()],
        **order_kwargs(made_on=D(2026, 3, 2), effective_from=D(2026, 3, 2), served_on=D(2026, 3, 2)),
    )  # fmt: skip
    interim.refresh_from_db()
    assert interim.superseded_on == D(2026, 3, 2) and interim.last_day == D(2026, 3, 1)
    assert interim.replaced_by == full
    event = interim.events.get(kind="replaced")
    assert event.new == {"superseded_on": "2026-03-02", "replaced_by_id": full.pk}
    assert selectors.orders_prohibiting(store=world.a.store, at=noon(D(2026, 3, 1))) == [interim]
    assert selectors.orders_prohibiting(store=world.a.store, at=noon(D(2026, 3, 2))) == [full]
    with refused("already_replaced"):
        services.order_create(offender=offender, actor=world.a.admin, replaces=interim, **order_kwargs())
    with refused("replaces_not_interim"):
        services.order_create(offender=offender, actor=world.a.admin, replaces=full, **order_kwargs())
    # Correcting the full order's first day moves the interim order's end with it (and says so).
    services.order_correct(order=full, actor=world.a.admin, effective_from=D(2026, 3, 9), reason="misread")
    interim.refresh_from_db()
    assert interim.superseded_on == D(2026, 3, 9) and interim.events.filter(kind="replaced").count() == 2
    with refused("effective_before_made", "effective_from"):
        services.order_correct(order=full, actor=world.a.admin, made_on=D(2026, 1, 1), effective_from=D(2026, 1, 2))
    someone_else = OrderFactory(offender=OffenderFactory(force=world.a.force), kind="interim")
    with refused("replaces_other_person"):
        services.order_create(offender=offender, actor=world.a.admin, replaces=someone_else, **order_kwargs())


def test_correction_records_old_and_new(world, offender):
    order = services.order_create(offender=offender, actor=world.a.admin, **order_kwargs())
    services.order_correct(order=order, actor=world.a.admin, court="Chester Crown Court", reason="typo")
    event = order.events.get(kind="corrected")
    assert event.old == {"court": "Crewe Magistrates' Court"} and event.new == {"court": "Chester Crown Court"}
    with refused("effective_before_made", "effective_from"):
        services.order_correct(order=order, actor=world.a.admin, effective_from=D(2025, 1, 1))
    with refused("not_correctable"):
        services.order_correct(order=order, actor=world.a.admin, discharged_on=D(2026, 5, 1))
    assert Order.objects.get(pk=order.pk).effective_from == D(2026, 1, 5)


def test_prohibition_add_correct_delete(world, offender):
    order = services.order_create(offender=offender, actor=world.a.admin, **order_kwargs())
    p = services.prohibition_add(order=order, actor=world.a.admin, data=premises(world.a.store))
    services.prohibition_correct(prohibition=p, actor=world.a.admin, data=premises(world.a.sibling_store), reason="x")
    event = order.events.get(kind="prohibition_corrected")
    assert event.old == {"store_ids": [world.a.store.pk]} and event.new == {"store_ids": [world.a.sibling_store.pk]}
    with refused("store_other_force"):
        services.prohibition_correct(prohibition=p, actor=world.a.admin, data=premises(world.b.store))
    assert list(p.stores.all()) == [world.a.sibling_store]
    with refused("reason_required"):
        services.prohibition_delete(prohibition=p, actor=world.a.admin, reason="")
    pk = p.pk
    services.prohibition_delete(prohibition=p, actor=world.a.admin, reason="Entered on the wrong order")
    removed = order.events.get(kind="prohibition_removed")
    assert removed.old["store_ids"] == [world.a.sibling_store.pk] and removed.prohibition_id == pk
    assert not Prohibition.objects.filter(pk=pk).exists()


def test_new_beat_and_store_after_order_are_covered(world, offender):
    order = services.order_create(offender=offender, actor=world.a.admin, prohibitions=[zone()], **order_kwargs())
    beat = BeatFactory(force=world.a.force)
    store = StoreFactory(beat=beat, latitude="53.100000", longitude="-2.300000")
    assert [p.order for p in selectors.prohibitions_in_force(store=store, at=noon(D(2026, 11, 1)))] == [order]


# Photos: file checks (no face model needed) -----------------------------------------------------


@pytest.mark.parametrize(
    "content, code",
    [
        (b"", "empty_file"),
        (b"name,postcode\nA,B\n", "unsupported_image_type"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50, "unreadable_image"),
    ],
)
def test_photo_file_refused_before_enrolment(world, offender, content, code):
    upload = SimpleUploadedFile("x.jpg", content, content_type="image/jpeg")
    with refused(code, "image"):
        services.reference_photo_add(
            offender=offender, actor=world.a.admin, image=upload, source="Custody", taken_on=D(2025, 1, 1)
        )


def test_photo_too_large(world, offender, settings):
    settings.ORDERS_PHOTO_MAX_BYTES = 100
    upload = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff" + b"0" * 200, content_type="image/jpeg")
    with refused("file_too_large", "image"):
        services.reference_photo_add(
            offender=offender, actor=world.a.admin, image=upload, source="Custody", taken_on=D(2025, 1, 1)
        )


def test_photo_metadata_checks(world, offender):
    upload = SimpleUploadedFile("x.jpg", b"", content_type="image/jpeg")
    with refused("required", "source"):
        services.reference_photo_add(offender=offender, actor=world.a.admin, image=upload, source=" ",
                                     taken_on=D(2025, 1, 1))  # fmt: skip
    with refused("taken_on_future", "taken_on"):
        services.reference_photo_add(offender=offender, actor=world.a.admin, image=upload, source="Custody",
                                     taken_on=timezone.localdate() + datetime.timedelta(days=1))  # fmt: skip
    with refused("permission_denied"):
        services.reference_photo_add(offender=offender, actor=world.a.officer, image=upload, source="Custody",
                                     taken_on=D(2025, 1, 1))  # fmt: skip
