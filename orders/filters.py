"""Filters of the offender and order lists (``ScopedFilterSet``: a foreign key is filtered as a plain id
on the already scoped queryset)."""

import django_filters
from django import forms
from django.utils import timezone
from rest_framework.fields import BooleanField

from core.filters import MAX_ID, IdFilter, ScopedFilterSet
from orders import selectors
from orders.models import Offender, Order


class StrictBooleanField(forms.Field):
    """true/false as the API's boolean fields read them (``yes``, ``1``, ``off``, ...); anything else is a 400,
    not a filter silently left out."""

    default_error_messages = {"invalid": "Must be a valid boolean."}

    def to_python(self, value):
        text = value.lower() if isinstance(value, str) else value
        if text in BooleanField.NULL_VALUES:
            return None
        if text in BooleanField.TRUE_VALUES:
            return True
        if text in BooleanField.FALSE_VALUES:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class OffenderFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", help_text="Part of a name, an alias or a PNC ID.")
    in_gallery = StrictBooleanFilter(method="gallery", help_text="Has an order in force and served now.")

    class Meta:
        model = Offender
        fields = ["q", "in_gallery"]

    def search(self, qs, name, value):
        return selectors.offenders_search(qs, q=value)

    def gallery(self, qs, name, value):
        live = selectors.orders_in_force(at=timezone.now()).values("offender_id")
        return qs.filter(pk__in=live) if value else qs.exclude(pk__in=live)


class OrderFilterSet(ScopedFilterSet):
    offender = IdFilter(field_name="offender_id", max_value=MAX_ID, help_text="Only this person's orders.")
    in_force = StrictBooleanFilter(method="live", help_text="In force and served now (or not).")

    class Meta:
        model = Order
        fields = ["offender", "in_force"]

    def live(self, qs, name, value):
        live = selectors.orders_in_force(at=timezone.now()).values("pk")
        return qs.filter(pk__in=live) if value else qs.exclude(pk__in=live)
