"""Reference photos API: an offender's custody photos (police read, force admins add, correct, remove).

Adding and removing go through ``workflows.orders``: the face is enrolled (or the photo refused) and
the person's footage searched again; a removed photo's templates are forgotten."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPolice
from core.pagination import PAGE_PARAMETERS, page_of, paginated_response
from core.schema import path_id
from orders.apis.common import PoliceReadAdminWrite, offender_or_404, photo_or_404, reason_param
from orders.apis.serializers import (
    ReferencePhotoCreateInputSerializer,
    ReferencePhotoOutputSerializer,
    ReferencePhotoUpdateInputSerializer,
)
from orders.events import photo_viewed_event
from orders.services import photos as photo_services
from workflows import orders as order_workflows


class ReferencePhotoCollectionApi(PoliceReadAdminWrite, APIView):
    """An offender's reference photos (GET), or add one (POST, admin, multipart). The photo must show exactly
    one face of adequate size: otherwise 400 ``no_face``, ``multiple_faces`` or ``face_too_small``. Other codes:
    ``empty_file``, ``file_too_large``, ``unsupported_image_type``, ``unreadable_image``,
    ``image_too_many_pixels``, ``taken_on_future``, ``duplicate_photo`` (409). Nothing is kept when a photo is
    refused."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        responses=page_of(ReferencePhotoOutputSerializer, "ReferencePhotoPageOutputSerializer"),
        parameters=[path_id("offender_id"), *PAGE_PARAMETERS],
        operation_id="offenders_photos_list",
    )
    def get(self, request, offender_id: int):
        offender = offender_or_404(request, offender_id)
        return paginated_response(
            request=request, view=self, queryset=offender.photos.all(), serializer_class=ReferencePhotoOutputSerializer
        )

    @extend_schema(
        request={"multipart/form-data": ReferencePhotoCreateInputSerializer},
        responses={
            201: ReferencePhotoOutputSerializer,
            503: OpenApiResponse(description="Face matching is not installed here (`face_engine_unavailable`)."),
        },
        parameters=[path_id("offender_id")],
        operation_id="offenders_photos_create",
    )
    def post(self, request, offender_id: int):
        offender = offender_or_404(request, offender_id)
        serializer = ReferencePhotoCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = order_workflows.reference_photo_add(offender=offender, actor=request.user, **serializer.validated_data)
        return Response(ReferencePhotoOutputSerializer(photo).data, status=status.HTTP_201_CREATED)


class ReferencePhotoDetailApi(PoliceReadAdminWrite, APIView):
    """One reference photo (GET), correct its source or date (PATCH, admin), or remove it and its face
    templates (DELETE, admin)."""

    @extend_schema(responses=ReferencePhotoOutputSerializer, parameters=[path_id("offender_id"), path_id("photo_id")])
    def get(self, request, offender_id: int, photo_id: int):
        return Response(ReferencePhotoOutputSerializer(photo_or_404(request, offender_id, photo_id)).data)

    @extend_schema(
        request=ReferencePhotoUpdateInputSerializer,
        responses=ReferencePhotoOutputSerializer,
        parameters=[path_id("offender_id"), path_id("photo_id")],
    )
    def patch(self, request, offender_id: int, photo_id: int):
        photo = photo_or_404(request, offender_id, photo_id)
        serializer = ReferencePhotoUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = photo_services.reference_photo_update(photo=photo, actor=request.user, **serializer.validated_data)
        return Response(ReferencePhotoOutputSerializer(photo).data)

    @extend_schema(responses={204: None}, parameters=[path_id("offender_id"), path_id("photo_id")])
    def delete(self, request, offender_id: int, photo_id: int):
        photo = photo_or_404(request, offender_id, photo_id)
        order_workflows.reference_photo_remove(photo=photo, actor=request.user, reason=reason_param(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReferencePhotoImageApi(APIView):
    """The photo's image file (police of the force only). Each image served is audited (``photo_viewed``)."""

    permission_classes = [IsPolice]

    @extend_schema(
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY},
        parameters=[path_id("offender_id"), path_id("photo_id")],
    )
    def get(self, request, offender_id: int, photo_id: int):
        photo = photo_or_404(request, offender_id, photo_id)
        response = FileResponse(photo.image.open("rb"))
        response["Cache-Control"] = "private, no-store"
        photo_viewed_event(photo=photo, actor=request.user, via="api")  # the admin's previews come here too
        return response
