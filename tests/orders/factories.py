import datetime

import factory

from orders.models import Offender, Order, Prohibition, ReferencePhoto
from orders.validators import pnc_check_letter
from tests.factories import ForceFactory


def valid_pnc(year: int, serial: int) -> str:
    """A PNC ID with the right check letter, long form."""
    y, s = f"{year:04d}", f"{serial:07d}"
    return f"{y}/{s}{pnc_check_letter(y, s)}"


class OffenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offender

    force = factory.SubFactory(ForceFactory)
    given_names = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = datetime.date(1990, 5, 17)
    pnc_id = factory.Sequence(lambda n: valid_pnc(2010, 1000 + n))


class OrderFactory(factory.django.DjangoModelFactory):
    """A full order, made, in effect and served on 5 January 2026, ending 4 January 2028."""

    class Meta:
        model = Order

    offender = factory.SubFactory(OffenderFactory)
    force = factory.LazyAttribute(lambda o: o.offender.force)
    kind = Order.Kind.FULL
    court = "Crewe Magistrates' Court"
    case_reference = factory.Sequence(lambda n: f"CBO/2026/{n:04d}")
    made_on = datetime.date(2026, 1, 5)
    effective_from = factory.LazyAttribute(lambda o: o.made_on)
    ends_on = datetime.date(2028, 1, 4)
    indefinite = False
    served_on = factory.LazyAttribute(lambda o: o.effective_from)


class ProhibitionFactory(factory.django.DjangoModelFactory):
    """Named premises by default: pass ``stores=[...]``."""

    class Meta:
        model = Prohibition
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory)
    kind = Prohibition.Kind.PREMISES
    description = "Named premises"

    @factory.post_generation
    def stores(self, create, extracted, **kwargs):
        if extracted:
            self.stores.set(extracted)

    @factory.post_generation
    def beats(self, create, extracted, **kwargs):
        if extracted:
            self.beats.set(extracted)


class ReferencePhotoFactory(factory.django.DjangoModelFactory):
    """A photo row with a small generated image (no face): for tests that do not enrol."""

    class Meta:
        model = ReferencePhoto

    offender = factory.SubFactory(OffenderFactory)
    image = factory.django.ImageField(filename="custody.jpg", width=64, height=64)
    source = "Custody, Crewe suite"
    taken_on = datetime.date(2025, 12, 1)
