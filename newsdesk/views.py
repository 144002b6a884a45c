"""What every page shares: the login page, role checks, error pages."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from newsdesk import roles
from newsdesk.forms import LockoutAuthenticationForm


class LoginView(auth_views.LoginView):
    """Django's login page with the lock-out after too many failures; a locked-out
    attempt answers 429 with the form and the error saying how long to wait."""

    form_class = LockoutAuthenticationForm

    def form_invalid(self, form: LockoutAuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="locked_out"):
            response.status_code = 429
        return response


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Admins only: anyone else signed in gets 403 (the middleware sends the anonymous
    to the login page)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if roles.role_of(request.user) != roles.ADMIN:
            raise PermissionDenied("Only admins may import articles.")
        return view(request, *args, **kwargs)

    return wrapper


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON under /api/ (no API client wants an HTML page), the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
