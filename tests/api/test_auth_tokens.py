"""Signing in to the REST API (the token endpoint, /api/v1/me/, the api_token command) and
the throttles on every door that takes a password, the browser's login page included."""

import subprocess
import time

import django.contrib.auth.forms
import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from newsdesk import roles
from tests.factories import UserFactory
from tests.processes import ROOT, native_env

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough test password"
TOKEN_URL = reverse("api-token")
ME_URL = reverse("api-me")
LOGIN_URL = reverse("login")


def _obtain(client, username: str, password: str, **extra):
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Token {key}"}


# --- Obtaining a token ------------------------------------------------------------------


@pytest.mark.parametrize("role", roles.ROLES)
def test_each_role_trades_its_password_for_a_token_that_opens_the_api(client, role):
    user = UserFactory(role=role)
    response = _obtain(client, user.username, PASSWORD)
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert response.json() == {"token": Token.objects.get(user=user).key}

    me = client.get(ME_URL, headers=_auth(key))
    assert me.status_code == 200
    assert me.json() == {"username": user.username, "role": role}


def test_the_token_endpoint_takes_a_form_and_gives_the_same_token_until_revoked(client):
    user = UserFactory(role=roles.API_CLIENT)
    first = client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD})
    again = _obtain(client, user.username, PASSWORD)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert Token.objects.count() == 1


def test_a_superuser_is_an_admin_and_a_user_without_a_role_has_none(client, token_headers):
    superuser = UserFactory(is_superuser=True)
    assert client.get(ME_URL, headers=token_headers(superuser)).json()["role"] == roles.ADMIN
    nobody = UserFactory()
    assert client.get(ME_URL, headers=token_headers(nobody)).json() == {
        "username": nobody.username,
        "role": None,
    }


@pytest.mark.parametrize(
    ("username", "password", "active"),
    [
        ("ana", "not the password", True),
        ("nobody", PASSWORD, True),
        ("ana", PASSWORD, False),
    ],
    ids=["wrong-password", "unknown-user", "inactive-user"],
)
def test_wrong_credentials_are_a_400_that_says_so_and_create_no_token(
    client, username, password, active
):
    UserFactory(username="ana", is_active=active, role=roles.ANALYST)
    response = _obtain(client, username, password)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Wrong username or password."]}
    assert not Token.objects.exists()


