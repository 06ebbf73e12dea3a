"""Record the order a court made from the CBO application that asked for it (force admins only).

The page shows the application's proposed prohibitions as rows, prefilled and editable (each kind's own
fields only); a row the court did not make is unticked and left out. The admin adds what the court decided:
its dates, court and case reference, service. For a person of interest with no offender record, the offender
is created from the person's details, with a reference (custody) photo: the photo is what puts them in the
gallery. Saving goes through the same services and hand-offs as the order desk (``orders.services.offenders``,
``workflows.orders.reference_photo_add`` and ``workflows.orders.order_create``), all in one transaction, so
the person joins the gallery at once and the late-paperwork re-search of stored CCTV runs for them. The
application is then marked ``order_made`` with its order, the person of interest points to the offender, and
a people event ``order_recorded`` is written.

Shop workers (and accounts without a role) get a 404, as on every people page; beat officers the friendly
403; another force's application is a 404."""

import calendar
import datetime
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.models import Store, User
from accounts.permissions import HasRole
from core.exceptions import ApplicationError
from core.schema import path_id
from orders import selectors as order_selectors
from orders.apis.serializers import (
    OffenderCreateInputSerializer,
    OrderCreateInputSerializer,
    OrderDetailOutputSerializer,
    ProhibitionInputSerializer,
    prohibition_input,
)
from orders.desk.shared_views import error_status, refuse_nul
from orders.events import OFFENDER_FIELDS
from orders.forms import (
    KIND_FIELDS,
    OffenderDeskForm,
    OrderDeskForm,
    ProhibitionStepForm,
    ReferencePhotoDeskForm,
    apply_errors,
)
from orders.models import Offender, Order, Prohibition
from orders.services import offenders as offender_services
from orders.services.prohibitions import ProhibitionInput
from orders.services.staged_photos import photo_unstage
from people import events as people_events
from people.models import CBOApplication, PersonOfInterest, ProposedProhibition
from workflows import orders as order_workflows

ADMINS_ONLY = "Only force admins record the order a court made. Ask your force admin to record it."
IMAGE_REFUSALS = {"no_face", "multiple_faces", "face_too_small", "unreadable_image", "duplicate_photo"}


def force_admin_page(view):
    """Signed in; a shop worker (or an account without a role) finds no people pages at all (404);
    a beat officer is told this is the force admin's."""

    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not access.has_usable_role(user) or user.role == User.Role.SHOP_WORKER:
            raise Http404("No such page.")
        if user.role != User.Role.FORCE_ADMIN:
            raise PermissionDenied(ADMINS_ONLY)
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


# Forms --------------------------------------------------------------------------------------------------


class CourtOrderForm(OrderDeskForm):
    """The order the court made: the desk's step 1 without the person (the application's) or an interim
    order to replace."""

    def __init__(self, *args, offender: Offender, **kwargs):
        self.offender = offender
        super().__init__(*args, offenders=Offender.objects.none(), interim_orders=Order.objects.none(), **kwargs)
        del self.fields["offender"], self.fields["replaces"]
        self.fields[
            "served_on"
        ].help_text = (
            "Usually the day it was made, when served at court. The person is searched for only once it is served."
        )

    def clean(self):
        self.cleaned_data["offender"] = self.offender
        self.cleaned_data["replaces"] = None
        return super().clean()

    def values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in self.ORDER_FIELDS}


class CourtProhibitionForm(ProhibitionStepForm):
    """One proposed prohibition as the court made it (or not: unticked, it is left out unchecked). Its kind is
    the application's, never taken from the form."""

    made = forms.BooleanField(label="The court made this prohibition", required=False)

    def __init__(self, *args, check: bool = True, **kwargs):
        self.check = check  # False: shown back as sent, unchecked (the order itself must be right first)
        super().__init__(*args, **kwargs)

    def full_clean(self):
        if self.is_bound and (not self.check or not self.made_by_court()):
            self._errors, self.cleaned_data = ErrorDict(), {"made": False}
            return
        super().full_clean()

    def made_by_court(self) -> bool:
        if not self.is_bound:
            return True
        return self.data.get(self.add_prefix("made")) in ("on", "true", "1")


class CourtAddedProhibitionForm(CourtProhibitionForm):
    """A prohibition the court made that the application did not propose: made when a kind is chosen."""

    NONE = "None: the court made no other prohibition"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", self.NONE), *Prohibition.Kind.choices]
        self.fields["kind"].required = False
        self.fields["kind"].label = "Kind of prohibition the court added"

    def made_by_court(self) -> bool:
        return self.is_bound and self.data.get(self.add_prefix("kind")) in Prohibition.Kind.values


