"""Orders in the admin: the order, its prohibitions (what each covers now, and a sketch of a zone) and
its history; recording and correcting go through services and ``workflows.orders``."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from accounts import access
from accounts.admin_scope import (
    ForceScopedAdmin,
    ForceScopedInline,
    InlineServices,
    ServiceErrorsMixin,
    ServiceFormsetsMixin,
    adopt,
)
from accounts.models import Store
from orders import in_force, maps, selectors
from orders.admin.history import OrderEventInline
from orders.admin.order_pages import OrderPagesMixin
from orders.forms import OrderAdminForm, ProhibitionInlineForm, ProhibitionInlineFormSet, prohibition_input
from orders.models import Order, Prohibition
from orders.services import prohibitions as prohibition_services
from orders.services.orders import CORRECTABLE_ORDER_FIELDS
from workflows import orders as order_workflows

ADMIN_REASON = "Changed in the admin"


class ProhibitionInline(ForceScopedInline, admin.StackedInline):
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


def _prohibition_add(request, order, form) -> Prohibition:
    return order_workflows.prohibition_add(order=order, actor=request.user, data=prohibition_input(form.cleaned_data))


def _prohibition_correct(request, order, prohibition, form) -> Prohibition:
    data = prohibition_input(form.cleaned_data)
    return order_workflows.prohibition_correct(prohibition=prohibition, actor=request.user, data=data,
                                               reason=ADMIN_REASON)  # fmt: skip


def _prohibition_delete(request, order, prohibition) -> None:
    prohibition_services.prohibition_delete(prohibition=prohibition, actor=request.user, reason="Deleted in the admin")


@admin.register(Order)
class OrderAdmin(ServiceErrorsMixin, ServiceFormsetsMixin, OrderPagesMixin, ForceScopedAdmin):
    form = OrderAdminForm
    inlines = [ProhibitionInline, OrderEventInline]
    inline_services = {
        Prohibition: InlineServices(create=_prohibition_add, change=_prohibition_correct, delete=_prohibition_delete)
    }
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
        return in_force.order_status(order, timezone.localdate()) if order.pk else "-"

    @admin.display(description="next youth review due")
    def next_review(self, order):
        if not order.pk:
            return "-"
        return order.next_review_due(timezone.localdate()) or "-"

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f in CORRECTABLE_ORDER_FIELDS}
        if not change:
            offender, replaces = form.cleaned_data["offender"], form.cleaned_data.get("replaces")
            adopt(obj, order_workflows.order_create(offender=offender, actor=request.user, replaces=replaces, **data))
            return
        current = Order.objects.get(pk=obj.pk)
        changes = {f: data[f] for f in form.changed_data if f in data}
        if "served_on" in changes and current.served_on is None and changes["served_on"]:
            served_on, served_by = changes.pop("served_on"), changes.pop("served_by", current.served_by)
            order_workflows.order_serve(order=current, actor=request.user, served_on=served_on, served_by=served_by)
        if changes:
            order_workflows.order_correct(order=current, actor=request.user, reason=ADMIN_REASON, **changes)
        obj.refresh_from_db()