def test_missing_credentials_are_a_400_that_names_the_field(client):
    response = client.post(TOKEN_URL, {"username": "ana"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}
    assert not Token.objects.exists()


# --- Who am I, and revoking -------------------------------------------------------------


def test_me_and_revoking_refuse_the_anonymous_and_unknown_tokens_with_401(client):
    for response in (
        client.get(ME_URL),
        client.delete(TOKEN_URL),
        client.get(ME_URL, headers=_auth("0" * 40)),
        client.delete(TOKEN_URL, headers=_auth("0" * 40)),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert "detail" in response.json()


def test_deleting_the_token_revokes_it_and_the_old_token_gets_401(client):
    user = UserFactory(role=roles.API_CLIENT)
    other = Token.objects.create(user=UserFactory(role=roles.API_CLIENT))
    key = _obtain(client, user.username, PASSWORD).json()["token"]

    response = client.delete(TOKEN_URL, headers=_auth(key))
    assert response.status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert client.get(ME_URL, headers=_auth(key)).status_code == 401
    assert client.delete(TOKEN_URL, headers=_auth(key)).status_code == 401
    # Only the caller's own token goes.
    assert client.get(ME_URL, headers=_auth(other.key)).status_code == 200

    new_key = _obtain(client, user.username, PASSWORD).json()["token"]
    assert new_key != key
    assert client.get(ME_URL, headers=_auth(new_key)).status_code == 200


def test_a_browser_session_revokes_its_users_token(client, token_headers):
    user = UserFactory(role=roles.ANALYST)
    headers = token_headers(user)
    client.force_login(user)
    assert client.delete(TOKEN_URL).status_code == 204
    assert not Token.objects.exists()
    client.logout()
    assert client.get(ME_URL, headers=headers).status_code == 401


def test_me_costs_one_query_with_a_token_and_three_with_a_session(
    client, token_headers, django_assert_num_queries
):
    user = UserFactory(role=roles.ANALYST)
    headers = token_headers(user)
    # 1 the token joined with its user and its role (newsdesk.authentication)
    with django_assert_num_queries(1):
        assert client.get(ME_URL, headers=headers).status_code == 200
    client.force_login(user)
    # 1 the session, 2 the user, 3 the user's groups (role_of)
    with django_assert_num_queries(3):
        assert client.get(ME_URL).json() == {"username": user.username, "role": "analyst"}


# --- The api_token command --------------------------------------------------------------


def test_api_token_prints_only_the_token_and_the_same_one_twice(client, capsys):
    user = UserFactory(role=roles.API_CLIENT)
    call_command("api_token", user.username)
    first = capsys.readouterr()
    assert first.out == f"{Token.objects.get(user=user).key}\n"
    assert first.err == ""
    call_command("api_token", user.username)
    assert capsys.readouterr().out == first.out
    assert Token.objects.count() == 1
    assert client.get(ME_URL, headers=_auth(first.out.strip())).status_code == 200


def test_api_token_revoke_deletes_the_token_and_says_so_on_stderr(client, capsys):
    user = UserFactory(username="maria", role=roles.API_CLIENT)
    key = Token.objects.create(user=user).key
    call_command("api_token", "maria", "--revoke")
    output = capsys.readouterr()
    assert output.out == ""
    assert "Revoked the API token of 'maria'" in output.err
    assert not Token.objects.exists()
    assert client.get(ME_URL, headers=_auth(key)).status_code == 401

    call_command("api_token", "maria", "--revoke")
    assert "'maria' has no API token: nothing to revoke." in capsys.readouterr().err


def test_api_token_refuses_an_unknown_user_with_a_nonzero_exit_and_creates_nothing(
    capsys, monkeypatch
):
    with pytest.raises(CommandError, match=r"^No user named 'nobody'\.$"):
        call_command("api_token", "nobody")
    # As from the shell: the message on stderr, nothing on stdout, exit status 1. (The
    # command closes the connections when it ends, which would end this test's transaction.)
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "api_token", "nobody"])
    assert exit_.value.code == 1
    output = capsys.readouterr()
    assert output.out == ""
    assert "CommandError: No user named 'nobody'." in output.err
    assert not Token.objects.exists()


def test_api_token_refuses_an_inactive_user():
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="'gone' is inactive"):
        call_command("api_token", "gone")
    assert not Token.objects.exists()


# --- API throttles ----------------------------------------------------------------------


