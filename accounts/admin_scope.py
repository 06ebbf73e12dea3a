"""Django admin scoped to the signed-in force admin's force (superusers see everything), and the plumbing
of an admin whose saves go through services (``ServiceErrorsMixin``, ``ServiceFormsetsMixin``, ``adopt``)."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseRedirect

from accounts.access import is_force_admin_of
from core.exceptions import ApplicationError


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


class ReadOnlyScopedAdmin(ForceScopedAdmin):
    """Rows of the force (reached by ``force_path``) shown, never added or changed in the admin: they
    are written by services elsewhere. Only a superuser may delete, and only where ``superuser_deletes``."""

    force_path = "force"
    superuser_deletes = False

    def scope(self, request, qs):
        return qs.filter(**{f"{self.force_path}_id": request.user.force_id})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.superuser_deletes and request.user.is_superuser


class ForceScopedInline:
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


# Saving through services ----------------------------------------------------------------------


class ServiceErrorsMixin:
    """An ``ApplicationError`` raised while saving rolls back the admin's transaction (Django wraps the
    change form in one): show it, save nothing.

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


def adopt(target: Model, source: Model) -> None:
    """Make the admin's unsaved object the row a service created (so the admin's redirect and log find it)."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding, target._state.db = False, source._state.db


@dataclass(frozen=True)
class InlineServices:
    """How an inline's rows are written, each by a service: ``create(request, parent, form)`` and
    ``change(request, parent, row, form)`` return the row written, ``delete(request, parent, row)`` removes
    one. ``row`` is fresh from the database (the form's own instance already holds the typed values);
    ``form.cleaned_data`` is what was typed."""

    create: Callable[[HttpRequest, Model, BaseForm], Model]
    change: Callable[[HttpRequest, Model, Model, BaseForm], Model]
    delete: Callable[[HttpRequest, Model, Model], None]


class ServiceFormsetsMixin:
    """``save_formset`` for inlines whose rows are written by services (validation and audit there), named
    per inline model in ``inline_services``; other inlines save as Django does. Pair with
    ``ServiceErrorsMixin`` so that a service's refusal saves nothing and says why."""

    inline_services: dict[type[Model], InlineServices] = {}

    def save_formset(self, request, form, formset, change):
        services = self.inline_services.get(formset.model)
        if services is None:
            return super().save_formset(request, form, formset, change)
        parent, rows = form.instance, formset.model._default_manager
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for f in formset.deleted_forms:
            if f.instance.pk:
                services.delete(request, parent, rows.get(pk=f.instance.pk))
                formset.deleted_objects.append(f.instance)
        for f in formset.forms:
            if f in formset.deleted_forms or not f.has_changed():
                continue
            if f.instance.pk:
                row = services.change(request, parent, rows.get(pk=f.instance.pk), f)
                formset.changed_objects.append((row, f.changed_data))
            else:
                formset.new_objects.append(services.create(request, parent, f))
