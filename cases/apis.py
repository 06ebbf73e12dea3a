"""Cases API for police users: the triage queue, case details, the two-stage review, the evidence
pack and (force admins) the s.62 access log. Shop workers get 403 on all of it.

A DPA 2018 s.62 justification is free text about why a person is looked at: it is sent in the body of
``POST /api/cases/{id}/justification/`` and never in a URL (URLs are written to access logs); a GET
that carries one in its query string is refused (400 ``justification_in_url``) and stores nothing."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsForceAdmin, IsPolice
from cases import downloads, selectors, services
from cases.errors import CaseErrorCode
from cases.filters import AccessLogFilterSet, CaseQueueFilterSet
from cases.models import Case, CaseAccess, CaseDecision
from cases.pack import build_evidence_pack
from core.exceptions import ApplicationError

# Serializers ---------------------------------------------------------------------------------------
# Component names are kept as they were before the <Noun>OutputSerializer naming (clients generate from them).


@extend_schema_serializer(component_name="CaseDecision")
class CaseDecisionOutputSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", help_text="The decider's username.")
    decided_by_name = serializers.SerializerMethodField(help_text="The decider's full name (username if none).")
    decided_by_collar_number = serializers.CharField(source="decided_by.collar_number")

    class Meta:
        model = CaseDecision
        fields = [
            "stage",
            "outcome",
            "reason",
            "corroboration",
            "decided_by",
            "decided_by_name",
            "decided_by_collar_number",
            "decided_at",
        ]

    def get_decided_by_name(self, decision) -> str:
        return decision.decided_by.get_full_name() or decision.decided_by.get_username()


BREACH_HELP = (
    "`possible`: the incident's store is covered by the candidate's CBO if the match is confirmed (awaiting "
    "review); `confirmed`: a reviewer confirmed the match; `none`: no order covers the store, or the "
    "reviewer rejected the match (a rejected match is no breach anywhere)."
)


@extend_schema_serializer(component_name="CaseList")
class CaseListOutputSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(help_text='The case\'s reference, e.g. "CASE-2026-000123".')
    is_breach = serializers.SerializerMethodField(
        help_text="A possible or confirmed CBO breach (see `breach`); false once the match is rejected."
    )
    breach = serializers.SerializerMethodField(help_text=BREACH_HELP)
    incident_reference = serializers.CharField(source="incident.reference")
    store = serializers.CharField(source="incident.store.name")
    occurred_at = serializers.DateTimeField(source="incident.occurred_at")
    offender_name = serializers.CharField(source="offender.full_name")
    response_target_minutes = serializers.IntegerField(source="incident.response_target_minutes")
    waiting_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "is_breach",
            "breach",
            "incident_priority",
            "incident_reference",
            "store",
            "beat",
            "occurred_at",
            "offender",
            "offender_name",
            "best_similarity",
            "threshold",
            "response_target_minutes",
            "waiting_minutes",
            "created_at",
        ]

    def get_is_breach(self, case) -> bool:
        return bool(case.breach_state)

    @extend_schema_field(serializers.ChoiceField(choices=["possible", "confirmed", "none"]))
    def get_breach(self, case) -> str:
        return case.breach_state or "none"

    def get_waiting_minutes(self, case) -> int:
        end = case.closed_at or timezone.now()
        return int((end - case.created_at).total_seconds() // 60)


class ProhibitionSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    description = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)


@extend_schema_serializer(component_name="CaseDetail")
class CaseDetailOutputSerializer(CaseListOutputSerializer):
    incident = serializers.IntegerField(source="incident_id")
    category = serializers.CharField(source="incident.category")
    description = serializers.CharField(source="incident.description")
    priority_reason = serializers.CharField(source="incident.priority_reason")
    breach_order = serializers.SerializerMethodField()
    prohibitions = serializers.SerializerMethodField()
    frame_time_s = serializers.FloatField(source="best_match.frame_time_s", allow_null=True, default=None)
    evidence = serializers.IntegerField(source="best_match.evidence_id", allow_null=True, default=None)
    # A plain string: the same choices as a match's `source` (SourceEnum), which a second enum would duplicate.
    match_source = serializers.CharField(
        source="best_match.source",
        allow_null=True,
        default=None,
        help_text="How the best match's face was found: `automatic`, `research` (late paperwork) or `officer` "
        "(boxed on a frame by an officer).",
    )
    cctv_face_url = serializers.SerializerMethodField()
    reference_photo_url = serializers.SerializerMethodField()
    decisions = CaseDecisionOutputSerializer(many=True)

    class Meta(CaseListOutputSerializer.Meta):
        fields = [
            *CaseListOutputSerializer.Meta.fields,
            "incident",
            "category",
            "description",
            "priority_reason",
            "breach_order",
            "breach_prohibition",
            "prohibitions",
            "frame_time_s",
            "evidence",
            "match_source",
            "cctv_face_url",
            "reference_photo_url",
            "decisions",
        ]

    def get_breach_order(self, case) -> dict | None:
        o = case.breach_order
        if o is None:
            return None
        return {
            "id": o.pk,
            "court": o.court,
            "case_reference": o.case_reference,
            "made_on": o.made_on,
            "effective_from": o.effective_from,
            "ends_on": o.ends_on,
            "served_on": o.served_on,
        }

    def get_prohibitions(self, case) -> list[dict]:
        if case.breach_order is None:
            return []
        return list(ProhibitionSummaryOutputSerializer(case.breach_order.prohibitions.all(), many=True).data)

    def _url(self, case, which: str) -> str:
        return self.context["request"].build_absolute_uri(f"/api/cases/{case.pk}/images/{which}/")

    def get_cctv_face_url(self, case) -> str:
        return self._url(case, "cctv")

    def get_reference_photo_url(self, case) -> str:
        return self._url(case, "reference")


class CaseJustificationInputSerializer(serializers.Serializer):
    justification = serializers.CharField(
        max_length=2000,
        help_text="Why you need to open this case's face images (DPA 2018 s.62): 10 characters or more.",
    )


class CaseJustificationOutputSerializer(serializers.Serializer):
    justification = serializers.CharField(help_text="The justification every view of this case by you cites.")
    justified_at = serializers.DateTimeField(source="created_at")


class CaseReviewInputSerializer(serializers.Serializer):
    same_person = serializers.BooleanField(help_text="true: the same person (confirm); false: reject.")
    reason = serializers.CharField(max_length=4000)
    consequence_acknowledged = serializers.BooleanField(
        help_text="Must be true: the second step. Rejecting closes the case and the match will not be used; "
        "confirming records that the person in the CCTV is the candidate and sends the case to corroboration. "
        "false is refused (400 `consequence_not_acknowledged`, whose message states the consequence).",
        error_messages={
            "required": "Required: true, once you have read what this decision does (a rejection closes the "
            "case; a confirmation sends it to corroboration)."
        },
    )


class CaseCorroborateInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[(a.value, a.label) for a in CaseDecision.ACTIONS],
        help_text="The action taken; no default.",
        error_messages={"required": "Choose the action taken.", "invalid_choice": "'{input}' is not an action."},
    )
    corroboration = serializers.CharField(max_length=4000)
    reason = serializers.CharField(max_length=4000)


class CaseCloseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


@extend_schema_serializer(component_name="CaseAccess")
class CaseAccessOutputSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", allow_null=True, default=None)
    user_name = serializers.SerializerMethodField(help_text="Full name; null for the system.")
    case_reference = serializers.CharField(source="case.reference", allow_null=True, default=None)

    class Meta:
        model = CaseAccess
        fields = ["id", "created_at", "user", "user_name", "kind", "case", "case_reference", "justification", "detail"]

    def get_user_name(self, access) -> str | None:
        return (access.user.get_full_name() or access.user.get_username()) if access.user else None


# Helpers -------------------------------------------------------------------------------------------

JUSTIFICATION_IN_URL_RESPONSE = OpenApiResponse(
    description="`justification_in_url`: a justification was sent in the query string. It is refused and not "
    "stored (URLs are written to access logs): send it in the body of `POST /api/cases/{id}/justification/`."
)


def _case(request, pk: int) -> Case:
    return get_object_or_404(selectors.cases_for(request.user), pk=pk)


def _refuse_justification_in_url(request) -> None:
    """A s.62 justification is free text about a person: it must not travel in a URL, where web servers
    and proxies log it. A GET only reads; the justification is given with POST .../justification/."""
    if "justification" in request.query_params:
        raise ApplicationError(
            "Send the justification in the body of POST /api/cases/{id}/justification/, never in the URL: "
            "URLs are written to access logs. Nothing was recorded.",
            code=CaseErrorCode.JUSTIFICATION_IN_URL,
            fields={"justification": ["Not accepted in the query string."]},
        )


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _detail(case: Case, request) -> Response:
    return Response(CaseDetailOutputSerializer(case, context={"request": request}).data)


# Views ---------------------------------------------------------------------------------------------


class CaseListApi(generics.ListAPIView):
    """The triage queue: open cases for the beats an officer covers (force-wide for admins),
    CBO breaches first, then the incident's threat priority, then the oldest."""

    serializer_class = CaseListOutputSerializer
    permission_classes = [IsPolice]
    filterset_class = CaseQueueFilterSet
    queryset = Case.objects.none()  # for the schema; requests use get_queryset

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="Words to find (all of them) in the case or incident reference, the "
                "person's names or aliases, or the store's name.",
            ),
            OpenApiParameter("status", str, enum=Case.Status.values, description="Default: all open statuses."),
            OpenApiParameter(
                "breach", bool, description="true: possible or confirmed CBO breaches (never a rejected match)."
            ),
            OpenApiParameter("priority", str, enum=["P1", "P2", "P3"], description="The incident's priority."),
            OpenApiParameter("beat", int),
            OpenApiParameter("offender", int, description="The cases of this person (offender id)."),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Raised on or after this day (YYYY-MM-DD)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Raised on or before this day (YYYY-MM-DD)."),
            OpenApiParameter("sort", str, enum=list(selectors.QUEUE_SORTS), description="Default: priority."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.queue_scope(self.request.user)


class CaseCountsApi(APIView):
    permission_classes = [IsPolice]

    @extend_schema(responses=OpenApiTypes.OBJECT, description="Cases per status in the user's queue scope.")
    def get(self, request):
        return Response(selectors.status_counts(request.user))


class CaseJustificationApi(APIView):
    """Say why you open this case (DPA 2018 s.62), once, before its details and face images: every later
    view and export by you cites it. The justification travels in this POST's body, never in a URL.
    201: recorded; 200: you had already given one (it stands, and nothing new is written)."""

    permission_classes = [IsPolice]

    @extend_schema(
        request=CaseJustificationInputSerializer,
        responses={
            201: CaseJustificationOutputSerializer,
            200: CaseJustificationOutputSerializer,
            400: OpenApiResponse(
                description="`justification_too_short` (under 10 characters), or `invalid` (missing, too long, "
                "or a NUL character)."
            ),
        },
        examples=[
            OpenApiExample(
                "Justify", value={"justification": "Triage of retail crime cases on my beat"}, request_only=True
            )
        ],
    )
    def post(self, request, pk: int):
        case = _case(request, pk)
        data = _valid(CaseJustificationInputSerializer, request)
        already = selectors.has_justified(case=case, user=request.user)
        access = services.case_justify(case=case, user=request.user, justification=data["justification"])
        return Response(CaseJustificationOutputSerializer(access).data, status=200 if already else 201)


class CaseDetailApi(APIView):
    """A case with its decisions. Give your justification first (`POST /api/cases/{id}/justification/`);
    until then this answers 403 `justification_required`. Each view is logged with that justification."""

    permission_classes = [IsPolice]

    @extend_schema(responses={200: CaseDetailOutputSerializer, 400: JUSTIFICATION_IN_URL_RESPONSE})
    def get(self, request, pk: int):
        case = _case(request, pk)
        _refuse_justification_in_url(request)
        services.case_access_log(case=case, user=request.user, kind=CaseAccess.Kind.VIEW_CASE)
        return _detail(case, request)


class CaseImageApi(APIView):
    """A face image of the case (`cctv` crop or `reference` photo); each view is logged with your
    justification (403 `justification_required` until you have given one)."""

    permission_classes = [IsPolice]

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY, 400: JUSTIFICATION_IN_URL_RESPONSE})
    def get(self, request, pk: int, which: str):
        case = _case(request, pk)
        _refuse_justification_in_url(request)
        field = downloads.case_image_field(case, which)
        services.case_access_log(case=case, user=request.user, kind=CaseAccess.Kind.VIEW_IMAGE, detail=which)
        return downloads.image_response(field)


