"""Setting a store's location is kept as an account event, in words, with the old and new positions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from accounts.events import describe
from accounts.models import AccountEvent
from accounts.services import set_store_location

pytestmark = pytest.mark.django_db


def test_a_store_moved_is_an_event_with_both_positions(world):
    store = world.a.store
    old = (store.latitude, store.longitude)
    set_store_location(store=store, latitude="53.1", longitude="-2.3", actor=world.a.admin)
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.STORE_MOVED)
    assert event.actor == world.a.admin
    assert event.details["store_id"] == store.pk
    assert event.details["from"] == [str(old[0]), str(old[1])]
    assert [Decimal(v) for v in event.details["to"]] == [Decimal("53.1"), Decimal("-2.3")]
    assert describe(event).startswith(f"Location of {store} set: {old[0]}, {old[1]} to 53.1")


def test_a_refused_move_writes_no_event(world):
    with pytest.raises(PermissionDenied):
        set_store_location(store=world.a.store, latitude="53.1", longitude="-2.3", actor=world.a.officer)
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.STORE_MOVED).exists()
