"""Filters of the incident list: the API's one filtering pattern (a generic ``ListAPIView`` with an explicit
``filterset_class`` over a selector's queryset). The filtering itself is ``selectors.incidents_filter``, the
rule the portal's list page uses too. Bad values are a 400 naming the parameter, in the words the API's
serializers use."""

import django_filters

from core.filters import MAX_ID, IdFilter, ScopedFilterSet
from incidents import selectors
from incidents.models import Incident

_NOT_A_CHOICE = {"invalid_choice": '"%(value)s" is not a valid choice.'}
_NOT_A_TIME = {
    "invalid": "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
}


class IncidentFilterSet(ScopedFilterSet):
    store = IdFilter(max_value=MAX_ID)
    category = django_filters.ChoiceFilter(choices=Incident.Category.choices, error_messages=_NOT_A_CHOICE)
    status = django_filters.ChoiceFilter(choices=Incident.Status.choices, error_messages=_NOT_A_CHOICE)
    priority = django_filters.ChoiceFilter(choices=Incident.Priority.choices, error_messages=_NOT_A_CHOICE)
    occurred_after = django_filters.IsoDateTimeFilter(
        help_text="Happened at or after this time.", error_messages=_NOT_A_TIME
    )
    occurred_before = django_filters.IsoDateTimeFilter(
        help_text="Happened before this time.", error_messages=_NOT_A_TIME
    )
    q = django_filters.CharFilter(
        help_text="Search the reference, the description and the store (name, code, postcode)."
    )
    beat = IdFilter(field_name="store__beat", max_value=MAX_ID, help_text="The store's beat (id).")
    reporter = IdFilter(field_name="reported_by", max_value=MAX_ID, help_text="Reported by this user (id).")
    taken = django_filters.ChoiceFilter(
        choices=[("yes", "yes"), ("no", "no")],
        help_text="`no`: nobody has taken it on yet and it is open; `yes`: taken on by police.",
        error_messages=_NOT_A_CHOICE,
    )

    class Meta:
        model = Incident
        fields = [
            "store",
            "category",
            "status",
            "priority",
            "occurred_after",
            "occurred_before",
            "q",
            "beat",
            "reporter",
            "taken",
        ]

    def filter_queryset(self, queryset):
        given = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")}
        if "taken" in given:
            given["taken"] = given["taken"] == "yes"
        return selectors.incidents_filter(queryset, **given)
