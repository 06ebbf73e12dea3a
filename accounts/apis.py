"""Accounts API: tokens (one per device), the signed-in user, and the organisations each role may see."""

import math

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access, lockout, otp, services
from accounts.authentication import OtpInvalid, OtpNotSetUp, OtpRequired, TooManyAttempts, WrongCredentials
from accounts.errors import AccountErrorCode
from accounts.filters import StoreFilterSet, UserFilterSet
from accounts.lockout import client_ip
from accounts.models import ApiToken, Beat, Force, Retailer, Store, User
from accounts.permissions import IsForceAdmin
from accounts.throttles import SignInAccountThrottle, SignInAddressThrottle
from core.exceptions import ErrorCode
from core.schema import path_id


class TokenCreateApi(APIView):
    """Exchange a username and password (and, for police accounts, a one-time code) for an API token.

    Each request issues a new token for one device (name it with `name`); a user's other tokens stay valid.
    A token expires after API_TOKEN_TTL_HOURS; list yours at `GET /api/auth/tokens/` and revoke one with
    `DELETE /api/auth/tokens/{id}/`.

    **Second factor.** Beat officers and force admins (and anyone who set up an authenticator app) must send
    `otp`: the 6-digit code their authenticator app shows now, or one of their recovery codes (each works
    once). Without it: 401 `otp_required`; a wrong or reused code: 401 `otp_invalid`; an account that has not
    set up its authenticator yet (done at its first sign-in on the portal): 403 `otp_not_set_up`.

    **Too many attempts.** After repeated failures (wrong passwords or codes) for an account from one
    address, from one address, or for one account, sign-in is paused: 429 `locked_out` with `Retry-After`
    (seconds) until the cool-off ends or a force admin lifts it. Requests are also rate-limited per address
    and per account: 429 `throttled` with `Retry-After`."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SignInAddressThrottle, SignInAccountThrottle]

    def get_authenticate_header(self, request):
        return 'Token realm="api"'  # so a failed sign-in is a 401, not a 403

    def throttled(self, request, wait):
        seconds = max(1, math.ceil(wait or 1))
        raise TooManyAttempts(
            f"Too many sign-in requests: wait {seconds} seconds and try again.", wait=seconds, code=ErrorCode.THROTTLED
        )

    class TokenCreateInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
        otp = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=32,
            help_text="Police accounts (and accounts with an authenticator app): the one-time code the app shows "
            "now (6 digits), or one of the account's recovery codes (each works once).",
        )
        name = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=100,
            help_text="The device this token is for (e.g. 'Desk PC', 'Phone'), shown in the list of your tokens.",
        )

    class TokenCreateOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(help_text="Revoke this token with DELETE /api/auth/tokens/{id}/.")
        token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown only this once.")
        name = serializers.CharField()
        expires_at = serializers.DateTimeField()

    @extend_schema(
        request=TokenCreateInputSerializer,
        responses={
            200: TokenCreateOutputSerializer,
            401: OpenApiResponse(
                description="`authentication_failed` (wrong username or password), `otp_required` (a police "
                "account: send `otp`) or `otp_invalid` (a wrong or already used code)."
            ),
            403: OpenApiResponse(
                description="`otp_not_set_up`: the account must set up its authenticator app on the portal first."
            ),
            429: OpenApiResponse(
                description="`locked_out` (too many failed sign-ins: wait `Retry-After` seconds, or ask a force "
                "admin to lift it), `otp_throttled` (too many wrong codes in a row) or `throttled` (too many "
                "requests). The `Retry-After` header gives the seconds to wait."
            ),
        },
        auth=[],
        examples=[
            OpenApiExample(
                "Police sign-in",
                value={"username": "officer", "password": "...", "otp": "123456", "name": "Desk PC"},
                request_only=True,
            ),
            OpenApiExample(
                "Shop worker sign-in", value={"username": "shopworker", "password": "..."}, request_only=True
            ),
        ],
    )
    def post(self, request):
        serializer = self.TokenCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request=request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise self._locked_out(request, data["username"])
            raise WrongCredentials()
        self._check_second_factor(request, user, data.get("otp") or "")
        issued = services.api_token_create(user=user, name=data.get("name") or "", ip_address=client_ip(request))
        token = issued.token
        return Response({"id": token.pk, "token": issued.key, "name": token.name, "expires_at": token.expires_at})

    @staticmethod
    def _locked_out(request, username: str) -> TooManyAttempts:
        seconds = lockout.retry_after_seconds(request, {"username": username})
        return TooManyAttempts(lockout.lockout_message(seconds), wait=seconds, code=AccountErrorCode.LOCKED_OUT)

    def _check_second_factor(self, request, user: User, code: str) -> None:
        if not otp.second_factor_required(user):
            return
        if not otp.has_authenticator(user):
            raise OtpNotSetUp()
        if not code.strip():
            raise OtpRequired()
        check = otp.code_check(user=user, code=code, ip_address=client_ip(request))
        if check.wait_until is not None:
            seconds = max(1, math.ceil((check.wait_until - timezone.now()).total_seconds()))
            raise TooManyAttempts(
                f"Too many wrong codes in a row: wait {seconds} seconds, then send the code your app shows then.",
                wait=seconds,
                code=AccountErrorCode.OTP_THROTTLED,
            )
        if not check.ok:
            if lockout.record_code_failure(request, user):
                raise self._locked_out(request, user.username)
            raise OtpInvalid()


@extend_schema_serializer(component_name="ApiToken")
class ApiTokenOutputSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="The token this request was made with.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "current"]

    def get_current(self, token: ApiToken) -> bool:
        request = self.context.get("request")
        return bool(request is not None and isinstance(request.auth, ApiToken) and request.auth.pk == token.pk)


class TokenListApi(generics.ListAPIView):
    """Your API tokens that have not expired, one per device, newest first (`prefix`: the key's first
    characters; the key itself is never shown again)."""

    serializer_class = ApiTokenOutputSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        return self.request.user.api_tokens.filter(expires_at__gt=timezone.now())


class TokenRevokeApi(APIView):
    """Revoke one of your tokens (for example a lost phone's): it stops working at once; your other tokens
    stay valid. Another user's token is not found (404)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[path_id("id")], responses={204: None})
    def delete(self, request, id: int):
        token = get_object_or_404(request.user.api_tokens.all(), pk=id)
        services.api_token_revoke(token=token, actor=request.user)
        return Response(status=204)


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
