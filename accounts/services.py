"""Writes for organisations and users. Each service validates fully before saving anything."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Beat, Force, Store, User


def validate_membership(*, role: str, force: Force | None, stores: list[Store], beats: list[Beat]) -> None:
    errors: dict[str, str] = {}
    if role and force is None:
        errors["force"] = "A user with a role must belong to a force."
    if role == User.Role.SHOP_WORKER:
        if not stores:
            errors["stores"] = "A shop worker must belong to at least one store."
        elif len({s.retailer_id for s in stores}) > 1:
            errors["stores"] = "A shop worker's stores must all belong to one retailer."
        elif force and any(s.beat.force_id != force.pk for s in stores):
            errors["stores"] = "Every store must lie in the user's force."
        if beats:
            errors["beats"] = "Only beat officers cover beats."
    elif role == User.Role.BEAT_OFFICER:
        if force and any(b.force_id != force.pk for b in beats):
            errors["beats"] = "Every beat must belong to the officer's force."
    if role != User.Role.SHOP_WORKER and stores:
        errors["stores"] = "Only shop workers belong to stores."
    if role == User.Role.FORCE_ADMIN and beats:
        errors["beats"] = "Force admins cover the whole force, not beats."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    force: Force | None = None,
    stores: Iterable[Store] = (),
    beats: Iterable[Beat] = (),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_demo: bool = False,
) -> User:
    stores, beats = list(stores), list(beats)
    if role == User.Role.SHOP_WORKER and force is None and stores:
        force = stores[0].beat.force
    validate_membership(role=role, force=force, stores=stores, beats=beats)
    user = User(
        username=username,
        role=role,
        force=force,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_demo=is_demo,
        # Force admins use the Django admin, scoped to their force.
        is_staff=role == User.Role.FORCE_ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.stores.set(stores)
    user.beats.set(beats)
    return user
