"""What every page shares: the login page, role checks, error pages."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.urls import Resolver404
from django.utils import timezone

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
        role = roles.role_of(request.user)
        if role != roles.ADMIN:
            raise PermissionDenied(
                f"Importing articles is for admins, and you are signed in as "
                f"{request.user.get_username()}, {_a_role(role)}. Ask an admin to import "
                "the files for you, or to give you the admin role."
            )
        return view(request, *args, **kwargs)

    return wrapper


def _a_role(role: str | None) -> str:
    if role is None:
        return "a user with no role"
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


logger = logging.getLogger(__name__)


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _message(exception: Exception | None) -> str:
    """The sentence a view gave its exception, if it gave one (a missing URL's Resolver404
    carries a dict of the patterns tried: never shown)."""
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    message = exception.args[0]
    if not isinstance(message, str) or message.endswith("matches the given query."):
        return ""  # get_object_or_404's, which names a model class, not the thing
    return message


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: the view's reason (who may do this, what to do instead) on the site's page,
    with the navigation; JSON under /api/."""
    message = _message(exception)
    if _api(request):
        return JsonResponse({"detail": message or "Forbidden."}, status=403)
    html = loader.render_to_string(
        "403.html",
        {"message": message, "role": roles.role_of(request.user)},
        request=request,
    )
    return HttpResponse(html, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (CSRF_FAILURE_VIEW): usually a page left
    open across a log-in or log-out; nothing was saved, and the page says so."""
    if _api(request):
        return JsonResponse({"detail": f"CSRF failed: {reason}"}, status=403)
    html = loader.render_to_string("403_csrf.html", {"reason": reason}, request=request)
    return HttpResponse(html, status=403)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON under /api/ (no API client wants an HTML page), the site's page elsewhere,
    saying what was not there when the view said ("There is no article 123.")."""
    if _api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    html = loader.render_to_string(
        "404.html", {"message": _message(exception), "path": request.path}, request=request
    )
    return HttpResponse(html, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: rendered from a context of its own, with no request context processor, no
    session and no user: whatever failed (the database, a context processor, a template
    tag that queries) must not fail the error page too. The navigation is the static one
    in 500.html; nothing of the error is shown, the log has it."""
    if _api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    now = timezone.now()
    try:
        html = loader.get_template("500.html").render({"when": now, "path": request.path})
    except Exception:
        logger.exception("The 500 page failed to render")
        html = (
            "<!doctype html><html lang=en><title>Server error · Newsdesk</title>"
            "<h1>Something went wrong on our side</h1>"
            "<p>The error is logged. Try again in a moment; <a href=/>back to the articles</a>."
        )
    return HttpResponseServerError(html)
