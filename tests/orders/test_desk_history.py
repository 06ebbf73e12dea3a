"""The history as the order desk shows it: each audit event as a sentence (``orders.events.describe``), and the
PNC ID examples the pages give, which must pass the PNC ID check themselves."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from orders import services
from orders.events import describe
from orders.forms import PNC_HELP, OffenderDeskForm
from orders.models import Offender, OffenderEvent, OrderEvent
from orders.services import ProhibitionInput
from orders.validators import normalise_pnc_id, validate_pnc_id
from tests.conftest import signed_in
from tests.orders.conftest import SQUARE, order_kwargs, premises
from tests.orders.factories import OffenderFactory

pytestmark = pytest.mark.django_db
D = datetime.date
PNC_EXAMPLE = re.compile(r"\b\d{2,4}/\d{1,7}[A-Z]\b")


def _examples() -> list[str]:
    texts = [
        str(Offender._meta.get_field("pnc_id").help_text),
        PNC_HELP,
        str(OffenderDeskForm(force_id=1).fields["pnc_id"].help_text),
    ]
    with pytest.raises(ValidationError) as exc:
        normalise_pnc_id("nonsense")
    texts.append(exc.value.messages[0])
    return [example for t in texts for example in PNC_EXAMPLE.findall(t)]


def test_every_pnc_example_the_pages_give_passes_the_check():
    examples = _examples()
    assert "2009/0012345E" in examples and "09/12345E" in examples
    for example in examples:
        validate_pnc_id(example)  # raises if the example's own check letter were wrong


def test_the_old_example_fails_its_check_letter():
    with pytest.raises(ValidationError, match="should end in E"):
        validate_pnc_id("2009/0012345X")


def test_order_history_sentences(world):
    a = world.a
    order = services.order_create(
        offender=OffenderFactory(force=a.force), actor=a.admin, prohibitions=[
            premises(a.store),
            ProhibitionInput(kind="retailer_area", retailer=a.retailer, beats=[a.other_beat]),
            ProhibitionInput(kind="zone", polygon=SQUARE, starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31)),
            ProhibitionInput(kind="zone", centre_latitude="53.1", centre_longitude="-2.3", radius_m=400),
        ], **order_kwargs(served_on=None),
    )  # fmt: skip
    services.order_serve(order=order, actor=a.admin, served_on=D(2026, 1, 6), served_by="PC 1234 Jones")
    services.order_correct(order=order, actor=a.admin, ends_on=D(2028, 2, 4), youth=False, case_reference="CBO/X")
    said = [describe(e) for e in OrderEvent.objects.order_by("pk")]
    assert said[1] == f"Prohibition added: {a.retailer.name} {a.store.name}, from 5 Jan 2026"
    assert said[2] == f"Prohibition added: every {a.retailer.name} store in {a.other_beat.name}, from 5 Jan 2026"
    assert said[3] == "Prohibition added: an exclusion zone drawn on a map, from 1 Feb 2026, until 31 Dec 2026"
    assert said[4] == "Prohibition added: an exclusion zone within 400 m of 53.100000, -2.300000, from 5 Jan 2026"
    assert said[5] == "Order served by PC 1234 Jones on 6 Jan 2026"
    assert (
        said[6]
        == "Details corrected: case reference from CBO/2026/0001 to CBO/X; last day from 4 Jan 2028 to 4 Feb 2028"
    )
    assert not any("{" in line or "_id" in line or "_on" in line for line in said)  # no field dump


def test_prohibition_corrected_and_photo_sentences(world, media_root, monkeypatch):
    a = world.a
    order = services.order_create(offender=OffenderFactory(force=a.force), actor=a.admin,
                                  prohibitions=[premises(a.store, description="Alsager shop")],
                                  **order_kwargs())  # fmt: skip
    p = order.prohibitions.get()
    services.prohibition_correct(prohibition=p, actor=a.admin, data=premises(a.store, a.sibling_store,
                                 description="Alsager shop"), reason="Typo")  # fmt: skip
    event = OrderEvent.objects.get(kind="prohibition_corrected")
    assert describe(event) == (
        f"Prohibition corrected: Alsager shop: stores from {a.retailer.name} {a.store.name} "
        f"to {a.retailer.name} {a.store.name}, {a.retailer.name} {a.sibling_store.name}"
    )
    person = order.offender
    services.offender_update(offender=person, actor=a.admin, pnc_id="", date_of_birth=D(1991, 2, 3))
    changed = OffenderEvent.objects.get(kind="changed")
    assert describe(changed) == (
        f"Details changed: date of birth from 17 May 1990 to 3 Feb 1991; PNC ID from {changed.old['pnc_id']} to none"
    )


def test_a_name_ending_a_clause_keeps_no_full_stop_inside_the_sentence(world):
    """Wording typed as a sentence ("..., Alsager.") sits in the middle of the history's sentence without its
    full stop: "Alsager, from 22 Sep 2026", never "Alsager., from 22 Sep 2026"."""
    a = world.a
    order = services.order_create(
        offender=OffenderFactory(force=a.force), actor=a.admin, prohibitions=[
            premises(a.store, description="Not to enter Northway Foods, 12 Crewe Road, Alsager.",
                     starts_on=D(2026, 9, 22)),
        ], **order_kwargs(court="Crewe Magistrates' Court.", served_on=None),
    )  # fmt: skip
    services.order_serve(order=order, actor=a.admin, served_on=D(2026, 1, 6), served_by="PC 1234 Jones.")
    said = [describe(e) for e in OrderEvent.objects.order_by("pk")]
    assert said[0] == "Order recorded: Full CBO CBO/2026/0001, Crewe Magistrates' Court, made 5 Jan 2026"
    assert said[1] == "Prohibition added: Not to enter Northway Foods, 12 Crewe Road, Alsager, from 22 Sep 2026"
    assert said[2] == "Order served by PC 1234 Jones on 6 Jan 2026"
    assert not any(".," in line or ". " in line for line in said)


@pytest.mark.parametrize(
    ("prohibitions", "heading"),
    [
        (lambda a: [premises(a.store)], "Stores named in this order"),
        (lambda a: [ProhibitionInput(kind="retailer_area", retailer=a.retailer, beats=[a.beat])],
         "The retailer's stores within the area named"),
        (lambda a: [ProhibitionInput(kind="zone", polygon=SQUARE)], "Stores this zone covers"),
        (lambda a: [ProhibitionInput(kind="zone", polygon=SQUARE), ProhibitionInput(kind="zone", polygon=SQUARE)],
         "Stores these zones cover"),
        (lambda a: [premises(a.store), ProhibitionInput(kind="zone", polygon=SQUARE)], "Stores this order covers"),
        (lambda a: [], "Stores this order covers"),
    ],
)  # fmt: skip
def test_the_maps_list_is_headed_for_what_the_order_prohibits(world, prohibitions, heading):
    a = world.a
    order = services.order_create(offender=OffenderFactory(force=a.force), actor=a.admin,
                                  prohibitions=prohibitions(a), **order_kwargs())  # fmt: skip
    html = signed_in(a.admin).get(f"/desk/orders/{order.pk}/").content.decode()
    title = re.search(r'id="order-map-covered-title"><strong>(.*?)</strong>', html)
    assert title and title.group(1) == heading
