"""Benchmark: what the anchor-check trigger costs when spans are bulk-inserted.

Ingestion writes machine mentions in bulk, and every row passes the database trigger that
checks body[start:end] == exact (articles/dbguards.py). This loads the PolNeAR dev texts
from ../shared/corpus as articles, makes a mention of every capitalised name in them, and
times bulk_create of all of them with the trigger and without it, on a scratch database
on the configured server (DATABASE_URL). Results go to var/bench/spans.json.

    python -m tests.benchmarks.bench_spans [--repeat 3]
"""

import argparse
import hashlib
import json
import os
import re
import statistics
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from articles import dbguards  # noqa: E402
from articles.anchoring import text_quote_selector  # noqa: E402
from articles.models import Article, Entity, Mention  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "polnear" / "dev" / "text"
NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*\b")


def _drop_span_triggers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER newsdesk_span_matches_body ON articles_mention")


def _load_articles() -> list[Article]:
    articles = []
    for path in sorted(CORPUS.glob("*.txt")):
        body = path.read_text(encoding="utf-8")
        articles.append(
            Article(
                title=path.stem,
                body=body,
                raw_text=body,
                word_count=len(body.split()),
                content_hash=hashlib.sha256(body.encode()).hexdigest(),
            )
        )
    return Article.objects.bulk_create(articles)


def _mentions(articles: list[Article], entity: Entity) -> list[Mention]:
    rows = []
    for article in articles:
        for match in NAME.finditer(article.body):
            s = text_quote_selector(article.body, match.start(), match.end())
            rows.append(
                Mention(
                    article=article,
                    entity=entity,
                    start=match.start(),
                    end=match.end(),
                    exact=s.exact,
                    prefix=s.prefix,
                    suffix=s.suffix,
                )
            )
    return rows


def _time_insert(rows: list[Mention]) -> float:
    Mention.objects.all().delete()
    for row in rows:
        row.pk = None
    started = time.perf_counter()
    with transaction.atomic():
        Mention.objects.bulk_create(rows, batch_size=1000)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "bench_newsdesk"
    config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        articles = _load_articles()
        entity = Entity.objects.create(name="Anyone", kind="PERSON")
        rows = _mentions(articles, entity)
        with_trigger = [_time_insert(rows) for _ in range(args.repeat)]
        _drop_span_triggers()
        without_trigger = [_time_insert(rows) for _ in range(args.repeat)]
        dbguards.install(connection)
    finally:
        teardown_databases(config, verbosity=0)

    checked = statistics.median(with_trigger)
    unchecked = statistics.median(without_trigger)
    result = {
        "benchmark": "bulk insert of mentions, anchor trigger on vs off",
        "articles": len(articles),
        "mentions": len(rows),
        "repeat": args.repeat,
        "seconds_with_trigger": round(checked, 3),
        "seconds_without_trigger": round(unchecked, 3),
        "rows_per_second_with_trigger": round(len(rows) / checked),
        "rows_per_second_without_trigger": round(len(rows) / unchecked),
        "trigger_overhead_percent": round(100 * (checked - unchecked) / unchecked, 1),
    }
    out = ROOT / "var" / "bench" / "spans.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
