import json

import pytest
from django.core.management import call_command

from articles import services
from articles.models import Article, Entity, ImportBatch
from tests.data import texts
from tests.factories import ArticleFactory, MentionFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def test_export_prints_one_json_object_per_article_with_its_mentions_and_quotes(capsys):
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode())],
        source=ImportBatch.Source.CLI,
        outlet_name="Meridian Post",
        enqueue=False,
    )
    services.import_batch_process_pending(batch_id=batch.pk)
    imported = batch.files.get().article
    # An analyst's own quote beside the machine's suggestions.
    varga = Entity.objects.get(name="Elena Varga")
    quote_text = "both sides can read"
    quote_start = imported.body.index(quote_text)
    analyst_quote = QuoteFactory(
        article=imported,
        start=quote_start,
        end=quote_start + len(quote_text),
        speaker=varga,
        cue="told",
    )
    other = ArticleFactory()

    call_command("export_articles", "--format", "jsonl")
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == sorted([imported.pk, other.pk])
    record = next(r for r in records if r["id"] == imported.pk)
    assert set(record) >= {
        "id",
        "source_file",
        "title",
        "outlet",
        "url",
        "published_at",
        "body",
        "story",
        "content_hash",
        "entities",
        "quotes",
    }
    assert record["source_file"] == "one.txt"
    assert record["outlet"] == "Meridian Post"
    assert record["body"] == imported.body
    assert record["content_hash"] == imported.content_hash
    story_id = Article.objects.values_list("story_id", flat=True).get(pk=imported.pk)
    assert story_id is not None
    assert record["story"] == story_id
    entities = {e["name"]: e for e in record["entities"]}
    start = imported.body.index("Elena Varga")
    assert entities["Elena Varga"] == {
        "id": varga.pk,
        "name": "Elena Varga",
        "kind": "PERSON",
        "mentions": [
            {
                "start": start,
                "end": start + 11,
                "text": "Elena Varga",
                "status": "suggested",
                "origin": "machine",
            }
        ],
    }
    assert entities["Tomas Okafor"]["mentions"][-1]["text"] == "Okafor"
    quotes = {q["text"]: q for q in record["quotes"]}
    machine = quotes['"We have a text that both sides can read without anger,"']
    assert imported.body[machine["start"] : machine["end"]] == machine["text"]
    assert machine["speaker"] == {"id": varga.pk, "name": "Elena Varga"}
    assert imported.body[machine["speaker_start"] : machine["speaker_end"]] == (
        "Foreign Minister Elena Varga"
    )
    assert (machine["kind"], machine["cue"], machine["origin"], machine["status"]) == (
        "direct",
        "told",
        "machine",
        "suggested",
    )
    assert "statement" in machine
    analyst = quotes[quote_text]
    assert (analyst["id"], analyst["origin"], analyst["status"]) == (
        analyst_quote.pk,
        "analyst",
        "confirmed",
    )
    assert next(r for r in records if r["id"] == other.pk)["source_file"] is None


def test_export_queries_do_not_grow_with_the_articles(django_assert_max_num_queries, capsys):
    for _ in range(30):
        article = ArticleFactory()
        MentionFactory(article=article)
        QuoteFactory(article=article)
    # One chunk: articles, their mentions, their quotes, their stances.
    with django_assert_max_num_queries(4):
        call_command("export_articles")
    assert len(capsys.readouterr().out.splitlines()) == 30
