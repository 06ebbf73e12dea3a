"""People API for police users: persons of interest, links between incidents and people, the
persistent-offender ranking and the review's keep. Shop workers get 404 on all of it (they never learn that a
link exists); another force's person, link or incident is a 404 too.

A person is addressed by their record: a person of interest as ``/api/people/<id>/``, an offender record as
``/api/people/offender-<id>/`` (the ``subject`` field of every answer says which)."""

import datetime

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasRole
from cases.selectors import cases_for
from core.exceptions import ApplicationError
from core.pagination import PAGE_PARAMETERS, DefaultPagination, page_of, paginated_response
from incidents.selectors import incidents_for
from people import selectors, services
from people.errors import PeopleErrorCode
from people.events import person_viewed_event
from people.serializers import (
    LinkInputSerializer,
    LinkOutputSerializer,
    OffenderSubjectOutputSerializer,
    PersistentPageOutputSerializer,
    PersistentRowOutputSerializer,
    PersonInputSerializer,
    PersonOutputSerializer,
    PersonUpdateInputSerializer,
    ReasonInputSerializer,
)

NOT_FOUND = OpenApiResponse(description="`not_found`: no such record in your scope (also every shop worker).")
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2199, 12, 31)


class PoliceOr404(HasRole):
    """Beat officers and force admins. A shop worker is answered 404, as for something that does not exist:
    the people API never confirms to them that links or persons exist."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if not request.user.is_police:
            raise NotFound()
        return True


def _valid(serializer_class, request, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _person(request, pk: int):
    person = selectors.person_get(user=request.user, person_id=pk)
    if person is None:
        raise NotFound("No such person of interest.")
    return person


def _offender(request, pk: int):
    offender = selectors.offender_get(user=request.user, offender_id=pk)
    if offender is None:
        raise NotFound("No such offender.")
    return offender


def _subject(request, kind: str, pk: int):
    return _offender(request, pk) if kind == "offender" else _person(request, pk)


def _date_param(request, name: str, default: datetime.date) -> datetime.date:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = datetime.date.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or len(raw) != 10 or not EARLIEST <= value <= LATEST:
        message = f"{name} must be a day written YYYY-MM-DD, between 1900 and 2199."
        raise ApplicationError(message, code=PeopleErrorCode.INVALID_PERIOD, fields={name: [message]})
    return value


def _bool_param(request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise ApplicationError(f"{name} must be true or false.", fields={name: ["Must be true or false."]})


# Persons of interest -----------------------------------------------------------------------------------------


class PersonListApi(generics.ListAPIView):
    """Persons of interest of your force (A–Z). Offender records are under `/api/offenders/`; link either."""

    serializer_class = PersonOutputSerializer
    permission_classes = [PoliceOr404]
    filter_backends: list = []

    @extend_schema(
        operation_id="people_list",
        parameters=[
            OpenApiParameter("q", str, description="Words to find (all of them) in names, PNC ID or description."),
            OpenApiParameter("flagged", bool, description="true: only those flagged for review (to be deleted)."),
        ],
        responses={200: PersonOutputSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="people_create",
        request=PersonInputSerializer,
        responses={
            201: PersonOutputSerializer,
            400: OpenApiResponse(description="`required`, `invalid_pnc_id`, `date_of_birth_invalid` or `invalid`."),
            404: NOT_FOUND,
            409: OpenApiResponse(description="`duplicate_pnc_id`: another record of the force has that PNC ID."),
        },
        examples=[
            OpenApiExample(
                "New person of interest",
                value={"given_names": "Jamie", "family_name": "Reid", "date_of_birth": "2001-04-09", "pnc_id": ""},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = _valid(PersonInputSerializer, request)
        person = services.person_create(actor=request.user, **data)
        return Response(PersonOutputSerializer(person).data, status=201)

    def get_queryset(self):
        qs = selectors.persons_search(selectors.persons_for(self.request.user), q=self.request.query_params.get("q"))
        flagged = _bool_param(self.request, "flagged")
        if flagged is not None:
            qs = qs.filter(review_due_on__isnull=not flagged)
        return qs


class PersonDetailApi(APIView):
    permission_classes = [PoliceOr404]

    @extend_schema(operation_id="people_retrieve", responses={200: PersonOutputSerializer, 404: NOT_FOUND})
    def get(self, request, pk: int):
        person = _person(request, pk)
        person_viewed_event(subject=person, actor=request.user, via="api")
        return Response(PersonOutputSerializer(person).data)

    @extend_schema(
        operation_id="people_partial_update",
        request=PersonUpdateInputSerializer,
        responses={
            200: PersonOutputSerializer,
            400: OpenApiResponse(description="`required`, `invalid_pnc_id`, `date_of_birth_invalid` or `invalid`."),
            404: NOT_FOUND,
            409: OpenApiResponse(description="`duplicate_pnc_id`."),
        },
    )
    def patch(self, request, pk: int):
        person = _person(request, pk)
        data = _valid(PersonUpdateInputSerializer, request, partial=True)
        person = services.person_update(person=person, actor=request.user, **data)
        return Response(PersonOutputSerializer(person).data)


class PersonKeepApi(APIView):
    """Keep a person of interest after review, saying why: kept for another PEOPLE_REVIEW_AFTER_DAYS days and no
    longer flagged for deletion."""

    permission_classes = [PoliceOr404]

    @extend_schema(
        operation_id="people_keep",
        request=ReasonInputSerializer,
        responses={200: PersonOutputSerializer, 400: OpenApiResponse(description="`reason_required`."), 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        person = _person(request, pk)
        data = _valid(ReasonInputSerializer, request)
        return Response(PersonOutputSerializer(services.person_keep(person=person, actor=request.user, **data)).data)


class OffenderSubjectApi(APIView):
    """An offender record as a person links are made to (details and orders are under `/api/offenders/`)."""

    permission_classes = [PoliceOr404]

    @extend_schema(
        operation_id="people_offender_retrieve", responses={200: OffenderSubjectOutputSerializer, 404: NOT_FOUND}
    )
    def get(self, request, pk: int):
        offender = _offender(request, pk)
        person_viewed_event(subject=offender, actor=request.user, via="api")
        return Response(OffenderSubjectOutputSerializer(offender).data)


class _SubjectLinksApi(APIView):
    """A person's links that you may see (a beat officer: incidents in the beats you cover), in the order the
    incidents happened; withdrawn ones too unless `active=true` (then: the chronology a bundle is built from).
    The person's other record is included (a person of interest and the offender record an order made of them)."""

    permission_classes = [PoliceOr404]
    kind = "person"

    def links(self, request, pk: int):
        subject = _subject(request, self.kind, pk)
        active = _bool_param(request, "active")
        qs = selectors.subject_links(subject, request.user, include_withdrawn=not active)
        if active is False:
            qs = qs.filter(withdrawn_at__isnull=False)
        return paginated_response(request=request, view=self, queryset=qs, serializer_class=LinkOutputSerializer)


