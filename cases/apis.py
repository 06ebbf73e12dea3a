"""Cases API for police users: the triage queue, case details, the two-stage review, the evidence
pack and (force admins) the s.62 access log. Shop workers get 403 on all of it."""

import csv

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsForceAdmin, IsPolice
from cases import selectors, services
from cases.models import Case, CaseAccess, CaseDecision
from cases.pack import build_evidence_pack
from core.exceptions import ApplicationError
from core.filters import MAX_ID, ScopedFilterBackend


class CaseDecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username")

    class Meta:
        model = CaseDecision
        fields = ["stage", "outcome", "reason", "corroboration", "decided_by", "decided_at"]


class CaseListSerializer(serializers.ModelSerializer):
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
            "status",
            "is_breach",
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

    def get_waiting_minutes(self, case) -> int:
        end = case.closed_at or timezone.now()
        return int((end - case.created_at).total_seconds() // 60)


class ProhibitionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    description = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)


class CaseDetailSerializer(CaseListSerializer):
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
    decisions = CaseDecisionSerializer(many=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
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
        return ProhibitionSummarySerializer(case.breach_order.prohibitions.all(), many=True).data

    def _url(self, case, which: str) -> str:
        return self.context["request"].build_absolute_uri(f"/api/cases/{case.pk}/images/{which}/")

    def get_cctv_face_url(self, case) -> str:
        return self._url(case, "cctv")

    def get_reference_photo_url(self, case) -> str:
        return self._url(case, "reference")


class CaseListApi(generics.ListAPIView):
    """The triage queue: open cases for the beats an officer covers (force-wide for admins),
    CBO breaches first, then the incident's threat priority, then the oldest."""

    serializer_class = CaseListSerializer
    permission_classes = [IsPolice]
    queryset = Case.objects.none()  # for the schema; requests use get_queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Case.Status.values, description="Default: all open statuses."),
            OpenApiParameter("breach", bool),
            OpenApiParameter("beat", int),
            OpenApiParameter("sort", str, enum=list(selectors.QUEUE_SORTS), description="Default: priority."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    class CaseQueueFilterInputSerializer(serializers.Serializer):
        breach = serializers.BooleanField(required=False, allow_null=True, default=None)
        beat = serializers.IntegerField(required=False, allow_null=True, default=None, max_value=MAX_ID)

    def get_queryset(self):
        params = self.request.query_params
        status = params.get("status") or None
        if status and status not in Case.Status.values:
            raise ApplicationError(f"Unknown status '{status}'.", fields={"status": list(Case.Status.values)})
        sort = params.get("sort") or "priority"
        if sort not in selectors.QUEUE_SORTS:
            raise ApplicationError(f"Unknown sort '{sort}'.", fields={"sort": list(selectors.QUEUE_SORTS)})
        # ?beat=abc or ?breach=maybe is a 400 (it was silently ignored, and ?beat=² was a 500).
        filters = self.CaseQueueFilterInputSerializer(data={k: params[k] for k in ("breach", "beat") if params.get(k)})
        filters.is_valid(raise_exception=True)
        return selectors.triage_queue(
            self.request.user,
            status=status,
            breach=filters.validated_data["breach"],
            beat_id=filters.validated_data["beat"],
            sort=sort,
        )


class CaseCountsApi(APIView):
    permission_classes = [IsPolice]

    @extend_schema(responses=OpenApiTypes.OBJECT, description="Cases per status in the user's queue scope.")
    def get(self, request):
        return Response(selectors.status_counts(request.user))


def _case(request, pk: int) -> Case:
    return get_object_or_404(selectors.cases_for(request.user), pk=pk)


class CaseDetailApi(APIView):
    permission_classes = [IsPolice]

    class CaseDetailQueryInputSerializer(serializers.Serializer):
        justification = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "justification", str, description="Required the first time you open a case: why (DPA 2018 s.62)."
            )
        ],
        responses={200: CaseDetailSerializer},
    )
    def get(self, request, pk: int):
        case = _case(request, pk)
        params = self.CaseDetailQueryInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)  # a NUL character was a 500 on PostgreSQL
        if justification := params.validated_data.get("justification"):
            if not selectors.has_justified(case=case, user=request.user):
                services.case_justify(case=case, user=request.user, justification=justification)
        services.case_access_log(case=case, user=request.user, kind=CaseAccess.Kind.VIEW_CASE)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class CaseImageApi(APIView):
    """A face image of the case (`cctv` crop or `reference` photo); each view is logged."""

    permission_classes = [IsPolice]

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, which: str):
        case = _case(request, pk)
        field = case_image_field(case, which)
        services.case_access_log(case=case, user=request.user, kind=CaseAccess.Kind.VIEW_IMAGE, detail=which)
        return FileResponse(field.storage.open(field.name, "rb"), content_type="image/jpeg")


