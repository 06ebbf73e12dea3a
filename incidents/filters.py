"""Filters of the incident list: the API's one filtering pattern (a generic ``ListAPIView`` with an explicit
``filterset_class`` over a selector's queryset). The filtering itself is ``selectors.incidents_filter``, the
rule the portal's list page uses too. Bad values are a 400 naming the parameter, in the words the API's
serializers use."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from core.filters import MAX_ID, IdFilter, ScopedFilterSet
from incidents import selectors
from incidents.models import Incident

_NOT_A_CHOICE = {"invalid_choice": '"%(value)s" is not a valid choice.'}
_NOT_A_TIME = {
    "invalid": "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
}

# ``?beat=mine``: the beats the (beat officer) user covers.
MY_BEATS = "mine"


class BeatIdsFormField(forms.Field):
    """``beat`` given once or several times: beat ids (whole numbers) or ``mine``."""

    widget = forms.SelectMultiple  # every value of the repeated parameter

    def to_python(self, value):
        values = [value] if isinstance(value, str) else list(value or [])
        beats = []
        for given in (v.strip() for v in values if v is not None):
            if not given:
                continue
            if given == MY_BEATS:
                beats.append(MY_BEATS)
            elif given.isascii() and given.isdigit() and int(given) <= MAX_ID:
                beats.append(int(given))
            elif given.isascii() and given.isdigit():
                beats.append(0)  # no beat has such an id: it matches nothing
            else:
                message = f'Give beat ids (whole numbers) or "{MY_BEATS}": "{given[:40]}" is neither.'
                raise forms.ValidationError(message)
        return beats


@extend_schema_field({"type": "string", "pattern": "^([0-9]+|mine)$"})
class BeatsFilter(django_filters.MultipleChoiceFilter):
    """Rows of any of these beats; the filtering is the filter set's (``IncidentFilterSet.filter_queryset``)."""

    field_class = BeatIdsFormField


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
    beat = BeatsFilter(
        field_name="store__beat",
        help_text="The store's beat: an id, repeated for several (`beat=1&beat=2`, any of them), or `mine` for "
        "the beats you cover as a beat officer (none for other users).",
    )
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
        if given.get("beat"):
            given["beat"] = self._beat_ids(given["beat"])
            if not given["beat"]:
                return queryset.none()  # "mine" for a user who covers no beats
        else:
            given.pop("beat", None)
        if "taken" in given:
            given["taken"] = given["taken"] == "yes"
        return selectors.incidents_filter(queryset, **given)

    def _beat_ids(self, values: list) -> list[int]:
        ids = {v for v in values if v != MY_BEATS}
        user = getattr(self.request, "user", None)
        if MY_BEATS in values and getattr(user, "is_beat_officer", False):
            ids |= set(user.beats.filter(force_id=user.force_id).values_list("pk", flat=True))
        return sorted(ids)