class PhotoRefused(Exception):
    """The reference photo was refused (no face, several faces...): nothing was saved."""

    def __init__(self, exc: ApplicationError):
        super().__init__(exc.message)
        self.exc = exc


# Finding the application --------------------------------------------------------------------------------


def _application_or_404(request, pk: int) -> CBOApplication:
    application = (
        CBOApplication.objects.filter(pk=pk, force_id=request.user.force_id)
        .select_related("offender", "person", "person__offender", "order", "force")
        .first()
    )
    if application is None:
        raise Http404("No such application in your force.")
    return application


def _existing_offender(application: CBOApplication) -> Offender | None:
    if application.offender_id:
        return application.offender
    return application.person.offender if application.person.offender_id else None


def _under_18(subject) -> bool:
    """Whether the person is under 18 today: the order is then a youth order (reviewed yearly), ticked for the
    admin to confirm against the day it was made."""
    born, today = subject.date_of_birth, timezone.localdate()
    return born is not None and today.year - born.year - ((today.month, today.day) < (born.month, born.day)) < 18


def _offender_initial(person: PersonOfInterest) -> dict:
    return {
        "given_names": person.given_names,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "pnc_id": person.pnc_id,
        "notes": person.description,
    }


# Prohibition rows ---------------------------------------------------------------------------------------


def _row_initial(proposed: ProposedProhibition) -> dict:
    initial = {"kind": proposed.kind, "made": True, "description": ""}
    if proposed.kind == Prohibition.Kind.PREMISES:
        initial["stores"] = [s.pk for s in proposed.stores.all()]
    elif proposed.kind == Prohibition.Kind.RETAILER_AREA:
        initial.update(retailer=proposed.retailer_id, beats=[b.pk for b in proposed.beats.all()],
                       area_latitude=proposed.centre_latitude, area_longitude=proposed.centre_longitude,
                       area_radius_m=proposed.radius_m)  # fmt: skip
    else:
        initial.update(polygon=json.dumps(proposed.polygon) if proposed.polygon else "",
                       zone_latitude=proposed.centre_latitude, zone_longitude=proposed.centre_longitude,
                       zone_radius_m=proposed.radius_m)  # fmt: skip
    return initial


def _row_stores(request, proposed: ProposedProhibition):
    """Stores offered on a named-premises row: those proposed, and the other stores of their retailers in the
    force (the court may name a sibling store)."""
    proposed_ids = [s.pk for s in proposed.stores.all()]
    retailer_ids = {s.retailer_id for s in proposed.stores.all()}
    stores = access.stores_for(request.user).filter(retailer_id__in=retailer_ids) | Store.objects.filter(
        pk__in=proposed_ids, beat__force_id=request.user.force_id
    )
    return stores.select_related("retailer").order_by("retailer__name", "name", "pk").distinct()


def _row_data(post, proposed: ProposedProhibition):
    """What was sent for one row, its kind fixed by the application (never taken from the form)."""
    data = MultiValueDict({k: v for k, v in post.lists() if k.startswith(f"p{proposed.pk}-")})
    data.setlist(f"p{proposed.pk}-kind", [proposed.kind])
    return data


def _rows(request, application: CBOApplication, order: Order | None) -> list[dict]:
    rows = []
    post = request.POST if request.method == "POST" else None
    for proposed in application.proposed_prohibitions.prefetch_related("stores", "beats").order_by("pk"):
        kwargs = dict(prefix=f"p{proposed.pk}", user=request.user, order=order or Order(),
                      stores=_row_stores(request, proposed))  # fmt: skip
        if post is not None:
            form = CourtProhibitionForm(_row_data(post, proposed), check=order is not None, **kwargs)
        else:
            form = CourtProhibitionForm(initial=_row_initial(proposed), **kwargs)
        fields = [form[name] for name in KIND_FIELDS[proposed.kind]]
        rows.append({"proposed": proposed, "form": form, "fields": fields,
                     "kind": Prohibition.Kind(proposed.kind).label})  # fmt: skip
    rows.append(_added_row(request, order))
    return rows


ADDED = "added"
COMMON_FIELDS = ("kind", "description", "starts_on", "ends_on")


