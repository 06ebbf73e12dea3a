"""Record an order step by step: (1) the order, (2) each prohibition in turn, only the chosen kind's fields
asked for, (3) a review, then one save through ``workflows.orders.order_create`` (the order, its prohibitions,
its audit rows and the re-search of old footage, together).

The draft is kept in the session (dates as ISO text, rows as ids, read back within the admin's force), so
Back and a reload lose nothing. Without JavaScript the kind is chosen first (a GET with ``?kind=``) and the
page comes back with that kind's fields; with it (``static/js/desk-wizard.js``) the other kinds' fields are
hidden as the choice changes. Only the chosen kind's fields are ever read."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts import access
from core.exceptions import ApplicationError
from orders import selectors
from orders.desk.shared_views import desk_page, error_status, has_map, refuse_nul
from orders.forms import KIND_FIELDS, OrderDeskForm, ProhibitionStepForm
from orders.models import Offender, Order, Prohibition
from orders.services.prohibitions import ProhibitionInput
from workflows import orders as order_workflows

DRAFT = "desk_order_draft"
DATE_FIELDS = ("made_on", "effective_from", "ends_on", "served_on")


# The draft ----------------------------------------------------------------------------------------------


def _draft(request) -> dict:
    return request.session.get(DRAFT) or {}


def _save_draft(request, draft: dict) -> None:
    request.session[DRAFT] = draft
    request.session.modified = True


def _iso(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _order_values(draft: dict) -> dict:
    values = dict(draft["order"])
    for name in DATE_FIELDS:
        values[name] = _date(values.get(name))
    return values


def _draft_order(request, draft: dict) -> Order | None:
    """The order of step 1 as an unsaved row (its person read again within the admin's force), or None."""
    if not draft.get("order"):
        return None
    offender = selectors.offenders_for(request.user).filter(pk=draft.get("offender")).first()
    if offender is None:
        return None
    return Order(offender=offender, **_order_values(draft))


def _prohibition_to_draft(data: ProhibitionInput) -> dict:
    return {
        "kind": data.kind,
        "description": data.description,
        "store_ids": [s.pk for s in data.stores],
        "retailer_id": data.retailer.pk if data.retailer else None,
        "beat_ids": [b.pk for b in data.beats],
        "centre_latitude": None if data.centre_latitude is None else str(data.centre_latitude),
        "centre_longitude": None if data.centre_longitude is None else str(data.centre_longitude),
        "radius_m": data.radius_m,
        "polygon": data.polygon,
        "starts_on": _iso(data.starts_on),
        "ends_on": _iso(data.ends_on),
    }


def _prohibition_from_draft(request, saved: dict) -> ProhibitionInput:
    """A prohibition of the draft, its stores, retailer and beats read within the admin's force (the service
    checks them again when the order is saved)."""
    user = request.user
    retailer = access.retailers_trading_for(user).filter(pk=saved.get("retailer_id")).first()
    return ProhibitionInput(
        kind=saved["kind"],
        description=saved.get("description") or "",
        stores=list(access.stores_for(user).filter(pk__in=saved.get("store_ids") or [])),
        retailer=retailer,
        beats=list(access.beats_for(user).filter(pk__in=saved.get("beat_ids") or [])),
        centre_latitude=Decimal(saved["centre_latitude"]) if saved.get("centre_latitude") else None,
        centre_longitude=Decimal(saved["centre_longitude"]) if saved.get("centre_longitude") else None,
        radius_m=saved.get("radius_m"),
        polygon=saved.get("polygon"),
        starts_on=_date(saved.get("starts_on")),
        ends_on=_date(saved.get("ends_on")),
    )


def _summary(request, draft: dict, order: Order) -> list[dict]:
    """Each prohibition of the draft in words, with the stores it would cover now."""
    rows = []
    for saved in draft.get("prohibitions", []):
        data = _prohibition_from_draft(request, saved)
        unsaved = Prohibition(
            kind=data.kind,
            retailer=data.retailer,
            centre_latitude=data.centre_latitude,
            centre_longitude=data.centre_longitude,
            radius_m=data.radius_m,
            polygon=data.polygon,
        )
        covers = selectors.stores_covered_unsaved(
            unsaved,
            force_id=order.offender.force_id,
            store_ids=[s.pk for s in data.stores],
            beat_ids=[b.pk for b in data.beats],
        )
        rows.append({"data": data, "kind": Prohibition.Kind(data.kind).label, "covers": covers})
    return rows


# Step 1: the order --------------------------------------------------------------------------------------


def _interim_orders(request):
    """Interim orders of the force that a full order could still replace."""
    qs = selectors.orders_for(request.user).filter(kind=Order.Kind.INTERIM, superseded_on__isnull=True,
                                                   discharged_on__isnull=True, replaced_by__isnull=True)  # fmt: skip
    return qs.order_by("offender__family_name", "-effective_from")


@desk_page
def order_new(request):
    draft = _draft(request)
    offenders = selectors.offenders_for(request.user)
    wanted = request.GET.get("offender", "")
    if request.method == "GET" and wanted and str(draft.get("offender")) != wanted:
        if draft.get("order"):
            messages.info(request, "The unsaved order you started for someone else was set aside.")
        draft = {}  # a new order for another person: the earlier draft is left behind
        if wanted.isdigit() and offenders.filter(pk=wanted).exists():
            draft = {"offender": int(wanted)}
        _save_draft(request, draft)
    initial = {"offender": draft.get("offender"), "replaces": draft.get("replaces"),
               **(_order_values(draft) if draft.get("order") else {})}  # fmt: skip
    form = OrderDeskForm(request.POST or None, initial=initial, offenders=offenders,
                         interim_orders=_interim_orders(request))  # fmt: skip
    status = 200
    if request.method == "POST":
        try:
            refuse_nul(request)
            if form.is_valid():
                data = form.cleaned_data
                same_person = draft.get("offender") == data["offender"].pk
                draft = {
                    "offender": data["offender"].pk,
                    "order": {f: _iso(data.get(f)) for f in OrderDeskForm.ORDER_FIELDS},
                    "replaces": data["replaces"].pk if data.get("replaces") else None,
                    "prohibitions": draft.get("prohibitions", []) if same_person else [],
                }
                _save_draft(request, draft)
                step = "desk-order-new-review" if draft["prohibitions"] else "desk-order-new-prohibition"
                return redirect(step)
            status = 400
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = error_status(exc)
    return render(request, "orders/wizard_order.html", {"form": form, "step": 1}, status=status)


# Step 2: each prohibition -------------------------------------------------------------------------------

_MANY = ("stores", "beats")


def _typed(post) -> dict:
    """What was typed on the prohibition step, as a form's initial values."""
    return {
        name: post.getlist(name) if name in _MANY else post.get(name) for name in post if name != "csrfmiddlewaretoken"
    }


def _store_choices(request, form: ProhibitionStepForm, q: str) -> list[tuple]:
    """The stores to show: those matching the search, and those already ticked (never lost by a search)."""
    ticked = {str(v) for v in (form["stores"].value() or []) if v is not None}
    shown = list(selectors.stores_search(request.user, q))
    shown_ids = {str(s.pk) for s in shown}
    extra = [s for s in access.stores_for(request.user).filter(pk__in=[t for t in ticked if t.isdigit()])
             if str(s.pk) not in shown_ids]  # fmt: skip
    return [(s, str(s.pk) in ticked) for s in [*extra, *shown]]


@desk_page
def prohibition_step(request):
    draft = _draft(request)
    order = _draft_order(request, draft)
    if order is None:
        messages.info(request, "Start with the order itself.")
        return redirect("desk-order-new")
    stores = access.stores_for(request.user)
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    kind = kind if kind in Prohibition.Kind.values else ""
    action = request.POST.get("action", "")
    bound = request.method == "POST" and action in ("add", "review")
    if bound:
        form = ProhibitionStepForm(request.POST, user=request.user, order=order, stores=stores)
    else:
        # A first look, or "Show the fields" / "Search stores": the page again with what was typed, unchecked.
        initial = _typed(request.POST) if request.method == "POST" else {}
        form = ProhibitionStepForm(initial={**initial, "kind": kind}, user=request.user, order=order, stores=stores)
    status = 200
    if bound:
        try:
            refuse_nul(request)
            if form.is_valid():
                draft.setdefault("prohibitions", []).append(_prohibition_to_draft(form.prohibition))
                _save_draft(request, draft)
                count = len(draft["prohibitions"])
                messages.success(request, f"Prohibition {count} added to the draft.")
                return redirect("desk-order-new-review" if action == "review" else "desk-order-new-prohibition")
            status = 400
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = error_status(exc)
    q = (request.POST.get("store_q") or request.GET.get("store_q") or "").strip()[:100]
    context = {
        "form": form,
        "step": 2,
        "kind": kind,
        "kinds": Prohibition.Kind.choices,
        "kind_fields": KIND_FIELDS,
        "store_q": q,
        "store_choices": _store_choices(request, form, q),
        "order": order,
        "added": len(draft.get("prohibitions", [])),
        "has_map": has_map(),
    }
    return render(request, "orders/wizard_prohibition.html", context, status=status)


# Step 3: review and save --------------------------------------------------------------------------------


@desk_page
def review(request):
    draft = _draft(request)
    order = _draft_order(request, draft)
    if order is None:
        messages.info(request, "Start with the order itself.")
        return redirect("desk-order-new")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action.startswith("remove-") and action[7:].isdigit():
            index = int(action[7:])
            if 0 <= index < len(draft.get("prohibitions", [])):
                draft["prohibitions"].pop(index)
                _save_draft(request, draft)
                messages.success(request, f"Prohibition {index + 1} taken out of the draft.")
            return redirect("desk-order-new-review")
        if action == "save":
            try:
                saved = _save(request, draft, order)
            except ApplicationError as exc:
                messages.error(request, f"Nothing was saved: {exc.message}")
                status = error_status(exc)
            else:
                request.session.pop(DRAFT, None)
                messages.success(request, f"Order {saved.case_reference} recorded.")
                return redirect("desk-order", pk=saved.pk)
    context = {
        "order": order,
        "step": 3,
        "prohibitions": _summary(request, draft, order),
        "edit_url": reverse("desk-order-new") + f"?offender={order.offender_id}",
        "replaces": _interim_orders(request).filter(pk=draft.get("replaces")).first()
        if draft.get("replaces")
        else None,
    }
    return render(request, "orders/wizard_review.html", context, status=status)


def _save(request, draft: dict, order: Order) -> Order:
    values = _order_values(draft)
    offender: Offender = order.offender
    prohibitions = [_prohibition_from_draft(request, saved) for saved in draft.get("prohibitions", [])]
    replaces = _interim_orders(request).filter(pk=draft["replaces"]).first() if draft.get("replaces") else None
    if draft.get("replaces") and replaces is None:
        raise ApplicationError("The interim order this replaces has since been replaced or discharged.",
                               fields={"replaces": ["Choose again at step 1."]})  # fmt: skip
    return order_workflows.order_create(offender=offender, actor=request.user, prohibitions=prohibitions,
                                        replaces=replaces, **values)  # fmt: skip
