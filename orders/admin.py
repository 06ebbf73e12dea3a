"""Django admin for offenders, photos, orders and prohibitions, scoped to the force admin's force.

Every save goes through ``orders.services`` (validation and audit). Forms check with the same rules
first so that errors show on the form; an error only the service can find (a photo with no face)
rolls the whole save back and is shown at the top of the page.
"""

import base64
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts import access
from accounts.admin_scope import ForceScopedAdmin, admin_allowed
from accounts.models import Store
from core.exceptions import ApplicationError
from orders import imports, maps, selectors, services
from orders.forms import (
    OffenderAdminForm,
    OrderAdminForm,
    OrderDischargeForm,
    OrderVaryForm,
    PremisesImportForm,
    ProhibitionInlineForm,
    ProhibitionInlineFormSet,
    ReferencePhotoInlineForm,
    prohibition_input,
)
from orders.models import Offender, OffenderEvent, Order, OrderEvent, Prohibition, ReferencePhoto
from orders.services import CORRECTABLE_ORDER_FIELDS, OFFENDER_FIELDS

ADMIN_REASON = "Changed in the admin"


class ServiceErrorsMixin:
    """An ApplicationError raised while saving rolls back the admin's transaction; show it, save nothing.

    On an add page the person's answers come back pre-filled (Django's admin takes initial values from
    the query string), so only the files have to be chosen again."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            kept = self._kept_answers(request) if object_id is None and request.method == "POST" else {}
            note = " Your answers are kept below: choose any files again." if kept else ""
            self.message_user(request, f"Nothing was saved: {exc.message}{note}", level=messages.ERROR)
            url = request.path + (f"?{urlencode(kept)}" if kept else "")
            return HttpResponseRedirect(url if kept else request.get_full_path())

    def _kept_answers(self, request) -> dict:
        fields = getattr(self.form._meta, "fields", None) or []
        return {f: request.POST[f] for f in fields if request.POST.get(f)}


class ForceAdminInline:
    """Inlines follow the scoped admin: force admins (not Django model permissions) may use them."""

    def _allowed(self, request) -> bool:
        return admin_allowed(request.user)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


def _adopt(target, source) -> None:
    """Make the admin's unsaved object the row a service created."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding, target._state.db = False, source._state.db


def _json_lines(values: dict) -> str:
    return format_html_join(mark_safe("<br>"), "{}: {}", ((k, v) for k, v in (values or {}).items())) or "-"


class _HistoryInline(admin.TabularInline):
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "kind", "actor", "old_values", "new_values", "reason"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return admin_allowed(request.user)

    @admin.display(description="old")
    def old_values(self, event):
        return _json_lines(event.old)

    @admin.display(description="new")
    def new_values(self, event):
        return _json_lines(event.new)


class OffenderEventInline(_HistoryInline):
    model = OffenderEvent
    verbose_name_plural = "History (who changed what, old and new values)"


class OrderEventInline(_HistoryInline):
    model = OrderEvent
    readonly_fields = ["created_at", "kind", "effective_on", "actor", "old_values", "new_values", "reason"]
    fields = readonly_fields
    verbose_name_plural = "History (made, served, varied, discharged, corrections)"


def _photo_url(photo: ReferencePhoto) -> str:
    return reverse("api-offender-photo-image", kwargs={"offender_id": photo.offender_id, "photo_id": photo.pk})


class ReferencePhotoInline(ForceAdminInline, admin.TabularInline):
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
        return format_html('<img src="{}" alt="photo {}" style="max-height:90px">', _photo_url(photo), photo.pk)

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


@admin.register(Offender)
class OffenderAdmin(ServiceErrorsMixin, ForceScopedAdmin):
    form = OffenderAdminForm
    inlines = [ReferencePhotoInline, OrderSummaryInline, OffenderEventInline]
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

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data.get(f) for f in OFFENDER_FIELDS if f in form.cleaned_data}
        if change:
            changes = {f: values[f] for f in form.changed_data if f in OFFENDER_FIELDS}
            if changes:
                _adopt(obj, services.offender_update(offender=obj, actor=request.user, **changes))
            return
        force = form.cleaned_data.get("force") if request.user.is_superuser else request.user.force
        created = services.offender_create(actor=request.user, force=force, **values)
        _adopt(obj, created)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ReferencePhoto:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for f in formset.deleted_forms:
            if f.instance.pk:
                photo = ReferencePhoto.objects.get(pk=f.instance.pk)
                services.reference_photo_remove(photo=photo, actor=request.user, reason="Deleted in the admin")
                formset.deleted_objects.append(f.instance)
        for f in formset.forms:
            if f in formset.deleted_forms or not f.has_changed():
                continue
            data = f.cleaned_data
            if not f.instance.pk:
                photo = services.reference_photo_add(
                    offender=form.instance,
                    actor=request.user,
                    image=data["image"],
                    source=data["source"],
                    taken_on=data["taken_on"],
                )
                formset.new_objects.append(photo)
            elif "image" in f.changed_data:
                raise ApplicationError("To replace a photo's image, delete the photo and add a new one.")
            else:
                photo = ReferencePhoto.objects.get(pk=f.instance.pk)
                services.reference_photo_update(
                    photo=photo, actor=request.user, source=data["source"], taken_on=data["taken_on"]
                )
                formset.changed_objects.append((photo, f.changed_data))


