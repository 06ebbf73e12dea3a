"""The access rules (accounts.access) for every role against every object type, both forces."""

import pytest

from accounts import access

pytestmark = pytest.mark.django_db


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_shop_worker_sees_only_own_store_and_its_force(world):
    a, b, w = world.a, world.b, world.a.worker
    assert ids(access.stores_for(w)) == {a.store.pk}
    assert ids(access.beats_for(w)) == {a.beat.pk}
    assert ids(access.retailers_for(w)) == {a.retailer.pk}
    assert ids(access.forces_for(w)) == {a.force.pk}
    assert ids(access.users_for(w)) == {w.pk}
    for obj in (a.sibling_store, a.other_retailer_store, b.store, a.other_beat, b.beat, b.force, a.officer, a.admin):
        assert not access.can_see(w, obj), obj


def test_worker_of_several_stores_sees_each(world):
    a = world.a
    a.worker.stores.add(a.sibling_store)
    assert ids(access.stores_for(a.worker)) == {a.store.pk, a.sibling_store.pk}


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_police_see_their_whole_force_and_nothing_of_another(world, role):
    a, b = world.a, world.b
    user = getattr(a, role)
    assert ids(access.stores_for(user)) == {a.store.pk, a.sibling_store.pk, a.other_retailer_store.pk}
    assert ids(access.beats_for(user)) == {a.beat.pk, a.other_beat.pk}
    assert ids(access.forces_for(user)) == {a.force.pk}
    assert ids(access.retailers_for(user)) == {a.retailer.pk, a.other_retailer_store.retailer_id}
    for obj in (b.store, b.beat, b.force, b.worker, b.officer, b.admin):
        assert not access.can_see(user, obj), obj


def test_only_admin_sees_other_users_of_the_force(world):
    a = world.a
    assert ids(access.users_for(a.admin)) == {a.worker.pk, a.officer.pk, a.admin.pk}
    assert ids(access.users_for(a.officer)) == {a.officer.pk}


def test_user_without_role_sees_nothing(world):
    u = world.norole
    for selector in (access.stores_for, access.beats_for, access.retailers_for, access.forces_for, access.users_for):
        assert not selector(u).exists()


def test_user_with_role_but_no_force_sees_nothing(world):
    u = world.norole
    u.role = "beat_officer"  # unsaved: the database forbids a role without a force
    assert not access.stores_for(u).exists()


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not access.stores_for(AnonymousUser()).exists()


def test_scope_to_police_hides_rows_from_shop_workers(world):
    from accounts.models import Beat

    qs = Beat.objects.all()
    assert not access.scope_to_police(qs, world.a.worker).exists()
    assert ids(access.scope_to_police(qs, world.a.officer)) == {world.a.beat.pk, world.a.other_beat.pk}


def test_scope_by_store_follows_store_membership(world):
    from accounts.models import User

    # Users hang off stores through their memberships: a stand-in for incidents until they exist.
    qs = User.objects.filter(stores__isnull=False)
    assert ids(access.scope_by_store(qs, world.a.worker, store_path="stores")) == {world.a.worker.pk}
    assert ids(access.scope_by_store(qs, world.b.admin, store_path="stores")) == {world.b.worker.pk}
    assert not access.scope_by_store(qs, world.norole, store_path="stores").exists()
