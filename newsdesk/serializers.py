"""The sign-in endpoints' shapes (newsdesk.api_auth), and DRF's error shape."""

from typing import Any

from django.contrib.auth import authenticate
from rest_framework import serializers

from newsdesk import roles


class ApiTokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = authenticate(
            self.context.get("request"), username=attrs["username"], password=attrs["password"]
        )
        if user is None:
            # The same words for an unknown user, a wrong password and an inactive account.
            raise serializers.ValidationError("Wrong username or password.", code="authorization")
        return {"user": user}


class ApiTokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send it on every request: `Authorization: Token <token>`."
    )


class ApiTokenErrorSerializer(serializers.Serializer):
    """A 400 from the token endpoint: which field is missing, or the credentials are wrong."""

    non_field_errors = serializers.ListField(
        child=serializers.CharField(), required=False, help_text='["Wrong username or password."]'
    )
    username = serializers.ListField(child=serializers.CharField(), required=False)
    password = serializers.ListField(child=serializers.CharField(), required=False)


class ApiErrorSerializer(serializers.Serializer):
    """DRF's error shape for 401, 403, 404 and 429 (429 also sends Retry-After, in seconds)."""

    detail = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.ChoiceField(
        choices=roles.ROLES, allow_null=True, help_text="Null for a user given no role yet."
    )