LINKS_SCHEMA = {
    "parameters": [
        OpenApiParameter("active", bool, description="true: only active links (the chronology)."),
        *PAGE_PARAMETERS,
    ],
    "responses": {200: page_of(LinkOutputSerializer, "LinkPageOutputSerializer"), 404: NOT_FOUND},
}


class PersonLinksApi(_SubjectLinksApi):
    __doc__ = _SubjectLinksApi.__doc__
    kind = "person"

    @extend_schema(operation_id="people_person_links", **LINKS_SCHEMA)
    def get(self, request, pk: int):
        return self.links(request, pk)


class OffenderLinksApi(_SubjectLinksApi):
    __doc__ = _SubjectLinksApi.__doc__
    kind = "offender"

    @extend_schema(operation_id="people_offender_links", **LINKS_SCHEMA)
    def get(self, request, pk: int):
        return self.links(request, pk)


# Links -------------------------------------------------------------------------------------------------------


class LinkCreateApi(APIView):
    """Link an incident to a person (`person` or `offender`, exactly one), saying how they were identified.
    Never by a search of unknown faces. A beat officer links incidents in the beats they cover; a force admin
    any incident of the force."""

    permission_classes = [PoliceOr404]

    @extend_schema(
        operation_id="people_links_create",
        request=LinkInputSerializer,
        responses={
            201: LinkOutputSerializer,
            400: OpenApiResponse(description="`subject_required`, `case_required`, `case_not_confirmed` or `invalid`."),
            404: OpenApiResponse(description="`not_found`: the incident, person or case is not in your scope."),
            409: OpenApiResponse(description="`duplicate_link`: already linked (the message names the link)."),
        },
        examples=[
            OpenApiExample(
                "Staff know them",
                value={"incident": 812, "person": 14, "identified_by": "staff_knowledge", "role": "suspect"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = _valid(LinkInputSerializer, request)
        user = request.user
        incident = incidents_for(user).filter(pk=data["incident"]).first()
        if incident is None:
            raise NotFound("No such incident.")
        person = _person(request, data["person"]) if data.get("person") else None
        offender = _offender(request, data["offender"]) if data.get("offender") else None
        case = None
        if data.get("case"):
            case = cases_for(user).filter(pk=data["case"]).first()
            if case is None:
                raise NotFound("No such case.")
        link = services.link_add(
            actor=user,
            incident=incident,
            offender=offender,
            person=person,
            identified_by=data["identified_by"],
            role=data.get("role") or "",
            case=case,
            note=data.get("note") or "",
        )
        link = selectors.link_get(user=user, link_id=link.pk)
        return Response(LinkOutputSerializer(link).data, status=201)


class LinkDetailApi(APIView):
    permission_classes = [PoliceOr404]

    @extend_schema(operation_id="people_links_retrieve", responses={200: LinkOutputSerializer, 404: NOT_FOUND})
    def get(self, request, pk: int):
        link = selectors.link_get(user=request.user, link_id=pk)
        if link is None:
            raise NotFound("No such link.")
        return Response(LinkOutputSerializer(link).data)


class LinkWithdrawApi(APIView):
    """Withdraw a link, saying why. It leaves the person's chronology and the next bundle; the link and its
    withdrawal stay on record."""

    permission_classes = [PoliceOr404]

    @extend_schema(
        operation_id="people_links_withdraw",
        request=ReasonInputSerializer,
        responses={
            200: LinkOutputSerializer,
            400: OpenApiResponse(description="`reason_required` or `invalid`."),
            404: NOT_FOUND,
            409: OpenApiResponse(description="`already_withdrawn`."),
        },
    )
    def post(self, request, pk: int):
        link = selectors.link_get(user=request.user, link_id=pk)
        if link is None:
            raise NotFound("No such link.")
        data = _valid(ReasonInputSerializer, request)
        services.link_withdraw(link=link, actor=request.user, reason=data["reason"])
        return Response(LinkOutputSerializer(selectors.link_get(user=request.user, link_id=pk)).data)


# The persistent-offender view --------------------------------------------------------------------------------


class PersistentApi(APIView):
    """People ranked by the incidents linked to them that happened from `since` to `until` (links you may see):
    most incidents first, then most with violence or threats, then the goods value. `persistent` marks those
    at the force's thresholds (set by its force admin at `/people/settings/`; the environment's by default)."""

    permission_classes = [PoliceOr404]

    @extend_schema(
        operation_id="people_persistent",
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATE,
                description="First day (YYYY-MM-DD). Default: the force's persistent period before `until`.",
            ),
            OpenApiParameter("until", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD). Default: today."),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: PersistentPageOutputSerializer,
            400: OpenApiResponse(description="`invalid_period`: a day not YYYY-MM-DD, or `since` after `until`."),
            404: NOT_FOUND,
        },
    )
    def get(self, request):
        until = _date_param(request, "until", timezone.localdate())
        thresholds = selectors.thresholds_for(request.user.force_id)
        since = _date_param(request, "since", selectors.default_period(until, period_days=thresholds.period_days)[0])
        if since > until:
            message = f"since ({since}) is after until ({until})."
            raise ApplicationError(message, code=PeopleErrorCode.INVALID_PERIOD, fields={"since": [message]})
        rows = selectors.force_ranking(request.user, since=since, until=until)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        response = paginator.get_paginated_response(PersistentRowOutputSerializer(page, many=True).data)
        response.data.update(
            since=since,
            until=until,
            min_incidents=thresholds.min_incidents,
            period_days=thresholds.period_days,
        )
        return response
