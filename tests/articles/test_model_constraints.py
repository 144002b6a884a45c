"""The database itself refuses spans and rows that break the data model's invariants."""

import hashlib
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotations.models import Note, Quote, Stance
from articles.anchoring import text_quote_selector
from articles.models import Article, EntityAlias, ImportBatch, ImportFile, Mention
from tests.factories import (
    ArticleFactory,
    EntityAliasFactory,
    EntityFactory,
    ImportBatchFactory,
    ImportFileFactory,
    MentionFactory,
    QuoteFactory,
    StanceFactory,
    UserFactory,
    polarity,
)

pytestmark = pytest.mark.django_db


def _span_kwargs(article, start, end):
    selector = text_quote_selector(article.body, start, end)
    return {
        "article": article,
        "start": start,
        "end": end,
        "exact": selector.exact,
        "prefix": selector.prefix,
        "suffix": selector.suffix,
    }


def _refused(create) -> None:
    """`create` raises an integrity error and leaves nothing behind."""
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def entity():
    return EntityFactory()


def test_a_span_that_fits_the_body_is_stored(article, entity):
    start = article.body.index("Xi Jinping")
    mention = Mention.objects.create(entity=entity, **_span_kwargs(article, start, start + 10))
    mention.refresh_from_db()
    assert article.body[mention.start : mention.end] == mention.exact == "Xi Jinping"


@pytest.mark.parametrize("model", [Mention, Quote, Stance])
def test_span_past_the_end_of_the_body_is_refused(article, entity, model):
    end = len(article.body) + 5
    extra = _extra_fields(model, entity)
    # Hand-made selector: the text claims to run past the body's end.
    _refused(
        lambda: model.objects.create(
            article=article,
            start=len(article.body) - 3,
            end=end,
            exact=article.body[-3:] + "xxxxx",
            prefix="",
            suffix="",
            **extra,
        )
    )
    assert not model.objects.exists()


@pytest.mark.parametrize(("start", "end"), [(10, 10), (12, 4)])
@pytest.mark.parametrize("model", [Mention, Quote, Stance])
def test_span_with_start_not_before_end_is_refused(article, entity, model, start, end):
    extra = _extra_fields(model, entity)
    _refused(
        lambda: model.objects.create(
            article=article, start=start, end=end, exact="", prefix="", suffix="", **extra
        )
    )
    assert not model.objects.exists()


def test_negative_offsets_are_refused(article, entity):
    _refused(
        lambda: Mention.objects.create(
            article=article, entity=entity, start=-2, end=3, exact="Russ", prefix="", suffix=""
        )
    )
    assert not Mention.objects.exists()


@pytest.mark.parametrize("model", [Mention, Quote, Stance])
def test_exact_text_that_is_not_in_the_body_there_is_refused(article, entity, model):
    kwargs = _span_kwargs(article, 0, 7)
    kwargs["exact"] = "Belarus"  # same length, other text
    _refused(lambda: model.objects.create(**kwargs, **_extra_fields(model, entity)))
    assert not model.objects.exists()


def test_wrong_prefix_or_suffix_is_refused(article, entity):
    start = article.body.index("Xi Jinping")
    for field in ("prefix", "suffix"):
        kwargs = _span_kwargs(article, start, start + 10)
        kwargs[field] = kwargs[field][:-1] + "#"
        _refused(lambda kwargs=kwargs: Mention.objects.create(entity=entity, **kwargs))
    assert not Mention.objects.exists()


def test_moving_a_span_without_its_text_is_refused(entity):
    mention = MentionFactory(entity=entity, text="Vladimir Putin")
    _refused(lambda: Mention.objects.filter(pk=mention.pk).update(start=0, end=14))
    mention.refresh_from_db()
    assert mention.exact == "Vladimir Putin"
    assert mention.article.body[mention.start : mention.end] == "Vladimir Putin"


def test_a_note_may_be_unanchored_but_an_anchored_note_must_match(article):
    Note.objects.create(article=article, text="Whole-article note")
    _refused(
        lambda: Note.objects.create(
            article=article, text="Bad", start=0, end=7, exact="Belarus", prefix="", suffix=""
        )
    )
    Note.objects.create(text="Anchored", **_span_kwargs(article, 0, 7))
    assert sorted(Note.objects.values_list("text", flat=True)) == ["Anchored", "Whole-article note"]


