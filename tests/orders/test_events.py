"""Audit rows: one keyword-only writer per kind, and one wording of each event for people (``describe``)."""

import datetime
import inspect

import pytest

from orders import events, services
from orders.events import describe
from orders.models import OffenderEvent, OrderEvent
from tests.conftest import signed_in
from tests.orders.conftest import order_kwargs, premises, zone
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_every_writer_is_keyword_only():
    writers = [f for name, f in inspect.getmembers(events, inspect.isfunction) if name.endswith(("_event", "_events"))]
    writers = [f for f in writers if not f.__name__.startswith("_")]
    assert len(writers) == 18  # one per kind of event, and a prohibition removed by a variation or deleted
    for writer in writers:
        assert all(p.kind == p.KEYWORD_ONLY for p in inspect.signature(writer).parameters.values()), writer


def test_an_order_history_in_words(world):
    a = world.a
    offender = OffenderFactory(force=a.force)
    order = services.order_create(
        offender=offender, actor=a.admin, prohibitions=[zone(description="Crewe town centre")],
        **order_kwargs(served_on=None, case_reference="CBO/2026/0042"),
    )  # fmt: skip
    services.order_serve(order=order, actor=a.admin, served_on=D(2026, 1, 6), served_by="PC 1234 Smith")
    services.order_correct(order=order, actor=a.admin, court="Chester Crown Court", reason="typo")
    services.order_vary(
        order=order, actor=a.admin, varied_on=D(2026, 3, 2), reason="Court", ends_on=D(2027, 6, 30),
        add_prohibitions=[premises(a.store, description="Northway Foods Alsager")],
    )  # fmt: skip
    services.order_discharge(order=order, actor=a.admin, discharged_on=D(2026, 6, 1), reason="Appeal allowed")
    assert [describe(e) for e in order.events.all()] == [
        "Order recorded: Full CBO CBO/2026/0042, Crewe Magistrates' Court, made 5 Jan 2026",
        "Prohibition added: Crewe town centre, from 5 Jan 2026",
        "Order served by PC 1234 Smith on 6 Jan 2026",
        "Details corrected: court from Crewe Magistrates' Court to Chester Crown Court",
        "Prohibition added: Northway Foods Alsager, from 2 Mar 2026",
        "Varied: from 2 Mar 2026; now ends 30 Jun 2027; 1 prohibition added",
        "Discharged: from 1 Jun 2026",
    ]


def test_prohibitions_removed_deleted_imported_and_replaced_in_words(world):
    a = world.a
    offender = OffenderFactory(force=a.force)
    interim = OrderFactory(offender=offender, kind="interim", ends_on=D(2026, 12, 31))
    first = ProhibitionFactory(order=interim, stores=[a.store], description="Northway Crewe")
    services.order_vary(order=interim, actor=a.admin, varied_on=D(2026, 2, 1), reason="Court",
                        remove_prohibitions=[first])  # fmt: skip
    second = services.prohibition_add(order=interim, actor=a.admin, data=premises(a.sibling_store))
    services.prohibition_delete(prohibition=second, actor=a.admin, reason="Wrong order")
    day = D(2026, 3, 2)
    dates = order_kwargs(made_on=day, effective_from=day, served_on=day)
    services.order_create(offender=offender, actor=a.admin, kind="full", replaces=interim, **dates)
    from orders.imports import premises_import

    full = interim.replaced_by
    premises_import(order=full, actor=a.admin, content=f"store_code,postcode\n{a.store.code},\n".encode(),
                    dry_run=False)  # fmt: skip
    said = [describe(e) for e in OrderEvent.objects.all()]
    assert "Prohibition removed: Northway Crewe, from 1 Feb 2026" in said
    assert f"Prohibition removed: {a.retailer.name} {a.sibling_store.name}, deleted (recorded in error)" in said
    assert "Replaced by a full order: from 2 Mar 2026" in said
    assert "Prohibited premises imported: 1 store from 1 CSV row" in said


def test_an_offender_history_in_words(world):
    a = world.a
    offender = services.offender_create(actor=a.admin, force=a.force, given_names="Jason", family_name="Smith")
    services.offender_update(offender=offender, actor=a.admin, family_name="Smyth", notes="Known as JJ")
    assert [describe(e) for e in OffenderEvent.objects.all()] == [
        "Person recorded: Jason Smith",
        "Details changed: family name from Smith to Smyth; notes changed",
    ]


def test_the_admin_history_uses_the_same_words(world):
    a = world.a
    order = services.order_create(
        offender=OffenderFactory(force=a.force), actor=a.admin,
        prohibitions=[premises(a.store, description="Northway Foods Alsager")], **order_kwargs(),
    )  # fmt: skip
    html = signed_in(a.admin).get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert "Prohibition added: Northway Foods Alsager" in html and "What happened" in html