def test_the_eleventh_token_request_in_a_minute_from_one_address_is_429(client, throttle_rates):
    throttle_rates(token="10/min", anon="1000/min")
    user = UserFactory(role=roles.ANALYST)
    for _ in range(10):
        assert _obtain(client, user.username, "a guess").status_code == 400

    response = _obtain(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled.")
    assert 0 < int(response["Retry-After"]) <= 60
    assert not Token.objects.exists()  # the right password did not get through
    # Signed-in callers count at the token endpoint too, and X-Forwarded-For is no way
    # round (NUM_PROXIES=0: the connecting address is the client's).
    headers = {**_auth(Token.objects.create(user=user).key), "X-Forwarded-For": "10.9.9.9"}
    assert client.delete(TOKEN_URL, headers=headers).status_code == 429
    # Another address has its own count.
    assert _obtain(client, user.username, PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_anonymous_api_requests_are_throttled_at_the_anonymous_rate(client, throttle_rates):
    throttle_rates(anon="3/min", token="1000/min")
    for _ in range(3):
        assert _obtain(client, "nobody", "a guess").status_code == 400
    response = _obtain(client, "nobody", "a guess")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_signed_in_clients_are_not_throttled_outside_the_token_endpoint(
    client, token_headers, throttle_rates
):
    throttle_rates(anon="1/min", token="1/min")
    headers = token_headers(UserFactory(role=roles.API_CLIENT))
    for _ in range(20):
        assert client.get(ME_URL, headers=headers).status_code == 200


# --- Browser login lock-out -------------------------------------------------------------


def _login(client, username: str, password: str, ip: str = "10.1.1.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def three_failures(settings):
    settings.LOGIN_THROTTLE_FAILURES = 3
    settings.LOGIN_THROTTLE_MINUTES = 15


@pytest.fixture
def password_checks(monkeypatch):
    """Every username the login form checks a password for."""
    checked: list[str] = []
    real = django.contrib.auth.forms.authenticate

    def spy(request=None, **credentials):
        checked.append(credentials.get("username"))
        return real(request, **credentials)

    monkeypatch.setattr(django.contrib.auth.forms, "authenticate", spy)
    return checked


def test_login_locks_after_n_failures_and_refuses_even_the_right_password_unchecked(
    client, three_failures, password_checks
):
    UserFactory(username="ana", role=roles.ANALYST)
    for _ in range(3):
        response = _login(client, "ana", "a guess")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    assert len(password_checks) == 3

    response = _login(client, "ana", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed login attempts; try again in 15 minutes." in html
    assert 'role="alert"' in html
    assert len(password_checks) == 3  # the password was not checked
    assert "_auth_user_id" not in client.session


def test_a_locked_username_leaves_other_usernames_and_addresses_free(client, three_failures):
    UserFactory(username="ana", role=roles.ANALYST)
    UserFactory(username="bob", role=roles.ANALYST)
    for _ in range(4):
        _login(client, "ana", "a guess")
    assert _login(client, "ANA", PASSWORD).status_code == 429  # usernames fold case

    assert _login(client, "bob", PASSWORD).status_code == 302
    client.logout()
    assert _login(client, "ana", PASSWORD, ip="10.2.2.2").status_code == 302


def test_a_successful_login_forgets_the_earlier_failures(client, three_failures):
    UserFactory(username="ana", role=roles.ANALYST)
    for _ in range(2):
        _login(client, "ana", "a guess")
    assert _login(client, "ana", PASSWORD).status_code == 302
    client.logout()
    for _ in range(3):
        assert _login(client, "ana", "a guess").status_code == 200
    assert _login(client, "ana", "a guess").status_code == 429


def test_the_lockout_counts_down_and_ends_with_its_window(client, three_failures, monkeypatch):
    UserFactory(username="ana", role=roles.ANALYST)
    now = time.time()
    # The counters' expiry and the lock-out's end both read time.time().
    monkeypatch.setattr(time, "time", lambda: now)
    for _ in range(3):
        _login(client, "ana", "a guess")
    monkeypatch.setattr(time, "time", lambda: now + 14 * 60 + 1)
    response = _login(client, "ana", PASSWORD)
    assert "Too many failed login attempts; try again in 1 minute." in response.content.decode()
    monkeypatch.setattr(time, "time", lambda: now + 15 * 60 + 1)
    assert _login(client, "ana", PASSWORD).status_code == 302


def test_the_admin_login_is_under_the_same_lockout(client, three_failures):
    UserFactory(username="root", role=roles.ADMIN)
    for _ in range(3):
        _login(client, "root", "a guess")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- Schema and settings ----------------------------------------------------------------


def test_the_schema_documents_every_auth_endpoint_with_its_error_shapes():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    token = paths["/api/v1/auth/token/"]
    assert set(token["post"]["responses"]) >= {"200", "400", "429"}
    assert set(token["post"]["requestBody"]["content"]) >= {
        "application/json",
        "application/x-www-form-urlencoded",
    }
    assert set(token["delete"]["responses"]) >= {"204", "401", "429"}
    assert set(paths["/api/v1/me/"]["get"]["responses"]) >= {"200", "401"}


def _manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=ROOT,
        env=native_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_malformed_throttle_rate_stops_the_settings_with_a_clear_error():
    result = _manage("check", API_THROTTLE_TOKEN="10/15min")
    assert result.returncode != 0
    assert "API_THROTTLE_TOKEN must be a number of requests per second" in result.stderr


def test_cache_url_points_the_throttle_counters_at_redis():
    script = (
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND']); "
        "print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    )
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        script,
        CACHE_URL="redis://127.0.0.1:6379/1",
        API_THROTTLE_ANON="5/hour",
        API_THROTTLE_TOKEN=None,
        API_THROTTLE_EXPORT=None,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "django.core.cache.backends.redis.RedisCache",
        "{'anon': '5/hour', 'token': '10/min', 'export': '60/min'}",
    ]
