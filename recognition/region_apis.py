"""Officer-selected face search API (police): a frame of an exhibit as a JPEG, its size and length,
and the search of a face boxed on that frame. Mounted under /api/ by ``recognition.urls``."""

from django.http import Http404, HttpResponse
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPolice
from core.exceptions import ApplicationError
from core.filters import MAX_ID
from incidents.models import Evidence
from recognition import region, selectors
from workflows import evidence as evidence_workflow

MAX_SECONDS = 24 * 3600  # far beyond any video searched; keeps the number finite and sane


def evidence_or_404(user, evidence_id: int) -> Evidence:
    evidence = selectors.searchable_evidence_get(user=user, evidence_id=evidence_id)
    if evidence is None:
        raise Http404
    return evidence


def parse_time(raw) -> float | None:
    """?t= as seconds: empty means the start (or a photo's one frame). 400 when not a number."""
    if raw in (None, ""):
        return None
    field = serializers.FloatField(min_value=0, max_value=MAX_SECONDS)
    try:
        return field.run_validation(raw)
    except serializers.ValidationError as exc:
        message = f"t: {' '.join(str(m) for m in exc.detail)}"
        raise ApplicationError(message, fields={"t": [str(m) for m in exc.detail]}) from None


def jpeg_response(frame: region.FrameImage) -> HttpResponse:
    response = HttpResponse(region.frame_jpeg(frame), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Frame-Width"], response["X-Frame-Height"] = str(frame.width), str(frame.height)
    if frame.time_s is not None:
        response["X-Frame-Time"] = f"{frame.time_s:.3f}"
    return response


@extend_schema_serializer(component_name="EvidenceMedia")
class EvidenceMediaOutputSerializer(serializers.Serializer):
    evidence = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
    width = serializers.IntegerField(help_text="Width of the frames served here, pixels: boxes use these pixels.")
    height = serializers.IntegerField()
    duration_s = serializers.FloatField(allow_null=True, help_text="Length of a video; null for a photo.")
    fps = serializers.FloatField(allow_null=True)


class EvidenceMediaApi(APIView):
    """Police: the size and length of an exhibit, in the pixels its frames are served in."""

    permission_classes = [IsPolice]

    @extend_schema(
        responses={
            200: EvidenceMediaOutputSerializer,
            400: OpenApiResponse(description="The file cannot be decoded: `corrupt_video`, `unreadable_image`."),
        }
    )
    def get(self, request, evidence_id: int):
        evidence = evidence_or_404(request.user, evidence_id)
        info = region.media_info(evidence)
        return Response(EvidenceMediaOutputSerializer({"evidence": evidence.pk, **info.__dict__}).data)


class EvidenceFrameApi(APIView):
    """Police: the frame of an exhibit at `?t=` seconds (a photo: its one frame), as a JPEG to draw a
    box on. Logged in the s.62 access log as a view of the exhibit. `X-Frame-Time` is the frame's
    own time (the first frame at or after `t`)."""

    permission_classes = [IsPolice]

    @extend_schema(
        parameters=[OpenApiParameter("t", float, description="Seconds into the video (default 0).")],
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="`time_out_of_range`, `corrupt_video`, `unreadable_image`, ..."),
        },
    )
    def get(self, request, evidence_id: int):
        evidence = evidence_or_404(request.user, evidence_id)
        frame = region.frame_at(evidence, parse_time(request.query_params.get("t")))
        evidence_workflow.frame_view_log(evidence=evidence, user=request.user, frame=frame)
        return jpeg_response(frame)


@extend_schema_serializer(component_name="RegionCase")
class RegionCaseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="case_id")
    outcome = serializers.ChoiceField(
        choices=["raised", "updated", "unchanged"],
        help_text="raised: a new case; updated: this match added to the person's case for the incident; "
        "unchanged: the person was already matched in this file, so the case keeps that match.",
    )
    url = serializers.SerializerMethodField()

    def get_url(self, hit) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-case", args=[hit.case_id]))


