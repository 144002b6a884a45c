"""The error pages: 403, 404, 500 and a refused form are the site's own pages, with the
navigation and a plain sentence saying what happened and what to do; the API keeps
answering JSON; nothing of the error (a traceback, an exception's name, SQL) leaks."""

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from articles.models import ImportBatch
from newsdesk import roles
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

NAV = '<nav aria-label="Main">'
LEAKS = ("Traceback", "OperationalError", "RuntimeError", "File &quot;", "SELECT ", "DEBUG")


def page(response) -> str:
    text = response.content.decode()
    for leak in LEAKS:
        assert leak not in text, leak
    return text


@pytest.fixture
def analyst_client(client):
    client.force_login(UserFactory(username="ana", role=roles.ANALYST))
    return client


def test_an_analyst_opening_the_import_page_is_told_it_is_for_admins(analyst_client):
    response = analyst_client.get(reverse("import-start"))
    assert response.status_code == 403
    text = page(response)
    assert NAV in text
    assert "You may not open this page" in text
    assert (
        "Importing articles is for admins, and you are signed in as ana, an analyst. "
        "Ask an admin to import the files for you, or to give you the admin role." in text
    )
    assert "Nothing was changed." in text
    assert 'href="/my-work/"' in text


def test_an_analyst_posting_an_import_is_refused_and_nothing_is_stored(analyst_client):
    response = analyst_client.post(reverse("import-start"), {"outlet": "X"})
    assert response.status_code == 403
    assert "Importing articles is for admins" in page(response)
    assert not ImportBatch.objects.exists()


def test_a_lead_only_page_says_who_may_open_it(analyst_client):
    response = analyst_client.get(reverse("agreement"))
    assert response.status_code == 403
    text = page(response)
    assert "Only leads and admins may read agreement between analysts." in text
    assert "yours is <strong>analyst</strong>" in text


def test_a_missing_article_says_which_article(analyst_client):
    response = analyst_client.get(reverse("article-detail", args=[123456]))
    assert response.status_code == 404
    text = page(response)
    assert NAV in text
    assert "There is no article 123456." in text
    assert '<form class="error-search"' in text


@pytest.mark.parametrize(
    ("name", "message"),
    [("entity-detail", "There is no entity 98765."), ("story-detail", "There is no story 98765.")],
)
def test_a_missing_entity_or_story_says_which(analyst_client, name, message):
    response = analyst_client.get(reverse(name, args=[98765]))
    assert response.status_code == 404
    assert message in page(response)


def test_a_missing_import_says_which_import(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    response = client.get(reverse("import-detail", args=[4242]))
    assert response.status_code == 404
    assert "There is no import #4242." in page(response)


def test_an_address_that_is_no_page_says_so_without_the_url_patterns(analyst_client):
    response = analyst_client.get("/no/such/page/")
    assert response.status_code == 404
    text = page(response)
    assert NAV in text
    assert "There is no such page." in text
    assert "<code>/no/such/page/</code>" in text
    assert "tried" not in text
    assert "articles/&lt;int:pk&gt;" not in text


def test_the_api_keeps_answering_json(analyst_client):
    missing = analyst_client.get("/api/v1/no-such-endpoint/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}
    refused = analyst_client.post("/api/v1/imports/", {}, headers={"accept": "application/json"})
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/json")


def test_a_form_sent_without_its_token_is_refused_plainly():
    user = UserFactory(username="ana", role=roles.ANALYST)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("assignment-done", args=[1]), {})
    assert response.status_code == 403
    text = page(response)
    assert NAV in text
    assert "This form could not be accepted" in text
    assert "Nothing was saved." in text
    assert "reload the page, and send the form again" in text


def test_a_server_error_renders_the_site_page_with_no_details(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr("annotations.views.stories.selectors.story_for_page", boom)
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(role=roles.ANALYST))
    response = client.get(reverse("story-detail", args=[1]))
    assert response.status_code == 500
    text = page(response)
    assert "secret detail" not in text
    assert NAV in text
    assert "Something went wrong on our side" in text
    assert "<code>/stories/1/</code>" in text


def test_the_500_page_renders_while_the_database_is_down():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(role=roles.ANALYST))
    article = ArticleFactory()

    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server lost")

    # The session and the user are read first: the request fails in the middleware.
    with connection.execute_wrapper(refuse):
        response = client.get(reverse("article-detail", args=[article.pk]))
    assert response.status_code == 500
    text = page(response)
    assert NAV in text
    assert 'href="/analysis/"' in text
    assert "Something went wrong on our side" in text
    assert "connection to server lost" not in text


def broken_processor(request):
    raise RuntimeError("a context processor failed")


def test_the_500_page_renders_when_a_context_processor_fails(settings):
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["OPTIONS"] = {
        **templates[0]["OPTIONS"],
        "context_processors": [
            *templates[0]["OPTIONS"]["context_processors"],
            "tests.ui.test_error_pages.broken_processor",
        ],
    }
    settings.TEMPLATES = templates
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(role=roles.ANALYST))
    response = client.get(reverse("entity-list"))
    assert response.status_code == 500
    text = page(response)
    assert NAV in text
    assert "Something went wrong on our side" in text
    assert "a context processor failed" not in text