def _added_row(request, order: Order | None) -> dict:
    """The row for a prohibition the court added: only the chosen kind's fields are read (the others are on the
    page too, for whichever kind is chosen)."""
    stores = access.stores_for(request.user).select_related("retailer").order_by("retailer__name", "name", "pk")
    kwargs = dict(prefix=ADDED, user=request.user, order=order or Order(), stores=stores)
    if request.method == "POST":
        chosen = request.POST.get(f"{ADDED}-kind", "")
        wanted = {*COMMON_FIELDS, *KIND_FIELDS.get(chosen, ())}
        data = MultiValueDict({k: v for k, v in request.POST.lists() if k.removeprefix(f"{ADDED}-") in wanted})
        form = CourtAddedProhibitionForm(data, check=order is not None, **kwargs)
    else:
        form = CourtAddedProhibitionForm(**kwargs)
    groups = [(Prohibition.Kind(kind).label, [form[name] for name in names]) for kind, names in KIND_FIELDS.items()]
    return {"proposed": None, "form": form, "groups": groups, "kind": "added by the court"}


# The page -----------------------------------------------------------------------------------------------


@force_admin_page
def order_from_application(request, pk: int):
    application = _application_or_404(request, pk)
    if application.status == CBOApplication.Status.ORDER_MADE and application.order_id:
        messages.info(request, f"The order made on application {application} is already recorded.")
        return redirect("desk-order", pk=application.order_id)
    offender = _existing_offender(application)
    person = application.person
    post, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    offender_form = None
    if offender is None:
        offender_form = OffenderDeskForm(post, initial=_offender_initial(person), force_id=application.force_id)
    photo_required = offender is None or not offender.photos.exists()
    photo_form = ReferencePhotoDeskForm(post, files, user=request.user, photo_required=photo_required)
    probe = offender or Offender(force=application.force, date_of_birth=person.date_of_birth)
    order_form = CourtOrderForm(post, offender=probe, initial={"youth": _under_18(application.subject)})
    status = 200
    rows: list[dict] = []
    if request.method == "POST":
        try:
            refuse_nul(request)
            people_ok = offender_form.is_valid() if offender_form is not None else True
            if offender_form is not None and people_ok:
                probe.date_of_birth = offender_form.cleaned_data.get("date_of_birth")
            valid = people_ok & photo_form.is_valid() & order_form.is_valid()
            unsaved = Order(offender=probe, **order_form.values()) if order_form.is_valid() else None
            rows = _rows(request, application, unsaved)
            if unsaved is not None:
                valid = all([row["form"].is_valid() for row in rows]) and valid
            else:
                valid = False
            made = [row for row in rows if row["form"].made_by_court()]
            if valid:
                order = _record(request, application, offender, offender_form, photo_form, order_form, made)
                _say_done(request, application, order)
                return redirect("desk-order", pk=order.pk)
            status = 400
        except ApplicationError as exc:
            _place_error(exc, offender_form, order_form)
            status = error_status(exc)
        except PhotoRefused as refused:
            _photo_refused(request, photo_form, refused.exc)
            status = error_status(refused.exc)
    if not rows:
        rows = _rows(request, application, None)
    context = {
        "application": application,
        "subject": application.subject,
        "offender": offender,
        "offender_form": offender_form,
        "photo_form": photo_form,
        "form": order_form,
        "rows": rows,
        "longest_months": max((r["proposed"].duration_months for r in rows if r["proposed"]), default=None),
    }
    return render(request, "people/order_record.html", context, status=status)


def _place_error(exc: ApplicationError, offender_form, order_form) -> None:
    """A refusal on the person's details goes on the person's form; the rest on the order's."""
    if offender_form is not None and set(exc.fields) & set(OFFENDER_FIELDS):
        apply_errors(offender_form, exc)
    else:
        apply_errors(order_form, exc)


def _photo_refused(request, photo_form: ReferencePhotoDeskForm, exc: ApplicationError) -> None:
    """A photo refused for what it is (no face) is not kept for another try."""
    if exc.code in IMAGE_REFUSALS or "image" in exc.fields:
        photo_unstage(user=request.user, token=photo_form.staged_token)
        photo_form.staged = None
        photo_form.add_error("image", exc.message if "image" not in exc.fields else exc.fields["image"])
        return
    apply_errors(photo_form, exc)


def _record(request, application, offender, offender_form, photo_form, order_form, made: list[dict]) -> Order:
    photo = None
    if photo_form.has_photo():
        data = photo_form.cleaned_data
        photo = {"image": photo_form.staged.as_upload(), "source": data["source"], "taken_on": data["taken_on"]}
    order = order_record_from_application(
        application=application,
        actor=request.user,
        offender_values={f: offender_form.cleaned_data.get(f) for f in OFFENDER_FIELDS} if offender is None else None,
        photo=photo,
        order_values=order_form.values(),
        prohibitions=[row["form"].prohibition for row in made],
    )
    if photo is not None:
        photo_unstage(user=request.user, token=photo_form.staged_token)
    return order


