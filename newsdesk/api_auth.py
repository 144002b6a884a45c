"""Signing in to the REST API: trade a password for a token, revoke it, and ask who you are.

The token endpoint is throttled per client IP (settings.REST_FRAMEWORK "token" rate) on
top of the anonymous rate; nothing else here is throttled for signed-in users.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from newsdesk import roles, services
from newsdesk.serializers import (
    ApiErrorSerializer,
    ApiTokenErrorSerializer,
    ApiTokenObtainSerializer,
    ApiTokenSerializer,
    MeSerializer,
)
from newsdesk.throttling import TokenRateThrottle

NOT_SIGNED_IN = OpenApiResponse(
    ApiErrorSerializer, description="Not signed in: no session, and no token or a revoked one."
)
THROTTLED = OpenApiResponse(
    ApiErrorSerializer,
    description="Too many attempts from this address; Retry-After says how many seconds to wait.",
)


class ApiTokenView(APIView):
    throttle_classes = [AnonRateThrottle, TokenRateThrottle]

    def get_permissions(self) -> list[Any]:
        # Obtaining a token is how a client signs in; everything else needs a signed-in one.
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    @extend_schema(
        request=ApiTokenObtainSerializer,
        responses={
            200: OpenApiResponse(ApiTokenSerializer, description="The user's token."),
            400: OpenApiResponse(
                ApiTokenErrorSerializer, description="A field is missing, or wrong credentials."
            ),
            429: THROTTLED,
        },
        summary="Obtain your API token",
        tags=["auth"],
        description=(
            "Trade a username and password (JSON or form) for the user's token, created on "
            "first use and the same one until revoked. Attempts are limited per client "
            "address, right or wrong."
        ),
    )
    def post(self, request: Request) -> Response:
        form = ApiTokenObtainSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        token = services.api_token_obtain(user=form.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked: the token now gets 401."),
            401: NOT_SIGNED_IN,
            429: THROTTLED,
        },
        summary="Revoke your API token",
        tags=["auth"],
        description=(
            "Deletes the caller's token (signed in with it or with a session); the next "
            "POST makes a new one."
        ),
    )
    def delete(self, request: Request) -> Response:
        services.api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    responses={200: MeSerializer, 401: NOT_SIGNED_IN},
    summary="Who you are signed in as",
    tags=["auth"],
)
@api_view(["GET"])
def me(request: Request) -> Response:
    # The benchmarks' baseline: no serializer, just the user the authentication loaded and
    # their role (token with its user, then the user's groups).
    return Response({"username": request.user.get_username(), "role": roles.role_of(request.user)})
