"""Incidents API: the same services and selectors as the portal.

Outside a user's scope an incident is 404 (not 403), so its existence does not leak.
"""

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.apis import StoreSummaryOutputSerializer
from accounts.permissions import HasRole, IsShopWorker
from core.exception_handlers import error_body
from core.pagination import PAGE_PARAMETERS, page_of, paginated_response
from core.schema import path_id
from incidents import selectors, services
from incidents.filters import IncidentFilterSet
from incidents.forms import DECLARATION
from incidents.models import Evidence, Incident, WitnessStatement
from incidents.uploads import limit_upload_sizes
from workflows import evidence as evidence_workflow


class EvidenceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "original_name", "size", "content_type", "kind", "sha256", "uploaded_by", "uploaded_at"]


class IncidentOutputSerializer(serializers.ModelSerializer):
    store = StoreSummaryOutputSerializer()

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "store",
            "reported_by",
            "occurred_at",
            "category",
            "ongoing",
            "injured",
            "weapon",
            "description",
            "goods_value",
            "offender_description",
            "priority",
            "priority_reason",
            "response_target_minutes",
            "status",
            "taken_on_by",
            "taken_on_at",
            "created_at",
        ]


class IncidentCreateInputSerializer(serializers.Serializer):
    store = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    category = serializers.ChoiceField(choices=Incident.Category.choices)
    ongoing = serializers.BooleanField()
    injured = serializers.BooleanField()
    weapon = serializers.BooleanField()
    description = serializers.CharField(max_length=5000)
    goods_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    offender_description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    submission_key = serializers.UUIDField(required=False, allow_null=True)
    confirm_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Report even though a file was already sent with another incident at the same store within "
        "7 days (after a 409 `possible_duplicate`).",
    )
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, help_text="CCTV files (multipart only)."
    )


class EarlierIncidentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Incident
        fields = ["id", "reference", "occurred_at", "created_at"]


class PossibleDuplicateOutputSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    earlier_incidents = EarlierIncidentOutputSerializer(many=True)


class EvidenceUploadInputSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        help_text="One or more files: JPEG, PNG, WebP, MP4, MOV, AVI, MKV.",
    )


# The schema's pages, one shape for every list (``core.pagination``). The incident list's page is given as it
# is (``many=False``), not wrapped again by drf-spectacular's pagination of a ListAPIView.
IncidentPageOutputSerializer = extend_schema_serializer(many=False)(
    page_of(IncidentOutputSerializer, "IncidentPageOutputSerializer")
)
EvidencePageOutputSerializer = page_of(EvidenceOutputSerializer, "EvidencePageOutputSerializer")
INCIDENT_ID = path_id("incident_id")


def _incident_or_404(request, incident_id: int) -> Incident:
    incident = selectors.incident_get(user=request.user, incident_id=incident_id)
    if incident is None:
        raise Http404
    return incident


def _files(request) -> list:
    return request.FILES.getlist("files") if hasattr(request.FILES, "getlist") else []


INCIDENT_EXAMPLE = {
    "store": 12,
    "occurred_at": "2026-03-14T16:05:00Z",
    "category": "physical_assault",
    "ongoing": True,
    "injured": False,
    "weapon": True,
    "description": "Man filled a bag with spirits; when challenged he pushed a colleague and showed a knife.",
    "goods_value": "84.50",
    "offender_description": "White male, about 30, grey hoodie, black cap, red trainers.",
}


