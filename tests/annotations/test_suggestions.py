"""The machine's first pass, stored as suggestions: one article's failure is its own and
shows, and a pass over a long article finds what is past the model's limit."""

import pytest

import annotations.services.suggestions as suggestions
from annotations.models import Quote
from articles import services
from articles.models import Article, Mention
from newsdesk import roles
from tests.data import texts
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_on_coastal_states(monkeypatch):
    """The extractor, failing on any text about coastal states (and on any chunk holding one)."""
    real = suggestions.extract
    broken = {"now": True}

    def extract(bodies, **kwargs):
        bodies = list(bodies)
        if broken["now"] and any("coastal states" in body for body in bodies):
            raise ValueError("the parser gave up")
        return real(bodies, **kwargs)

    monkeypatch.setattr(suggestions, "extract", extract)
    return broken


def test_a_failing_article_gets_its_reason_and_the_rest_of_the_chunk_its_suggestions(
    failing_on_coastal_states,
):
    good = ArticleFactory(body=texts.ARTICLE_ONE)
    bad = ArticleFactory(body=texts.ARTICLE_TWO)

    services.articles_extract(article_ids=[good.pk, bad.pk])

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.extracted_at is not None
    assert Mention.objects.filter(article=good, exact="Elena Varga").exists()
    assert Quote.objects.filter(article=good).exists()
    assert bad.extracted_at is None
    assert bad.extraction_failed_at is not None
    assert "ValueError: the parser gave up" in bad.extraction_error
    assert not Mention.objects.filter(article=bad).exists()
    assert services.articles_pending_extraction() == [], "not retried at every worker start"


def test_the_failure_reason_shows_on_the_article_page_and_in_the_api(
    client, failing_on_coastal_states
):
    bad = ArticleFactory(body=texts.ARTICLE_TWO)
    services.articles_extract(article_ids=[bad.pk])
    reason = Article.objects.get(pk=bad.pk).extraction_error
    assert reason
    client.force_login(UserFactory(role=roles.ANALYST))

    page = client.get(f"/articles/{bad.pk}/")
    data = client.get(f"/api/v1/articles/{bad.pk}/").json()

    assert page.status_code == 200
    assert "No machine suggestions" in page.content.decode()
    assert "the parser gave up" in page.content.decode()
    assert data["extraction_error"] == reason
    assert data["extraction_failed_at"] is not None
    assert data["extracted_at"] is None


def test_an_article_without_a_failure_shows_no_reason(client):
    article = ArticleFactory(body=texts.ARTICLE_ONE)
    services.articles_extract(article_ids=[article.pk])
    client.force_login(UserFactory(role=roles.ANALYST))

    assert "No machine suggestions" not in client.get(f"/articles/{article.pk}/").content.decode()
    assert client.get(f"/api/v1/articles/{article.pk}/").json()["extraction_error"] == ""


def test_the_admins_reextract_action_clears_the_reason_and_extracts_again(
    client, failing_on_coastal_states, monkeypatch, django_capture_on_commit_callbacks
):
    from articles import tasks

    bad = ArticleFactory(body=texts.ARTICLE_TWO)
    services.articles_extract(article_ids=[bad.pk])
    failing_on_coastal_states["now"] = False  # the bug is fixed
    ran: list[tuple[list[int], bool]] = []

    def run_now(ids, again=False):
        ran.append((ids, again))
        services.articles_extract(article_ids=ids, again=again)

    monkeypatch.setattr(tasks.extract_articles, "delay", run_now)
    admin = UserFactory(role=roles.ADMIN, is_superuser=True)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/articles/article/",
            {"action": "reextract", "_selected_action": [bad.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert ran == [([bad.pk], True)]
    assert "Queued the machine" in response.content.decode()
    bad.refresh_from_db()
    assert (bad.extraction_error, bad.extraction_failed_at) == ("", None)
    assert bad.extracted_at is not None
    assert Mention.objects.filter(article=bad, exact="Ines Moreau").exists()


def test_the_reextract_command_queues_the_failed_articles(
    failing_on_coastal_states, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from articles import tasks

    good = ArticleFactory(body=texts.ARTICLE_ONE)
    bad = ArticleFactory(body=texts.ARTICLE_TWO)
    services.articles_extract(article_ids=[good.pk, bad.pk])
    queued: list[tuple[list[int], bool]] = []
    monkeypatch.setattr(
        tasks.extract_articles, "delay", lambda ids, again=False: queued.append((ids, again))
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("reextract_articles", "--failed")

    assert queued == [([bad.pk], True)]
    assert Article.objects.get(pk=bad.pk).extraction_error == ""


def test_an_article_whose_suggestions_cannot_be_stored_costs_only_itself(monkeypatch):
    good = ArticleFactory(body=texts.ARTICLE_ONE)
    bad = ArticleFactory(body=texts.ARTICLE_TWO)
    real = suggestions._store_quotes

    def store_quotes(article, *args):
        if article.pk == bad.pk:
            raise ValueError("a quote the database refuses")
        return real(article, *args)

    monkeypatch.setattr(suggestions, "_store_quotes", store_quotes)

    counts = suggestions.suggestions_create(article_ids=[good.pk, bad.pk])

    assert counts.articles == 1
    assert set(counts.failed) == {bad.pk}
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.extracted_at is not None
    assert Quote.objects.filter(article=good).exists()
    assert "a quote the database refuses" in bad.extraction_error
    assert bad.extracted_at is None
    assert not Mention.objects.filter(article=bad).exists(), "its transaction is rolled back"
    assert good.story_id is not None, "the stored articles are grouped into stories"


def test_an_entity_joined_between_the_lookup_and_the_store_is_resolved_again(monkeypatch):
    """The store holds the chunk's entities with a row lock rather than the entities
    lock; one deleted by a merge after the names were looked up sends the store round
    again, under the lock, to the entity its spellings moved to."""
    from articles.models import Entity
    from articles.services.entities import entity_create, entity_merge

    analyst = UserFactory(role=roles.ANALYST)
    article = ArticleFactory(body=texts.ARTICLE_ONE)
    real = suggestions.entities_resolve
    merged: list[int] = []

    def resolve_then_merge(*, actors):
        resolved = real(actors=actors)
        if not merged:
            # Another worker's join, between this chunk's lookup and its store.
            entity_id = resolved[("Elena Varga", "PERSON")]
            into, _ = entity_create(user=analyst, name="E. Varga", kind="PERSON")
            entity_merge(user=analyst, entity_id=entity_id, into_id=into.pk)
            merged.extend([entity_id, into.pk])
        return resolved

    monkeypatch.setattr(suggestions, "entities_resolve", resolve_then_merge)
    services.articles_extract(article_ids=[article.pk])

    article.refresh_from_db()
    assert article.extraction_error == ""
    assert article.extracted_at is not None
    gone, into = merged
    assert not Entity.objects.filter(pk=gone).exists()
    assert Mention.objects.filter(article=article, exact="Elena Varga", entity_id=into).exists()
    assert not Mention.objects.filter(entity_id=gone).exists()
