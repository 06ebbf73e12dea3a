"""Writes for organisations and users. Each service validates fully before saving anything."""

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import events
from accounts.access import is_force_admin_of
from accounts.models import ApiToken, Beat, Force, Store, User

logger = logging.getLogger(__name__)


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
        if not is_demo:  # demo accounts (seed_demo, embedded default only) keep their public password
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.stores.set(stores)
    user.beats.set(beats)
    return user


# API tokens: one per device ------------------------------------------------------------------------------


def api_token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown to the client once; only its digest is kept


@transaction.atomic
def api_token_create(*, user: User, name: str = "", ip_address: str | None = None) -> IssuedToken:
    """A new token for one device, with its own expiry (``API_TOKEN_TTL``). The user's other tokens stay
    valid (their phone and their desktop do not sign each other out); their expired ones are cleared."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        key_digest=api_token_digest(key),
        prefix=key[:8],
        expires_at=now + settings.API_TOKEN_TTL,
    )
    events.token_created_event(token=token, ip_address=ip_address)
    return IssuedToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    """Revoke one token (the owner's own: callers find it among ``actor``'s tokens)."""
    events.token_revoked_event(token=token, actor=actor)
    token.delete()


# Stores ----------------------------------------------------------------------------------------------------------

COORDINATE_STEP = Decimal("0.000001")  # Store.latitude/longitude keep six decimal places (about 0.1 m)


def _coordinate(value, name: str, low: int, high: int, errors: dict[str, str]) -> Decimal | None:
    try:
        number = Decimal(str(value).strip()).quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        errors[name] = f"Enter the {name} as a number in decimal degrees, e.g. {'53.096' if low > 0 else '-2.305'}."
        return None
    if not number.is_finite() or not low <= number <= high:
        errors[name] = f"The {name} must be between {low} and {high} (inside Great Britain and Northern Ireland)."
        return None
    return number


@transaction.atomic
def set_store_location(*, store: Store, latitude, longitude, actor: User) -> Store:
    """Place ``store`` at (``latitude``, ``longitude``), WGS84 decimal degrees. Which prohibitions cover a
    store is decided from where it is now, so only a force admin of the store's force may move it; the old
    and new positions are logged and kept as an account event (``store_moved``)."""
    if not is_force_admin_of(actor, store.beat.force_id):
        raise PermissionDenied("Only a force admin of the store's force may set where it is.")
    errors: dict[str, str] = {}
    lat = _coordinate(latitude, "latitude", 49, 61, errors)
    lon = _coordinate(longitude, "longitude", -9, 2, errors)
    if errors or lat is None or lon is None:
        raise ValidationError(errors)
    store = Store.objects.select_for_update().get(pk=store.pk)
    old = (store.latitude, store.longitude)
    store.latitude, store.longitude = lat, lon
    store.full_clean()
    store.save(update_fields=["latitude", "longitude", "updated_at"])
    logger.info("store %s location set by user %s: (%s, %s) -> (%s, %s)", store.pk, actor.pk, old[0], old[1], lat, lon)
    events.store_moved_event(actor=actor, store=store, old=old, new=(lat, lon))
    return store
