"""The login forms, with the lock-out after too many failures (newsdesk.throttling)."""

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from newsdesk import throttling


class LockoutAuthenticationForm(AuthenticationForm):
    """The login form, locked for a client IP and username after LOGIN_THROTTLE_FAILURES
    failures (newsdesk.throttling). A locked-out attempt is refused before the password is
    checked, so guessing on during the lock-out learns nothing, not even a right password.
    The error's code is "locked_out"."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if self.request is None or not username or not password:
            return super().clean()  # no password to check, so no attempt to count
        ip = throttling.client_ip(self.request)
        seconds_left = throttling.login_attempt_count(ip=ip, username=username)
        if seconds_left is not None:
            raise ValidationError(throttling.lockout_message(seconds_left), code="locked_out")
        cleaned = super().clean()  # raises on a wrong password: the attempt stays counted
        throttling.login_attempts_clear(ip=ip, username=username)
        return cleaned


class LockoutAdminAuthenticationForm(LockoutAuthenticationForm, AdminAuthenticationForm):
    """The admin site's login form, under the same lock-out: the same passwords open it."""
