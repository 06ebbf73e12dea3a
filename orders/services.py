"""Writes for offenders, reference photos, orders and prohibitions.

Every service checks that the actor is a force admin of the offender's force, validates everything
before saving anything (one transaction), raises ``ApplicationError`` with a specific ``code`` and
the fields concerned, and writes an ``OffenderEvent``/``OrderEvent`` with the old and new values.
Dates are UK local dates; see ``orders.selectors`` for what "in force" means.
"""

import datetime
import hashlib
import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from accounts.models import Beat, Retailer, Store
from core.exceptions import ApplicationError, ErrorCode
from orders import geo
from orders.events import diff, jsonable, offender_event, order_event, snapshot
from orders.models import Offender, OffenderEvent, Order, OrderEvent, Prohibition, ReferencePhoto
from orders.validators import normalise_pnc_id

logger = logging.getLogger(__name__)

UNSET: object = object()

OFFENDER_FIELDS = ["given_names", "family_name", "aliases", "date_of_birth", "pnc_id", "notes"]
PHOTO_FIELDS = ["image", "source", "taken_on", "sha256"]
ORDER_FIELDS = [
    "kind",
    "court",
    "case_reference",
    "made_on",
    "effective_from",
    "ends_on",
    "indefinite",
    "served_on",
    "served_by",
    "youth",
    "positive_requirements",
    "supervisor",
    "replaces_id",
    "superseded_on",
    "discharged_on",
]
CORRECTABLE_ORDER_FIELDS = set(ORDER_FIELDS) - {"replaces_id", "superseded_on", "discharged_on"}


def _fail(message: str, code: str, field_name: str | None = None, status_code: int | None = None):
    raise ApplicationError(
        message, code=code, fields={field_name: [message]} if field_name else None, status_code=status_code
    )


def _raise_first(errors: list[tuple[str, str, str]]) -> None:
    """Raise for a list of (field, code, message): the first one's code and message, every field listed."""
    if not errors:
        return
    fields: dict[str, list[str]] = {}
    for name, _code, message in errors:
        fields.setdefault(name, []).append(message)
    raise ApplicationError(errors[0][2], code=errors[0][1], fields=fields)


def authorise(actor, force_id: int) -> None:
    """Only a force admin of the offender's force (or a superuser) may write; anyone else is refused."""
    if (
        actor is not None
        and actor.is_active
        and (actor.is_superuser or (actor.is_force_admin and actor.force_id == force_id))
    ):
        return
    _fail(
        "Only a force admin of this force may change offenders, photos and orders.",
        ErrorCode.PERMISSION_DENIED,
        status_code=403,
    )


def _today() -> datetime.date:
    return timezone.localdate()


# Offenders ----------------------------------------------------------------------------------


def _normalise_aliases(aliases) -> str:
    items = aliases.splitlines() if isinstance(aliases, str) else list(aliases or [])
    seen: list[str] = []
    for item in items:
        name = " ".join(str(item).split())
        if name and name.lower() not in [s.lower() for s in seen]:
            seen.append(name)
    return "\n".join(seen)


def offender_clean(offender: Offender) -> None:
    """Normalise and validate an offender in place (no save). Raises ApplicationError."""
    errors = []
    offender.given_names = " ".join((offender.given_names or "").split())
    offender.family_name = " ".join((offender.family_name or "").split())
    offender.aliases = _normalise_aliases(offender.aliases)
    for name in ("given_names", "family_name"):
        if not getattr(offender, name):
            errors.append((name, "required", f"{name.replace('_', ' ').capitalize()} is required."))
    dob = offender.date_of_birth
    if dob and dob > _today():
        errors.append(("date_of_birth", "date_of_birth_future", "The date of birth is in the future."))
    elif dob and dob.year < 1900:
        errors.append(("date_of_birth", "date_of_birth_invalid", "The date of birth is before 1900."))
    if offender.pnc_id:
        try:
            offender.pnc_id = normalise_pnc_id(offender.pnc_id)
        except ValidationError as exc:
            errors.append(("pnc_id", "invalid_pnc_id", exc.messages[0]))
    _raise_first(errors)
    if offender.pnc_id:
        clash = Offender.objects.filter(force_id=offender.force_id, pnc_id=offender.pnc_id).exclude(pk=offender.pk)
        if clash.exists():
            _fail(
                f"This force already holds an offender with PNC ID {offender.pnc_id}.",
                "duplicate_pnc_id",
                "pnc_id",
                status_code=409,
            )


