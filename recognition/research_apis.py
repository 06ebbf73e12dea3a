"""Re-search API (mounted under /api/recognition/): force admins follow the re-searches that late
paperwork started, and ask for one incident's CCTV to be searched again, with a reason."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsForceAdmin
from core.filters import MAX_ID
from core.schema import path_id
from incidents.selectors import incidents_for
from recognition import research
from recognition.filters import ResearchJobFilterSet
from recognition.models import ResearchFile, ResearchJob


@extend_schema_serializer(component_name="ResearchJob")
class ResearchJobOutputSerializer(serializers.ModelSerializer):
    # A plain string in the schema: an enum of the same four states as a file's processing would take the
    # name EvidenceProcessingStatusEnum from it (drf-spectacular names enums by their values).
    status = serializers.CharField(read_only=True, help_text="queued, running, done or failed.")
    trigger_display = serializers.CharField(source="get_trigger_display")
    incident_reference = serializers.CharField(source="incident.reference", allow_null=True, default=None)
    order_case_reference = serializers.CharField(source="order.case_reference", allow_null=True, default=None)
    requested_by = serializers.CharField(source="requested_by.username", allow_null=True, default=None)
    files_done = serializers.IntegerField(help_text="Files searched, skipped or failed so far, of files_total.")

    class Meta:
        model = ResearchJob
        fields = [
            "id",
            "trigger",
            "trigger_display",
            "reason",
            "status",
            "offender",
            "order",
            "order_case_reference",
            "incident",
            "incident_reference",
            "requested_by",
            "files_total",
            "files_done",
            "files_searched",
            "files_skipped",
            "files_failed",
            "matches",
            "failure_reason",
            "created_at",
            "planned_at",
            "started_at",
            "finished_at",
        ]


@extend_schema_serializer(component_name="ResearchFile")
class ResearchFileOutputSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="evidence.incident_id", allow_null=True, default=None)
    incident_reference = serializers.CharField(source="evidence.incident.reference", allow_null=True, default=None)
    original_name = serializers.CharField(source="evidence.original_name", allow_null=True, default=None)

    class Meta:
        model = ResearchFile
        fields = [
            "evidence",
            "incident",
            "incident_reference",
            "original_name",
            "state",
            "note",
            "gallery_size",
            "faces_searched",
            "matches",
            "searched_at",
        ]


@extend_schema_serializer(component_name="ResearchJobDetail")
class ResearchJobDetailOutputSerializer(ResearchJobOutputSerializer):
    files = ResearchFileOutputSerializer(many=True, read_only=True, help_text="Each file the job searches, in order.")

    class Meta(ResearchJobOutputSerializer.Meta):
        fields = [*ResearchJobOutputSerializer.Meta.fields, "files"]


class ResearchJobListApi(generics.ListAPIView):
    """Force admins: re-searches of their force's CCTV (late paperwork, or asked for), newest first,
    with progress (files done of files_total) and matches found."""

    serializer_class = ResearchJobOutputSerializer
    permission_classes = [IsForceAdmin]
    filterset_class = ResearchJobFilterSet

    def get_queryset(self):
        return research.research_jobs_for(self.request.user)


class ResearchJobDetailApi(APIView):
    """Force admins: one re-search, with each file's state (searched, skipped and why, failed and why)."""

    permission_classes = [IsForceAdmin]

    @extend_schema(responses=ResearchJobDetailOutputSerializer, parameters=[path_id("job_id")])
    def get(self, request, job_id: int):
        if job_id > MAX_ID:
            raise Http404
        qs = research.research_jobs_for(request.user).prefetch_related("files__evidence__incident")
        job = get_object_or_404(qs, pk=job_id)
        return Response(ResearchJobDetailOutputSerializer(job).data)


class IncidentResearchApi(APIView):
    """Force admins: search one incident's CCTV again (every file whose first search is done) against
    everyone whose order was in force and served at the incident's time, giving a reason (logged under
    DPA 2018 s.62 for each file). 202 with the queued job; 409 `nothing_to_search` when no file has
    finished its first search, 409 `research_pending` while an earlier re-search of it is not done."""

    permission_classes = [IsForceAdmin]

    class IncidentResearchInputSerializer(serializers.Serializer):
        reason = serializers.CharField(
            max_length=500, help_text="Why the CCTV is searched again (at least 5 characters), e.g. a new lead."
        )

    @extend_schema(
        request=IncidentResearchInputSerializer,
        responses={202: ResearchJobOutputSerializer},
        parameters=[path_id("incident_id")],
    )
    def post(self, request, incident_id: int):
        if incident_id > MAX_ID:
            raise Http404
        incident = get_object_or_404(incidents_for(request.user).select_related("store__beat"), pk=incident_id)
        serializer = self.IncidentResearchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = research.research_for_incident(
            incident=incident, actor=request.user, reason=serializer.validated_data["reason"]
        )
        job.refresh_from_db()
        return Response(ResearchJobOutputSerializer(job).data, status=202)


# Included by recognition/urls.py under "recognition/".
urlpatterns = [
    path("research-jobs/", ResearchJobListApi.as_view(), name="api-recognition-research-jobs"),
    path("research-jobs/<int:job_id>/", ResearchJobDetailApi.as_view(), name="api-recognition-research-job"),
    path(
        "incidents/<int:incident_id>/research/",
        IncidentResearchApi.as_view(),
        name="api-recognition-incident-research",
    ),
]