class IncidentCollectionApi(generics.ListAPIView):
    """List the incidents you may see (GET), or report one (POST, shop workers, for their own stores)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = IncidentOutputSerializer
    filterset_class = IncidentFilterSet
    queryset = Incident.objects.none()  # for the schema; requests use get_queryset

    def initialize_request(self, request, *args, **kwargs):
        limit_upload_sizes(request)  # before authentication, whose CSRF check may read the body
        return super().initialize_request(request, *args, **kwargs)

    def get_permissions(self):
        return [IsShopWorker()] if self.request.method == "POST" else [HasRole()]

    def get_queryset(self):
        return selectors.incidents_for(self.request.user)

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=IncidentPageOutputSerializer,
        operation_id="incidents_list",
        summary="List incidents in your scope (filter by store, category, status, priority; newest first)",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={
            "application/json": IncidentCreateInputSerializer,
            "multipart/form-data": IncidentCreateInputSerializer,
        },
        responses={
            201: IncidentOutputSerializer,
            409: OpenApiResponse(
                PossibleDuplicateOutputSerializer,
                description="`possible_duplicate`: a file was already sent with an incident at the same store "
                "within 7 days (`earlier_incidents`); nothing was filed. Send again with `confirm_duplicate=true` "
                "if this is a different incident. (`duplicate_submission`: the `submission_key` is someone "
                "else's.)",
            ),
        },
        operation_id="incidents_create",
        summary="Report an incident (shop workers, own stores); JSON, or multipart with CCTV `files`",
        description="All or nothing: a refused file refuses the report (400 naming it), so a client can send "
        "it again corrected. The same `submission_key` sent again returns the incident already filed. A file "
        "already sent with another incident at the same store within 7 days is a 409 `possible_duplicate` "
        "listing `earlier_incidents`, unless `confirm_duplicate` is true.",
        examples=[
            OpenApiExample("Ongoing assault with a weapon (P1)", value=INCIDENT_EXAMPLE, request_only=True),
            OpenApiExample(
                "Shoplifting, over (P3)",
                value={**INCIDENT_EXAMPLE, "category": "theft", "ongoing": False, "weapon": False},
                request_only=True,
            ),
            OpenApiExample(
                "Logged, with its threat assessment",
                value={
                    "id": 123,
                    "reference": "INC-2026-000123",
                    "store": {
                        "id": 12,
                        "code": "N-014",
                        "name": "Kidsgrove",
                        "retailer": "Northway Foods",
                        "postcode": "ST7 2AA",
                    },
                    "reported_by": 57,
                    **{k: v for k, v in INCIDENT_EXAMPLE.items() if k != "store"},
                    "priority": "P1",
                    "priority_reason": "Still happening with violence and weapon.",
                    "response_target_minutes": 15,
                    "status": "received",
                    "created_at": "2026-03-14T16:06:12Z",
                },
                response_only=True,
                status_codes=["201"],
            ),
            OpenApiExample(
                "Refused: in the future",
                value={
                    "message": "When it happened cannot be in the future.",
                    "code": "occurred_in_future",
                    "fields": {"occurred_at": ["When it happened cannot be in the future."]},
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request):
        serializer = IncidentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        store = access.stores_for(request.user).filter(pk=data.pop("store")).first()
        if store is None:
            raise serializers.ValidationError({"store": ["Choose one of your stores."]})
        data.pop("files", None)
        confirmed = data.pop("confirm_duplicate")
        try:
            incident = evidence_workflow.incident_create(
                reported_by=request.user,
                store=store,
                files=_files(request),
                duplicates="confirmed" if confirmed else "ask",
                **data,
            )
        except services.PossibleDuplicate as exc:
            body = error_body(exc.message, exc.code, exc.fields)
            body["earlier_incidents"] = EarlierIncidentOutputSerializer(exc.incidents, many=True).data
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(IncidentOutputSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetailApi(APIView):
    """One incident. Each view by a police user is recorded in the incident's audit trail."""

    @extend_schema(responses=IncidentOutputSerializer, summary="One incident (views by police users are audited)")
    def get(self, request, incident_id: int):
        incident = _incident_or_404(request, incident_id)
        services.incident_view_record(incident=incident, viewer=request.user)
        return Response(IncidentOutputSerializer(incident).data)


