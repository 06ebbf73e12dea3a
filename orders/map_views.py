"""The portal's maps: the JSON that ``static/js/map.js`` draws, and the force admin's store pages.

- ``map_data`` (GET /maps/data/): the user's force's beats and stores, and with ``?order=<pk>`` or
  ``?prohibition=<pk>`` that order's (or that prohibition's) zones, each store marked ``covered`` when a
  current prohibition covers it. Police read it (force admins at the order desk; beat officers on case
  pages: they see their force's orders already, ``orders.selectors.orders_for``).
- ``map_coverage`` (POST /maps/coverage/): the stores of the force that a prohibition with the geometry
  being drawn would cover, checked as the services check a prohibition before saving it
  (``clean_prohibition``) and decided by the matching's own rule
  (``orders.selectors.stores_covered_unsaved``). Force admins only: drawing a prohibition is theirs.
- ``store_list`` and ``store_location``: force admins list their force's stores and set where each one is
  by clicking the map or typing its latitude and longitude (``accounts.services.set_store_location``).

Another force's order, prohibition or store is a 404, never a 403 that confirms it exists.
"""

import json
from functools import wraps
from types import SimpleNamespace
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from accounts.permissions import FORCE_ADMIN, NO_ROLE_MESSAGE, POLICE, role_required
from accounts.services import set_store_location
from core.exception_handlers import error_body
from core.exceptions import ErrorCode
from core.pagination import BoundedPaginator
from orders import maps, selectors
from orders.models import Prohibition
from orders.services.common import EARLIEST_DATE
from orders.services.prohibitions import ProhibitionInput, clean_prohibition

STORES_PER_PAGE = 25
MAX_BODY_BYTES = 512 * 1024  # a polygon of 2,000 corners is about 60 KB


def _error(message: str, code: str, status: int, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(message, code, fields), status=status)