class BoxField(serializers.ListField):
    child = serializers.FloatField()

    def __init__(self, **kwargs):
        super().__init__(min_length=4, max_length=4, **kwargs)


@extend_schema_serializer(component_name="RegionSearchResult")
class RegionSearchResultOutputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=["match", "no_match"])
    message = serializers.CharField()
    evidence = serializers.IntegerField()
    frame_time_s = serializers.FloatField(allow_null=True, help_text="The frame's own time; null for a photo.")
    box = serializers.ListField(child=serializers.IntegerField(), help_text="The box as drawn: [x, y, w, h].")
    face_box = serializers.ListField(child=serializers.IntegerField(), help_text="The face searched: [x, y, w, h].")
    found_by = serializers.ChoiceField(
        choices=["detector", "drawn_box"],
        help_text="detector: a face was found inside the box; drawn_box: none was, so the box itself was searched.",
    )
    gallery_size = serializers.IntegerField(help_text="Templates of people under an order in force at the time.")
    cases = RegionCaseOutputSerializer(many=True)
    access_log_id = serializers.IntegerField()


def result_body(result: region.SearchResult, evidence: Evidence) -> dict:
    return {
        "result": "match" if result.matched else "no_match",
        "message": region.result_message(result),
        "evidence": evidence.pk,
        "frame_time_s": result.frame_time_s,
        "box": [result.box.x, result.box.y, result.box.w, result.box.h],
        "face_box": [result.face_box.x, result.face_box.y, result.face_box.w, result.face_box.h],
        "found_by": result.found_by,
        "gallery_size": result.gallery_size,
        "cases": result.cases,
        "access_log_id": result.access_id,
    }


class RegionSearchApi(APIView):
    """Police: search a face the automatic pass missed. Box it on a frame (pixels of the frame served
    by `.../frame/?t=`), give the time and your justification (s.62). A match within the force's
    threshold raises or extends the case, marked officer-selected; no match keeps nothing. Every
    search is in the access log. Synchronous (well under a second)."""

    permission_classes = [IsPolice]

    class RegionSearchInputSerializer(serializers.Serializer):
        evidence = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        frame_time_s = serializers.FloatField(
            min_value=0, max_value=MAX_SECONDS, required=False, allow_null=True, default=None
        )
        box = BoxField(help_text="[x, y, width, height] in the frame's pixels; at least 8 each way.")
        justification = serializers.CharField(max_length=2000, help_text="Why you search this face (s.62).")

    @extend_schema(
        request=RegionSearchInputSerializer,
        responses={
            200: RegionSearchResultOutputSerializer,
            400: OpenApiResponse(
                description="`invalid_box`, `justification_too_short`, `time_out_of_range`, `corrupt_video`, "
                "`unreadable_image`, `invalid`."
            ),
            404: OpenApiResponse(description="No such evidence file in your force."),
            503: OpenApiResponse(description="`face_engine_unavailable`: the face model is not installed."),
        },
        examples=[
            OpenApiExample(
                "Search",
                value={
                    "evidence": 12,
                    "frame_time_s": 14.5,
                    "box": [812, 344, 40, 44],
                    "justification": "Suspect by the door at 14 s, not found by the automatic pass",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        serializer = self.RegionSearchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evidence = evidence_or_404(request.user, data["evidence"])
        result = evidence_workflow.region_search(
            evidence=evidence,
            user=request.user,
            frame_time_s=data["frame_time_s"],
            box=data["box"],
            justification=data["justification"],
        )
        body = result_body(result, evidence)
        return Response(RegionSearchResultOutputSerializer(body, context={"request": request}).data)


urlpatterns = [
    path("recognition/evidence/<int:evidence_id>/media/", EvidenceMediaApi.as_view(), name="api-evidence-media"),
    path("recognition/evidence/<int:evidence_id>/frame/", EvidenceFrameApi.as_view(), name="api-evidence-frame"),
    path("recognition/region-search/", RegionSearchApi.as_view(), name="api-region-search"),
]
