"""Writes of the shared kit: users with their roles, and their API tokens (one per user,
DRF's authtoken, for the token endpoint and the api_token command alike)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from newsdesk import roles


class UserCreateError(ValueError):
    """A user could not be created; the message says why, in plain words."""


def user_create(*, username: str, role: str, password: str, lead: bool = False) -> AbstractUser:
    """Create a user with one role. Admins are staff, so they can use the admin site. A
    `lead` analyst is also in the lead group: they assign work and adjudicate it."""
    if role not in roles.ROLES:
        raise UserCreateError(f"Unknown role {role!r}: choose one of {', '.join(roles.ROLES)}.")
    if lead and role != roles.ANALYST:
        raise UserCreateError("Only an analyst is made a lead (admins already lead).")
    User = get_user_model()
    username = username.strip()
    if not username:
        raise UserCreateError("The username must not be empty.")
    candidate = User(username=username, is_staff=(role == roles.ADMIN))
    try:
        User._meta.get_field("username").run_validators(username)
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise UserCreateError(" ".join(error.messages)) from error
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise UserCreateError(f"A user named {username!r} already exists.")
        candidate.set_password(password)
        candidate.save()
        candidate.groups.add(Group.objects.get(name=role))
        if lead:
            candidate.groups.add(Group.objects.get(name=roles.LEAD))
    return candidate


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
