"""Offenders: create and change a person held by a force (audited, old and new values)."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from orders.errors import OrderErrorCode
from orders.events import OFFENDER_FIELDS, diff, offender_changed_event, offender_created_event, snapshot
from orders.models import Offender
from orders.services.common import Errors, fail, one_line, raise_first, require_force_admin, today
from orders.validators import normalise_pnc_id


def _normalise_aliases(aliases) -> str:
    items = aliases.splitlines() if isinstance(aliases, str) else list(aliases or [])
    seen: list[str] = []
    for item in items:
        name = one_line(str(item))
        if name and name.lower() not in [s.lower() for s in seen]:
            seen.append(name)
    return "\n".join(seen)


def offender_clean(offender: Offender) -> None:
    """Normalise and validate an offender in place (no save). Raises ApplicationError."""
    errors: Errors = []
    offender.given_names, offender.family_name = one_line(offender.given_names), one_line(offender.family_name)
    offender.aliases = _normalise_aliases(offender.aliases)
    for name in ("given_names", "family_name"):
        if not getattr(offender, name):
            errors.append((name, OrderErrorCode.REQUIRED, f"{name.replace('_', ' ').capitalize()} is required."))
    dob = offender.date_of_birth
    if dob and dob > today():
        errors.append(("date_of_birth", OrderErrorCode.DATE_OF_BIRTH_FUTURE, "The date of birth is in the future."))
    elif dob and dob.year < 1900:
        errors.append(("date_of_birth", OrderErrorCode.DATE_OF_BIRTH_INVALID, "The date of birth is before 1900."))
    if offender.pnc_id:
        try:
            offender.pnc_id = normalise_pnc_id(offender.pnc_id)
        except ValidationError as exc:
            errors.append(("pnc_id", OrderErrorCode.INVALID_PNC_ID, exc.messages[0]))
    raise_first(errors)
    _check_pnc_unique(offender)


def _check_pnc_unique(offender: Offender) -> None:
    if not offender.pnc_id:
        return
    clash = Offender.objects.filter(force_id=offender.force_id, pnc_id=offender.pnc_id).exclude(pk=offender.pk)
    if clash.exists():
        message = f"This force already holds an offender with PNC ID {offender.pnc_id}."
        fail(message, OrderErrorCode.DUPLICATE_PNC_ID, "pnc_id", status_code=409)


@transaction.atomic
def offender_create(
    *,
    actor,
    force,
    given_names: str,
    family_name: str,
    aliases: Sequence[str] | str = (),
    date_of_birth: datetime.date | None = None,
    pnc_id: str = "",
    notes: str = "",
) -> Offender:
    require_force_admin(actor, force.pk)
    offender = Offender(
        force=force,
        given_names=given_names,
        family_name=family_name,
        aliases=_normalise_aliases(aliases),
        date_of_birth=date_of_birth,
        pnc_id=pnc_id or "",
        notes=notes or "",
        created_by=actor,
    )
    offender_clean(offender)
    offender.save()
    offender_created_event(offender=offender, actor=actor)
    return offender


@transaction.atomic
def offender_update(*, offender: Offender, actor, reason: str = "", **changes) -> Offender:
    require_force_admin(actor, offender.force_id)
    unknown = set(changes) - set(OFFENDER_FIELDS)
    if unknown:
        raise TypeError(f"offender_update() cannot change {sorted(unknown)}")
    offender = Offender.objects.select_for_update().get(pk=offender.pk)
    before = snapshot(offender, OFFENDER_FIELDS)
    for name, value in changes.items():
        setattr(offender, name, value if value is not None or name == "date_of_birth" else "")
    offender_clean(offender)
    old, new = diff(before, snapshot(offender, OFFENDER_FIELDS))
    if not new:
        return offender
    offender.save()
    offender_changed_event(offender=offender, actor=actor, old=old, new=new, reason=reason)
    return offender
