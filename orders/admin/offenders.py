"""Offenders in the admin: the person, their reference photos (enrolled when saved), their orders and history."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts import access
from accounts.admin_scope import (
    ForceScopedAdmin,
    ForceScopedInline,
    InlineServices,
    ServiceErrorsMixin,
    ServiceFormsetsMixin,
    admin_allowed,
    adopt,
)
from core.exceptions import ApplicationError
from orders import selectors
from orders.admin.history import OffenderEventInline, photo_views_html
from orders.events import OFFENDER_FIELDS
from orders.forms import OffenderAdminForm, ReferencePhotoInlineForm
from orders.models import Offender, Order, ReferencePhoto
from orders.services import offenders as offender_services
from orders.services import photos as photo_services
from workflows import orders as order_workflows


def _photo_url(photo: ReferencePhoto) -> str:
    return reverse("api-offender-photo-image", kwargs={"offender_id": photo.offender_id, "photo_id": photo.pk})


class ReferencePhotoInline(ForceScopedInline, admin.TabularInline):
    model = ReferencePhoto
    form = ReferencePhotoInlineForm
    extra = 1
    fields = ["preview", "image", "source", "taken_on", "templates", "created_at"]
    readonly_fields = ["preview", "templates", "created_at"]
    verbose_name_plural = "Reference photos (exactly one face each; enrolled for matching when saved)"

    @admin.display(description="photo")
    def preview(self, photo):
        if not photo.pk:
            return "-"
        return format_html('<img src="{}" alt="photo {}" height="90">', _photo_url(photo), photo.pk)

    @admin.display(description="face templates")
    def templates(self, photo):
        return photo.templates.count() if photo.pk and hasattr(photo, "templates") else 0

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields


class OrderSummaryInline(admin.TabularInline):
    """The person's orders, at a glance; each opens in the order's own page."""

    model = Order
    fk_name = "offender"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["case_reference", "kind", "court", "effective_from", "last_day", "served_on", "youth_review"]
    readonly_fields = fields
    verbose_name_plural = "Orders"

    def has_view_permission(self, request, obj=None):
        return admin_allowed(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="last day in force")
    def last_day(self, order):
        return order.last_day or "indefinite"

    @admin.display(description="next youth review due")
    def youth_review(self, order):
        return order.next_review_due(timezone.localdate()) or "-"


def _photo_add(request, offender, form) -> ReferencePhoto:
    data = form.cleaned_data
    return order_workflows.reference_photo_add(
        offender=offender, actor=request.user, image=data["image"], source=data["source"], taken_on=data["taken_on"]
    )


def _photo_change(request, offender, photo, form) -> ReferencePhoto:
    if "image" in form.changed_data:
        raise ApplicationError("To replace a photo's image, delete the photo and add a new one.")
    data = form.cleaned_data
    return photo_services.reference_photo_update(
        photo=photo, actor=request.user, source=data["source"], taken_on=data["taken_on"]
    )


def _photo_remove(request, offender, photo) -> None:
    order_workflows.reference_photo_remove(photo=photo, actor=request.user, reason="Deleted in the admin")


@admin.register(Offender)
class OffenderAdmin(ServiceErrorsMixin, ServiceFormsetsMixin, ForceScopedAdmin):
    form = OffenderAdminForm
    inlines = [ReferencePhotoInline, OrderSummaryInline, OffenderEventInline]
    readonly_fields = ["photos_viewed"]
    inline_services = {ReferencePhoto: InlineServices(create=_photo_add, change=_photo_change, delete=_photo_remove)}
    list_display = ["family_name", "given_names", "alias_text", "pnc_id", "date_of_birth", "in_gallery", "photo_count"]
    search_fields = ["given_names", "family_name", "aliases", "pnc_id"]
    scoped_choices = {"force": access.forces_for}

    def scope(self, request, qs):
        return qs.filter(pk__in=selectors.offenders_for(request.user).values("pk"))

    def get_search_results(self, request, queryset, search_term):
        qs, dupes = super().get_search_results(request, queryset, search_term)
        found = selectors.offenders_search(queryset, q=search_term).values("pk") if search_term else None
        return (qs | queryset.filter(pk__in=found)) if found is not None else qs, dupes

    def get_exclude(self, request, obj=None):
        return [] if request.user.is_superuser else ["force"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.scoped_force_id = None if request.user.is_superuser else request.user.force_id
        return form

    def has_delete_permission(self, request, obj=None):
        return False  # people stay on file with their orders' history; retention removes photos

    @admin.display(description="aliases")
    def alias_text(self, offender):
        return ", ".join(offender.alias_list)

    @admin.display(description="in gallery now", boolean=True)
    def in_gallery(self, offender):
        return selectors.offender_in_gallery(offender=offender, at=timezone.now())

    @admin.display(description="photos")
    def photo_count(self, offender):
        return offender.photos.count()

    @admin.display(description="reference photos viewed")
    def photos_viewed(self, offender):
        return photo_views_html(offender)

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data.get(f) for f in OFFENDER_FIELDS if f in form.cleaned_data}
        if change:
            changes = {f: values[f] for f in form.changed_data if f in OFFENDER_FIELDS}
            if changes:
                adopt(obj, offender_services.offender_update(offender=obj, actor=request.user, **changes))
            return
        force = form.cleaned_data.get("force") if request.user.is_superuser else request.user.force
        adopt(obj, offender_services.offender_create(actor=request.user, force=force, **values))