def order_record_from_application(
    *,
    application: CBOApplication,
    actor,
    offender_values: dict | None,
    photo: dict | None,
    order_values: dict,
    prohibitions: list[ProhibitionInput],
) -> Order:
    """The offender (made from ``offender_values`` when the application's person has no offender record) and
    their reference photo (``image``, ``source``, ``taken_on``), the order and its prohibitions, the application
    (``order_made``, its order) and the person of interest (their offender), and the people event: together or
    not at all. The re-search of stored CCTV is sent once this commits. A refused photo raises ``PhotoRefused``."""
    with transaction.atomic():
        application = (
            CBOApplication.objects.select_for_update(of=("self",)).select_related("person").get(pk=application.pk)
        )
        if application.status == CBOApplication.Status.ORDER_MADE:
            raise ApplicationError("The order on this application is already recorded.", status_code=409)
        offender = _existing_offender(application)
        if offender is None and offender_values is None:
            raise ApplicationError("The person has no offender record yet: give their details.", status_code=409)
        if offender is None:
            offender = offender_services.offender_create(actor=actor, force=application.force, **offender_values)
        if photo is not None:
            try:
                order_workflows.reference_photo_add(offender=offender, actor=actor, **photo)
            except ApplicationError as exc:  # leaving the block rolls everything back
                raise PhotoRefused(exc) from exc
        order = order_workflows.order_create(offender=offender, actor=actor, prohibitions=prohibitions,
                                             **order_values)  # fmt: skip
        application.status, application.order = CBOApplication.Status.ORDER_MADE, order
        application.save(update_fields=["status", "order", "updated_at"])
        person = application.person
        if person is not None and person.offender_id != offender.pk:
            person.offender = offender
            person.save(update_fields=["offender", "updated_at"])
        people_events.order_recorded_event(application=application, actor=actor, order=order)
    return order


def _say_done(request, application, order: Order) -> None:
    in_gallery = order_selectors.offender_in_gallery(offender=order.offender, at=timezone.now())
    if in_gallery:
        messages.success(request, f"Order {order.case_reference} recorded from application {application}: "
                         f"{order.offender.full_name} is in the gallery now, and stored CCTV of the prohibited "
                         "stores is being searched again for them.")  # fmt: skip
    elif order.served_on is None:
        messages.success(request, f"Order {order.case_reference} recorded from application {application}. It is "
                         "not served yet: record the service below; the person is searched for from then.")  # fmt: skip
    else:
        messages.success(request, f"Order {order.case_reference} recorded from application {application}.")


# The API ------------------------------------------------------------------------------------------------


class AdminOr404(HasRole):
    """Force admins. A shop worker is answered 404, as on every people endpoint; a beat officer 403."""

    message = ADMINS_ONLY

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # 401
        if not access.has_usable_role(user) or user.role == User.Role.SHOP_WORKER:
            raise NotFound()
        return user.role == User.Role.FORCE_ADMIN


class OrderFromApplicationInputSerializer(OrderCreateInputSerializer):
    """The order the court made on the application. JSON, or multipart when a photo is sent (``prohibitions``
    and ``offender`` then as JSON text)."""

    replaces = None
    offender = OffenderCreateInputSerializer(
        required=False,
        help_text="For a person of interest with no offender record: the record's details as the order names "
        "them. Left out: the person's own (names, date of birth, PNC ID; the description as notes).",
    )
    prohibitions = ProhibitionInputSerializer(
        many=True,
        required=False,
        help_text="The prohibitions as the court made them. Left out: every proposed prohibition as proposed, each "
        "for its own period (`duration_months`) from the order's first day (to the order's end when that comes first).",
    )
    photo = serializers.FileField(
        required=False,
        help_text="Reference (custody) photo, one face: needed when the person has no offender record or no photo "
        "(it is what puts them in the gallery). Multipart only.",
    )
    photo_source = serializers.CharField(required=False, max_length=200, help_text="e.g. 'Custody, Crewe suite'.")
    photo_taken_on = serializers.DateField(required=False)

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):  # multipart: nested values arrive as JSON text
            data = {key: data.get(key) for key in data}
            for name in ("prohibitions", "offender"):
                if isinstance(data.get(name), str):
                    try:
                        data[name] = json.loads(data[name])
                    except (ValueError, RecursionError):
                        raise serializers.ValidationError({name: ["Not valid JSON."]}) from None
        return super().to_internal_value(data)

    def validate(self, attrs):
        wanted = attrs.get("photo") or attrs.get("photo_source") or attrs.get("photo_taken_on")
        if wanted:
            missing = {
                "photo": "Send the photo file.",
                "photo_source": "Say where the photo came from.",
                "photo_taken_on": "Give the date the photo was taken.",
            }
            errors = {name: [message] for name, message in missing.items() if not attrs.get(name)}
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has no such day: 31 Jan + 1 = 28/29 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def proposed_last_day(proposed: ProposedProhibition, order_values: dict) -> datetime.date | None:
    """The last day of a proposal's own period (``duration_months``) counted from the order's first day: the
    day before the same date that many months on. None when the order ends first (the prohibition then runs
    as long as the order) or has no first day."""
    first = order_values.get("effective_from")
    if first is None:
        return None
    last = add_months(first, proposed.duration_months) - datetime.timedelta(days=1)
    order_last = None if order_values.get("indefinite") else order_values.get("ends_on")
    if order_last is not None and last >= order_last:
        return None
    return last


