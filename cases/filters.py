"""Filter sets of the cases lists: the API's one filtering pattern (a generic ListAPIView with an explicit
``filterset_class`` over a selector's queryset)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from cases import selectors
from cases.models import Case, CaseAccess
from core.exceptions import ApplicationError
from core.filters import MAX_ID, IdFilter, ScopedFilterSet


class StrictBooleanField(forms.Field):
    """true or false, read as DRF's BooleanField reads them; anything else is a 400 (django-filter's
    BooleanFilter quietly ignored ``?breach=maybe``)."""

    default_error_messages = {"invalid": "Must be a valid boolean."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if value in serializers.BooleanField.TRUE_VALUES:
            return True
        if value in serializers.BooleanField.FALSE_VALUES:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class CaseQueueFilterSet(ScopedFilterSet):
    """The triage queue's filters. The filtering itself is ``selectors.queue_filter``, the rule the
    queue page uses too: open cases unless ``status`` names one, breaches first unless ``sort`` says."""

    status = django_filters.CharFilter(help_text="Default: all open statuses.")
    breach = StrictBooleanFilter(field_name="is_breach")
    beat = IdFilter(field_name="beat")
    sort = django_filters.CharFilter(help_text="Default: priority.")

    class Meta:
        model = Case
        fields = ["status", "breach", "beat", "sort"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        status = data.get("status") or None
        if status and status not in Case.Status.values:
            raise ApplicationError(f"Unknown status '{status}'.", fields={"status": list(Case.Status.values)})
        sort = data.get("sort") or "priority"
        if sort not in selectors.QUEUE_SORTS:
            raise ApplicationError(f"Unknown sort '{sort}'.", fields={"sort": list(selectors.QUEUE_SORTS)})
        beat = data.get("beat")
        if beat is not None and not -MAX_ID <= beat <= MAX_ID:
            return queryset.none()  # no beat has such an id
        return selectors.queue_filter(queryset, status=status, breach=data.get("breach"), beat_id=beat, sort=sort)


class AccessLogFilterSet(ScopedFilterSet):
    class Meta:
        model = CaseAccess
        fields = ["kind", "case", "user"]
