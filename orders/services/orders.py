"""Criminal behaviour orders: record one (with its prohibitions), correct details recorded wrongly, record
its service, a variation, a discharge, or its replacement by a full order. Every change is audited with
the old and new values, and nothing earlier is overwritten: ``orders.in_force`` still answers for
earlier days by the terms then in force.

The re-search of old footage that late paperwork makes relevant is recognition's: entry points call
``workflows.orders`` (same names, same arguments), which calls these and requests it in the same
transaction.
"""

import datetime
from collections.abc import Sequence

from django.db import transaction

from core.exceptions import ErrorCode
from orders.errors import OrderErrorCode
from orders.events import (
    ORDER_FIELDS,
    diff,
    order_corrected_event,
    order_discharged_event,
    order_made_event,
    order_replaced_event,
    order_served_event,
    order_varied_event,
    prohibition_removed_event,
    snapshot,
)
from orders.in_force import ONE_DAY
from orders.models import Offender, Order, Prohibition
from orders.services.common import (
    UNSET,
    Errors,
    date_range_errors,
    fail,
    one_line,
    raise_first,
    require_force_admin,
    require_reason,
    today,
)
from orders.services.prohibitions import ProhibitionInput, clean_prohibition, prohibition_create

Code = OrderErrorCode
CORRECTABLE_ORDER_FIELDS = set(ORDER_FIELDS) - {"replaces_id", "superseded_on", "discharged_on"}


# Checks ---------------------------------------------------------------------------------------


