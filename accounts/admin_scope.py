"""Django admin scoped to the signed-in force admin's force (superusers see everything)."""

from django.contrib import admin

from accounts.access import is_force_admin_of


def admin_allowed(user) -> bool:
    """Staff who administer a force (or superusers): the only people the admin lets in."""
    return bool(user.is_staff and is_force_admin_of(user))


class ForceScopedAdmin(admin.ModelAdmin):
    """Subclasses say which rows a force admin may see (``scope``) and which choices each
    relation offers (``scoped_choices``). Objects outside the scope are simply not found."""

    #: field name -> callable(user) returning the queryset of allowed choices
    scoped_choices: dict = {}

    def scope(self, request, qs):
        raise NotImplementedError

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else self.scope(request, qs)

    def _allowed(self, request) -> bool:
        return admin_allowed(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def _limit(self, db_field, request, kwargs):
        chooser = self.scoped_choices.get(db_field.name)
        if chooser and not request.user.is_superuser:
            kwargs["queryset"] = chooser(request.user)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **self._limit(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._limit(db_field, request, kwargs))
