import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    ImportBatchFactory,
    MentionFactory,
    QuoteFactory,
    StanceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough test password"


SAMPLE_VALUES = ("1", "quote-1", "support")


def _group_sample(group: re.Match) -> str:
    """A value the router's regex group takes: an id, a kind-id key or a slug."""
    return next(value for value in SAMPLE_VALUES if re.fullmatch(group[1], value))


def _sample(route: str) -> str:
    """A concrete path for a route: path converters and router regexes filled in."""
    route = re.sub(r"<int:\w+>", "1", route).replace("<drf_format_suffix:format>", ".json")
    route = re.sub(r"\(\?P<format>[^)]*\)", "json", route)
    route = re.sub(r"\(\?P<\w+>([^)]*)\)", _group_sample, route)
    return route.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")


def _project_paths() -> list[str]:
    """Every URL the project routes, with sample values for its parameters."""
    paths = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith("admin/"):
                    continue  # the admin site has its own login, tested below
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                paths.append("/" + _sample(route))

    walk(get_resolver().url_patterns)
    return paths


# What anyone may read: the nd: vocabulary, which every exported annotation's context
# points to (a JSON-LD tool that follows it carries no token), and its slashed path,
# sent there.
PUBLIC = {"/api/v1/vocab": 200, "/api/v1/vocab/": 301}


def test_every_page_but_login_requires_a_signed_in_user(client):
    login_url = reverse("login")
    paths = _project_paths()
    assert "/" in paths
    assert set(PUBLIC) <= set(paths)
    for path in paths:
        if path == login_url:
            continue
        if path in PUBLIC:
            assert client.get(path).status_code == PUBLIC[path], path
            continue
        response = client.get(path)
        if path.startswith("/api/"):
            # The API answers for itself: no redirect to an HTML login page.
            assert response.status_code == 401, path
            assert response["WWW-Authenticate"] == "Token", path
            continue
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{login_url}?next="), path


def test_admin_site_sends_anonymous_users_to_its_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_login_page_has_the_labelled_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert '<button type="submit">Log in</button>' in html
    assert "csrfmiddlewaretoken" in html


def test_logging_in_lands_on_the_overview_and_logging_out_ends_the_session(client):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    response = client.post(reverse("login"), {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    page = client.get(reverse("overview"))
    assert page.status_code == 200
    assert "role <strong>analyst</strong>" in page.content.decode()

    assert client.get(reverse("logout")).status_code == 405  # logging out takes a POST
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert "You have logged out" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(username="ana", password=PASSWORD)
    response = client.post(reverse("login"), {"username": "ana", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_returns_to_the_page_asked_for(client):
    UserFactory(username="ana", password=PASSWORD)
    response = client.post(
        reverse("login") + "?next=/", {"username": "ana", "password": PASSWORD, "next": "/"}
    )
    assert response["Location"] == "/"


def test_login_does_not_redirect_off_site(client):
    UserFactory(username="ana", password=PASSWORD)
    response = client.post(
        reverse("login"),
        {"username": "ana", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_overview_counts_the_corpus_in_constant_queries(client, django_assert_num_queries):
    admin = UserFactory(role=roles.ADMIN)
    client.force_login(admin)

    def page(actors: bool = True):
        # 1 session, 2 user, 3 user's groups (role), 4 articles/outlets/stories,
        # 5 quotes by status, 6 mentions by status, 7 stances, 8 notes,
        # 9 articles by review status, 10 imports per week, 11 the most active holders,
        # 12 their names, 13 recent imports with their creators. With no actors yet, no
        # names to read (12).
        with django_assert_num_queries(13 if actors else 12):
            return client.get(reverse("overview")).content.decode()

    html = page(actors=False)
    assert "<dt>Articles</dt><dd>0</dd>" in html
    for _ in range(3):
        article = ArticleFactory()
        MentionFactory(article=article)
        QuoteFactory(article=article, status="suggested", origin="machine", speaker=EntityFactory())
        StanceFactory(article=article)
        ImportBatchFactory(created_by=admin)
    html = page()
    assert "Imports per week" in html
    assert "Most active actors" in html
    assert "<dt>Articles</dt><dd>3</dd>" in html
    assert "<dt>Outlets</dt><dd>3</dd>" in html
    assert "Recent imports" in html
    batch = ImportBatchFactory(created_by=admin)
    assert f'<a href="/imports/{batch.pk}/">#{batch.pk}</a>' in page()


def test_overview_hides_imports_from_analysts(client):
    ImportBatchFactory()
    client.force_login(UserFactory(role=roles.ANALYST))
    assert "Recent imports" not in client.get(reverse("overview")).content.decode()


def test_overview_escapes_names(client):
    client.force_login(UserFactory(username="<b>x</b>", role=roles.ANALYST))
    html = client.get(reverse("overview")).content.decode()
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
