"""Users and their roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from articles import roles


class UserCreateError(ValueError):
    """A user could not be created; the message says why, in plain words."""


def user_create(*, username: str, role: str, password: str) -> AbstractUser:
    """Create a user with one role. Admins are staff, so they can use the admin site."""
    if role not in roles.ROLES:
        raise UserCreateError(f"Unknown role {role!r}: choose one of {', '.join(roles.ROLES)}.")
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
    return candidate