def test_article_body_is_immutable(article):
    original = article.body
    _refused(lambda: Article.objects.filter(pk=article.pk).update(body=original + " Edited."))
    article.refresh_from_db()
    assert article.body == original
    # Everything else may change.
    Article.objects.filter(pk=article.pk).update(title="Corrected title")
    article.refresh_from_db()
    assert article.title == "Corrected title"


def test_saving_an_article_with_an_edited_body_is_refused(article):
    original = article.body
    article.body = "Something else entirely."
    _refused(article.save)
    assert Article.objects.get(pk=article.pk).body == original


def test_content_hash_is_unique(article):
    _refused(lambda: ArticleFactory(body=article.body + " ", content_hash=article.content_hash))
    assert Article.objects.count() == 1


def test_content_hash_must_be_a_sha256_hex_digest():
    _refused(lambda: ArticleFactory(content_hash="abc"))
    assert not Article.objects.exists()


def test_empty_body_is_refused():
    _refused(lambda: ArticleFactory(body="", content_hash=hashlib.sha256(b"").hexdigest()))
    assert not Article.objects.exists()


def test_alias_spelling_is_unique_per_kind():
    alias = EntityAliasFactory(alias="Yury Ushakov", normalised="yury ushakov")
    _refused(lambda: EntityAliasFactory(alias="YURY Ushakov", normalised="yury ushakov"))
    # The same spelling may name an entity of another kind (a person and a ship, say).
    EntityAliasFactory(
        entity=EntityFactory(kind="ORG"), alias="Yury Ushakov", normalised="yury ushakov"
    )
    assert EntityAlias.objects.filter(normalised=alias.normalised).count() == 2


def test_quote_speaker_span_needs_both_ends_in_order(article):
    _refused(lambda: QuoteFactory(article=article, speaker_start=5))
    _refused(lambda: QuoteFactory(article=article, speaker_start=9, speaker_end=3))
    QuoteFactory(article=article, speaker_start=3, speaker_end=9)
    assert Quote.objects.count() == 1


def test_stance_needs_a_target(article, entity):
    _refused(lambda: StanceFactory(article=article, target_entity=None, target_text=""))
    StanceFactory(article=article, target_entity=entity, target_text="")
    assert Stance.objects.count() == 1


def test_one_stance_per_analyst_per_quote(article):
    analyst = UserFactory()
    quote = QuoteFactory(article=article)
    StanceFactory(article=article, quote=quote, created_by=analyst)
    _refused(lambda: StanceFactory(article=article, quote=quote, created_by=analyst))
    # Another analyst may record their own reading of the same quote.
    StanceFactory(article=article, quote=quote, created_by=UserFactory())
    assert Stance.objects.filter(quote=quote).count() == 2


def test_import_batch_counters_must_add_up():
    _refused(lambda: ImportBatchFactory(files_total=3, files_done=2, imported=1))
    _refused(lambda: ImportBatchFactory(files_total=1, files_done=2, imported=2))
    assert not ImportBatch.objects.exists()


def test_a_failed_file_must_say_why():
    batch = ImportBatchFactory()
    _refused(lambda: ImportFile.objects.create(batch=batch, original_name="a.txt", status="failed"))
    ImportFile.objects.create(
        batch=batch, original_name="a.txt", status="failed", error="Not text: NUL bytes."
    )
    assert batch.files.count() == 1


def _extra_fields(model, entity):
    if model is Mention:
        return {"entity": entity}
    if model is Stance:
        return {"holder": entity, "target_text": "sanctions", "polarity": polarity()}
    return {}


@pytest.mark.django_db
def test_an_import_file_s_times_come_from_the_database_clock():
    long_ago = timezone.now() - timedelta(days=400)
    row = ImportFileFactory()
    ImportFile.objects.filter(pk=row.pk).update(updated_at=long_ago, created_at=long_ago)
    row.refresh_from_db()
    # The trigger set updated_at to the moment of the write; created_at is an insert's.
    assert row.updated_at > timezone.now() - timedelta(minutes=1)
    assert row.created_at == long_ago
