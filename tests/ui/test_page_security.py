"""Every workbench page runs under a Content-Security-Policy with no inline script, and
every write from the browser needs its CSRF token."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Quote, Stance
from annotations.services.agreement import agreement_refresh
from newsdesk import roles
from tests.annotations.agreement_world import cast, coded_article
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    MentionFactory,
    QuoteFactory,
    StoryFactory,
    UserFactory,
    polarity,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    story = StoryFactory()
    article = ArticleFactory(story=story)
    entity = EntityFactory(name="Vladimir Putin")
    MentionFactory(article=article, entity=entity)
    quote = QuoteFactory(article=article, speaker=entity, origin="machine", status="suggested")
    return {"article": article, "entity": entity, "story": story, "quote": quote}


@pytest.fixture
def coded(world):
    """And an article with two analysts' finished versions: units to adjudicate."""
    article = coded_article(*(UserFactory(role=roles.ANALYST) for _ in range(2)), cast())
    agreement_refresh(article_ids=[article.pk])
    return {**world, "coded": article}


def pages(world):
    return [
        reverse("home"),
        reverse("home") + "?q=Putin",
        reverse("article-detail", args=[world["article"].pk]),
        reverse("entity-list"),
        reverse("entity-detail", args=[world["entity"].pk]),
        reverse("story-detail", args=[world["story"].pk]),
        reverse("overview"),
        reverse("agreement"),
        reverse("import-start"),
        reverse("my-work"),
        reverse("assignment-list"),
        reverse("assignment-new") + f"?story={world['story'].pk}",
        reverse("adjudication-queue"),
        reverse("adjudication-detail", args=[world["coded"].pk]),
        reverse("analysis-matrix"),
        reverse("analysis-network") + "?mode=congruence",
        reverse("analysis-timeline") + f"?actor={world['entity'].pk}",
        reverse("analysis-sources"),
        reverse("analysis-evidence") + f"?holder=e{world['entity'].pk}",
        reverse("analysis-quotes") + f"?quoted={world['entity'].pk}",
        reverse("api-docs"),
    ]


def test_every_page_has_a_policy_without_inline_scripts(client, coded):
    client.force_login(UserFactory(role=roles.ADMIN))
    for url in [*pages(coded), reverse("login")]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", url
        assert directives["default-src"] == "'self'", url
        assert directives["object-src"] == "'none'", url
        assert "unsafe-inline" not in policy, url
        assert "unsafe-eval" not in policy, url
        if url == reverse("api-docs"):
            continue  # drf-spectacular's page: its start-up script is a file (the split view)
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url
        assert not re.search(r'<[^>]+\sstyle="', html), url


def test_anonymous_visitors_go_to_the_login_page(client, coded):
    for url in pages(coded)[:-1]:  # the API docs answer 401 like the rest of the API
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_browser_writes_without_the_csrf_token_are_refused_and_change_nothing(world):
    browser = Client(enforce_csrf_checks=True)
    analyst = UserFactory(role=roles.ANALYST)
    browser.force_login(analyst)
    article, quote = world["article"], world["quote"]
    body = json.dumps(
        {
            "article": article.pk,
            "holder": world["entity"].pk,
            "polarity": polarity().slug,
            "target_text": "the talks",
            "exact": quote.exact,
            "start": quote.start,
            "end": quote.end,
        }
    )
    refused = browser.post(reverse("api-stance-list"), body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Stance.objects.exists()
    refused = browser.post(
        reverse("api-quote-accept", args=[quote.pk]), content_type="application/json"
    )
    assert refused.status_code == 403
    assert Quote.objects.get(pk=quote.pk).status == "suggested"

    # The reader hands its script the token; with it the same write goes through.
    page = browser.get(reverse("article-detail", args=[article.pk])).content.decode()
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    accepted = browser.post(
        reverse("api-quote-accept", args=[quote.pk]),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200
    created = browser.post(
        reverse("api-stance-list"),
        body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert created.status_code == 201, created.content
    assert Stance.objects.get().created_by == analyst