def case_image_field(case: Case, which: str):
    match = case.best_match
    if which == "cctv" and match and match.crop:  # gone once a rejected match's retention ends
        return match.crop
    if which == "reference" and match and match.reference_photo and match.reference_photo.image:
        return match.reference_photo.image
    raise ApplicationError("No such image for this case.", code="not_found", status_code=404)


class CaseReviewApi(APIView):
    """Stage 1: confirm or reject the candidate. Rejecting closes the case."""

    permission_classes = [IsPolice]

    class CaseReviewInputSerializer(serializers.Serializer):
        same_person = serializers.BooleanField(help_text="true: the same person (confirm); false: reject.")
        reason = serializers.CharField(max_length=4000)

    @extend_schema(
        request=CaseReviewInputSerializer,
        responses=CaseDetailSerializer,
        examples=[OpenApiExample("Confirm", value={"same_person": True, "reason": "Same scar, build and jacket."})],
    )
    def post(self, request, pk: int):
        case = _case(request, pk)
        data = _valid(self.CaseReviewInputSerializer, request)
        case = services.case_review(case=case, reviewer=request.user, **data)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class CaseCorroborateApi(APIView):
    """Stage 2: the investigating officer records corroboration and the action taken."""

    permission_classes = [IsPolice]

    class CaseCorroborateInputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=[(a.value, a.label) for a in CaseDecision.ACTIONS])
        corroboration = serializers.CharField(max_length=4000)
        reason = serializers.CharField(max_length=4000)

    @extend_schema(request=CaseCorroborateInputSerializer, responses=CaseDetailSerializer)
    def post(self, request, pk: int):
        case = _case(request, pk)
        data = _valid(self.CaseCorroborateInputSerializer, request)
        case = services.case_corroborate(case=case, officer=request.user, **data)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class CaseCloseApi(APIView):
    permission_classes = [IsPolice]

    class CaseCloseInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=4000)

    @extend_schema(request=CaseCloseInputSerializer, responses=CaseDetailSerializer)
    def post(self, request, pk: int):
        case = _case(request, pk)
        data = _valid(self.CaseCloseInputSerializer, request)
        case = services.case_close(case=case, officer=request.user, **data)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CaseEvidencePackApi(APIView):
    """The breach evidence pack: `?as=zip` (default: PDF, face images, zone map, manifest) or `?as=pdf`."""

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
        wanted = request.query_params.get("as") or "zip"
        if wanted not in ("zip", "pdf"):  # was silently a zip
            raise ApplicationError(f"Unknown format '{wanted}': use as=zip or as=pdf.", fields={"as": ["zip", "pdf"]})
        pdf, zipped = build_evidence_pack(case=case, user=request.user)
        if wanted == "pdf":
            return _download(pdf, "application/pdf", f"case-{case.pk}-evidence-pack.pdf")
        return _download(zipped, "application/zip", f"case-{case.pk}-evidence-pack.zip")


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CaseAccessSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", allow_null=True, default=None)

    class Meta:
        model = CaseAccess
        fields = ["id", "created_at", "user", "kind", "case", "justification", "detail"]


class AccessLogListApi(generics.ListAPIView):
    """Force admins: every view of biometric images, search and export in the force (DPA 2018 s.62)."""

    serializer_class = CaseAccessSerializer
    permission_classes = [IsForceAdmin]
    filter_backends = [ScopedFilterBackend]
    filterset_fields = ["kind", "case", "user"]

    def get_queryset(self):
        return selectors.access_log_for(self.request.user)


class AccessLogExportApi(APIView):
    permission_classes = [IsForceAdmin]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        return access_log_csv(selectors.access_log_for(request.user))


def access_log_csv(qs) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="retrace-access-log.csv"'
    writer = csv.writer(response)
    writer.writerow(["when", "user", "kind", "case", "justification", "detail"])
    for a in qs.iterator():
        writer.writerow(
            [
                a.created_at.isoformat(),
                a.user.username if a.user else "system",
                a.kind,
                a.case_id or "",
                a.justification,
                a.detail,
            ]
        )
    return response
