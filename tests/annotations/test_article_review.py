"""ArticleReview, kept by PostgreSQL triggers, always says what the annotations say."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.models import Q

from annotations.models import ArticleReview, Note, Quote, Stance
from annotations.selectors import browse
from articles.models import Article, Mention
from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    MentionFactory,
    NoteFactory,
    QuoteFactory,
    StanceFactory,
    UserFactory,
)


def computed() -> dict[int, tuple[int, int, str]]:
    """Every article's figures worked out here from its annotations, as the list's help
    text defines them: the oracle the triggers are held to."""
    figures = {}
    worked_rows = Q(origin="analyst") | ~Q(status="suggested")
    for article in Article.objects.all():
        quotes = Quote.objects.filter(article=article)
        mentions = Mention.objects.filter(article=article)
        suggested = (
            quotes.filter(status="suggested").count() + mentions.filter(status="suggested").count()
        )
        worked = (
            quotes.filter(worked_rows).exists()
            or mentions.filter(worked_rows).exists()
            or Stance.objects.filter(article=article).exists()
            or Note.objects.filter(article=article).exists()
        )
        status = "untouched" if not worked else "in_progress" if suggested else "done"
        figures[article.pk] = (quotes.exclude(status="rejected").count(), suggested, status)
    return figures


def stored() -> dict[int, tuple[int, int, str]]:
    return {r.article_id: (r.quotes, r.suggestions, r.status) for r in ArticleReview.objects.all()}


@pytest.mark.django_db
def test_every_write_keeps_the_review_figures():
    analyst = UserFactory(role=roles.ANALYST)
    first, second, third = ArticleFactory(), ArticleFactory(), ArticleFactory()
    assert stored() == computed() == {a.pk: (0, 0, "untouched") for a in (first, second, third)}

    quote = QuoteFactory(article=first, origin="machine", status="suggested")
    mention = MentionFactory(article=first, status="suggested", entity=EntityFactory())
    assert stored()[first.pk] == (1, 2, "untouched")
    Quote.objects.filter(pk=quote.pk).update(status="confirmed")
    assert stored()[first.pk] == (1, 1, "in_progress")
    Mention.objects.filter(pk=mention.pk).update(status="rejected")
    assert stored()[first.pk] == (1, 0, "done")
    Quote.objects.filter(pk=quote.pk).update(status="rejected")
    assert stored()[first.pk] == (0, 0, "done")

    stance = StanceFactory(article=second, created_by=analyst)
    assert stored()[second.pk] == (0, 0, "done")
    Stance.objects.filter(pk=stance.pk).delete()
    assert stored()[second.pk] == (0, 0, "untouched")
    note = NoteFactory(article=third, created_by=analyst)
    QuoteFactory(article=third, origin="machine", status="suggested")
    assert stored()[third.pk] == (1, 1, "in_progress")
    Note.objects.filter(pk=note.pk).delete()
    assert stored()[third.pk] == (1, 1, "untouched")
    assert stored() == computed()

    # A deleted article takes its row with it, after its annotations' triggers ran.
    third.delete()
    assert third.pk not in stored()
    assert stored() == computed()


@pytest.mark.django_db(transaction=True)
def test_two_writers_on_one_article_leave_the_right_count():
    """Two writers on one article at once: the second one's count, taken after the first
    one committed, includes the first one's quote."""
    article = ArticleFactory()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        # The first writer inserts and holds its transaction open for a second; the other
        # inserts meanwhile, so its trigger waits for the first one's lock.
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                time.sleep(0.3 * n)
                QuoteFactory(article=article, origin="machine", status="suggested")
                time.sleep(1.0 * (1 - n))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert Quote.objects.filter(article=article).count() == 2
    assert stored()[article.pk] == (2, 2, "untouched")


@pytest.mark.django_db(transaction=True)  # TRUNCATE refuses rows with pending FK checks
def test_truncating_annotations_or_articles_keeps_the_figures_true():
    article = ArticleFactory()
    QuoteFactory(article=article, origin="machine", status="suggested")
    assert stored()[article.pk] == (1, 1, "untouched")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE annotations_quote CASCADE")
    assert stored() == computed() == {article.pk: (0, 0, "untouched")}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_article CASCADE")
    assert stored() == {}


@pytest.mark.django_db
def test_search_documents_are_written_with_the_article_and_follow_its_title():
    from articles.models import ArticleSearch

    article = ArticleFactory(title="Ceasefire talks")
    hits = Article.objects.filter(search__document=browse.SearchQuery("ceasefire"))
    assert list(hits) == [article]
    Article.objects.filter(pk=article.pk).update(title="Grain corridor reopens")
    assert not Article.objects.filter(search__document=browse.SearchQuery("ceasefire")).exists()
    assert Article.objects.filter(search__document=browse.SearchQuery("corridor")).exists()
    article.delete()
    assert not ArticleSearch.objects.exists()
