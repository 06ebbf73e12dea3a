"""Accounts API: tokens, the signed-in user, and the organisations each role may see."""

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import generics, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts.authentication import WrongCredentials
from accounts.filters import StoreFilterSet, UserFilterSet
from accounts.models import Beat, Force, Retailer, Store, User
from accounts.permissions import IsForceAdmin


class TokenCreateApi(APIView):
    """Exchange a username and password for an API token (expires after API_TOKEN_TTL_HOURS)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        return 'Token realm="api"'  # so a failed sign-in is a 401, not a 403

    class TokenCreateInputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    class TokenCreateOutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField()

    @extend_schema(
        request=TokenCreateInputSerializer,
        responses=TokenCreateOutputSerializer,
        auth=[],
        examples=[OpenApiExample("Sign in", value={"username": "officer", "password": "..."}, request_only=True)],
    )
    def post(self, request):
        serializer = self.TokenCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request, **serializer.validated_data)
        if user is None:
            raise WrongCredentials()
        # A fresh token each time: an old (possibly expired) one is replaced.
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token.created + settings.API_TOKEN_TTL})


# Serializers: ``<Noun>OutputSerializer`` for what the API answers, ``<Noun>InputSerializer`` for what it
# reads; the schema keeps the component names it had (``Force``, not ``ForceOutput``).


@extend_schema_serializer(component_name="Force")
class ForceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Force
        fields = ["id", "name", "code"]


@extend_schema_serializer(component_name="Beat")
class BeatOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Beat
        fields = ["id", "name", "force"]


@extend_schema_serializer(component_name="Retailer")
class RetailerOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Retailer
        fields = ["id", "name"]


@extend_schema_serializer(component_name="StoreSummary")
class StoreSummaryOutputSerializer(serializers.Serializer):
    """A store as other resources (incidents, prohibitions) show it."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    retailer = serializers.CharField(source="retailer.name")
    postcode = serializers.CharField()


@extend_schema_serializer(component_name="Store")
class StoreOutputSerializer(serializers.ModelSerializer):
    retailer = RetailerOutputSerializer()
    force = serializers.IntegerField(source="beat.force_id")

    class Meta:
        model = Store
        fields = ["id", "code", "name", "retailer", "address", "postcode", "latitude", "longitude", "beat", "force"]


@extend_schema_serializer(component_name="User")
class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "force", "stores", "beats"]


class MeApi(APIView):
    """The signed-in user, their role and memberships. Works for a user without a role too."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserOutputSerializer)
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)


class ForceListApi(generics.ListAPIView):
    serializer_class = ForceOutputSerializer

    def get_queryset(self):
        return access.forces_for(self.request.user)


class BeatListApi(generics.ListAPIView):
    serializer_class = BeatOutputSerializer

    def get_queryset(self):
        return access.beats_for(self.request.user)


class RetailerListApi(generics.ListAPIView):
    serializer_class = RetailerOutputSerializer

    def get_queryset(self):
        return access.retailers_for(self.request.user)


class StoreListApi(generics.ListAPIView):
    serializer_class = StoreOutputSerializer
    filterset_class = StoreFilterSet

    def get_queryset(self):
        return access.stores_for(self.request.user)


class StoreDetailApi(generics.RetrieveAPIView):
    serializer_class = StoreOutputSerializer

    def get_queryset(self):
        return access.stores_for(self.request.user)


class UserListApi(generics.ListAPIView):
    """Force admins only: the users of their force."""

    serializer_class = UserOutputSerializer
    permission_classes = [IsForceAdmin]
    filterset_class = UserFilterSet

    def get_queryset(self):
        return access.users_for(self.request.user).order_by("username")


class UserDetailApi(generics.RetrieveAPIView):
    serializer_class = UserOutputSerializer
    permission_classes = [IsForceAdmin]

    def get_queryset(self):
        return access.users_for(self.request.user)
