"""Every list is paginated one way: a generic ``ListAPIView`` uses ``DefaultPagination`` (the default
class in settings); a list nested under an object answers with ``paginated_response``."""

from django.core.paginator import InvalidPage
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

# More digits than any real page number; also keeps int() clear of Python's 4300-digit limit.
_MAX_DIGITS = 9


def _whole_number(request, name: str, message: str) -> int | None:
    """The query parameter as a whole number from 1, None when absent, or a 400 with ``message``."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw[: _MAX_DIGITS + 1]) < 1:
        raise ValidationError({name: [message]})
    return int(raw) if len(raw) <= _MAX_DIGITS else 10**_MAX_DIGITS


class DefaultPagination(PageNumberPagination):
    """Every list is paginated: ``?page=N&page_size=N`` (at most 200 a page; a larger size is capped).

    ``page`` or ``page_size`` that is not a whole number from 1 is a 400 naming the parameter (DRF's
    default answered ``page=abc`` with 404 "Invalid page." and silently ignored ``page_size=-1``);
    a page past the last is a 404 that says how many pages there are."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

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
        number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            pages = paginator.num_pages
            raise NotFound(
                f"There is no page {number}: these results have {pages} page{'s' if pages != 1 else ''}."
            ) from None
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)


# The one way a list is answered outside a generic ListAPIView (a list nested under an object).
PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1 (or 'last')."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Rows a page (default 50, at most 200)."),
]


class PageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
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
