"""Query filters for list APIs.

django-filter's default for a foreign key is a ModelChoiceFilter over *every* row of the related
model, so ``?offender=<id of another force's offender>`` answered 200 (empty) while an id that does
not exist answered 400: the difference told a user which ids exist outside their scope. Here a
foreign key is filtered as a plain id on the already-scoped queryset: an id outside the user's scope
and an id that does not exist both give an empty list, and a value that is not a whole number is a 400.
"""

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from django_filters.rest_framework.filterset import FILTER_FOR_DBFIELD_DEFAULTS

# The largest id a database row can have (BigAutoField). A larger id in a foreign-key lookup is not
# caught by Django on SQLite (OverflowError, a 500), so callers check it first.
MAX_ID = 2**63 - 1


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in the service's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def within_days(qs, field: str, first: datetime.date | None = None, last: datetime.date | None = None):
    """The rows of ``qs`` whose datetime ``field`` falls on the days ``first`` to ``last`` (both included,
    either may be absent) in the service's time zone. A range on the column itself, so that an index on
    it serves: ``field__date`` casts every row's value and reads them all."""
    if first:
        qs = qs.filter(**{f"{field}__gte": local_midnight(first)})
    if last:
        qs = qs.filter(**{f"{field}__lt": local_midnight(last + datetime.timedelta(days=1))})
    return qs


def hide_long_choices(form: forms.Form, *names: str) -> None:
    """Turn each named choice field with more than ``INCIDENT_FILTER_CHOICES_MAX`` choices into a hidden input.
    A large force has thousands of stores and staff: a drop-down of them all made every page of a list hundreds
    of kilobytes and most of a second to draw. A value chosen by a link elsewhere is still kept as a filter."""
    limit = settings.INCIDENT_FILTER_CHOICES_MAX
    for name in names:
        field = form.fields[name]
        assert isinstance(field, forms.ModelChoiceField)  # the multiple-choice field is one too
        # Counted by id alone (a distinct over whole user rows cost 35 ms at a large force's size).
        if field.queryset is not None and field.queryset.order_by().values("pk")[: limit + 1].count() > limit:
            field.widget = forms.HiddenInput()


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of rows by id, where an id past the largest a row can have (``MAX_ID``) is an
    invalid choice like any other, not an OverflowError from SQLite (a 500)."""

    def _check_values(self, value):
        for pk in value or []:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # Django names a value that is not an id itself
            if abs(number) > MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # Django's own hook, absent from the stubs


def one_or_many(value) -> list:
    """A filter value given as one item or several (a list, tuple, set or queryset), as a list: the lists'
    ``beat`` filters take one beat or any of several."""
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return list(value)
    return [value]


class IdFormField(forms.IntegerField):
    default_error_messages = {"invalid": "Give an id: a whole number."}


class IdFilter(django_filters.Filter):
    """Rows whose foreign key is this id (a whole number; ``1.5`` or ``²`` is a 400, not a 500)."""

    field_class = IdFormField

    def filter(self, qs, value):
        if value is not None and not -MAX_ID <= value <= MAX_ID:
            return qs.none()  # no row has such an id
        return super().filter(qs, value)


ID_FILTER = {"filter_class": IdFilter}


class ScopedFilterSet(FilterSet):
    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.ForeignKey: ID_FILTER,
        models.OneToOneField: ID_FILTER,
    }


class ScopedFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend whose ``filterset_fields`` filter foreign keys by id (see the module doc)."""

    filterset_base = ScopedFilterSet
