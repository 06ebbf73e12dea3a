"""Every list is paginated one way: a generic ``ListAPIView`` uses ``DefaultPagination`` (the default
class in settings); a list nested under an object answers with ``paginated_response``; a portal page uses
``BoundedPaginator``.

At a national service's size a list can hold millions of rows, and two costs grow with it: counting
them, and skipping to a deep page. So:

- **Counts are bounded.** ``BoundedPaginator`` counts at most ``LIST_COUNT_LIMIT`` rows (10,000 unless
  set) and says so: the API answers ``count_exact: false`` and the pager reads "of more than 10,000". The
  count is one ``SELECT COUNT(*) FROM (... LIMIT n)``, however large the list.
- **Next links are keyset cursors.** Where a list's order is on columns that are never null (every list
  ends its order on ``id``), the API's ``next`` and ``previous`` links carry a signed cursor with the last
  (first) row's sort values, and the next page is the rows after it in that order: an index range scan,
  as fast at row 5,000,000 as at row 1, and no row is skipped or shown twice while rows are being added.
  ``?page=N`` still jumps to a page by number.
"""

import datetime
import decimal
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# More digits than any real page number; also keeps int() clear of Python's 4300-digit limit.
_MAX_DIGITS = 9


class BoundedPaginator(Paginator):
    """Django's paginator with a count that stops at ``count_limit`` (``LIST_COUNT_LIMIT``).

    ``count`` is the true count up to the limit and the limit beyond it; ``count_is_exact`` says which.
    Pages past the limit are not numbered (the API's cursor links go on past it)."""

    def __init__(self, object_list, per_page, *, count_limit: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = settings.LIST_COUNT_LIMIT if count_limit is None else count_limit

    @cached_property
    def _bounded_count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        # No ORDER BY: which rows fill the first limit+1 does not change how many there are, and an
        # order no index serves would sort the whole list first.
        return self.object_list.order_by()[: self.count_limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.count_limit)

    @property
    def count_is_exact(self) -> bool:
        return self._bounded_count <= self.count_limit

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.count_is_exact and top + self.orphans >= self.count:
            top = self.count  # else a full page: more rows lie past the counted ones
        return Page(rows_between(self.object_list, bottom, top), number, self)


def rows_between(rows, bottom: int, top: int) -> list:
    """``rows[bottom:top]``; for a queryset that joins related rows for display (``select_related``), in two
    steps: the page's ids in the list's order from the list's own table (the sort and the skip touch only
    that table and its indexes), then those rows with their related ones. In one step the database may join
    every matching row before sorting them and keeping a page (measured at national size: a beat officer's
    case queue joined 8,700 cases to show 25). A value worked out per row (an annotation such as a subquery)
    comes with the rows and may order them; a list that groups rows (an aggregate) is read in one step."""
    if not isinstance(rows, QuerySet):
        return list(rows[bottom:top])
    query = rows.query
    grouped = any(getattr(value, "contains_aggregate", False) for value in query.annotations.values())
    if not query.select_related or grouped or query.distinct or query.combinator or query.extra:
        return list(rows[bottom:top])
    ids = list(rows.values_list("pk", flat=True)[bottom:top])
    found = rows.order_by().filter(pk__in=ids).in_bulk()
    return [found[pk] for pk in ids if pk in found]  # a row deleted in between is left out


def portal_page(request, rows, per_page: int, *, params=None) -> tuple[Page, str]:
    """One page of ``rows`` for a portal page (``?page=N``; a number out of range gives the nearest page,
    never an error), counted by ``BoundedPaginator``, and the query string of the other parameters
    (``params``, the request's GET unless given) for the pager's links."""
    params = (request.GET if params is None else params).copy()
    page = BoundedPaginator(rows, per_page).get_page(params.get("page"))
    params.pop("page", None)
    return page, params.urlencode()


def _encode(value):
    if isinstance(value, datetime.datetime):
        return {"t": "dt", "v": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"t": "d", "v": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"t": "dec", "v": str(value)}
    if isinstance(value, uuid.UUID):
        return {"t": "uuid", "v": str(value)}
    return value


_DECODERS: dict[str, Callable[[str], object]] = {
    "dt": datetime.datetime.fromisoformat,
    "d": datetime.date.fromisoformat,
    "dec": decimal.Decimal,
    "uuid": uuid.UUID,
}


def _decode(value):
    if isinstance(value, dict):
        return _DECODERS[value["t"]](value["v"])
    return value


class BadCursor(Exception):
    """A cursor that was not made by this list (tampered, truncated or for another order)."""


@dataclass(frozen=True)
class Keyset:
    """The order of a list as keyset keys: ``(path, descending)`` pairs ending on the primary key.

    ``Keyset.of(queryset)`` is None where the order cannot be walked by keys: an expression rather than a
    field name, or a field that may be null (NULL sorts differently on PostgreSQL and SQLite)."""

    keys: tuple[tuple[str, bool], ...]

    @classmethod
    def of(cls, queryset: QuerySet) -> "Keyset | None":
        query = queryset.query
        ordering = list(query.order_by) or (list(queryset.model._meta.ordering) if query.default_ordering else [])
        if not all(isinstance(item, str) and item != "?" for item in ordering):
            return None
        keys = [(str(item).lstrip("-"), str(item).startswith("-")) for item in ordering]
        if not any(path in ("pk", "id") for path, _ in keys):
            keys.append(("id", keys[-1][1] if keys else False))
        for path, _ in keys:
            if path not in query.annotations and not _never_null(queryset.model, path):
                return None
        return cls(tuple(keys))

    def values_of(self, row) -> list | None:
        """The sort values of ``row`` (a model instance), or None if one is null."""
        values = []
        for path, _ in self.keys:
            value = row
            for part in path.split("__"):
                value = getattr(value, "pk" if part == "pk" else part)
            if value is None:
                return None
            values.append(value)
        return values

    def after(self, queryset: QuerySet, values: list, *, backwards: bool = False) -> QuerySet:
        """The rows of ``queryset`` after the row with ``values`` in this order (before it if
        ``backwards``), in the order they are walked (reversed when ``backwards``)."""
        rest = Q()
        for i, (path, descending) in enumerate(self.keys):
            term = Q(**{f"{path}__{'lt' if descending != backwards else 'gt'}": values[i]})
            for (earlier, _), value in zip(self.keys[:i], values[:i], strict=True):
                term &= Q(**{earlier: value})
            rest |= term
        lead, descending = self.keys[0]
        bound = Q(**{f"{lead}__{'lte' if descending != backwards else 'gte'}": values[0]})  # an index range
        order = [("-" if descending != backwards else "") + path for path, descending in self.keys]
        return queryset.filter(bound & rest).order_by(*order)

    def cursor(self, values: list, *, backwards: bool = False) -> str:
        payload = {"k": [list(k) for k in self.keys], "v": [_encode(v) for v in values], "b": backwards}
        return signing.dumps(payload, salt="core.pagination.cursor", compress=True)

    def read(self, cursor: str) -> tuple[list, bool]:
        """The values and direction a cursor carries; ``BadCursor`` if it was not made for this order."""
        try:
            payload = signing.loads(cursor, salt="core.pagination.cursor")
            if tuple(tuple(k) for k in payload["k"]) != self.keys:
                raise BadCursor
            return [_decode(v) for v in payload["v"]], bool(payload["b"])
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise BadCursor from exc


def _never_null(model, path: str) -> bool:
    """Whether the field ``path`` (``a__b__c``) of ``model`` and every relation on the way is NOT NULL."""
    for part in path.split("__"):
        if part == "pk":
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if getattr(field, "null", True):
            return False
        model = field.related_model if field.is_relation else model
        if field.is_relation and model is None:
            return False
    return True


def _whole_number(request, name: str, message: str) -> int | None:
    """The query parameter as a whole number from 1, None when absent, or a 400 with ``message``."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw[: _MAX_DIGITS + 1]) < 1:
        raise ValidationError({name: [message]})
    return int(raw) if len(raw) <= _MAX_DIGITS else 10**_MAX_DIGITS


BAD_CURSOR = (
    "This cursor is not one this list gave out (or the list's sort has changed): start again from the first page."
)


class DefaultPagination(PageNumberPagination):
    """Every list is paginated: ``?page=N&page_size=N`` (at most 200 a page; a larger size is capped), or
    ``?cursor=`` from a ``next`` or ``previous`` link.

    ``count`` stops at ``LIST_COUNT_LIMIT`` (``count_exact`` says whether it did). ``next`` and
    ``previous`` are keyset cursor links wherever the list's order allows it (module docstring), page
    links otherwise. ``page`` or ``page_size`` that is not a whole number from 1 is a 400 naming the
    parameter; a page past the last is a 404 that says how many pages there are; a cursor this list did not
    give out is a 400."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"
    django_paginator_class = BoundedPaginator

    def get_page_size(self, request):
        size = _whole_number(
            request, self.page_size_query_param, f"page_size must be a whole number from 1 to {self.max_page_size}."
        )
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw in self.last_page_strings:
            return paginator.num_pages
        number = _whole_number(request, self.page_query_param, "page must be a whole number from 1 (or 'last').")
        return 1 if number is None else number

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        self.keyset = Keyset.of(queryset) if isinstance(queryset, QuerySet) else None
        self.rows_before = self.rows_after = None
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            return self._keyset_page(queryset, paginator, cursor, page_size)
        number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            pages = paginator.num_pages
            raise NotFound(
                f"There is no page {number}: these results have {pages} page{'s' if pages != 1 else ''}"
                + ("" if paginator.count_is_exact else f" numbered (counting stops at {paginator.count:,})")
                + "."
            ) from None
        self.rows = list(self.page)
        if self.keyset is not None:
            self.rows_before, self.rows_after = self.page.has_previous(), self.page.has_next()
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return self.rows

    def _keyset_page(self, queryset, paginator, cursor: str, page_size: int) -> list:
        if self.keyset is None:
            raise ValidationError({self.cursor_query_param: ["This list is not walked by cursor: use ?page=N."]})
        try:
            values, backwards = self.keyset.read(cursor)
            rows = rows_between(self.keyset.after(queryset, values, backwards=backwards), 0, page_size + 1)
        except BadCursor:
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]}) from None
        more = len(rows) > page_size
        rows = rows[:page_size]
        if backwards:
            rows.reverse()
            self.rows_before, self.rows_after = more, True
        else:
            self.rows_before, self.rows_after = True, more
        self.page = paginator.get_page(1)  # the count only: the rows are the keyset's
        self.rows = rows
        return rows

    def _cursor_link(self, *, backwards: bool) -> str | None:
        assert self.keyset is not None and self.request is not None
        row = self.rows[0 if backwards else -1]
        values = self.keyset.values_of(row)
        if values is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self.keyset.cursor(values, backwards=backwards))

    def get_next_link(self):
        if self.rows_after is None:
            return super().get_next_link()
        return self._cursor_link(backwards=False) if self.rows_after and self.rows else None

    def get_previous_link(self):
        if self.rows_before is None:
            return super().get_previous_link()
        return self._cursor_link(backwards=True) if self.rows_before and self.rows else None

    def get_paginated_response(self, data):
        assert self.page is not None
        paginator: BoundedPaginator = self.page.paginator  # type: ignore[assignment]
        return Response(
            {
                "count": paginator.count,
                "count_exact": paginator.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"]["description"] = (
            "Rows in the list, counted up to LIST_COUNT_LIMIT (10,000 unless set): see count_exact."
        )
        paginated["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "False when counting stopped at the limit: the list holds more rows than count.",
        }
        paginated["required"] = ["count", "count_exact", "results"]
        return paginated

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), CURSOR_PARAMETER_SCHEMA]


CURSOR_DESCRIPTION = "A cursor from a next or previous link: the page after (before) that link's row."
CURSOR_PARAMETER_SCHEMA = {
    "name": "cursor",
    "required": False,
    "in": "query",
    "description": CURSOR_DESCRIPTION,
    "schema": {"type": "string"},
}

# The one way a list is answered outside a generic ListAPIView (a list nested under an object).
PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1 (or 'last')."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Rows a page (default 50, at most 200)."),
    OpenApiParameter("cursor", OpenApiTypes.STR, description=CURSOR_DESCRIPTION),
]


class PageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    count_exact = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


def page_of(item_serializer, name: str) -> type[serializers.Serializer]:
    """The paginated shape of a list of ``item_serializer`` for the schema (``name`` ends in
    ``PageOutputSerializer``)."""
    return type(name, (PageOutputSerializer,), {"results": item_serializer(many=True)})


def paginated_response(*, request, view, queryset, serializer_class, context: dict | None = None) -> Response:
    """One page of ``queryset`` in the list shape every list answers with."""
    paginator = DefaultPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)
