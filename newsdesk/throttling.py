"""Rate limits: on the doors that take a password (the API's token endpoint and the login
forms, the site's and the admin's), and on exports, per API token.

The counters live in Django's cache. The default cache is local memory, which each process
keeps for itself: with 3 gunicorn workers an address gets 3 times the limit. CACHE_URL
pointing at Redis makes every process and host share one count.
"""

import hashlib
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def client_ip(request: HttpRequest) -> str:
    """The client's address, as DRF's throttles see it: REMOTE_ADDR, or the address that
    the NUM_PROXIES trusted proxies put in X-Forwarded-For (never the client's own claim)."""
    return str(BaseThrottle().get_ident(request))


class TokenRateThrottle(SimpleRateThrottle):
    """Every request to the token endpoint counts, per client IP, signed in or not:
    DRF's ScopedRateThrottle would give each signed-in user a count of their own."""

    scope = "token"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return str(self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)})


# Answers that carry a whole feed or file rather than a page.
EXPORT_FORMATS = frozenset({"csv", "jsonl", "graphml", "gexf"})


class ExportRateThrottle(SimpleRateThrottle):
    """Exports (an answer in CSV, JSON Lines, GraphML or GEXF) per API token, or per user
    for a browser session: API_THROTTLE_EXPORT (default 60/min). A refusal is DRF's 429,
    which says when to retry, in its body and its Retry-After header. Pages in JSON are
    not counted."""

    scope = "export"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        renderer = getattr(request, "accepted_renderer", None)
        if getattr(renderer, "format", None) not in EXPORT_FORMATS:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # the anonymous throttle's (and the 401's)
        key = getattr(request.auth, "key", None)
        # The token's digest, not the token: cache keys end up in logs and dumps.
        ident = (
            "token:" + hashlib.sha256(key.encode()).hexdigest()[:32]
            if isinstance(key, str)
            else f"user:{user.pk}"
        )
        return str(self.cache_format % {"scope": self.scope, "ident": ident})


def _login_keys(ip: str, username: str) -> tuple[str, str]:
    # Hashed: the username is whatever the form was sent, and cache keys must stay short
    # and printable (memcached refuses others).
    digest = hashlib.sha256(f"{ip}\n{username.casefold()}".encode()).hexdigest()
    return f"login-attempts:{digest}", f"login-lockout-ends:{digest}"


def login_attempt_count(*, ip: str, username: str) -> float | None:
    """Count one login attempt by `ip` as `username`. None: go on and check the password.
    A number: the attempt is refused unchecked, for that many more seconds.

    The attempt is counted before the password is checked, and forgotten on success
    (`login_attempts_clear`), so what stays counted are the failures, and parallel guesses
    cannot all slip in under the limit while the first ones are still being checked. The
    window is fixed: it runs from the first failure, and attempts during the lock-out do
    not extend it.
    """
    window = settings.LOGIN_THROTTLE_MINUTES * 60
    attempts_key, ends_key = _login_keys(ip, username)
    now = time.time()
    # add() leaves a running window alone; incr() is atomic in local memory and in Redis.
    cache.add(ends_key, now + window, timeout=window)
    cache.add(attempts_key, 0, timeout=window)
    try:
        attempts = cache.incr(attempts_key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(ends_key, now + window, timeout=window)
        cache.set(attempts_key, 1, timeout=window)
        attempts = 1
    if attempts <= settings.LOGIN_THROTTLE_FAILURES:
        return None
    ends = cache.get(ends_key, now + window)
    return max(float(ends) - now, 1.0)


def login_attempts_clear(*, ip: str, username: str) -> None:
    """Forget the failures of `ip` as `username`: the right password was given."""
    cache.delete_many(list(_login_keys(ip, username)))


def lockout_message(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed login attempts; try again in {minutes} {unit}."
