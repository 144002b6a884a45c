"""The machine's first pass, end to end through the import: the five seed articles.

Imports the seeds with the default extractor (spaCy, the gazetteer, quotes, stories,
statements) and checks what an analyst would see: one entity per actor, two stories, and
Ushakov's quote as one statement with its three variants and their differences.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Quote, Statement
from annotations.selectors.stories import statement_variants
from annotations.services.suggestions import suggestions_create
from articles.anchoring import text_quote_selector
from articles.models import (
    Article,
    ArticleTerm,
    Entity,
    EntityAlias,
    Mention,
    Origin,
    ReviewStatus,
)
from articles.names import normalise_alias
from tests.factories import StanceFactory
from tests.seeds import import_seeds

pytestmark = pytest.mark.django_db

USHAKOV_QUOTE = "A joint statement on international relations entering a new era"


@pytest.fixture
def seeds() -> dict[str, Article]:
    return import_seeds()


def entity_named(spelling: str, kind: str = "PERSON") -> Entity:
    alias = EntityAlias.objects.select_related("entity").get(
        kind=kind, normalised=normalise_alias(spelling)
    )
    return alias.entity


def test_every_suggestion_is_the_machines_and_waits_for_review(seeds):
    assert Mention.objects.count() > 100
    assert Quote.objects.count() > 20
    assert set(Mention.objects.values_list("origin", "status").distinct()) == {
        (Origin.MACHINE, ReviewStatus.SUGGESTED)
    }
    assert set(Quote.objects.values_list("origin", "status").distinct()) == {
        (Origin.MACHINE, ReviewStatus.SUGGESTED)
    }
    for mention in Mention.objects.select_related("article")[:200]:
        assert mention.article.body[mention.start : mention.end] == mention.exact


def test_one_entity_per_actor_across_the_seeds(seeds):
    ushakov = entity_named("Yury Ushakov")
    assert entity_named("Yuri Ushakov") == ushakov
    putin = entity_named("Vladimir Putin")
    assert entity_named("Putin") == putin
    assert putin.name == "Vladimir Putin"
    xi = entity_named("Xi Jinping")
    assert entity_named("Xi") == xi
    for name in ("Vladimir Putin", "Xi Jinping"):
        assert Entity.objects.filter(name=name, kind="PERSON").count() == 1
    # Ushakov is mentioned in 000, 001 and 003 under two spellings, as one actor.
    articles = set(Mention.objects.filter(entity=ushakov).values_list("article_id", flat=True))
    assert {seeds["000"].pk, seeds["001"].pk, seeds["003"].pk} <= articles
    spellings = set(Mention.objects.filter(entity=ushakov).values_list("exact", flat=True))
    assert {"Yury Ushakov", "Yuri Ushakov"} <= spellings


def test_titles_and_honorifics_make_no_entities(seeds):
    names = {normalise_alias(n) for n in Entity.objects.values_list("name", flat=True)}
    for title in ("president", "russian president", "foreign minister", "mr", "the aide"):
        assert title not in names
    assert not Mention.objects.filter(exact__istartswith="President ").exists()


def test_the_four_reports_of_the_feb_2022_talks_are_one_story_and_004_another(seeds):
    refreshed = {
        key: Article.objects.values_list("story_id", flat=True).get(pk=article.pk)
        for key, article in seeds.items()
    }
    assert refreshed["000"] is not None
    assert refreshed["000"] == refreshed["001"] == refreshed["002"] == refreshed["003"]
    assert refreshed["004"] is not None
    assert refreshed["004"] != refreshed["000"]
    assert ArticleTerm.objects.filter(article=seeds["004"]).exists()


def test_ushakovs_quote_is_one_statement_with_its_variants_marked(seeds):
    quotes = Quote.objects.filter(exact__contains=USHAKOV_QUOTE).select_related("statement")
    by_article = {q.article_id: q for q in quotes}
    wanted = [seeds[key].pk for key in ("000", "001", "003")]
    assert set(wanted) <= set(by_article)
    statements = {by_article[pk].statement_id for pk in wanted}
    assert len(statements) == 1
    statement = Statement.objects.get(pk=statements.pop())
    assert statement.reference_text.startswith(USHAKOV_QUOTE)
    assert "in advance" not in statement.reference_text  # 000 and 003 agree; 001 differs
    assert statement.speaker == entity_named("Yury Ushakov")

    rows = {row["article"].pk: row for row in statement_variants(statement)}
    assert rows[seeds["000"].pk]["similarity"] == 1.0
    assert rows[seeds["003"].pk]["similarity"] == 1.0
    variant = rows[seeds["001"].pk]
    assert 0.7 < variant["similarity"] < 1.0
    inserted = [d.text for d in variant["differences"] if d.op == "insert"]
    assert "on global sustainable development" in inserted
    assert "in advance" in inserted
    assert by_article[seeds["001"].pk].similarity == variant["similarity"]


def test_quotes_have_speakers_that_are_entities(seeds):
    quote = Quote.objects.get(article=seeds["000"], exact__contains=USHAKOV_QUOTE)
    assert quote.kind == Quote.Kind.DIRECT
    assert quote.cue == "told"
    assert quote.speaker == entity_named("Yury Ushakov")
    body = seeds["000"].body
    assert "Ushakov" in body[quote.speaker_start : quote.speaker_end]
    # 001: "..., the aide revealed." resolves to the person the aide is.
    aide = Quote.objects.get(article=seeds["001"], exact__contains=USHAKOV_QUOTE)
    assert seeds["001"].body[aide.speaker_start : aide.speaker_end] == "the aide"
    assert aide.speaker == entity_named("Yury Ushakov")


def sentence_around(body: str, at: int) -> tuple[int, int]:
    """The line of `body` holding `at`, cut at the full stops around it."""
    line_start = body.rfind("\n", 0, at) + 1
    line_end = body.find("\n", at)
    line_end = len(body) if line_end == -1 else line_end
    start = max(body.rfind(". ", line_start, at) + 2, line_start)
    end = body.find(". ", at, line_end)
    return start, line_end if end == -1 else end + 1


def test_a_seed_quotes_cue_comes_from_its_own_sentence_and_names_its_speaker(seeds):
    # 001: the adviser "also said that the president '...,'" followed by a relative
    # clause whose verb ("announce") reports something else.
    article = seeds["001"]
    quote = Quote.objects.get(article=article, exact__contains="will take part in the opening")
    assert quote.speaker == entity_named("Yury Ushakov")
    assert quote.cue_start is not None
    start, end = sentence_around(article.body, quote.start)
    assert start <= quote.cue_start < end
    assert article.body[quote.cue_start : quote.cue_end] == quote.cue
    assert quote.cue != "announce"


def test_a_seed_sentence_about_a_group_is_not_the_last_speakers_quote(seeds):
    article = seeds["001"]
    ushakov = entity_named("Yury Ushakov")
    for quote in Quote.objects.filter(article=article, exact__contains="the importance of their"):
        assert quote.speaker != ushakov
        if quote.speaker_start is not None:
            assert "Ushakov" not in article.body[quote.speaker_start : quote.speaker_end]


def test_a_seed_quote_after_a_quoted_speakers_sentence_continues_that_speaker(seeds):
    # '"...," Ushakov said following talks ... "We will keep ..."' in one paragraph.
    article = seeds["001"]
    quote = Quote.objects.get(article=article, exact__contains="We will keep our Chinese")
    assert quote.kind == Quote.Kind.DIRECT
    assert quote.speaker == entity_named("Yury Ushakov")
    assert article.body[quote.speaker_start : quote.speaker_end] == "Ushakov"


def test_export_lines_carry_source_file_story_entities_and_quotes(seeds):
    out = io.StringIO()
    call_command("export_articles", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 5
    record = next(r for r in lines if r["id"] == seeds["001"].pk)
    assert Path(record["source_file"]).name.startswith("001_")
    assert record["story"] == Article.objects.get(pk=seeds["001"].pk).story_id
    ushakov = next(e for e in record["entities"] if e["name"] == "Yury Ushakov")
    assert ushakov["kind"] == "PERSON"
    assert {"start", "end", "text"} <= set(ushakov["mentions"][0])
    quote = next(q for q in record["quotes"] if USHAKOV_QUOTE in q["text"])
    assert quote["speaker"] == {"id": ushakov["id"], "name": "Yury Ushakov"}
    assert quote["statement"] is not None
    assert (quote["origin"], quote["status"]) == ("machine", "suggested")
    assert {"id", "start", "end", "text", "kind", "cue", "speaker_start", "speaker_end"} <= set(
        quote
    )


def test_extracting_an_extracted_article_again_changes_nothing_unless_asked(seeds):
    article = seeds["000"]
    mentions = set(Mention.objects.filter(article=article).values_list("pk", "updated_at"))
    quotes = set(Quote.objects.filter(article=article).values_list("pk", "updated_at"))
    assert mentions
    assert quotes

    counts = suggestions_create(article_ids=[article.pk])

    assert (counts.articles, counts.mentions, counts.quotes) == (0, 0, 0)
    assert set(Mention.objects.filter(article=article).values_list("pk", "updated_at")) == mentions
    assert set(Quote.objects.filter(article=article).values_list("pk", "updated_at")) == quotes


def test_a_reextraction_keeps_the_ids_of_what_it_finds_again(seeds):
    article = seeds["000"]
    mentions = set(Mention.objects.filter(article=article).values_list("pk", "start", "end"))
    quotes = set(Quote.objects.filter(article=article).values_list("pk", "start", "end"))
    # A suggestion the extractor would no longer make goes; one it would make is restored.
    stale = Mention.objects.filter(article=article).first()
    end = article.body.index(" ")
    selector = text_quote_selector(article.body, 0, end)
    Mention.objects.filter(pk=stale.pk).update(
        start=0, end=end, exact=selector.exact, prefix=selector.prefix, suffix=selector.suffix
    )
    gone_quote = Quote.objects.filter(article=article).last()
    Quote.objects.filter(pk=gone_quote.pk).delete()

    counts = suggestions_create(article_ids=[article.pk], again=True)

    now_mentions = set(Mention.objects.filter(article=article).values_list("pk", "start", "end"))
    now_quotes = set(Quote.objects.filter(article=article).values_list("pk", "start", "end"))
    assert not Mention.objects.filter(pk=stale.pk).exists()
    assert mentions - {m for m in mentions if m[0] == stale.pk} < now_mentions
    assert counts.mentions == 1, "only the lost mention is made anew"
    assert counts.quotes == 1, "only the deleted quote is made anew"
    unchanged_quotes = {q for q in quotes if q[0] != gone_quote.pk}
    assert unchanged_quotes < now_quotes
    (remade,) = now_quotes - unchanged_quotes
    assert remade[1:] == (gone_quote.start, gone_quote.end)


def test_a_reextraction_points_moved_mentions_back_at_their_actor_in_place(seeds):
    """Suggested mentions whose stored entity is no longer what their name resolves to keep
    their ids and are pointed at the right entity again, several at once."""
    article = seeds["000"]
    before = dict(Mention.objects.filter(article=article).values_list("pk", "entity_id"))
    stray = Entity.objects.create(name="Nobody In Particular", kind="PERSON")
    moved = sorted(before)[:3]
    Mention.objects.filter(pk__in=moved).update(entity=stray)

    suggestions_create(article_ids=[article.pk], again=True)

    after = dict(Mention.objects.filter(article=article).values_list("pk", "entity_id"))
    assert after == before


def test_running_the_extractor_again_replaces_suggestions_and_keeps_reviews(seeds):
    article = seeds["000"]
    reviewed = Quote.objects.filter(article=article).first()
    reviewed.status = ReviewStatus.CONFIRMED
    reviewed.save()
    rejected = Mention.objects.filter(article=article).first()
    rejected.status = ReviewStatus.REJECTED
    rejected.save()
    # A suggestion an analyst built on, still unreviewed: it and the stance stay.
    used = Quote.objects.filter(article=article, status=ReviewStatus.SUGGESTED).last()
    stance = StanceFactory(
        article=article,
        start=used.start,
        end=used.end,
        quote=used,
        holder=used.speaker or Entity.objects.first(),
    )
    counts = (Mention.objects.count(), Quote.objects.count(), Entity.objects.count())

    suggestions_create(article_ids=[article.pk], again=True)

    assert (Mention.objects.count(), Quote.objects.count(), Entity.objects.count()) == counts
    reviewed.refresh_from_db()
    rejected.refresh_from_db()
    assert reviewed.status == ReviewStatus.CONFIRMED
    assert rejected.status == ReviewStatus.REJECTED
    stance.refresh_from_db()
    assert stance.quote_id == used.pk
    assert not Quote.objects.filter(
        article=article, start=reviewed.start, end=reviewed.end, status=ReviewStatus.SUGGESTED
    ).exists(), "a reviewed quote is not suggested again"


def test_storing_suggestions_costs_no_query_per_mention(seeds):
    article_ids = [a.pk for a in seeds.values()]
    mentions = Mention.objects.filter(article_id__in=article_ids).count()
    # As if just imported: no suggestions yet.
    Mention.objects.filter(article_id__in=article_ids).delete()
    Quote.objects.filter(article_id__in=article_ids).delete()
    Article.objects.filter(pk__in=article_ids).update(extracted_at=None)
    with CaptureQueriesContext(connection) as queries:
        suggestions_create(article_ids=article_ids)
    assert Mention.objects.filter(article_id__in=article_ids).count() == mentions
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "articles_mention"')]
    assert mentions > 100
    # Bulk inserts: one per article, not one per mention.
    assert len(inserts) * 20 <= mentions, f"{len(inserts)} inserts for {mentions} mentions"
    # A fixed number of queries per article, not per mention or quote.
    assert len(queries) <= 12 * len(article_ids) + 20, len(queries)


def test_a_reextraction_leaves_every_suggestion_in_place_when_nothing_changed(seeds):
    article_ids = [a.pk for a in seeds.values()]
    mentions = set(
        Mention.objects.filter(article_id__in=article_ids).values_list("pk", "updated_at")
    )
    quotes = set(Quote.objects.filter(article_id__in=article_ids).values_list("pk", "updated_at"))

    with CaptureQueriesContext(connection) as queries:
        counts = suggestions_create(article_ids=article_ids, again=True)

    assert (counts.articles, counts.mentions, counts.quotes) == (5, 0, 0)
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].startswith(
            (
                'INSERT INTO "articles_mention',
                "DELETE",
                'UPDATE "articles_mention',
                'UPDATE "annotations_quote',
            )
        )
    ]
    assert writes == [], writes[:3]
    assert (
        set(Mention.objects.filter(article_id__in=article_ids).values_list("pk", "updated_at"))
        == mentions
    )
    assert (
        set(Quote.objects.filter(article_id__in=article_ids).values_list("pk", "updated_at"))
        == quotes
    )
