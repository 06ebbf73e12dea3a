"""People on the order desk: the list with search, a page per person (photos, orders and their status in
words, history), adding and changing a person, and adding a reference photo (enrolled by ``workflows.orders``).

A photo chosen on a form sent back for an error elsewhere is kept (``orders.services.staged_photos``): the
page comes back showing it, and the person does not choose it again."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError
from orders import selectors
from orders.desk.shared_views import desk_page, error_status, offender_or_404, page_of, refuse_nul
from orders.events import OFFENDER_FIELDS, describe, photo_viewed_event
from orders.forms import OffenderDeskForm, OffenderSearchForm, ReferencePhotoDeskForm, apply_errors
from orders.models import OffenderEvent, Order, ReferencePhoto
from orders.services import offenders as offender_services
from orders.services.staged_photos import photo_staged, photo_unstage
from workflows import orders as order_workflows

# Refusals that are about the image itself: that file is no use, so it is not kept for another try.
IMAGE_REFUSALS = {"no_face", "multiple_faces", "face_too_small", "unreadable_image", "duplicate_photo"}


def _orders_in_words(orders) -> list[tuple[Order, str]]:
    today = timezone.localdate()
    return [(order, selectors.order_status_words(order, today)) for order in orders]


def _photo_counts(offender_ids: list[int]) -> dict[int, int]:
    counted = ReferencePhoto.objects.filter(offender_id__in=offender_ids).values_list("offender_id")
    return dict(counted.annotate(n=Count("*")).order_by())


@desk_page
def offender_list(request):
    search = OffenderSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    qs = selectors.offenders_search(selectors.offenders_for(request.user), q=q)
    qs = qs.order_by("family_name", "given_names", "pk")
    qs = qs.prefetch_related(Prefetch("orders", queryset=Order.objects.order_by("-effective_from", "-pk")))
    page, query = page_of(request, qs)
    # The photos of the page's people only: counted across the list, the force's 22,000 people were joined to
    # their 55,000 photos and grouped to show 25 (148 ms at the Met's size).
    photos = _photo_counts([person.pk for person in page.object_list])
    rows = [(person, photos.get(person.pk, 0), _orders_in_words(person.orders.all())) for person in page.object_list]
    return render(
        request, "orders/offender_list.html", {"search": search, "q": q, "page": page, "query": query, "rows": rows}
    )


@desk_page
def offender_detail(request, pk: int):
    return _render_offender(request, offender_or_404(request, pk))


def _render_offender(request, offender, *, status: int = 200, refused: tuple[int, str] | None = None):
    """The person's page; ``refused``: (photo id, why) when removing that photo was refused."""
    orders = offender.orders.order_by("-effective_from", "-pk")
    # The history of the record; the images served (photo_viewed) are listed in the admin, apart.
    events = offender.events.exclude(kind=OffenderEvent.Kind.PHOTO_VIEWED)
    events = events.select_related("actor").order_by("-created_at", "-pk")
    history, history_query = page_of(request, events)
    return render(
        request,
        "orders/offender_detail.html",
        {
            "offender": offender,
            "photos": offender.photos.order_by("-taken_on", "-pk"),
            "orders": _orders_in_words(orders),
            "in_gallery": selectors.offender_in_gallery(offender=offender, at=timezone.now()),
            "history": [(event, describe(event)) for event in history.object_list],
            "page": history,
            "query": history_query,
            "refused_photo": refused[0] if refused else None,
            "refused_why": refused[1] if refused else "",
        },
        status=status,
    )


def _photo_refused(request, photo_form: ReferencePhotoDeskForm, exc: ApplicationError) -> None:
    """Put a refusal of the photo on the form; a file refused for what it is (no face) is not kept."""
    if exc.code in IMAGE_REFUSALS or "image" in exc.fields:
        photo_unstage(user=request.user, token=photo_form.staged_token)
        photo_form.staged = None
        photo_form.add_error("image", exc.message if "image" not in exc.fields else exc.fields["image"])
        return
    apply_errors(photo_form, exc)


def _add_photo(request, offender, photo_form: ReferencePhotoDeskForm):
    data = photo_form.cleaned_data
    return order_workflows.reference_photo_add(
        offender=offender,
        actor=request.user,
        image=photo_form.staged.as_upload(),
        source=data["source"],
        taken_on=data["taken_on"],
    )