class ProhibitionInline(ForceAdminInline, admin.StackedInline):
    model = Prohibition
    form = ProhibitionInlineForm
    formset = ProhibitionInlineFormSet
    extra = 0
    filter_horizontal = ["stores", "beats"]
    readonly_fields = ["in_effect", "covers", "zone_map"]
    fieldsets = [
        (None, {"fields": ["kind", "description", ("starts_on", "ends_on"), "in_effect"]}),
        ("Named premises", {"fields": ["stores"]}),
        ("Retailer within an area", {"fields": ["retailer", "beats"]}),
        ("Circle (retailer area or zone)", {"fields": [("centre_latitude", "centre_longitude", "radius_m")]}),
        ("Exclusion zone drawn on a map", {"fields": ["polygon"]}),
        ("What it covers now", {"fields": ["covers", "zone_map"]}),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "stores" and not request.user.is_superuser:
            kwargs["queryset"] = access.stores_for(request.user)
        if db_field.name == "beats" and not request.user.is_superuser:
            kwargs["queryset"] = access.beats_for(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "retailer" and not request.user.is_superuser:
            kwargs["queryset"] = access.retailers_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="in effect")
    def in_effect(self, p):
        if not p.pk:
            return "-"
        bits = []
        if p.added_on:
            bits.append(f"added by variation from {p.added_on:%d/%m/%Y}")
        if p.removed_on:
            bits.append(f"removed by variation from {p.removed_on:%d/%m/%Y}")
        return "; ".join(bits) or "for the whole order (or its own period above)"

    @admin.display(description="stores covered")
    def covers(self, p):
        if not p.pk:
            return "-"
        stores = selectors.stores_covered(p)
        if not stores:
            return "No store of the force is covered."
        return format_html_join(
            mark_safe("<br>"), "{} {} ({}), {}", ((s.retailer.name, s.name, s.code, s.postcode) for s in stores)
        )

    @admin.display(description="zone")
    def zone_map(self, p):
        if not p.pk or not (p.polygon or p.has_circle):
            return "-"
        candidates = list(Store.objects.filter(beat__force_id=p.order.offender.force_id).select_related("retailer"))
        covered = {s.pk for s in selectors.stores_covered(p)}
        return maps.zone_svg(p, candidates, covered)


@admin.register(Order)
class OrderAdmin(ServiceErrorsMixin, ForceScopedAdmin):
    form = OrderAdminForm
    inlines = [ProhibitionInline, OrderEventInline]
    change_form_template = "admin/orders/order/change_form.html"
    list_display = ["case_reference", "offender", "kind", "court", "effective_from", "end", "served_on", "status"]
    list_filter = ["kind", "youth", "indefinite"]
    search_fields = ["case_reference", "court", "offender__given_names", "offender__family_name",
                     "offender__aliases", "offender__pnc_id"]  # fmt: skip
    readonly_fields = ["status", "next_review", "superseded_on", "discharged_on"]
    scoped_choices = {"offender": selectors.offenders_for, "replaces": selectors.orders_for}

    def scope(self, request, qs):
        return qs.filter(pk__in=selectors.orders_for(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "offender", "replaces"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # an order is discharged or varied, never deleted

    @admin.display(description="ends")
    def end(self, order):
        return "indefinite" if order.indefinite else order.ends_on

    @admin.display(description="status")
    def status(self, order):
        today = timezone.localdate()
        if not order.pk:
            return "-"
        if order.discharged_on:
            return f"discharged from {order.discharged_on:%d/%m/%Y}"
        if order.superseded_on:
            return f"replaced by a full order from {order.superseded_on:%d/%m/%Y}"
        if not order.served_on:
            return "not yet served"
        if order.in_force_on(today):
            return "in force"
        return "not yet in effect" if order.effective_from > today else "ended"

    @admin.display(description="next youth review due")
    def next_review(self, order):
        if not order.pk:
            return "-"
        due = order.next_review_due(timezone.localdate())
        return due or "-"

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f in CORRECTABLE_ORDER_FIELDS}
        if not change:
            order = services.order_create(
                offender=form.cleaned_data["offender"],
                actor=request.user,
                replaces=form.cleaned_data.get("replaces"),
                **data,
            )
            _adopt(obj, order)
            return
        current = Order.objects.get(pk=obj.pk)
        changes = {f: data[f] for f in form.changed_data if f in data}
        if "served_on" in changes and current.served_on is None and changes["served_on"]:
            services.order_serve(
                order=current,
                actor=request.user,
                served_on=changes.pop("served_on"),
                served_by=changes.pop("served_by", current.served_by),
            )
        if changes:
            services.order_correct(order=current, actor=request.user, reason=ADMIN_REASON, **changes)
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is not Prohibition:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for f in formset.deleted_forms:
            if f.instance.pk:
                p = Prohibition.objects.get(pk=f.instance.pk)
                services.prohibition_delete(prohibition=p, actor=request.user, reason="Deleted in the admin")
                formset.deleted_objects.append(f.instance)
        for f in formset.forms:
            if f in formset.deleted_forms or not f.has_changed():
                continue
            data = prohibition_input(f.cleaned_data)
            if f.instance.pk:
                p = Prohibition.objects.get(pk=f.instance.pk)
                services.prohibition_correct(prohibition=p, actor=request.user, data=data, reason=ADMIN_REASON)
                formset.changed_objects.append((p, f.changed_data))
            else:
                formset.new_objects.append(services.prohibition_add(order=form.instance, actor=request.user, data=data))

    # Discharge, variation and CSV import pages ----------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:order_id>/discharge/", view(self.discharge_view), name="orders_order_discharge"),
            path("<int:order_id>/vary/", view(self.vary_view), name="orders_order_vary"),
            path("<int:order_id>/import-premises/", view(self.import_view), name="orders_order_import"),
            *super().get_urls(),
        ]

    def _order(self, request, order_id: int) -> Order:
        order = self.get_queryset(request).filter(pk=order_id).first()
        if order is None or not self.has_change_permission(request, order):
            raise Http404
        return order

    def _page(self, request, order, title, template, **context):
        return TemplateResponse(
            request,
            f"admin/orders/order/{template}",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "original": order, "title": title,
             "change_url": reverse("admin:orders_order_change", args=[order.pk]), **context},
        )  # fmt: skip

    def _done(self, request, order, message):
        self.message_user(request, message, level=messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def discharge_view(self, request, order_id: int):
        order = self._order(request, order_id)
        form = OrderDischargeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.order_discharge(order=order, actor=request.user, **form.cleaned_data)
                return self._done(request, order, f"Order {order.case_reference} discharged.")
            except ApplicationError as exc:
                form.add_error(None, exc.message)
        return self._page(request, order, f"Discharge {order}", "action_form.html", form=form)

    def vary_view(self, request, order_id: int):
        order = self._order(request, order_id)
        form = OrderVaryForm(request.POST or None, order=order)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            terms = {}
            if data["indefinite"]:
                terms["indefinite"] = True
            elif data["ends_on"]:
                terms.update(ends_on=data["ends_on"], indefinite=False)
            try:
                services.order_vary(
                    order=order,
                    actor=request.user,
                    varied_on=data["varied_on"],
                    reason=data["reason"],
                    remove_prohibitions=list(data["remove_prohibitions"]),
                    add_prohibitions=form.added_prohibitions(),
                    **terms,
                )
                return self._done(request, order, f"Order {order.case_reference} varied.")
            except ApplicationError as exc:
                form.add_error(None, exc.message)
        return self._page(request, order, f"Vary {order}", "action_form.html", form=form)

    def import_view(self, request, order_id: int):
        order = self._order(request, order_id)
        form = PremisesImportForm(request.POST or None, request.FILES or None, order=order)
        report = None
        if request.method == "POST" and form.is_valid():
            content = form.file_bytes()
            if content is None:
                form.add_error("file", "Choose a CSV file.")
            else:
                confirm = "import" in request.POST
                try:
                    report = imports.premises_import(
                        order=order,
                        actor=request.user,
                        content=content,
                        dry_run=not confirm,
                        description=form.cleaned_data["description"],
                        prohibition=form.cleaned_data["prohibition"],
                    )
                    if confirm:
                        return self._done(
                            request, order, f"{report.store_count} stores imported as prohibited premises."
                        )
                    form = PremisesImportForm(
                        initial={**form.cleaned_data, "content": base64.b64encode(content).decode()}, order=order
                    )
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
                    for line, errors in exc.fields.items():
                        if line.startswith("line "):
                            form.add_error(None, f"{line}: {errors[0]}")
        return self._page(request, order, f"Import prohibited premises for {order}", "import_premises.html",
                          form=form, report=report)  # fmt: skip