@transaction.atomic
def offender_create(
    *,
    actor,
    force,
    given_names: str,
    family_name: str,
    aliases: list[str] | str = (),
    date_of_birth: datetime.date | None = None,
    pnc_id: str = "",
    notes: str = "",
) -> Offender:
    authorise(actor, force.pk)
    offender = Offender(
        force=force,
        given_names=given_names,
        family_name=family_name,
        aliases=aliases,
        date_of_birth=date_of_birth,
        pnc_id=pnc_id or "",
        notes=notes or "",
        created_by=actor,
    )
    offender_clean(offender)
    offender.save()
    offender_event(offender, OffenderEvent.Kind.CREATED, actor=actor, new=snapshot(offender, OFFENDER_FIELDS))
    return offender


@transaction.atomic
def offender_update(*, offender: Offender, actor, reason: str = "", **changes) -> Offender:
    authorise(actor, offender.force_id)
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
    offender_event(offender, OffenderEvent.Kind.CHANGED, actor=actor, old=old, new=new, reason=reason)
    return offender


# Reference photos -----------------------------------------------------------------------------

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def _read_upload(image) -> bytes:
    if hasattr(image, "seek"):
        image.seek(0)
    content = image.read()
    return content if isinstance(content, bytes) else bytes(content)


def _check_image(content: bytes) -> str:
    """The file's extension if it is a usable photo; otherwise a specific error."""
    max_bytes = settings.ORDERS_PHOTO_MAX_BYTES
    if not content:
        _fail("The photo file is empty.", "empty_file", "image")
    if len(content) > max_bytes:
        _fail(f"The photo is larger than {max_bytes // (1024 * 1024)} MB.", "file_too_large", "image")
    kind = filetype.guess(content)
    if kind is None or kind.mime not in PHOTO_TYPES:
        _fail("The photo must be a JPEG, PNG or WebP image.", "unsupported_image_type", "image")
    try:
        with Image.open(io.BytesIO(content)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        _fail(f"The photo file is damaged or unreadable ({exc.__class__.__name__}).", "unreadable_image", "image")
    return PHOTO_TYPES[kind.mime]


def _check_taken_on(taken_on: datetime.date, offender: Offender) -> None:
    if not isinstance(taken_on, datetime.date):
        _fail("Give the date the photo was taken.", "required", "taken_on")
    if taken_on > _today():
        _fail("The photo cannot have been taken in the future.", "taken_on_future", "taken_on")
    if offender.date_of_birth and taken_on < offender.date_of_birth:
        _fail("The photo cannot have been taken before the person was born.", "taken_before_birth", "taken_on")


def _enrol(photo: ReferencePhoto) -> None:
    from recognition import services as recognition_services

    recognition_services.reference_photo_enrol(photo=photo)


def _forget(photo_id: int) -> None:
    from recognition import services as recognition_services

    recognition_services.reference_photo_forget(photo_id=photo_id)


# Late paperwork makes old footage relevant: search it again for this person (a job, sent once committed).
RESEARCH_DATES = {"effective_from", "ends_on", "indefinite", "served_on"}


def _research_order(order: Order, trigger: str, actor) -> None:
    from recognition import research

    research.research_for_order(order=order, trigger=trigger, actor=actor)


def _research_photo(photo: ReferencePhoto, actor) -> None:
    from recognition import research

    research.research_for_photo(photo=photo, actor=actor)


def reference_photo_add(*, offender: Offender, actor, image, source: str, taken_on: datetime.date) -> ReferencePhoto:
    """Store a reference photo and enrol its face. A photo without exactly one usable face is refused
    (``no_face``, ``multiple_faces``, ``face_too_small``) and nothing is kept, not even the file."""
    authorise(actor, offender.force_id)
    source = " ".join((source or "").split())
    if not source:
        _fail("Say where the photo came from (e.g. 'Custody, Crewe suite').", "required", "source")
    _check_taken_on(taken_on, offender)
    content = _read_upload(image)
    extension = _check_image(content)
    digest = hashlib.sha256(content).hexdigest()
    if ReferencePhoto.objects.filter(offender=offender, sha256=digest).exists():
        _fail("This photo is already held for this person.", "duplicate_photo", "image", status_code=409)
    photo = ReferencePhoto(offender=offender, source=source, taken_on=taken_on, uploaded_by=actor, sha256=digest)
    try:
        with transaction.atomic():
            photo.image.save(f"photo.{extension}", ContentFile(content), save=False)
            photo.save()
            _enrol(photo)
            offender_event(
                offender,
                OffenderEvent.Kind.PHOTO_ADDED,
                actor=actor,
                photo_id=photo.pk,
                new=snapshot(photo, PHOTO_FIELDS),
            )
            _research_photo(photo, actor)
    except BaseException:
        if photo.image.name:
            photo.image.storage.delete(photo.image.name)
        raise
    return photo


@transaction.atomic
def reference_photo_update(*, photo: ReferencePhoto, actor, source=UNSET, taken_on=UNSET) -> ReferencePhoto:
    """Correct a photo's source or date (the image itself is replaced by removing and adding)."""
    authorise(actor, photo.offender.force_id)
    before = snapshot(photo, PHOTO_FIELDS)
    if source is not UNSET:
        photo.source = " ".join((source or "").split())
        if not photo.source:
            _fail("Say where the photo came from.", "required", "source")
    if taken_on is not UNSET:
        _check_taken_on(taken_on, photo.offender)
        photo.taken_on = taken_on
    old, new = diff(before, snapshot(photo, PHOTO_FIELDS))
    if new:
        photo.save(update_fields=["source", "taken_on", "updated_at"])
        offender_event(
            photo.offender, OffenderEvent.Kind.PHOTO_CHANGED, actor=actor, photo_id=photo.pk, old=old, new=new
        )
    return photo


def _delete_photo(photo: ReferencePhoto, *, actor, kind: str, reason: str) -> None:
    photo_id, name, storage = photo.pk, photo.image.name, photo.image.storage
    offender_event(
        photo.offender, kind, actor=actor, photo_id=photo_id, old=snapshot(photo, PHOTO_FIELDS), reason=reason
    )
    _forget(photo_id)
    photo.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def reference_photo_remove(*, photo: ReferencePhoto, actor, reason: str = "") -> None:
    """Delete a photo, its file and its face templates."""
    authorise(actor, photo.offender.force_id)
    _delete_photo(photo, actor=actor, kind=OffenderEvent.Kind.PHOTO_REMOVED, reason=reason)


# Prohibitions ---------------------------------------------------------------------------------


@dataclass
class ProhibitionInput:
    """What one prohibition says. ``kind`` decides which of the other fields apply."""

    kind: str
    description: str = ""
    stores: list[Store] = field(default_factory=list)
    retailer: Retailer | None = None
    beats: list[Beat] = field(default_factory=list)
    centre_latitude: Decimal | float | str | None = None
    centre_longitude: Decimal | float | str | None = None
    radius_m: int | None = None
    polygon: dict | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


PROHIBITION_FIELDS = [
    "kind",
    "description",
    "retailer_id",
    "centre_latitude",
    "centre_longitude",
    "radius_m",
    "polygon",
    "starts_on",
    "ends_on",
    "added_on",
    "removed_on",
]
MAX_RADIUS_M = 50_000


def prohibition_snapshot(p: Prohibition) -> dict:
    data = snapshot(p, PROHIBITION_FIELDS)
    if p.pk:
        data["store_ids"] = sorted(p.stores.values_list("pk", flat=True))
        data["beat_ids"] = sorted(p.beats.values_list("pk", flat=True))
    return data


def _decimal(value, name: str, low: float, high: float, errors: list) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors.append((name, "invalid", f"{name} must be a number."))
        return None
    if not low <= number <= high:
        errors.append((name, "out_of_bounds", f"{name} must be between {low} and {high} (inside the UK)."))
    return number


def _clean_circle(data: ProhibitionInput, prefix: str, errors: list) -> bool:
    """Validate centre and radius in place; True when a complete circle was given."""
    data.centre_latitude = _decimal(data.centre_latitude, f"{prefix}centre_latitude", 49, 61, errors)
    data.centre_longitude = _decimal(data.centre_longitude, f"{prefix}centre_longitude", -9, 2, errors)
    parts = [data.centre_latitude, data.centre_longitude, data.radius_m]
    if all(p is None for p in parts):
        return False
    if any(p is None for p in parts):
        errors.append(
            (f"{prefix}radius_m", "incomplete_circle", "A circle needs a centre latitude, longitude and radius.")
        )
        return False
    if not isinstance(data.radius_m, int) or not 1 <= data.radius_m <= MAX_RADIUS_M:
        errors.append((f"{prefix}radius_m", "invalid_radius", f"The radius must be 1 to {MAX_RADIUS_M} metres."))
    return True


def _clean_polygon(data: ProhibitionInput, prefix: str, errors: list) -> bool:
    if data.polygon in (None, "", {}):
        data.polygon = None
        return False
    try:
        data.polygon = geo.validate_polygon(data.polygon)
    except geo.GeometryError as exc:
        errors.append((f"{prefix}polygon", f"polygon_{exc.code}", exc.message))
    return True


def _outside_message(row, label: str) -> str:
    """An API caller's id outside their force arrives as an unsaved row of no force (``orders.apis``):
    name only the id, so the answer is the same whether it is another force's or nobody's."""
    what = row._meta.verbose_name
    if row._state.adding:
        return f"No {what} with id {row.pk} in your force."
    return f"{what.capitalize()} {label} is in another force."


def _clean_premises(data: ProhibitionInput, force_id: int, prefix: str, errors: list) -> None:
    if not data.stores:
        errors.append((f"{prefix}stores", "no_premises", "Named premises need at least one store."))
    for store in data.stores:
        if store.beat.force_id != force_id:
            errors.append(
                (f"{prefix}stores", "store_other_force", _outside_message(store, f"{store.code} ({store.name})"))
            )


def _clean_retailer_area(data: ProhibitionInput, force_id: int, prefix: str, errors: list) -> None:
    if data.retailer is None:
        errors.append((f"{prefix}retailer", "required", "Say which retailer's stores are prohibited."))
    for beat in data.beats:
        if beat.force_id != force_id:
            errors.append((f"{prefix}beats", "beat_other_force", _outside_message(beat, beat.name)))
    has_circle = _clean_circle(data, prefix, errors)
    if not data.beats and not has_circle:
        errors.append((f"{prefix}beats", "no_premises", "Give the area: beats, or a centre and radius."))


def _clean_zone(data: ProhibitionInput, prefix: str, errors: list) -> None:
    has_polygon = _clean_polygon(data, prefix, errors)
    has_circle = _clean_circle(data, prefix, errors)
    if not has_polygon and not has_circle:
        errors.append((f"{prefix}polygon", "no_premises", "An exclusion zone needs a polygon or a centre and radius."))
    elif has_polygon and has_circle:
        errors.append((f"{prefix}polygon", "zone_ambiguous", "Give either a polygon or a circle, not both."))


def _clean_extras(data: ProhibitionInput, prefix: str, errors: list) -> None:
    """Fields that do not belong to the kind must be empty, so that nothing is silently ignored."""
    kind = Prohibition.Kind
    allowed = {
        kind.PREMISES: {"stores"},
        kind.RETAILER_AREA: {"retailer", "beats", "centre_latitude", "centre_longitude", "radius_m"},
        kind.ZONE: {"polygon", "centre_latitude", "centre_longitude", "radius_m"},
    }[data.kind]
    for name in ("stores", "retailer", "beats", "centre_latitude", "centre_longitude", "radius_m", "polygon"):
        if name not in allowed and getattr(data, name) not in (None, "", [], {}):
            errors.append((f"{prefix}{name}", "not_for_kind", f"{name} does not apply to this kind of prohibition."))


def _clean_prohibition_period(data: ProhibitionInput, order: Order, prefix: str, errors: list) -> None:
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.append((f"{prefix}ends_on", "ends_before_start", "The prohibition ends before it starts."))
    if data.starts_on and data.starts_on < order.effective_from:
        errors.append((f"{prefix}starts_on", "outside_order", "The prohibition starts before the order takes effect."))
    errors += [(f"{prefix}{n}", c, m) for n, c, m in _date_range_errors(starts_on=data.starts_on, ends_on=data.ends_on)]
    last = order.ends_on if not order.indefinite else None
    for name in ("starts_on", "ends_on"):
        value = getattr(data, name)
        if value and last and value > last:
            errors.append((f"{prefix}{name}", "outside_order", f"The prohibition's {name} is after the order ends."))


def clean_prohibition(data: ProhibitionInput, order: Order, prefix: str = "") -> list[tuple[str, str, str]]:
    """All that is wrong with a prohibition for this order, as (field, code, message)."""
    errors: list[tuple[str, str, str]] = []
    if data.kind not in Prohibition.Kind.values:
        return [(f"{prefix}kind", "invalid", f"Kind must be one of {', '.join(Prohibition.Kind.values)}.")]
    data.description = " ".join((data.description or "").split())[:255]
    data.stores, data.beats = list(data.stores or []), list(data.beats or [])
    force_id = order.offender.force_id
    if data.kind == Prohibition.Kind.PREMISES:
        _clean_premises(data, force_id, prefix, errors)
    elif data.kind == Prohibition.Kind.RETAILER_AREA:
        _clean_retailer_area(data, force_id, prefix, errors)
    else:
        _clean_zone(data, prefix, errors)
    _clean_extras(data, prefix, errors)
    _clean_prohibition_period(data, order, prefix, errors)
    return errors


def _save_prohibition(prohibition: Prohibition, data: ProhibitionInput) -> Prohibition:
    for name in ("kind", "description", "retailer", "centre_latitude", "centre_longitude", "radius_m", "polygon"):
        setattr(prohibition, name, getattr(data, name))
    prohibition.starts_on, prohibition.ends_on = data.starts_on, data.ends_on
    prohibition.save()
    prohibition.stores.set(data.stores)
    prohibition.beats.set(data.beats)
    return prohibition


def _prohibition_create(order: Order, data: ProhibitionInput, *, actor, added_on=None, reason="") -> Prohibition:
    p = _save_prohibition(Prohibition(order=order, added_on=added_on), data)
    order_event(
        order,
        OrderEvent.Kind.PROHIBITION_ADDED,
        actor=actor,
        prohibition_id=p.pk,
        effective_on=added_on,
        new=prohibition_snapshot(p),
        reason=reason,
    )
    return p


@transaction.atomic
def prohibition_add(*, order: Order, actor, data: ProhibitionInput) -> Prohibition:
    """Record a prohibition the order made (data entry). A prohibition added later by the court is a variation:
    use ``order_vary``."""
    authorise(actor, order.offender.force_id)
    order = Order.objects.select_for_update().select_related("offender").get(pk=order.pk)
    _raise_first(clean_prohibition(data, order))
    prohibition = _prohibition_create(order, data, actor=actor)
    _research_order(order, "order_recorded", actor)
    return prohibition


@transaction.atomic
def prohibition_correct(*, prohibition: Prohibition, actor, data: ProhibitionInput, reason: str = "") -> Prohibition:
    """Correct a prohibition that was recorded wrongly (old and new values kept in the history)."""
    order = Order.objects.select_for_update().select_related("offender").get(pk=prohibition.order_id)
    authorise(actor, order.offender.force_id)
    _raise_first(clean_prohibition(data, order))
    before = prohibition_snapshot(prohibition)
    _save_prohibition(prohibition, data)
    old, new = diff(before, prohibition_snapshot(prohibition))
    if new:
        order_event(
            order,
            OrderEvent.Kind.PROHIBITION_CORRECTED,
            actor=actor,
            prohibition_id=prohibition.pk,
            old=old,
            new=new,
            reason=reason,
        )
        _research_order(order, "order_corrected", actor)
    return prohibition


@transaction.atomic
def prohibition_delete(*, prohibition: Prohibition, actor, reason: str) -> None:
    """Delete a prohibition recorded in error (its values stay in the order's history). A prohibition the
    court removed is a variation: use ``order_vary``."""
    order = Order.objects.select_for_update().select_related("offender").get(pk=prohibition.order_id)
    authorise(actor, order.offender.force_id)
    if not (reason or "").strip():
        _fail("Say why the prohibition is being deleted.", "reason_required", "reason")
    order_event(
        order,
        OrderEvent.Kind.PROHIBITION_REMOVED,
        actor=actor,
        prohibition_id=prohibition.pk,
        old=prohibition_snapshot(prohibition),
        new={"deleted": True},
        reason=reason.strip(),
    )
    try:
        with transaction.atomic():
            prohibition.delete()
    except ProtectedError as exc:
        raise ApplicationError(
            "A breach case cites this prohibition, so it cannot be deleted. If the court removed it, record a "
            "variation instead.",
            code="prohibition_in_use",
            status_code=409,
        ) from exc


# Orders ---------------------------------------------------------------------------------------


# Dates an order, a prohibition or a photo may carry. Without a bound, an order accepted with ends_on
# 9999-12-31 (or made_on 0001-01-01) made every later variation, discharge or "last day" sum overflow
# Python's date range: a 500 on an order already saved.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)


def _date_range_errors(**dates: datetime.date | None) -> list[tuple[str, str, str]]:
    span = f"between {EARLIEST_DATE:%d/%m/%Y} and {LATEST_DATE:%d/%m/%Y}"
    return [
        (name, "date_out_of_range", f"{name.replace('_', ' ').capitalize()} must be {span}.")
        for name, value in dates.items()
        if isinstance(value, datetime.date) and not EARLIEST_DATE <= value <= LATEST_DATE
    ]


def _age_on(dob: datetime.date, day: datetime.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _order_date_errors(order: Order) -> list[tuple[str, str, str]]:
    errors, today = [], _today()
    if order.made_on > today:
        errors.append(("made_on", "made_in_future", "The order cannot have been made in the future."))
    if order.effective_from < order.made_on:
        errors.append(("effective_from", "effective_before_made", "The order cannot take effect before it was made."))
    if order.indefinite and order.ends_on:
        errors.append(("ends_on", "end_and_indefinite", "An indefinite order has no end date."))
    elif not order.indefinite and not order.ends_on:
        errors.append(("ends_on", "end_required", "Give the end date, or mark the order indefinite."))
    elif order.ends_on and order.ends_on < order.effective_from:
        errors.append(("ends_on", "ends_before_start", "The order cannot end before it takes effect."))
    if order.served_on and order.served_on < order.made_on:
        errors.append(("served_on", "served_before_made", "The order cannot have been served before it was made."))
    if order.served_on and order.served_on > today:
        errors.append(("served_on", "served_in_future", "The order cannot have been served in the future."))
    errors += _date_range_errors(
        made_on=order.made_on, effective_from=order.effective_from, ends_on=order.ends_on, served_on=order.served_on
    )
    return errors


def order_clean(order: Order) -> None:
    """Normalise and validate an order's own fields in place (no save). Raises ApplicationError."""
    errors = []
    order.court, order.case_reference = (" ".join((v or "").split()) for v in (order.court, order.case_reference))
    order.positive_requirements, order.supervisor = (order.positive_requirements or "").strip(), order.supervisor or ""
    for name in ("court", "case_reference", "made_on", "effective_from"):
        if not getattr(order, name):
            errors.append((name, "required", f"{name.replace('_', ' ').capitalize()} is required."))
    if order.kind not in Order.Kind.values:
        errors.append(("kind", "invalid", "Kind must be 'interim' or 'full'."))
    _raise_first(errors)
    errors = _order_date_errors(order)
    dob = order.offender.date_of_birth
    if order.youth and dob and _age_on(dob, order.made_on) >= 18:
        errors.append(("youth", "youth_order_adult", "The person was 18 or over when the order was made."))
    if order.positive_requirements and not order.supervisor.strip():
        errors.append(("supervisor", "supervisor_required", "Positive requirements need a named supervisor."))
    _raise_first(errors)


def order_check_replaces(order: Order, interim: Order) -> None:
    if interim.offender_id != order.offender_id:
        _fail("The order replaced must be the same person's.", "replaces_other_person", "replaces")
    if interim.kind != Order.Kind.INTERIM or order.kind != Order.Kind.FULL:
        _fail("Only a full order can replace an interim order.", "replaces_not_interim", "replaces")
    if interim.superseded_on or Order.objects.filter(replaces=interim).exists():
        _fail("That interim order has already been replaced.", "already_replaced", "replaces", status_code=409)
    if interim.discharged_on:
        _fail("That interim order was discharged.", "already_discharged", "replaces", status_code=409)
    if order.effective_from < interim.effective_from:
        _fail(
            "The full order cannot take effect before the interim order it replaces.",
            "effective_before_made",
            "effective_from",
        )


@transaction.atomic
def order_create(
    *,
    offender: Offender,
    actor,
    court: str,
    case_reference: str,
    made_on: datetime.date,
    effective_from: datetime.date,
    kind: str = Order.Kind.FULL,
    ends_on: datetime.date | None = None,
    indefinite: bool = False,
    served_on: datetime.date | None = None,
    served_by: str = "",
    youth: bool = False,
    positive_requirements: str = "",
    supervisor: str = "",
    replaces: Order | None = None,
    prohibitions: list[ProhibitionInput] = (),
) -> Order:
    authorise(actor, offender.force_id)
    order = Order(
        offender=offender,
        kind=kind,
        court=court,
        case_reference=case_reference,
        made_on=made_on,
        effective_from=effective_from,
        ends_on=ends_on,
        indefinite=indefinite,
        served_on=served_on,
        served_by=served_by,
        youth=youth,
        positive_requirements=positive_requirements,
        supervisor=supervisor,
        created_by=actor,
    )
    order_clean(order)
    if replaces is not None:
        replaces = Order.objects.select_for_update().get(pk=replaces.pk)
        order_check_replaces(order, replaces)
        order.replaces = replaces
    errors = []
    for i, data in enumerate(prohibitions):
        errors += clean_prohibition(data, order, prefix=f"prohibitions[{i}].")
    _raise_first(errors)
    order.save()
    order_event(order, OrderEvent.Kind.MADE, actor=actor, new=snapshot(order, ORDER_FIELDS), effective_on=made_on)
    for data in prohibitions:
        _prohibition_create(order, data, actor=actor)
    if replaces is not None:
        _supersede(replaces, by=order, actor=actor)
    _research_order(order, "order_recorded", actor)
    return order


def _supersede(interim: Order, *, by: Order, actor) -> None:
    old = snapshot(interim, ["superseded_on"])
    interim.superseded_on = by.effective_from
    interim.save(update_fields=["superseded_on", "updated_at"])
    order_event(
        interim,
        OrderEvent.Kind.REPLACED,
        actor=actor,
        old=old,
        new={"superseded_on": jsonable(by.effective_from), "replaced_by_id": by.pk},
        effective_on=by.effective_from,
    )


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("offender").get(pk=order.pk)


@transaction.atomic
def order_correct(*, order: Order, actor, reason: str = "", **changes) -> Order:
    """Correct details recorded wrongly (court, case reference, dates, ...). Old and new values go in the history.
    A change the court made is a variation (``order_vary``) and a discharge is ``order_discharge``."""
    authorise(actor, order.offender.force_id)
    unknown = set(changes) - CORRECTABLE_ORDER_FIELDS
    if unknown:
        _fail(f"These cannot be corrected here: {', '.join(sorted(unknown))}.", "not_correctable")
    order = _locked(order)
    before = snapshot(order, ORDER_FIELDS)
    for name, value in changes.items():
        setattr(order, name, value)
    if changes.get("indefinite") is True and "ends_on" not in changes:
        order.ends_on = None
    order_clean(order)
    if order.replaces_id and order.effective_from < order.replaces.effective_from:
        _fail("The full order cannot take effect before the interim order it replaces.", "effective_before_made",
              "effective_from")  # fmt: skip
    old, new = diff(before, snapshot(order, ORDER_FIELDS))
    if new:
        order.save()
        order_event(order, OrderEvent.Kind.CORRECTED, actor=actor, old=old, new=new, reason=reason)
        if order.replaces_id and "effective_from" in new:
            # The interim order stops the day the full order takes effect: keep that in step.
            _supersede(Order.objects.select_for_update().get(pk=order.replaces_id), by=order, actor=actor)
        if RESEARCH_DATES & set(new):
            _research_order(order, "order_corrected", actor)
    return order


def _check_not_ended(order: Order, day: datetime.date, what: str, field_name: str) -> None:
    if order.discharged_on:
        _fail(f"The order was discharged on {order.discharged_on:%d/%m/%Y}.", "already_discharged", status_code=409)
    if order.superseded_on:
        _fail(f"The order was replaced on {order.superseded_on:%d/%m/%Y}.", "already_replaced", status_code=409)
    _raise_first([(field_name, code, message) for _, code, message in _date_range_errors(**{field_name: day})])
    if day < order.made_on:
        _fail(f"The {what} cannot come before the order was made.", f"{what}_before_made", field_name)
    # day - 1 rather than last_day + 1: day is in range, an order saved before the bound may end on 31/12/9999.
    if order.last_day and day - datetime.timedelta(days=1) > order.last_day:
        _fail(f"The order had already ended on {order.last_day:%d/%m/%Y}.", "order_ended", field_name, status_code=409)


@transaction.atomic
def order_serve(*, order: Order, actor, served_on: datetime.date, served_by: str = "") -> Order:
    authorise(actor, order.offender.force_id)
    order = _locked(order)
    if order.served_on:
        _fail(f"The order was already served on {order.served_on:%d/%m/%Y}.", "already_served", "served_on", 409)
    order.served_on = served_on
    order.served_by = served_by
    _raise_first([e for e in _order_date_errors(order) if e[0] == "served_on"])
    order.save(update_fields=["served_on", "served_by", "updated_at"])
    order_event(
        order,
        OrderEvent.Kind.SERVED,
        actor=actor,
        old={"served_on": None},
        new={"served_on": served_on, "served_by": served_by},
        effective_on=served_on,
    )
    _research_order(order, "order_served", actor)
    return order


@transaction.atomic
def order_discharge(*, order: Order, actor, discharged_on: datetime.date, reason: str) -> Order:
    """The court discharged the order: it no longer has effect from ``discharged_on`` (that day included)."""
    authorise(actor, order.offender.force_id)
    order = _locked(order)
    if not (reason or "").strip():
        _fail("Say why (e.g. the court's decision and hearing).", "reason_required", "reason")
    _check_not_ended(order, discharged_on, "discharge", "discharged_on")
    order.discharged_on = discharged_on
    order.save(update_fields=["discharged_on", "updated_at"])
    order_event(
        order,
        OrderEvent.Kind.DISCHARGED,
        actor=actor,
        old={"discharged_on": None},
        new={"discharged_on": discharged_on},
        effective_on=discharged_on,
        reason=reason.strip(),
    )
    return order


def _removals(order: Order, prohibitions, varied_on: datetime.date) -> list[Prohibition]:
    found = []
    for p in prohibitions:
        p = Prohibition.objects.filter(pk=getattr(p, "pk", p), order=order).first()
        if p is None:
            _fail("A prohibition to remove is not part of this order.", "not_in_order", "remove_prohibitions")
        if p.removed_on:
            _fail(f"Prohibition {p.pk} was already removed.", "already_removed", "remove_prohibitions", 409)
        found.append(p)
    return found


def _apply_variation_terms(order: Order, terms: dict, varied_on: datetime.date) -> None:
    for name, value in terms.items():
        if value is not UNSET:
            setattr(order, name, value)
    if terms.get("indefinite") is True:
        order.ends_on = None
    order_clean(order)
    if order.ends_on and order.ends_on < varied_on - datetime.timedelta(days=1):
        _fail("A variation cannot end the order before the variation itself.", "ends_before_variation", "ends_on")


@transaction.atomic
def order_vary(
    *,
    order: Order,
    actor,
    varied_on: datetime.date,
    reason: str,
    ends_on=UNSET,
    indefinite=UNSET,
    positive_requirements=UNSET,
    supervisor=UNSET,
    remove_prohibitions=(),
    add_prohibitions: list[ProhibitionInput] = (),
) -> Order:
    """The court varied the order with effect from ``varied_on``: new end, requirements, prohibitions removed
    (no longer in effect from that day) or added (in effect from that day). Nothing earlier is overwritten:
    the query still answers for earlier moments by the terms then in force."""
    authorise(actor, order.offender.force_id)
    order = _locked(order)
    if not (reason or "").strip():
        _fail("Say why (e.g. the court's decision and hearing).", "reason_required", "reason")
    _check_not_ended(order, varied_on, "variation", "varied_on")
    before = snapshot(order, ORDER_FIELDS)
    terms = dict(
        ends_on=ends_on, indefinite=indefinite, positive_requirements=positive_requirements, supervisor=supervisor
    )
    _apply_variation_terms(order, terms, varied_on)
    removals = _removals(order, remove_prohibitions, varied_on)
    errors = []
    for i, data in enumerate(add_prohibitions):
        errors += clean_prohibition(data, order, prefix=f"add_prohibitions[{i}].")
        if data.starts_on and data.starts_on < varied_on:
            errors.append(
                (f"add_prohibitions[{i}].starts_on", "before_variation", "It cannot start before the variation.")
            )
    _raise_first(errors)
    old, new = diff(before, snapshot(order, ORDER_FIELDS))
    if not (new or removals or add_prohibitions):
        _fail("The variation changes nothing.", "nothing_to_vary")
    order.save()
    for p in removals:
        p.removed_on = varied_on
        p.save(update_fields=["removed_on", "updated_at"])
        order_event(
            order,
            OrderEvent.Kind.PROHIBITION_REMOVED,
            actor=actor,
            prohibition_id=p.pk,
            old={"removed_on": None},
            new={"removed_on": varied_on},
            effective_on=varied_on,
            reason=reason,
        )
    added = [_prohibition_create(order, d, actor=actor, added_on=varied_on, reason=reason) for d in add_prohibitions]
    new.update(prohibitions_removed=[p.pk for p in removals], prohibitions_added=[p.pk for p in added])
    order_event(order, OrderEvent.Kind.VARIED, actor=actor, old=old, new=new, effective_on=varied_on, reason=reason)
    _research_order(order, "order_varied", actor)
    return order


# Retention ------------------------------------------------------------------------------------


def _retention_candidates(cutoff: datetime.date) -> list[tuple[Offender, datetime.date]]:
    """Offenders with photos, at least one order, and every order ended before ``cutoff``."""
    result = []
    offenders = Offender.objects.filter(photos__isnull=False, orders__isnull=False).distinct()
    for offender in offenders.prefetch_related("orders"):
        last_days = [o.last_day for o in offender.orders.all()]
        if last_days and None not in last_days and max(last_days) < cutoff:
            result.append((offender, max(last_days)))
    return result


def retention_purge(*, now: datetime.datetime | None = None, days: int | None = None) -> list[dict]:
    """Delete the reference photos (and so the face templates) of people whose last order ended more than
    ``days`` (settings.ORDERS_RETENTION_DAYS) days ago. Logs and records what it deleted and why; returns that.
    People with an order not yet ended (or not yet served and still running) keep theirs."""
    days = settings.ORDERS_RETENTION_DAYS if days is None else days
    today = timezone.localdate(now or timezone.now())
    cutoff = today - datetime.timedelta(days=days)  # last day before this: ended more than `days` days ago
    deleted = []
    for offender, last_day in _retention_candidates(cutoff):
        reason = f"Last order ended on {last_day.isoformat()}, more than {days} days before {today.isoformat()}."
        with transaction.atomic():
            for photo in list(offender.photos.all()):
                photo_id, name = photo.pk, photo.image.name
                _delete_photo(photo, actor=None, kind=OffenderEvent.Kind.RETENTION, reason=reason)
                logger.info(
                    "retention: deleted reference photo %s (%s) and its face templates, offender %s: %s",
                    photo_id,
                    name,
                    offender.pk,
                    reason,
                )
                deleted.append({"offender_id": offender.pk, "photo_id": photo_id, "file": name, "reason": reason})
    logger.info("retention: %d reference photos deleted (limit %d days, today %s)", len(deleted), days, today)
    return deleted