@desk_page
def offender_new(request):
    force_id = request.user.force_id
    form = OffenderDeskForm(request.POST or None, force_id=force_id)
    photo_form = ReferencePhotoDeskForm(
        request.POST or None, request.FILES or None, user=request.user, photo_required=False
    )
    status = 200
    if request.method == "POST":
        try:
            refuse_nul(request)
            valid = form.is_valid() & photo_form.is_valid()  # both checked, so both show their errors
            if valid:
                offender = _create(request, form, photo_form)
                messages.success(request, f"{offender.full_name} added.")
                return redirect("desk-offender", pk=offender.pk)
            status = 400
        except ApplicationError as exc:
            apply_errors(form, exc)
            status = error_status(exc)
        except _PhotoRefused as refused:
            _photo_refused(request, photo_form, refused.exc)
            status = error_status(refused.exc)
    context = {"form": form, "photo_form": photo_form, "title": "Add a person"}
    return render(request, "orders/offender_form.html", context, status=status)


class _PhotoRefused(Exception):
    def __init__(self, exc: ApplicationError):
        super().__init__(exc.message)
        self.exc = exc


def _create(request, form: OffenderDeskForm, photo_form: ReferencePhotoDeskForm):
    """The person and, when one was chosen, their first photo, together or not at all."""
    values = {f: form.cleaned_data.get(f) for f in OFFENDER_FIELDS}
    with transaction.atomic():
        offender = offender_services.offender_create(actor=request.user, force=request.user.force, **values)
        if photo_form.has_photo():
            try:
                _add_photo(request, offender, photo_form)
            except ApplicationError as exc:  # leaving the block rolls the person back too
                raise _PhotoRefused(exc) from exc
    if photo_form.has_photo():
        photo_unstage(user=request.user, token=photo_form.staged_token)
    return offender


@desk_page
def offender_edit(request, pk: int):
    offender = offender_or_404(request, pk)
    initial = {f: getattr(offender, f) for f in OFFENDER_FIELDS}
    form = OffenderDeskForm(request.POST or None, initial=initial, force_id=offender.force_id, instance=offender)
    status = 200
    if request.method == "POST":
        try:
            refuse_nul(request)
            if form.is_valid():
                changes = {f: form.cleaned_data.get(f) for f in form.changed_data if f in OFFENDER_FIELDS}
                if changes:
                    offender_services.offender_update(offender=offender, actor=request.user, **changes)
                    messages.success(request, "Details saved.")
                else:
                    messages.info(request, "Nothing was changed.")
                return redirect("desk-offender", pk=offender.pk)
            status = 400
        except ApplicationError as exc:
            apply_errors(form, exc)
            status = error_status(exc)
    context = {"form": form, "offender": offender, "title": f"Change {offender.full_name}'s details"}
    return render(request, "orders/offender_form.html", context, status=status)


@desk_page
def photo_new(request, pk: int):
    offender = offender_or_404(request, pk)
    form = ReferencePhotoDeskForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        try:
            refuse_nul(request)
            if form.is_valid():
                _add_photo(request, offender, form)
                photo_unstage(user=request.user, token=form.staged_token)
                messages.success(request, "Photo added and enrolled: it is searched while an order is in force.")
                return redirect("desk-offender", pk=offender.pk)
            status = 400
        except ApplicationError as exc:
            _photo_refused(request, form, exc)
            status = error_status(exc)
    return render(request, "orders/photo_form.html", {"form": form, "offender": offender}, status=status)


@require_GET
@desk_page
def photo_image(request, pk: int, photo_id: int):
    photo = offender_or_404(request, pk).photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404("No such photo.")
    response = FileResponse(photo.image.open("rb"))
    response["Cache-Control"] = "private, no-store"
    photo_viewed_event(photo=photo, actor=request.user, via="desk")  # one row per image served (never cached)
    return response


@require_GET
@desk_page
def staged_image(request, token: str):
    """A photo this user chose on a form that came back with an error (only its uploader may see it)."""
    staged = photo_staged(user=request.user, token=token)
    if staged is None:
        raise Http404("That photo is no longer held.")
    kind = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[token.rsplit(".", 1)[1]]
    response = HttpResponse(staged.content, content_type=kind)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@desk_page
def photo_remove(request, pk: int, photo_id: int):
    """Remove a reference photo, with why: its face templates go too, so it is no longer searched
    (``workflows.orders.reference_photo_remove``)."""
    offender = offender_or_404(request, pk)
    photo = offender.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404("No such photo.")
    reason = (request.POST.get("reason") or "").strip()
    if not reason or "\x00" in reason:
        why = "Say why the photo is being removed." if not reason else "Null characters are not allowed."
        return _render_offender(request, offender, status=400, refused=(photo.pk, why))
    order_workflows.reference_photo_remove(photo=photo, actor=request.user, reason=reason)
    messages.success(request, "Photo removed: it is no longer searched.")
    return redirect("desk-offender", pk=offender.pk)