def json_role_required(roles: tuple[str, ...], message: str):
    """``role_required`` for JSON: 401 when not signed in, 403 (in JSON) for an account without a role or
    with another role."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return _error("Sign in first.", ErrorCode.NOT_AUTHENTICATED, 401)
            if not access.has_usable_role(user):
                return _error(NO_ROLE_MESSAGE, ErrorCode.NO_ROLE, 403)
            if user.role not in roles:
                return _error(message, ErrorCode.PERMISSION_DENIED, 403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _whole_number(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 12 else None


def _force_stores(user) -> list:
    return list(access.stores_for(user).order_by("retailer__name", "name", "pk"))


# Map data ----------------------------------------------------------------------------------------------------


@require_GET
@json_role_required(POLICE, "Only police users may read the maps of orders.")
def map_data(request):
    user = request.user
    asked = [name for name in ("order", "prohibition") if request.GET.get(name, "") != ""]
    if len(asked) > 1:
        return _error("Ask for an order or a prohibition, not both.", ErrorCode.INVALID, 400)
    prohibitions: list[Prohibition] = []
    if asked:
        name = asked[0]
        pk = _whole_number(request.GET[name])
        if pk is None:
            message = f"{name} must be the whole-number id of an {name}."
            return _error(message, ErrorCode.INVALID, 400, {name: [message]})
        if name == "order":
            order = selectors.orders_for(user).filter(pk=pk).first()
            if order is None:
                return _error("No order with that id in your force.", ErrorCode.NOT_FOUND, 404)
            qs = order.prohibitions.all()
        else:
            qs = Prohibition.objects.filter(pk=pk, order__in=selectors.orders_for(user))
            if not qs.exists():
                return _error("No prohibition with that id in your force.", ErrorCode.NOT_FOUND, 404)
        prohibitions = list(qs.prefetch_related("stores", "beats").order_by("pk"))
    stores = _force_stores(user)
    data = maps.map_data(
        beats=list(access.beats_for(user).order_by("name")),
        stores=stores,
        prohibitions=prohibitions,
        today=timezone.localdate(),
    )
    data["tiles"] = _tiles()
    return JsonResponse(data)


def _tiles() -> dict | None:
    """The tile server (``MAP_TILE_URL``), or None: the map then draws on a plain background."""
    if not settings.MAP_TILE_URL:
        return None
    return {
        "url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "max_zoom": settings.MAP_TILE_MAX_ZOOM,
    }


# What a prohibition being drawn would cover ------------------------------------------------------------------


# Checks the draft as ``clean_prohibition`` checks a prohibition for an order: an order of the user's force
# with no period of its own to fit in.
def _open_order(force_id: int) -> SimpleNamespace:
    return SimpleNamespace(
        offender=SimpleNamespace(force_id=force_id), effective_from=EARLIEST_DATE, ends_on=None, indefinite=True
    )


class BadBody(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def _ids(body: dict, name: str) -> list[int]:
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise BadBody(f"{name} must be a list of whole-number ids.", name)
    return value


def _rows_of_force(qs, ids: list[int], what: str, name: str) -> list:
    rows = {row.pk: row for row in qs.filter(pk__in=ids)}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise BadBody(f"No {what} with id {missing[0]} in your force.", name)
    return [rows[i] for i in ids]


def _radius(value) -> int | None | str:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return "x"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _draft_input(user, body: dict) -> ProhibitionInput:
    """The body as a ``ProhibitionInput``: ids checked against the user's force, the kind taken from the
    body or from what it gives (a retailer: a retailer area; stores: named premises; else a zone)."""
    polygon = body.get("polygon")
    if isinstance(polygon, str):
        try:
            polygon = json.loads(polygon) if polygon.strip() else None
        except ValueError:
            raise BadBody("The polygon is not valid JSON.", "polygon") from None
    circle = body.get("circle") or {}
    if not isinstance(circle, dict):
        raise BadBody("circle must be an object: {latitude, longitude, radius_m}.", "circle")
    retailer_id = body.get("retailer")
    if retailer_id is not None and (not isinstance(retailer_id, int) or isinstance(retailer_id, bool)):
        raise BadBody("retailer must be the whole-number id of a retailer.", "retailer")
    store_ids, beat_ids = _ids(body, "stores"), _ids(body, "beats")
    kind = body.get("kind") or (
        Prohibition.Kind.RETAILER_AREA if retailer_id else Prohibition.Kind.PREMISES if store_ids else "zone"
    )
    retailer = None
    if retailer_id is not None:
        retailer = access.retailers_trading_for(user).filter(pk=retailer_id).first()
        if retailer is None:
            raise BadBody(f"No retailer with id {retailer_id} has a store in your force.", "retailer")
    return ProhibitionInput(
        kind=kind,
        polygon=polygon,
        centre_latitude=circle.get("latitude"),
        centre_longitude=circle.get("longitude"),
        radius_m=_radius(circle.get("radius_m")),  # type: ignore[arg-type]  # clean_prohibition refuses a non-int
        retailer=retailer,
        stores=_rows_of_force(access.stores_for(user), store_ids, "store", "stores"),
        beats=_rows_of_force(access.beats_for(user), beat_ids, "beat", "beats"),
    )


@require_POST
@json_role_required(FORCE_ADMIN, "Only force admins draw prohibitions.")
def map_coverage(request):
    """Body (JSON): ``kind`` (premises, retailer_area or zone; taken from the rest when left out), ``polygon``
    (a GeoJSON Polygon), ``circle`` ({latitude, longitude, radius_m}), ``retailer`` (id), ``beats`` and
    ``stores`` (ids). Answers ``{"stores": [...], "count": n}``, or 400 saying what is wrong."""
    if len(request.body) > MAX_BODY_BYTES:
        return _error("The drawing is too large to check (over 512 KB).", ErrorCode.INVALID, 400)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _error("The body must be JSON.", ErrorCode.PARSE_ERROR, 400)
    if not isinstance(body, dict):
        return _error("The body must be a JSON object.", ErrorCode.PARSE_ERROR, 400)
    try:
        data = _draft_input(request.user, body)
    except BadBody as exc:
        return _error(exc.message, ErrorCode.INVALID, 400, {exc.field: [exc.message]} if exc.field else None)
    errors = clean_prohibition(data, _open_order(request.user.force_id))  # type: ignore[arg-type]
    if errors:
        fields: dict[str, list[str]] = {}
        for name, _code, message in errors:
            fields.setdefault(name, []).append(message)
        return _error(errors[0][2], errors[0][1], 400, fields)
    draft = Prohibition(
        kind=data.kind,
        polygon=data.polygon,
        centre_latitude=data.centre_latitude,
        centre_longitude=data.centre_longitude,
        radius_m=data.radius_m,
        retailer=data.retailer,
    )
    covered = selectors.stores_covered_unsaved(
        draft,
        force_id=request.user.force_id,
        store_ids=[s.pk for s in data.stores],
        beat_ids=[b.pk for b in data.beats],
    )
    rows = [{**maps.store_json(s), "covered": True} for s in covered]
    return JsonResponse({"kind": data.kind, "polygon": data.polygon, "stores": rows, "count": len(rows)})


# Stores: where each one is ----------------------------------------------------------------------------------

ADMINS_ONLY = "Only force admins manage stores."


@role_required(FORCE_ADMIN, message=ADMINS_ONLY)
def store_list(request):
    q = " ".join(request.GET.get("q", "").split())[:100]
    qs = selectors.stores_search(request.user, q).select_related("beat")
    page = BoundedPaginator(qs, STORES_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({"q": q}) if q else ""
    return render(request, "orders/store_list.html", {"page": page, "stores": page.object_list, "q": q, "query": query})


class StoreLocationForm(forms.Form):
    latitude = forms.CharField(
        max_length=30, help_text="Decimal degrees north, e.g. 53.096000 (49 to 61).",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )  # fmt: skip
    longitude = forms.CharField(
        max_length=30, help_text="Decimal degrees east; west of Greenwich is negative, e.g. -2.305000 (-9 to 2).",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )  # fmt: skip


@role_required(FORCE_ADMIN, message=ADMINS_ONLY)
def store_location(request, pk: int):
    store = get_object_or_404(access.stores_for(request.user), pk=pk)
    if request.method == "POST":
        form = StoreLocationForm(request.POST)
        if form.is_valid():
            try:
                set_store_location(
                    store=store,
                    latitude=form.cleaned_data["latitude"],
                    longitude=form.cleaned_data["longitude"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"The location of {store.retailer.name} {store.name} is saved.")
                return redirect("store-location", pk=store.pk)
    else:
        form = StoreLocationForm(initial={"latitude": store.latitude, "longitude": store.longitude})
    return render(request, "orders/store_location.html", {"store": store, "form": form})
