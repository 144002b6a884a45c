"""The stored search documents follow an article's title, and only its title: an update
of anything else leaves the document as it was (the body never changes)."""

import pytest
from django.db import connection

from articles.models import Article, ArticleSearch
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _document(article: Article) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT document::text FROM articles_articlesearch WHERE article_id = %s",
            [article.pk],
        )
        return cursor.fetchone()[0]


def test_a_retitled_article_is_found_by_its_new_title():
    article = ArticleFactory(title="Harbour talks")
    Article.objects.filter(pk=article.pk).update(title="Ferry strike")
    assert "'ferri':1A" in _document(article)  # the title's words, weighted A
    found = ArticleSearch.objects.filter(document="ferry").values_list("article_id", flat=True)
    assert list(found) == [article.pk]


def test_an_update_that_keeps_the_title_keeps_the_document():
    article = ArticleFactory(title="Harbour talks")
    before = _document(article)
    with connection.cursor() as cursor:
        # Stale on purpose: an update of another column must not write it again.
        cursor.execute(
            "UPDATE articles_articlesearch SET document = to_tsvector('kept') "
            "WHERE article_id = %s",
            [article.pk],
        )
    Article.objects.filter(pk=article.pk).update(extraction_error="x")
    assert _document(article) == "'kept':1"
    Article.objects.filter(pk=article.pk).update(title="Harbour talks")  # the same title
    assert _document(article) == "'kept':1"
    Article.objects.filter(pk=article.pk).update(title="Harbour talks resumed")
    assert _document(article) != before
    assert "'resum'" in _document(article)