class CaseReviewApi(APIView):
    """Stage 1: confirm or reject the candidate. Rejecting closes the case and the match will not be used;
    confirming sends the case to corroboration. Recorded only with `consequence_acknowledged: true`."""

    permission_classes = [IsPolice]

    @extend_schema(
        request=CaseReviewInputSerializer,
        responses={
            200: CaseDetailOutputSerializer,
            400: OpenApiResponse(
                description="`consequence_not_acknowledged` (the message states what the decision does), or "
                "`invalid` (a field missing or wrong)."
            ),
            409: OpenApiResponse(description="`invalid_transition`: the case is not awaiting review."),
        },
        examples=[
            OpenApiExample(
                "Confirm",
                value={"same_person": True, "reason": "Same scar, build and jacket.", "consequence_acknowledged": True},
            )
        ],
    )
    def post(self, request, pk: int):
        case = _case(request, pk)
        data = _valid(CaseReviewInputSerializer, request)
        return _detail(services.case_review(case=case, reviewer=request.user, **data), request)


class CaseCorroborateApi(APIView):
    """Stage 2: the investigating officer records corroboration and the action taken (no default). The
    officer who confirmed the match may not corroborate it (403 `same_officer`) while the force's
    CASES_SEPARATE_CORROBORATOR is on."""

    permission_classes = [IsPolice]

    @extend_schema(
        request=CaseCorroborateInputSerializer,
        responses={
            200: CaseDetailOutputSerializer,
            403: OpenApiResponse(
                description="`same_officer`: You confirmed this match; another officer must corroborate it."
            ),
            409: OpenApiResponse(description="`invalid_transition`: the match is not confirmed (or already actioned)."),
        },
    )
    def post(self, request, pk: int):
        case = _case(request, pk)
        data = _valid(CaseCorroborateInputSerializer, request)
        return _detail(services.case_corroborate(case=case, officer=request.user, **data), request)


