from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts import access
from accounts.admin_scope import ForceScopedAdmin
from accounts.models import Beat, Force, Retailer, Store, User
from accounts.services import validate_membership


@admin.register(Force)
class ForceAdmin(ForceScopedAdmin):
    list_display = ["name", "code"]

    def scope(self, request, qs):
        return qs.filter(pk__in=access.forces_for(request.user))

    # Forces are created and removed by the service operator (a superuser) only.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Beat)
class BeatAdmin(ForceScopedAdmin):
    list_display = ["name", "force"]
    search_fields = ["name"]

    def scope(self, request, qs):
        return qs.filter(pk__in=access.beats_for(request.user))

    def get_exclude(self, request, obj=None):
        return [] if request.user.is_superuser else ["force"]

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.force_id = request.user.force_id
        super().save_model(request, obj, form, change)


@admin.register(Retailer)
class RetailerAdmin(ForceScopedAdmin):
    list_display = ["name"]
    search_fields = ["name"]

    def scope(self, request, qs):
        return qs.filter(pk__in=access.retailers_for(request.user))

    def has_change_permission(self, request, obj=None):
        # A retailer trades in other forces too: only change one whose stores are all in this force.
        if obj is not None and not request.user.is_superuser:
            if obj.stores.exclude(beat__force_id=request.user.force_id).exists():
                return False
        return super().has_change_permission(request, obj)

    has_delete_permission = has_change_permission


@admin.register(Store)
class StoreAdmin(ForceScopedAdmin):
    list_display = ["name", "code", "retailer", "postcode", "beat"]
    # Only the retailers of the stores listed (the admin's force's): a plain filter listed every retailer.
    list_filter = [("retailer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code", "postcode"]
    scoped_choices = {"beat": access.beats_for}

    def scope(self, request, qs):
        return qs.filter(pk__in=access.stores_for(request.user))


class _MembershipFormMixin:
    def clean(self):
        cleaned = super().clean()
        validate_membership(
            role=cleaned.get("role") or "",
            force=cleaned.get("force") or getattr(self, "scoped_force", None),
            stores=list(cleaned.get("stores") or []),
            beats=list(cleaned.get("beats") or []),
        )
        return cleaned


class RetraceUserCreationForm(_MembershipFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "role", "force", "stores", "beats"]


class RetraceUserChangeForm(_MembershipFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(ForceScopedAdmin, DjangoUserAdmin):
    form = RetraceUserChangeForm
    add_form = RetraceUserCreationForm
    list_display = ["username", "get_full_name", "role", "force", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    scoped_choices = {"force": access.forces_for, "stores": access.stores_for, "beats": access.beats_for}
    filter_horizontal = ["stores", "beats"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Role", {"fields": ["role", "force", "stores", "beats", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "password1", "password2", "role", "force", "stores", "beats"]})]
    readonly_fields = ["last_login", "date_joined"]

    def scope(self, request, qs):
        return qs.filter(pk__in=access.users_for(request.user))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.scoped_force = None if request.user.is_superuser else request.user.force
        return form

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.force_id = request.user.force_id
            obj.is_superuser = False
        obj.is_staff = obj.role == User.Role.FORCE_ADMIN or obj.is_superuser
        super().save_model(request, obj, form, change)
