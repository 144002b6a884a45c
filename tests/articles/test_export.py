import json

import pytest
from django.core.management import call_command

from articles import services
from articles.models import ImportBatch
from tests.data import texts
from tests.factories import ArticleFactory, EntityFactory, MentionFactory, QuoteFactory

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
    varga = EntityFactory(name="Elena Varga", kind="PERSON")
    start = imported.body.index("Elena Varga")
    MentionFactory(article=imported, entity=varga, start=start, end=start + len("Elena Varga"))
    quote_text = "We have a text that both sides can read without anger,"
    quote_start = imported.body.index(quote_text)
    QuoteFactory(
        article=imported,
        start=quote_start,
        end=quote_start + len(quote_text),
        speaker=varga,
        speaker_start=start,
        speaker_end=start + len("Elena Varga"),
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
    assert record["entities"] == [
        {
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
    ]
    (quote,) = record["quotes"]
    assert quote["text"] == quote_text
    assert imported.body[quote["start"] : quote["end"]] == quote_text
    assert quote["speaker"] == {"id": varga.pk, "name": "Elena Varga"}
    assert (quote["speaker_start"], quote["speaker_end"], quote["cue"]) == (
        start,
        start + 11,
        "told",
    )
    assert next(r for r in records if r["id"] == other.pk)["source_file"] is None


def test_export_queries_do_not_grow_with_the_articles(django_assert_max_num_queries, capsys):
    for _ in range(30):
        article = ArticleFactory()
        MentionFactory(article=article)
        QuoteFactory(article=article)
    # One chunk: articles, their mentions, their quotes.
    with django_assert_max_num_queries(3):
        call_command("export_articles")
    assert len(capsys.readouterr().out.splitlines()) == 30
