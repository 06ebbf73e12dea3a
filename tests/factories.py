import factory

from accounts.models import Beat, Force, Retailer, Store, User


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Force

    name = factory.Sequence(lambda n: f"Force {n}")
    code = factory.Sequence(lambda n: f"force-{n}")


class BeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beat

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Beat {n}")


class RetailerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Retailer

    name = factory.Sequence(lambda n: f"Retailer {n}")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    retailer = factory.SubFactory(RetailerFactory)
    beat = factory.SubFactory(BeatFactory)
    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"Store {n}")
    address = "1 High Street"
    postcode = "ST7 2AA"
    latitude = "53.096000"
    longitude = "-2.305000"


class UserFactory(factory.django.DjangoModelFactory):
    """A user; pass ``role`` plus ``force``/``stores``/``beats`` as the role needs."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")
    role = ""
    force = None
    is_staff = factory.LazyAttribute(lambda u: u.role == User.Role.FORCE_ADMIN)

    @factory.post_generation
    def stores(self, create, extracted, **kwargs):
        if extracted:
            self.stores.set(extracted)

    @factory.post_generation
    def beats(self, create, extracted, **kwargs):
        if extracted:
            self.beats.set(extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