class IncidentEvidenceApi(APIView):
    """The incident's evidence files (GET), or add CCTV files to it (POST, multipart, field ``files``)."""

    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        limit_upload_sizes(request)  # before authentication, whose CSRF check may read the body
        return super().initialize_request(request, *args, **kwargs)

    def get_permissions(self):
        return [IsShopWorker()] if self.request.method == "POST" else [HasRole()]

    @extend_schema(
        responses=EvidencePageOutputSerializer,
        operation_id="incidents_evidence_list",
        summary="The evidence files of an incident (metadata and SHA-256)",
        parameters=[INCIDENT_ID, *PAGE_PARAMETERS],
    )
    def get(self, request, incident_id: int):
        incident = _incident_or_404(request, incident_id)
        services.incident_view_record(incident=incident, viewer=request.user, what="evidence")
        evidence = selectors.evidence_for_incident(incident=incident)
        return paginated_response(
            request=request, view=self, queryset=evidence, serializer_class=EvidenceOutputSerializer
        )

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadInputSerializer},
        responses={201: EvidenceOutputSerializer(many=True)},
        operation_id="incidents_evidence_create",
        summary="Add CCTV files (multipart `files`, one or more); all or nothing",
        parameters=[INCIDENT_ID],
        examples=[
            OpenApiExample(
                "Two CCTV files",
                value={"files": ["till-camera.mp4", "door-still.jpg"]},
                request_only=True,
                media_type="multipart/form-data",
            ),
            OpenApiExample(
                "Refused: the same file twice",
                value={
                    "message": "door-still.jpg: this is the same file as door.jpg, already attached to this incident.",
                    "code": "duplicate_file",
                    "fields": {"files": ["door-still.jpg: this is the same file as door.jpg, ..."]},
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request, incident_id: int):
        incident = _incident_or_404(request, incident_id)
        files = _files(request)
        if not files:
            raise serializers.ValidationError({"files": ["Choose at least one file (multipart field 'files')."]})
        created = evidence_workflow.evidence_add(incident=incident, files=files, uploaded_by=request.user)
        return Response(EvidenceOutputSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


class WitnessStatementContactOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WitnessStatement
        fields = ["contact_address", "contact_phone", "contact_email"]


class WitnessStatementOutputSerializer(serializers.ModelSerializer):
    contact = serializers.SerializerMethodField(
        help_text="The MG11's contact part, not for disclosure: police users only (null for shop staff)."
    )

    class Meta:
        model = WitnessStatement
        fields = [
            "id",
            "incident",
            "witness_name",
            "occupation",
            "statement",
            "truth_declaration",
            "signature",
            "signed_on",
            "created_by",
            "created_at",
            "contact",
        ]

    @extend_schema_field(WitnessStatementContactOutputSerializer(allow_null=True))
    def get_contact(self, statement: WitnessStatement):
        viewer = self.context.get("viewer")
        if viewer is None or not viewer.is_police:
            return None
        return WitnessStatementContactOutputSerializer(statement).data


class WitnessStatementCreateInputSerializer(serializers.Serializer):
    witness_name = serializers.CharField(max_length=150)
    occupation = serializers.CharField(max_length=150)
    statement = serializers.CharField(max_length=20000)
    truth_declaration = serializers.BooleanField(help_text=f"Must be true: the witness declares: “{DECLARATION}”")
    signature = serializers.CharField(max_length=150, help_text="The witness's name, typed: their signature.")
    signed_on = serializers.DateField()
    contact_address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")


WitnessStatementPageOutputSerializer = page_of(WitnessStatementOutputSerializer, "WitnessStatementPageOutputSerializer")


class IncidentStatementsApi(APIView):
    """An incident's witness statements (GET, anyone who may see the incident; the contact part for police
    only), or sign one (POST, a shop worker of the incident's store). A signed statement is never changed:
    a correction is a further statement."""

    def get_permissions(self):
        return [IsShopWorker()] if self.request.method == "POST" else [HasRole()]

    @extend_schema(
        responses=WitnessStatementPageOutputSerializer,
        operation_id="incidents_statements_list",
        summary="The witness statements (MG11) of an incident; `contact` for police users only",
        parameters=[INCIDENT_ID, *PAGE_PARAMETERS],
    )
    def get(self, request, incident_id: int):
        incident = _incident_or_404(request, incident_id)
        services.incident_view_record(incident=incident, viewer=request.user, what="statements")
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.statements_for_incident(incident=incident),
            serializer_class=WitnessStatementOutputSerializer,
            context={"viewer": request.user},
        )

    @extend_schema(
        request=WitnessStatementCreateInputSerializer,
        responses={201: WitnessStatementOutputSerializer},
        operation_id="incidents_statements_create",
        summary="Sign a witness statement (MG11) for an incident of your store (shop workers)",
        parameters=[INCIDENT_ID],
        examples=[
            OpenApiExample(
                "A statement",
                value={
                    "witness_name": "Sam Patel",
                    "occupation": "Store manager",
                    "statement": "At about 16:05 I saw a man in a grey hoodie fill a bag with spirits...",
                    "truth_declaration": True,
                    "signature": "Sam Patel",
                    "signed_on": "2026-03-14",
                    "contact_phone": "07700 900123",
                },
                request_only=True,
            ),
        ],
    )
    def post(self, request, incident_id: int):
        incident = _incident_or_404(request, incident_id)
        serializer = WitnessStatementCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        statement = services.witness_statement_create(
            incident=incident, created_by=request.user, **serializer.validated_data
        )
        output = WitnessStatementOutputSerializer(statement, context={"viewer": request.user})
        return Response(output.data, status=status.HTTP_201_CREATED)
