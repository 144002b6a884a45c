"""Tombstones: every delete leaves a row in the deleted feed, however it was made."""

import pytest
from django.utils import timezone

from annotations.models import Deletion, Quote
from articles.models import Article, Mention
from tests.factories import MentionFactory, NoteFactory, QuoteFactory, StanceFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_quote_leaves_a_tombstone_with_its_article():
    before = timezone.now()
    quote = QuoteFactory()
    quote_id, article_id = quote.pk, quote.article_id
    quote.delete()
    tombstone = Deletion.objects.get()
    assert (tombstone.kind, tombstone.object_id, tombstone.article_id) == (
        "quote",
        quote_id,
        article_id,
    )
    assert tombstone.deleted_at >= before


def test_a_bulk_delete_and_a_cascade_leave_one_tombstone_per_row():
    stance = StanceFactory()
    article = stance.article
    MentionFactory(article=article)
    NoteFactory(article=article)
    Mention.objects.filter(article=article).delete()  # one SQL DELETE, no signals
    assert Deletion.objects.filter(kind="mention").count() == 1
    Article.objects.filter(pk=article.pk).delete()  # cascades to the stance and the note
    kinds = sorted(Deletion.objects.values_list("kind", flat=True))
    assert kinds == ["article", "mention", "note", "stance"]
    assert Deletion.objects.get(kind="stance").object_id == stance.pk


def test_nothing_is_recorded_for_a_row_that_was_only_changed():
    quote = QuoteFactory()
    Quote.objects.filter(pk=quote.pk).update(cue="told")
    assert not Deletion.objects.exists()
