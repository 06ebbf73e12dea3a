"""Recognition API: processing state of evidence files (police), retry (force admins), possible
matches (police), and the force's match threshold with its figures (force admins)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsForceAdmin, IsPolice
from core.filters import MAX_ID
from recognition import processing as evidence_processing
from recognition import selectors, services
from recognition.filters import PossibleMatchFilterSet, ProcessingFilterSet
from recognition.models import EvidenceProcessing, PossibleMatch

# Serializers: ``<Noun>OutputSerializer`` for what the API answers, ``<Noun>InputSerializer`` for what it
# reads; the schema keeps the component names it had (``EvidenceProcessing``, not ``...Output``).


@extend_schema_serializer(component_name="EvidenceProcessing")
class EvidenceProcessingOutputSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="evidence.incident_id")
    incident_reference = serializers.CharField(source="evidence.incident.reference", allow_null=True)
    waiting_for_task_queue = serializers.BooleanField(
        read_only=True,
        help_text="Queued, but the task queue (broker) could not take the file's task yet: it is sent "
        "automatically within a minute or two of the queue being back. Nothing is lost.",
    )

    class Meta:
        model = EvidenceProcessing
        fields = [
            "evidence",
            "incident",
            "incident_reference",
            "status",
            "waiting_for_task_queue",
            "result",
            "reason_code",
            "reason",
            "attempts",
            "sent_at",
            "heartbeat_at",
            "next_attempt_at",
            "media_seconds",
            "frames_decoded",
            "frames_sampled",
            "frames_skipped_still",
            "faces_detected",
            "faces_too_small",
            "faces_blurred",
            "faces_tracked",
            "faces_embedded",
            "gallery_size",
            "matches",
            "started_at",
            "finished_at",
            "processing_seconds",
            "model_name",
            "model_version",
            "threshold",
            "created_at",
        ]


class ProcessingListApi(generics.ListAPIView):
    """Police: face-matching state of their force's evidence files (filter by status, evidence, incident)."""

    serializer_class = EvidenceProcessingOutputSerializer
    permission_classes = [IsPolice]
    filterset_class = ProcessingFilterSet

    def get_queryset(self):
        return selectors.processing_for(self.request.user)


def _processing_or_404(request, evidence_id: int) -> EvidenceProcessing:
    if evidence_id > MAX_ID:  # a foreign-key lookup Django does not range-check (a 500 on SQLite)
        raise Http404
    return get_object_or_404(selectors.processing_for(request.user), evidence_id=evidence_id)


class ProcessingDetailApi(APIView):
    """Police: the face-matching state of one evidence file."""

    permission_classes = [IsPolice]

    @extend_schema(responses=EvidenceProcessingOutputSerializer)
    def get(self, request, evidence_id: int):
        processing = _processing_or_404(request, evidence_id)
        return Response(EvidenceProcessingOutputSerializer(processing).data)


class ProcessingRetryApi(APIView):
    """Force admins: queue a failed file again (409 `conflict` unless it failed)."""

    permission_classes = [IsForceAdmin]

    class ProcessingRetryInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=400, required=False, allow_blank=True, default="")

    @extend_schema(request=ProcessingRetryInputSerializer, responses={202: EvidenceProcessingOutputSerializer})
    def post(self, request, evidence_id: int):
        processing = _processing_or_404(request, evidence_id)
        serializer = self.ProcessingRetryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        processing = evidence_processing.evidence_processing_retry(
            processing=processing, actor=request.user, reason=serializer.validated_data["reason"]
        )
        processing.refresh_from_db()
        return Response(EvidenceProcessingOutputSerializer(processing).data, status=202)


@extend_schema_serializer(component_name="PossibleMatch")
class PossibleMatchOutputSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="evidence.incident_id")

    class Meta:
        model = PossibleMatch
        fields = [
            "id",
            "evidence",
            "incident",
            "offender",
            "source",
            "reference_photo",
            "distance",
            "similarity",
            "threshold",
            "frame_time_s",
            "face_box",
            "model_name",
            "model_version",
            "created_at",
        ]


class MatchListApi(generics.ListAPIView):
    """Police: possible matches found in their force's evidence (investigative leads, to be reviewed)."""

    serializer_class = PossibleMatchOutputSerializer
    permission_classes = [IsPolice]
    filterset_class = PossibleMatchFilterSet

    def get_queryset(self):
        return selectors.matches_for(self.request.user)


@extend_schema_serializer(component_name="ThresholdEvaluation")
class ThresholdEvaluationOutputSerializer(serializers.Serializer):
    pairs_file = serializers.CharField()
    pairs = serializers.IntegerField()
    same_pairs = serializers.IntegerField()
    different_pairs = serializers.IntegerField()
    unusable_pairs = serializers.IntegerField()
    threshold = serializers.FloatField()
    accuracy = serializers.FloatField()
    true_match_rate = serializers.FloatField()
    false_match_rate = serializers.FloatField()
    missed_matches = serializers.IntegerField()
    false_matches = serializers.IntegerField()
    best_threshold = serializers.FloatField()
    best_accuracy = serializers.FloatField()
    roc_auc = serializers.FloatField()
    model_name = serializers.CharField()
    model_version = serializers.CharField()


@extend_schema_serializer(component_name="ThresholdChange")
class ThresholdChangeOutputSerializer(serializers.Serializer):
    old_threshold = serializers.FloatField()
    new_threshold = serializers.FloatField()
    reason = serializers.CharField()
    changed_by = serializers.CharField(source="changed_by.username")
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="Threshold")
class ThresholdOutputSerializer(serializers.Serializer):
    threshold = serializers.FloatField(help_text="Cosine distance at or below which a face is a possible match.")
    default_threshold = serializers.FloatField()
    is_default = serializers.BooleanField()
    metric = serializers.CharField()
    evaluations = ThresholdEvaluationOutputSerializer(
        many=True, help_text="Figures on labelled pairs at this threshold."
    )
    changes = ThresholdChangeOutputSerializer(many=True)


class ThresholdDetailApi(APIView):
    """Force admins: their force's match threshold, its accuracy and false/missed match rates on the
    labelled pairs, and the history of changes."""

    permission_classes = [IsForceAdmin]

    @extend_schema(responses=ThresholdOutputSerializer)
    def get(self, request):
        overview = selectors.threshold_overview(force_id=request.user.force_id)
        return Response(ThresholdOutputSerializer(overview).data)


class ThresholdChangeApi(APIView):
    """Force admins: change their force's threshold, with a reason (kept in the audit trail)."""

    permission_classes = [IsForceAdmin]

    class ThresholdChangeInputSerializer(serializers.Serializer):
        threshold = serializers.FloatField(min_value=0.01, max_value=0.5)
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=ThresholdChangeInputSerializer, responses=ThresholdOutputSerializer)
    def post(self, request):
        serializer = self.ThresholdChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.force_threshold_set(force=request.user.force, actor=request.user, **serializer.validated_data)
        overview = selectors.threshold_overview(force_id=request.user.force_id)
        return Response(ThresholdOutputSerializer(overview).data)
