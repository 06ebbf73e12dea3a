import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import User
from accounts.services import user_create
from tests.factories import RetailerFactory, StoreFactory

pytestmark = pytest.mark.django_db
R = User.Role


def test_shop_worker_takes_force_of_their_stores(world):
    u = user_create(username="w2", password="a-long-password", role=R.SHOP_WORKER, stores=[world.a.store])
    assert u.force == world.a.force
    assert not u.is_staff
    assert u.check_password("a-long-password")


def test_force_admin_is_staff_for_the_admin_site(world):
    u = user_create(username="adm2", password=None, role=R.FORCE_ADMIN, force=world.a.force)
    assert u.is_staff and not u.is_superuser and not u.has_usable_password()


@pytest.mark.parametrize(
    "make, field, message",
    [
        (lambda a, b: dict(role=R.SHOP_WORKER, force=a.force), "stores", "at least one store"),
        (lambda a, b: dict(role=R.BEAT_OFFICER), "force", "must belong to a force"),
        (lambda a, b: dict(role=R.FORCE_ADMIN, force=a.force, beats=[a.beat]), "beats", "whole force"),
        (lambda a, b: dict(role=R.BEAT_OFFICER, force=a.force, beats=[b.beat]), "beats", "officer's force"),
        (lambda a, b: dict(role=R.SHOP_WORKER, force=a.force, stores=[b.store]), "stores", "user's force"),
        (
            lambda a, b: dict(role=R.SHOP_WORKER, force=a.force, stores=[a.store, a.other_retailer_store]),
            "stores",
            "one retailer",
        ),
        (lambda a, b: dict(role=R.BEAT_OFFICER, force=a.force, stores=[a.store]), "stores", "Only shop workers"),
    ],
)
def test_inconsistent_memberships_are_refused(world, make, field, message):
    with pytest.raises(ValidationError) as err:
        user_create(username="bad", password=None, **make(world.a, world.b))
    assert message in str(err.value.message_dict[field])
    assert not User.objects.filter(username="bad").exists()


def test_database_refuses_role_without_force(world):
    with pytest.raises(IntegrityError):
        User.objects.create(username="x", role=R.BEAT_OFFICER, force=None)


def test_store_code_unique_within_retailer_only(world):
    retailer = RetailerFactory()
    StoreFactory(retailer=retailer, code="ABC")
    StoreFactory(code="ABC")  # another retailer may reuse it
    with pytest.raises(IntegrityError):
        StoreFactory(retailer=retailer, code="ABC")
