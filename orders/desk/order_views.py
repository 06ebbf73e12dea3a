"""Orders on the order desk: the list (status, person, ending soon), and the order's page with its
prohibitions, what each covers, its history in words, and the court's later steps as actions, each with its
reason: service (``workflows.orders.order_serve``, which re-searches old footage), a correction of details
recorded wrongly (``workflows.orders.order_correct``), variation
(``workflows.orders.order_vary``) and discharge (``orders.services.orders.order_discharge``: a discharge makes
no footage relevant, as the workflow module says)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from orders import selectors
from orders.desk.shared_views import desk_page, error_status, has_map, order_or_404, page_of, refuse_nul
from orders.events import describe
from orders.forms import DischargeDeskForm, OrderCorrectForm, ServeForm, VaryDeskForm, apply_errors
from orders.models import Order, Prohibition
from orders.services import orders as order_services
from workflows import orders as order_workflows

ENDING_CHOICES = {"30": 30}


@desk_page
def order_list(request):
    status = request.GET.get("status", "")
    status = status if status in selectors.ORDER_STATUSES else ""
    q = (request.GET.get("q") or "").strip()[:100]
    ending = request.GET.get("ending", "")
    ending = ending if ending in ENDING_CHOICES else ""
    qs = selectors.orders_desk(request.user, status=status, q=q, ending_within=ENDING_CHOICES.get(ending))
    page, query = page_of(request, qs)
    today = timezone.localdate()
    rows = [(order, selectors.order_status_words(order, today)) for order in page.object_list]
    context = {
        "page": page,
        "query": query,
        "rows": rows,
        "status": status,
        "statuses": selectors.ORDER_STATUSES.items(),
        "q": q,
        "ending": ending,
        "filtered": bool(status or q or ending),
    }
    return render(request, "orders/order_list.html", context)


def _prohibition_rows(order: Order, today) -> list[dict]:
    rows = []
    for p in order.prohibitions.select_related("retailer").prefetch_related("stores__retailer", "beats"):
        rows.append(
            {
                "prohibition": p,
                "what": prohibition_words(p),
                "period": _period_words(p),
                "in_effect": p.in_effect_on(today),
                "covers": selectors.stores_covered(p),
            }
        )
    return rows


def prohibition_words(p: Prohibition) -> str:
    """What the prohibition says, in a line: "Northway Foods Alsager, Valu Corner Crewe", "Every Northway Foods
    store in Crewe North", "An exclusion zone (drawn on the map)", "Within 500 m of 53.1, -2.3"."""
    circle = f"within {p.radius_m} m of {p.centre_latitude}, {p.centre_longitude}" if p.has_circle else ""
    if p.kind == Prohibition.Kind.PREMISES:
        return ", ".join(f"{s.retailer.name} {s.name}" for s in p.stores.all()) or "No store named"
    if p.kind == Prohibition.Kind.RETAILER_AREA:
        where = [f"in {', '.join(b.name for b in p.beats.all())}"] if p.beats.all() else []
        where += [circle] if circle else []
        return f"Every {p.retailer.name if p.retailer else 'retailer'} store {' or '.join(where)}"
    return "An exclusion zone drawn on the map" if p.polygon else f"An exclusion zone {circle}"


def _day(value) -> str:
    return f"{value.day} {value:%b %Y}"


def _period_words(p: Prohibition) -> str:
    bits = []
    if p.added_on:
        bits.append(f"added by variation from {_day(p.added_on)}")
    if p.starts_on:
        bits.append(f"from {_day(p.starts_on)}")
    if p.ends_on:
        bits.append(f"until {_day(p.ends_on)}")
    if p.removed_on:
        bits.append(f"removed by variation from {_day(p.removed_on)}")
    return "; ".join(bits) or "for the whole order"


def _render_order(request, order: Order, *, status: int = 200, **forms):
    today = timezone.localdate()
    events = order.events.select_related("actor").order_by("created_at", "pk")
    open_action = next(iter(forms), "")
    context = {
        "order": order,
        "status_words": selectors.order_status_words(order, today),
        "prohibitions": _prohibition_rows(order, today),
        "history": [(event, describe(event)) for event in events],
        "next_review": order.next_review_due(today),
        "serve_form": forms.get("serve") or ServeForm(prefix="serve"),
        "vary_form": forms.get("vary") or VaryDeskForm(prefix="vary", order=order),
        "discharge_form": forms.get("discharge") or DischargeDeskForm(prefix="discharge"),
        "correct_form": forms.get("correct") or OrderCorrectForm(prefix="correct", order=order),
        "open_action": open_action,
        "ended": bool(order.discharged_on or order.superseded_on),
        "has_map": has_map(),
        "map_query": f"order={order.pk}",
    }
    return render(request, "orders/order_detail.html", context, status=status)


@desk_page
def order_detail(request, pk: int):
    return _render_order(request, order_or_404(request, pk))


def _act(request, order: Order, name: str, form, act, done: str):
    """Run one action's form: on success back to the order with ``done``; otherwise the order page again,
    that action's form open with its errors (a 4xx)."""
    status = 400
    try:
        refuse_nul(request)
        if form.is_valid():
            act(form.cleaned_data)
            messages.success(request, done)
            return redirect("desk-order", pk=order.pk)
    except ApplicationError as exc:
        apply_errors(form, exc)
        status = error_status(exc)
    return _render_order(request, order, status=status, **{name: form})


@require_POST
@desk_page
def order_serve(request, pk: int):
    order = order_or_404(request, pk)
    form = ServeForm(request.POST, prefix="serve")

    def act(data):
        order_workflows.order_serve(order=order, actor=request.user, **data)

    return _act(request, order, "serve", form, act, "Service recorded: the order is in force from that day.")


@require_POST
@desk_page
def order_discharge(request, pk: int):
    order = order_or_404(request, pk)
    form = DischargeDeskForm(request.POST, prefix="discharge")

    def act(data):
        order_services.order_discharge(order=order, actor=request.user, **data)

    return _act(request, order, "discharge", form, act, "Discharge recorded.")


@require_POST
@desk_page
def order_vary(request, pk: int):
    order = order_or_404(request, pk)
    form = VaryDeskForm(request.POST, prefix="vary", order=order)

    def act(data):
        terms = {}
        if data["indefinite"]:
            terms["indefinite"] = True
        elif data["ends_on"]:
            terms.update(ends_on=data["ends_on"], indefinite=False)
        order_workflows.order_vary(
            order=order,
            actor=request.user,
            varied_on=data["varied_on"],
            reason=data["reason"],
            remove_prohibitions=list(data["remove_prohibitions"]),
            add_prohibitions=form.added_prohibitions(),
            **terms,
        )

    return _act(request, order, "vary", form, act, "Variation recorded.")


@require_POST
@desk_page
def order_correct(request, pk: int):
    """Details recorded wrongly, corrected with a reason (``workflows.orders.order_correct``: a change of the
    days in force re-searches the footage)."""
    order = order_or_404(request, pk)
    form = OrderCorrectForm(request.POST, prefix="correct", order=order)

    def act(data):
        order_workflows.order_correct(order=order, actor=request.user, reason=data["reason"], **form.changes())

    return _act(request, order, "correct", form, act, "Correction recorded.")
