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


PRIORITIES = ("P1", "P2", "P3")


def _in_range(value: int | None) -> bool:
    return value is None or -MAX_ID <= value <= MAX_ID


def _date_range(data: dict, start: str = "from", end: str = "to") -> None:
    first, last = data.get(start), data.get(end)
    if first and last and first > last:
        raise ApplicationError(
            f"'to' ({last}) is before 'from' ({first}).", fields={end: ["Must be on or after 'from'."]}
        )


class CaseQueueFilterSet(ScopedFilterSet):
    """The triage queue's filters. The filtering itself is ``selectors.queue_filter``, the rule the
    queue page uses too: open cases unless ``status`` names one, breaches first unless ``sort`` says.
    ``from`` and ``to`` (the days raised) are added below: they are Python keywords."""

    q = django_filters.CharFilter(help_text="Words to find in the case or incident reference, names, store.")
    status = django_filters.CharFilter(help_text="Default: all open statuses.")
    breach = StrictBooleanFilter(field_name="is_breach")
    priority = django_filters.CharFilter(field_name="incident_priority")
    beat = IdFilter(field_name="beat")
    offender = IdFilter(field_name="offender")
    sort = django_filters.CharFilter(help_text="Default: priority.")

    class Meta:
        model = Case
        fields = ["q", "status", "breach", "priority", "beat", "offender", "sort"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        status = data.get("status") or None
        if status and status not in Case.Status.values:
            raise ApplicationError(f"Unknown status '{status}'.", fields={"status": list(Case.Status.values)})
        sort = data.get("sort") or "priority"
        if sort not in selectors.QUEUE_SORTS:
            raise ApplicationError(f"Unknown sort '{sort}'.", fields={"sort": list(selectors.QUEUE_SORTS)})
        priority = data.get("priority") or None
        if priority and priority not in PRIORITIES:
            raise ApplicationError(f"Unknown priority '{priority}'.", fields={"priority": list(PRIORITIES)})
        _date_range(data)
        beat, offender = data.get("beat"), data.get("offender")
        if not (_in_range(beat) and _in_range(offender)):
            return queryset.none()  # no row has such an id
        return selectors.queue_filter(
            queryset,
            status=status,
            breach=data.get("breach"),
            beat_id=beat,
            priority=priority,
            offender_id=offender,
            raised_from=data.get("from"),
            raised_to=data.get("to"),
            q=(data.get("q") or "").strip(),
            sort=sort,
        )


CaseQueueFilterSet.base_filters["from"] = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
CaseQueueFilterSet.base_filters["to"] = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")


class AccessLogFilterSet(ScopedFilterSet):
    """The access log's filters (``selectors.access_log_filter``, the rule the page uses too): ``user``,
    ``kind``, ``case``, and ``from``/``to`` (the days logged, added below: Python keywords)."""

    class Meta:
        model = CaseAccess
        fields = ["kind", "case", "user"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        _date_range(data)
        user, case = data.get("user"), data.get("case")
        if not (_in_range(user) and _in_range(case)):
            return queryset.none()
        filters = selectors.AccessLogFilters(
            user_id=user,
            kind=data.get("kind") or "",
            case_id=case,
            logged_from=data.get("from"),
            logged_to=data.get("to"),
        )
        return selectors.access_log_filter(queryset, filters)


AccessLogFilterSet.base_filters["from"] = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
AccessLogFilterSet.base_filters["to"] = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
