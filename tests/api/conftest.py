"""Fixtures for the REST API tests. The cache that holds throttle counts is cleared before
every test by tests/conftest.py's `fresh_cache`."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

# The annotated corpus and the five kinds of caller (tests/api/world.py).
from tests.api.world import people, world  # noqa: F401


@pytest.fixture
def token_headers():
    """`token_headers(user)`: headers that sign a request in with the user's API token."""

    def make(user) -> dict[str, str]:
        token, _ = Token.objects.get_or_create(user=user)
        return {"Authorization": f"Token {token.key}"}

    return make


@pytest.fixture
def throttle_rates(monkeypatch):
    """`throttle_rates(token="10/min")`: DRF's throttles copy the rates into a class
    attribute at import, which override_settings does not reach; this patches that dict
    for one test."""

    def set_rates(**rates: str) -> None:
        for scope, rate in rates.items():
            monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return set_rates