def _age_on(dob: datetime.date, day: datetime.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _end_errors(order: Order) -> Errors:
    if order.indefinite and order.ends_on:
        return [("ends_on", Code.END_AND_INDEFINITE, "An indefinite order has no end date.")]
    if not order.indefinite and not order.ends_on:
        return [("ends_on", Code.END_REQUIRED, "Give the end date, or mark the order indefinite.")]
    if order.ends_on and order.ends_on < order.effective_from:
        return [("ends_on", Code.ENDS_BEFORE_START, "The order cannot end before it takes effect.")]
    return []


def _order_date_errors(order: Order) -> Errors:
    errors: Errors = []
    now = today()
    if order.made_on > now:
        errors.append(("made_on", Code.MADE_IN_FUTURE, "The order cannot have been made in the future."))
    if order.effective_from < order.made_on:
        message = "The order cannot take effect before it was made."
        errors.append(("effective_from", Code.EFFECTIVE_BEFORE_MADE, message))
    errors += _end_errors(order)
    if order.served_on and order.served_on < order.made_on:
        message = "The order cannot have been served before it was made."
        errors.append(("served_on", Code.SERVED_BEFORE_MADE, message))
    if order.served_on and order.served_on > now:
        errors.append(("served_on", Code.SERVED_IN_FUTURE, "The order cannot have been served in the future."))
    errors += date_range_errors(
        made_on=order.made_on, effective_from=order.effective_from, ends_on=order.ends_on, served_on=order.served_on
    )
    return errors


def order_clean(order: Order) -> None:
    """Normalise and validate an order's own fields in place (no save). Raises ApplicationError."""
    errors: Errors = []
    order.court, order.case_reference = one_line(order.court), one_line(order.case_reference)
    order.positive_requirements, order.supervisor = (order.positive_requirements or "").strip(), order.supervisor or ""
    for name in ("court", "case_reference", "made_on", "effective_from"):
        if not getattr(order, name):
            errors.append((name, Code.REQUIRED, f"{name.replace('_', ' ').capitalize()} is required."))
    if order.kind not in Order.Kind.values:
        errors.append(("kind", ErrorCode.INVALID, "Kind must be 'interim' or 'full'."))
    raise_first(errors)
    errors = _order_date_errors(order)
    dob = order.offender.date_of_birth
    if order.youth and dob and _age_on(dob, order.made_on) >= 18:
        errors.append(("youth", Code.YOUTH_ORDER_ADULT, "The person was 18 or over when the order was made."))
    if order.positive_requirements and not order.supervisor.strip():
        errors.append(("supervisor", Code.SUPERVISOR_REQUIRED, "Positive requirements need a named supervisor."))
    raise_first(errors)


def _check_effective_after_interim(order: Order, interim: Order) -> None:
    if order.effective_from < interim.effective_from:
        message = "The full order cannot take effect before the interim order it replaces."
        fail(message, Code.EFFECTIVE_BEFORE_MADE, "effective_from")


def order_check_replaces(order: Order, interim: Order) -> None:
    if interim.offender_id != order.offender_id:
        fail("The order replaced must be the same person's.", Code.REPLACES_OTHER_PERSON, "replaces")
    if interim.kind != Order.Kind.INTERIM or order.kind != Order.Kind.FULL:
        fail("Only a full order can replace an interim order.", Code.REPLACES_NOT_INTERIM, "replaces")
    if interim.superseded_on or Order.objects.filter(replaces=interim).exists():
        fail("That interim order has already been replaced.", Code.ALREADY_REPLACED, "replaces", status_code=409)
    if interim.discharged_on:
        fail("That interim order was discharged.", Code.ALREADY_DISCHARGED, "replaces", status_code=409)
    _check_effective_after_interim(order, interim)


def _check_not_ended(order: Order, day: datetime.date, what: str, field_name: str) -> None:
    """A variation or discharge on ``day`` needs an order not yet discharged, replaced or ended."""
    if order.discharged_on:
        message = f"The order was discharged on {order.discharged_on:%d/%m/%Y}."
        fail(message, Code.ALREADY_DISCHARGED, status_code=409)
    if order.superseded_on:
        fail(f"The order was replaced on {order.superseded_on:%d/%m/%Y}.", Code.ALREADY_REPLACED, status_code=409)
    raise_first([(field_name, code, message) for _, code, message in date_range_errors(**{field_name: day})])
    if day < order.made_on:
        fail(f"The {what} cannot come before the order was made.", Code(f"{what}_before_made"), field_name)
    # day - 1 rather than last_day + 1: day is in range, an order saved before the bound may end on 31/12/9999.
    if order.last_day and day - ONE_DAY > order.last_day:
        message = f"The order had already ended on {order.last_day:%d/%m/%Y}."
        fail(message, Code.ORDER_ENDED, field_name, status_code=409)


# Recording an order ---------------------------------------------------------------------------


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
    require_force_admin(actor, offender.force_id)
    order = Order(
        offender=offender, force_id=offender.force_id, kind=kind, court=court, case_reference=case_reference,
        made_on=made_on, effective_from=effective_from, ends_on=ends_on, indefinite=indefinite, served_on=served_on,
        served_by=served_by, youth=youth, positive_requirements=positive_requirements, supervisor=supervisor,
        created_by=actor,
    )  # fmt: skip
    order_clean(order)
    if replaces is not None:
        replaces = Order.objects.select_for_update().get(pk=replaces.pk)
        order_check_replaces(order, replaces)
        order.replaces = replaces
    errors = [clean_prohibition(data, order, prefix=f"prohibitions[{i}].") for i, data in enumerate(prohibitions)]
    raise_first([e for found in errors for e in found])
    order.save()
    order_made_event(order=order, actor=actor)
    for data in prohibitions:
        prohibition_create(order=order, data=data, actor=actor)
    if replaces is not None:
        _supersede(replaces, by=order, actor=actor)
    return order


def _supersede(interim: Order, *, by: Order, actor) -> None:
    old = snapshot(interim, ["superseded_on"])
    interim.superseded_on = by.effective_from
    interim.save(update_fields=["superseded_on", "updated_at"])
    order_replaced_event(interim=interim, by=by, actor=actor, old=old)


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("offender").get(pk=order.pk)


@transaction.atomic
def order_correct(*, order: Order, actor, reason: str = "", **changes) -> Order:
    """Correct details recorded wrongly (court, case reference, dates, ...). Old and new values go in the history.
    A change the court made is a variation (``order_vary``) and a discharge is ``order_discharge``."""
    require_force_admin(actor, order.offender.force_id)
    unknown = set(changes) - CORRECTABLE_ORDER_FIELDS
    if unknown:
        fail(f"These cannot be corrected here: {', '.join(sorted(unknown))}.", Code.NOT_CORRECTABLE)
    order = _locked(order)
    before = snapshot(order, ORDER_FIELDS)
    for name, value in changes.items():
        setattr(order, name, value)
    if changes.get("indefinite") is True and "ends_on" not in changes:
        order.ends_on = None
    order_clean(order)
    if order.replaces is not None:
        _check_effective_after_interim(order, order.replaces)
    old, new = diff(before, snapshot(order, ORDER_FIELDS))
    if new:
        order.save()
        order_corrected_event(order=order, actor=actor, old=old, new=new, reason=reason)
        if order.replaces_id and "effective_from" in new:
            # The interim order stops the day the full order takes effect: keep that in step.
            _supersede(Order.objects.select_for_update().get(pk=order.replaces_id), by=order, actor=actor)
    return order


# Service, discharge, variation ----------------------------------------------------------------


@transaction.atomic
def order_serve(*, order: Order, actor, served_on: datetime.date, served_by: str = "") -> Order:
    require_force_admin(actor, order.offender.force_id)
    order = _locked(order)
    if order.served_on:
        message = f"The order was already served on {order.served_on:%d/%m/%Y}."
        fail(message, Code.ALREADY_SERVED, "served_on", 409)
    order.served_on = served_on
    order.served_by = served_by
    raise_first([e for e in _order_date_errors(order) if e[0] == "served_on"])
    order.save(update_fields=["served_on", "served_by", "updated_at"])
    order_served_event(order=order, actor=actor)
    return order


@transaction.atomic
def order_discharge(*, order: Order, actor, discharged_on: datetime.date, reason: str) -> Order:
    """The court discharged the order: it no longer has effect from ``discharged_on`` (that day included)."""
    require_force_admin(actor, order.offender.force_id)
    order = _locked(order)
    reason = require_reason(reason)
    _check_not_ended(order, discharged_on, "discharge", "discharged_on")
    order.discharged_on = discharged_on
    order.save(update_fields=["discharged_on", "updated_at"])
    order_discharged_event(order=order, actor=actor, reason=reason)
    return order


def _removals(order: Order, prohibitions) -> list[Prohibition]:
    found = []
    for p in prohibitions:
        p = Prohibition.objects.filter(pk=getattr(p, "pk", p), order=order).first()
        if p is None:
            fail("A prohibition to remove is not part of this order.", Code.NOT_IN_ORDER, "remove_prohibitions")
        if p.removed_on:
            fail(f"Prohibition {p.pk} was already removed.", Code.ALREADY_REMOVED, "remove_prohibitions", 409)
        found.append(p)
    return found


def _apply_variation_terms(order: Order, terms: dict, varied_on: datetime.date) -> None:
    for name, value in terms.items():
        if value is not UNSET:
            setattr(order, name, value)
    if terms.get("indefinite") is True:
        order.ends_on = None
    order_clean(order)
    if order.ends_on and order.ends_on < varied_on - ONE_DAY:
        message = "A variation cannot end the order before the variation itself."
        fail(message, Code.ENDS_BEFORE_VARIATION, "ends_on")


def _added_errors(order: Order, added: Sequence[ProhibitionInput], varied_on: datetime.date) -> Errors:
    errors: Errors = []
    for i, data in enumerate(added):
        errors += clean_prohibition(data, order, prefix=f"add_prohibitions[{i}].")
        if data.starts_on and data.starts_on < varied_on:
            message = "It cannot start before the variation."
            errors.append((f"add_prohibitions[{i}].starts_on", Code.BEFORE_VARIATION, message))
    return errors


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
    """The court varied the order with effect from ``varied_on``: new end, requirements, prohibitions removed
    (no longer in effect from that day) or added (in effect from that day). Nothing earlier is overwritten:
    the query still answers for earlier moments by the terms then in force."""
    require_force_admin(actor, order.offender.force_id)
    order = _locked(order)
    require_reason(reason)
    _check_not_ended(order, varied_on, "variation", "varied_on")
    before = snapshot(order, ORDER_FIELDS)
    terms = dict(ends_on=ends_on, indefinite=indefinite, positive_requirements=positive_requirements,
                 supervisor=supervisor)  # fmt: skip
    _apply_variation_terms(order, terms, varied_on)
    removals = _removals(order, remove_prohibitions)
    raise_first(_added_errors(order, add_prohibitions, varied_on))
    old, new = diff(before, snapshot(order, ORDER_FIELDS))
    if not (new or removals or add_prohibitions):
        fail("The variation changes nothing.", Code.NOTHING_TO_VARY)
    order.save()
    for p in removals:
        p.removed_on = varied_on
        p.save(update_fields=["removed_on", "updated_at"])
        prohibition_removed_event(prohibition=p, actor=actor, reason=reason)
    added = [prohibition_create(order=order, data=d, actor=actor, added_on=varied_on, reason=reason)
             for d in add_prohibitions]  # fmt: skip
    new.update(prohibitions_removed=[p.pk for p in removals], prohibitions_added=[p.pk for p in added])
    order_varied_event(order=order, actor=actor, old=old, new=new, varied_on=varied_on, reason=reason)
    return order
