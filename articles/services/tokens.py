"""API tokens: one per user (DRF's authtoken), for the token endpoint and the api_token
command alike."""

from django.contrib.auth.base_user import AbstractBaseUser
from rest_framework.authtoken.models import Token


class ApiTokenRefused(ValueError):
    """No token for this user; the message says why, in plain words."""


def api_token_obtain(*, user: AbstractBaseUser) -> Token:
    """The user's token, created on first use and the same one until it is revoked."""
    if not user.is_active:
        # TokenAuthentication refuses inactive users; a token they cannot use helps no one.
        raise ApiTokenRefused(f"{user.get_username()!r} is inactive: activate the user first.")
    # The user is Token's primary key: when two requests race, get_or_create catches the
    # loser's IntegrityError and returns the winner's row, so both get the same token.
    token, _ = Token.objects.get_or_create(user=user)
    return token


def api_token_revoke(*, user: AbstractBaseUser) -> bool:
    """Delete the user's token, so that clients holding it get 401; False if there was none."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0
