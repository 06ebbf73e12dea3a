"""Orders -> recognition: the hand-offs that run against the flow of data (recognition reads orders; orders
never imports recognition).

    reference photo stored (orders.services.photos) --same transaction--> face enrolled
        (recognition.services.reference_photo_enrol; a refusal rolls the photo back and deletes its file)
        --> re-search of the person's breach-relevant footage requested (recognition.research)
    reference photo removed --same transaction--> its face templates forgotten
    order recorded, corrected, served or varied; prohibition recorded or corrected; premises imported
        --same transaction--> re-search of the footage the order makes relevant, for that person
        (the job is written now and its task sent once the transaction commits)

Each function has the name and keyword arguments of the orders service it wraps, and returns what that
service returns, so that an entry point (API, admin, management command, task) changes only its import.
A discharge, a prohibition deleted or a photo's details corrected make no footage relevant: entry points
call those services directly.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction

from orders import imports
from orders.events import prohibition_snapshot
from orders.in_force import PERIOD_FIELDS
from orders.models import Offender, Order, Prohibition, ReferencePhoto
from orders.services import orders as order_services
from orders.services import photos as photo_services
from orders.services import prohibitions as prohibition_services
from orders.services.common import UNSET
from orders.services.prohibitions import ProhibitionInput
from recognition import research
from recognition import services as recognition_services
from recognition.models import ResearchJob

Trigger = ResearchJob.Trigger


# Reference photos ---------------------------------------------------------------------------------


def reference_photo_add(*, offender: Offender, actor, image, source: str, taken_on: datetime.date) -> ReferencePhoto:
    """Store a reference photo and enrol its face, then ask for the person's footage to be searched again.
    A photo without exactly one usable face is refused (``no_face``, ``multiple_faces``, ``face_too_small``,
    ``unreadable_image``; 503 ``face_engine_unavailable`` without the model) and nothing is kept: no row,
    no audit row, no template, not even the file."""
    with transaction.atomic():
        photo = photo_services.reference_photo_add(
            offender=offender, actor=actor, image=image, source=source, taken_on=taken_on
        )
        try:
            recognition_services.reference_photo_enrol(photo=photo)
            research.research_for_photo(photo=photo, actor=actor)
        except BaseException:
            photo_services.photo_file_discard(photo)  # the row is rolled back: leave no file behind
            raise
    return photo


@transaction.atomic
def reference_photo_remove(*, photo: ReferencePhoto, actor, reason: str = "") -> None:
    """Delete a photo, its file (once committed) and its face templates."""
    photo_id = photo.pk
    photo_services.reference_photo_remove(photo=photo, actor=actor, reason=reason)
    recognition_services.reference_photo_forget(photo_id=photo_id)


# Orders -------------------------------------------------------------------------------------------


def _research(order: Order, trigger: str, actor) -> None:
    research.research_for_order(order=order, trigger=trigger, actor=actor)


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
    prohibitions: Sequence[ProhibitionInput] = (),
) -> Order:
    order = order_services.order_create(
        offender=offender, actor=actor, court=court, case_reference=case_reference, made_on=made_on,
        effective_from=effective_from, kind=kind, ends_on=ends_on, indefinite=indefinite, served_on=served_on,
        served_by=served_by, youth=youth, positive_requirements=positive_requirements, supervisor=supervisor,
        replaces=replaces, prohibitions=prohibitions,
    )  # fmt: skip
    _research(order, Trigger.ORDER_RECORDED, actor)
    return order


@transaction.atomic
def order_correct(*, order: Order, actor, reason: str = "", **changes) -> Order:
    """A correction re-searches only when it changed the days the order was in force."""
    before = _period(Order.objects.select_for_update().get(pk=order.pk))
    order = order_services.order_correct(order=order, actor=actor, reason=reason, **changes)
    if _period(order) != before:
        _research(order, Trigger.ORDER_CORRECTED, actor)
    return order


def _period(order: Order) -> dict:
    return {name: getattr(order, name) for name in PERIOD_FIELDS}


@transaction.atomic
def order_serve(*, order: Order, actor, served_on: datetime.date, served_by: str = "") -> Order:
    order = order_services.order_serve(order=order, actor=actor, served_on=served_on, served_by=served_by)
    _research(order, Trigger.ORDER_SERVED, actor)
    return order


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
    add_prohibitions: Sequence[ProhibitionInput] = (),
) -> Order:
    order = order_services.order_vary(
        order=order, actor=actor, varied_on=varied_on, reason=reason, ends_on=ends_on, indefinite=indefinite,
        positive_requirements=positive_requirements, supervisor=supervisor,
        remove_prohibitions=remove_prohibitions, add_prohibitions=add_prohibitions,
    )  # fmt: skip
    _research(order, Trigger.ORDER_VARIED, actor)
    return order


# Prohibitions -------------------------------------------------------------------------------------


@transaction.atomic
def prohibition_add(*, order: Order, actor, data: ProhibitionInput) -> Prohibition:
    prohibition = prohibition_services.prohibition_add(order=order, actor=actor, data=data)
    _research(prohibition.order, Trigger.ORDER_RECORDED, actor)
    return prohibition


@transaction.atomic
def prohibition_correct(*, prohibition: Prohibition, actor, data: ProhibitionInput, reason: str = "") -> Prohibition:
    """A correction re-searches only when it changed something."""
    before = prohibition_snapshot(prohibition)
    prohibition = prohibition_services.prohibition_correct(
        prohibition=prohibition, actor=actor, data=data, reason=reason
    )
    if prohibition_snapshot(prohibition) != before:
        _research(prohibition.order, Trigger.ORDER_CORRECTED, actor)
    return prohibition


@transaction.atomic
def premises_import(
    *,
    order: Order,
    actor,
    content: bytes,
    dry_run: bool,
    description: str = "",
    prohibition: Prohibition | None = None,
) -> imports.ImportReport:
    """Stores imported as a new prohibition re-search as one recorded; added to an existing one, as a
    correction (when they changed it). A dry run changes nothing and re-searches nothing."""
    before = prohibition_snapshot(prohibition) if prohibition is not None else None
    report = imports.premises_import(
        order=order, actor=actor, content=content, dry_run=dry_run, description=description, prohibition=prohibition
    )
    imported = report.prohibition  # None only on a dry run
    if imported is None:
        return report
    if before is None:
        _research(imported.order, Trigger.ORDER_RECORDED, actor)
    elif prohibition_snapshot(imported) != before:
        _research(imported.order, Trigger.ORDER_CORRECTED, actor)
    return report
