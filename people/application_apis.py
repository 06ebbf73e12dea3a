"""The people API for CBO applications: start one for a person, read and list them, set the summary, the
period and the proposed prohibitions, build the bundle, and download it as PDF or zip (each download logged as
the portal's is). The same services as the pages (``people.bundle``, ``people.services``): police of the force
only (an officer's chronology holds the links in the beats they cover); shop workers and other forces get 404."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Beat, Retailer, Store
from core.exceptions import ApplicationError, ErrorCode
from core.pagination import PAGE_PARAMETERS, page_of, paginated_response
from people import bundle, selectors, services
from people.apis import NOT_FOUND, PoliceOr404, _offender, _person, _valid
from people.models import CBOApplication
from people.serializers import (
    ApplicationCreateInputSerializer,
    ApplicationDetailOutputSerializer,
    ApplicationOutputSerializer,
    ApplicationUpdateInputSerializer,
)
from people.views import download_response

CONFLICT = OpenApiResponse(
    description="`application_closed`: the order was made, the application is kept as it was; "
    "`application_no_incidents`, `application_not_built`, `application_link_withdrawn` or `evidence_integrity`."
)


def _application(request, pk: int) -> CBOApplication:
    application = bundle.applications_for(request.user).filter(pk=pk).first()
    if application is None:
        raise NotFound("No such application.")
    return application


def _detail(request, application: CBOApplication) -> Response:
    application = _application(request, application.pk)
    application.chronology_links = bundle.chronology_links(application, request.user)
    return Response(ApplicationDetailOutputSerializer(application).data)


class ApplicationListApi(APIView):
    """Your force's CBO applications, newest first (`subject` to see one person's)."""

    permission_classes = [PoliceOr404]

    def queryset(self, request) -> QuerySet[CBOApplication]:
        qs = bundle.applications_for(request.user).prefetch_related(
            "proposed_prohibitions__stores__retailer", "proposed_prohibitions__beats"
        )
        key = request.query_params.get("subject")
        if key:
            kind, _, pk = key.partition("-")
            if kind not in ("person", "offender") or not pk.isdigit() or len(pk) > 12:
                message = 'subject is "person-<id>" or "offender-<id>".'
                raise ApplicationError(message, fields={"subject": [message]})
            qs = qs.filter(**{kind: int(pk)})
        return qs

    @extend_schema(
        operation_id="people_applications_list",
        parameters=[
            OpenApiParameter("subject", str, description='"person-<id>" or "offender-<id>".'),
            *PAGE_PARAMETERS,
        ],
        responses={200: page_of(ApplicationOutputSerializer, "ApplicationPageOutputSerializer"), 404: NOT_FOUND},
    )
    def get(self, request):
        return paginated_response(
            request=request, view=self, queryset=self.queryset(request), serializer_class=ApplicationOutputSerializer
        )

    @extend_schema(
        operation_id="people_applications_create",
        request=ApplicationCreateInputSerializer,
        responses={
            201: ApplicationDetailOutputSerializer,
            400: OpenApiResponse(description="`invalid`: a subject not written person-<id>/offender-<id>, a bad day."),
            404: OpenApiResponse(description="`not_found`: no such person in your force (also every shop worker)."),
        },
        examples=[
            OpenApiExample(
                "For a person of interest",
                value={"subject": "person-14", "period_from": "2026-01-01", "period_to": "2026-06-30"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = _valid(ApplicationCreateInputSerializer, request)
        kind, _, pk = data["subject"].partition("-")
        subject = _offender(request, int(pk)) if kind == "offender" else _person(request, int(pk))
        today = timezone.localdate()
        period_to = data.get("period_to") or today
        period_from = data.get("period_from") or _first_day(subject, request.user, today)
        if period_to < period_from:
            message = "The period cannot end before it starts."
            raise ApplicationError(message, fields={"period_to": [message]})
        application = bundle.application_create(
            subject=subject, user=request.user, period_from=period_from, period_to=period_to
        )
        response = _detail(request, application)
        response.status_code = 201
        return response


def _first_day(subject, user, today: datetime.date) -> datetime.date:
    """The day of the person's first linked incident the user may see (a year ago when none), as the page's."""
    first = selectors.chronology(subject, user).first()
    return timezone.localdate(first.incident.occurred_at) if first else today - datetime.timedelta(days=365)


def _ids(model, ids: list[int], field: str, **scope) -> list:
    found = list(model.objects.filter(pk__in=ids, **scope).distinct())
    missing = sorted(set(ids) - {o.pk for o in found})
    if missing:
        message = f"Not of your force: {', '.join(str(i) for i in missing)}."
        raise ApplicationError(message, code=ErrorCode.INVALID, fields={field: [message]})
    return found


def _proposals(request, items: list[dict]) -> list[services.ProposalInput]:
    """The API's proposals with their stores, retailer and beats read in the user's force (unknown: 400)."""
    force_id = request.user.force_id
    out = []
    for n, item in enumerate(items):
        prefix = f"proposed_prohibitions.{n}."
        stores = _ids(Store, item.get("stores") or [], prefix + "stores", beat__force_id=force_id)
        beats = _ids(Beat, item.get("beats") or [], prefix + "beats", force_id=force_id)
        retailer = None
        if item.get("retailer"):
            retailer = _ids(
                Retailer, [item["retailer"]], force_id, prefix + "retailer", stores__beat__force_id=force_id
            )[0]
        out.append(
            services.ProposalInput(
                kind=item["kind"],
                reason=item["reason"],
                duration_months=item["duration_months"],
                stores=stores,
                retailer=retailer,
                beats=beats,
                centre_latitude=item.get("centre_latitude"),
                centre_longitude=item.get("centre_longitude"),
                radius_m=item.get("radius_m"),
                polygon=item.get("polygon"),
            )
        )
    return out


class ApplicationDetailApi(APIView):
    """One application with its proposed prohibitions and the chronology the next build takes."""

    permission_classes = [PoliceOr404]

    @extend_schema(
        operation_id="people_applications_retrieve",
        responses={200: ApplicationDetailOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return _detail(request, _application(request, pk))

    @extend_schema(
        operation_id="people_applications_partial_update",
        request=ApplicationUpdateInputSerializer,
        responses={
            200: ApplicationDetailOutputSerializer,
            400: OpenApiResponse(
                description="`invalid` (fields named `proposed_prohibitions.<n>.<field>`) or `invalid_period`."
            ),
            404: NOT_FOUND,
            409: CONFLICT,
        },
        examples=[
            OpenApiExample(
                "Summary and a named-premises prohibition",
                value={
                    "summary": "Four thefts in six weeks, one with threats to staff.",
                    "proposed_prohibitions": [
                        {"kind": "premises", "stores": [3, 4], "duration_months": 24, "reason": "Three incidents."}
                    ],
                },
                request_only=True,
            )
        ],
    )
    def patch(self, request, pk: int):
        application = _application(request, pk)
        data = _valid(ApplicationUpdateInputSerializer, request)
        items = data.pop("proposed_prohibitions", None)
        services.application_update(
            application=application,
            actor=request.user,
            proposals=_proposals(request, items) if items is not None else None,
            **data,
        )
        return _detail(request, application)


class ApplicationBuildApi(APIView):
    """Build the bundle now from the person's active links in the period that you may see: the chronology is
    frozen on the application with the PDF's SHA-256, and the build is logged."""

    permission_classes = [PoliceOr404]

    @extend_schema(
        operation_id="people_applications_build",
        request=None,
        responses={200: ApplicationDetailOutputSerializer, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, pk: int):
        application = _application(request, pk)
        services.require_police(request.user)
        bundle.application_build(application=application, user=request.user)
        return _detail(request, application)


def _download(request, pk: int, fmt: str):
    application = _application(request, pk)
    built = bundle.application_download(application=application, user=request.user, fmt=fmt)
    return download_response(application.reference, built)


DOWNLOAD_ERRORS = {404: NOT_FOUND, 409: CONFLICT}


class ApplicationPdfApi(APIView):
    """The built bundle's PDF, made again from the incidents frozen at the build; logged as a download."""

    permission_classes = [PoliceOr404]

    @extend_schema(
        operation_id="people_applications_pdf",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **DOWNLOAD_ERRORS},
    )
    def get(self, request, pk: int):
        return _download(request, pk, "pdf")


class ApplicationZipApi(APIView):
    """The built bundle as a zip (the PDF, a manifest and the original exhibits, re-hashed as written); logged
    as a download."""

    permission_classes = [PoliceOr404]

    @extend_schema(
        operation_id="people_applications_zip",
        responses={(200, "application/zip"): OpenApiTypes.BINARY, **DOWNLOAD_ERRORS},
    )
    def get(self, request, pk: int):
        return _download(request, pk, "zip")