class CaseCloseApi(APIView):
    permission_classes = [IsPolice]

    @extend_schema(request=CaseCloseInputSerializer, responses=CaseDetailOutputSerializer)
    def post(self, request, pk: int):
        case = _case(request, pk)
        data = _valid(CaseCloseInputSerializer, request)
        return _detail(services.case_close(case=case, officer=request.user, **data), request)


class CaseEvidencePackApi(APIView):
    """The breach evidence pack: `?as=zip` (default: the PDF, the original CCTV exhibits with their SHA-256
    re-verified as they are written, face images, zone map, manifest) or `?as=pdf`."""

    permission_classes = [IsPolice]

    @extend_schema(
        parameters=[OpenApiParameter("as", str, enum=["zip", "pdf"])],
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="Not a confirmed breach case, or an exhibit's hash no longer matches."),
        },
    )
    def get(self, request, pk: int):
        case = _case(request, pk)
        _refuse_justification_in_url(request)
        wanted = request.query_params.get("as") or "zip"
        if wanted not in ("zip", "pdf"):  # was silently a zip
            raise ApplicationError(f"Unknown format '{wanted}': use as=zip or as=pdf.", fields={"as": ["zip", "pdf"]})
        pack = build_evidence_pack(case=case, user=request.user, with_zip=wanted == "zip")
        return downloads.evidence_pack_download(case=case, pack=pack)


class AccessLogListApi(generics.ListAPIView):
    """Force admins: every view of biometric images, search and export in the force (DPA 2018 s.62),
    newest first, a page at a time."""

    serializer_class = CaseAccessOutputSerializer
    permission_classes = [IsForceAdmin]
    filterset_class = AccessLogFilterSet
    queryset = CaseAccess.objects.none()  # for the schema; requests use get_queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("user", int, description="Entries of this user (id)."),
            OpenApiParameter("kind", str, enum=CaseAccess.Kind.values),
            OpenApiParameter("case", int),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Logged on or after this day (YYYY-MM-DD)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Logged on or before this day (YYYY-MM-DD)."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.access_log_for(self.request.user)


class AccessLogExportApi(APIView):
    permission_classes = [IsForceAdmin]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        return downloads.access_log_csv(selectors.access_log_for(request.user))