def _proposed_input(proposed: ProposedProhibition, order_values: dict) -> ProhibitionInput:
    """A proposal as proposed: its kind and places, and its own period from the order's first day."""
    return ProhibitionInput(
        kind=proposed.kind,
        ends_on=proposed_last_day(proposed, order_values),
        stores=list(proposed.stores.all()),
        retailer=proposed.retailer,
        beats=list(proposed.beats.all()),
        centre_latitude=proposed.centre_latitude,
        centre_longitude=proposed.centre_longitude,
        radius_m=proposed.radius_m,
        polygon=proposed.polygon,
    )


class OrderFromApplicationApi(APIView):
    """Record the order the court made on a CBO application (force admins). For a person of interest with no
    offender record, the record is made from their details and the reference photo: the person joins the
    gallery at once (once the order is served) and stored CCTV of the prohibited stores is searched again for
    them. The application becomes ``order_made`` with its order. Errors as recording an order
    (``POST /api/orders/``), the photo's (``no_face``, ``multiple_faces``, ``face_too_small``...), ``photo_required``
    and 409 when the order is already recorded. Shop workers: 404; beat officers: 403; another force's
    application: 404."""

    permission_classes = [AdminOr404]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="people_application_order_create",
        request={
            "application/json": OrderFromApplicationInputSerializer,
            "multipart/form-data": OrderFromApplicationInputSerializer,
        },
        responses={
            201: OrderDetailOutputSerializer,
            403: OpenApiResponse(description="Beat officers: only force admins record an order."),
            404: OpenApiResponse(description="No such application in your force (also every shop worker)."),
            409: OpenApiResponse(description="The order on this application is already recorded."),
        },
        parameters=[path_id("application_id")],
    )
    def post(self, request, application_id: int):
        application = CBOApplication.objects.filter(pk=application_id, force_id=request.user.force_id).first()
        if application is None:
            raise NotFound()
        if application.status == CBOApplication.Status.ORDER_MADE:
            raise ApplicationError("The order on this application is already recorded.", status_code=409)
        serializer = OrderFromApplicationInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        offender = _existing_offender(application)
        offender_values = None
        if offender is None:
            person = application.person
            given = data.pop("offender", None) or {
                **_offender_initial(person), "aliases": [],
            }  # fmt: skip
            offender_values = {f: given.get(f) for f in OFFENDER_FIELDS if f in given}
        data.pop("offender", None)
        photo = None
        if data.get("photo"):
            photo = {"image": data["photo"], "source": data["photo_source"], "taken_on": data["photo_taken_on"]}
        elif offender is None or not offender.photos.exists():
            raise ApplicationError(
                "Send the person's reference (custody) photo: it is what puts them in the gallery.",
                code="photo_required",
                fields={"photo": ["A reference photo with one face is needed."]},
            )
        for name in ("photo", "photo_source", "photo_taken_on"):
            data.pop(name, None)
        if "prohibitions" in request.data:
            prohibitions = [prohibition_input(p) for p in data.pop("prohibitions")]
        else:
            data.pop("prohibitions", None)
            proposed = application.proposed_prohibitions.prefetch_related("stores", "beats").order_by("pk")
            prohibitions = [_proposed_input(p, data) for p in proposed]
        try:
            order = order_record_from_application(
                application=application, actor=request.user, offender_values=offender_values, photo=photo,
                order_values=data, prohibitions=prohibitions,
            )  # fmt: skip
        except PhotoRefused as refused:
            raise refused.exc from None
        return Response(OrderDetailOutputSerializer(order).data, status=status.HTTP_201_CREATED)
