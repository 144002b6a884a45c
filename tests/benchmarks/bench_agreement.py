"""Benchmark: the agreement report over doubly coded articles.

Builds, on a scratch database of the configured server (DATABASE_URL; the test database
machinery makes and drops `bench_newsdesk_agreement`), `--articles` articles (1,000 by
default), each coded by two of four analysts, with about 50 units an article (30 quotes,
20 stances: ~50,000 units at full size) written with bulk_create: each analyst's own rows
and the machine's suggestions they accepted (decisions). Units are shared by both coders
most of the time, with jittered spans and some disagreeing values; some are one coder's
only. Then it times the report (selector and plain-Python scoring), the API (JSON and
CSV), the page and `agreement_refresh` over all of them, and counts their queries, which
must not grow with the articles (a tenth of the selection is timed too). Writes
bench/results/agreement.json. Figures to report, never a pass/fail test.

    python -m tests.benchmarks.bench_agreement [--articles 1000] [--rounds 3]
"""

import argparse
import hashlib
import json
import os
import random
import secrets
import statistics
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
os.environ.setdefault("DJANGO_ENV", "development")
# Speed, not the per-token export limit (tested in the suite): it would refuse rounds.
os.environ["API_THROTTLE_EXPORT"] = "1000000/min"
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    teardown_databases,
)
from django.utils import timezone  # noqa: E402

from annotations.models import (  # noqa: E402
    Assignment,
    Polarity,
    Quote,
    QuoteDecision,
    Stance,
    StanceDecision,
    Verdict,
)
from annotations.selectors.agreement import (  # noqa: E402
    AgreementSelection,
    agreement_for,
    article_versions,
)
from annotations.services import agreement_refresh  # noqa: E402
from articles.anchoring import text_quote_selector  # noqa: E402
from articles.models import Article, Entity, Outlet, Story  # noqa: E402
from newsdesk import roles, services  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "agreement.json"
SEED = 20261206
QUOTES, STANCES = 30, 20  # units an article
SLOT = 60  # characters an annotation's slot of the body
ENTITIES = 200
WORDS = [
    "minister",
    "talks",
    "summit",
    "statement",
    "sanctions",
    "treaty",
    "border",
    "trade",
    "envoy",
    "council",
    "vote",
    "ceasefire",
    "delegation",
    "embassy",
    "agreement",
    "reporters",
    "officials",
    "government",
    "spokesman",
    "aid",
]


def _body(rng: random.Random, n: int) -> str:
    words: list[str] = []
    length = 0
    while length < (QUOTES + STANCES) * SLOT + 40:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return f"Report {n}: " + " ".join(words) + "."


def _span(body: str, slot: int, rng: random.Random, jitter: int) -> dict[str, Any]:
    start = slot * SLOT + 5 + rng.randint(0, jitter)
    end = slot * SLOT + 45 + rng.randint(0, jitter)
    s = text_quote_selector(body, start, end)
    return {"start": start, "end": end, "exact": s.exact, "prefix": s.prefix, "suffix": s.suffix}


def _choice(rng: random.Random, agree: float, value: Any, others: list[Any]) -> Any:
    return value if rng.random() < agree else rng.choice(others)


def build(n_articles: int) -> dict[str, int]:
    rng = random.Random(SEED)
    analysts = [
        services.user_create(
            username=f"coder-{k}", role=roles.ANALYST, password=secrets.token_urlsafe(24)
        )
        for k in range(4)
    ]
    outlet = Outlet.objects.create(name="Bench Wire", domain="bench.example")
    stories = Story.objects.bulk_create([Story(label=f"Story {k}") for k in range(50)])
    entities = Entity.objects.bulk_create(
        [Entity(name=f"Actor {k}", kind="PERSON") for k in range(ENTITIES)]
    )
    polarities = list(Polarity.objects.all())
    bodies = [_body(rng, n) for n in range(n_articles)]
    articles = Article.objects.bulk_create(
        [
            Article(
                title=f"Article {n}",
                body=body,
                raw_text=body,
                outlet=outlet,
                story=stories[n % len(stories)],
                word_count=len(body.split()),
                content_hash=hashlib.sha256(body.encode()).hexdigest(),
            )
            for n, body in enumerate(bodies)
        ],
        batch_size=500,
    )
    quotes: list[Quote] = []
    stances: list[Stance] = []
    # (row index, analyst) of machine suggestions accepted: decisions after the rows exist.
    quote_accepts: list[tuple[int, Any]] = []
    stance_accepts: list[tuple[int, Any]] = []
    assignments: list[Assignment] = []
    now = timezone.now()
    for article in articles:
        a, b = rng.sample(analysts, 2)
        assignments += [Assignment(article=article, analyst=x, done_at=now) for x in (a, b)]
        body = article.body
        for slot in range(QUOTES + STANCES):
            is_quote = slot < QUOTES
            draw = rng.random()
            coders = [a, b] if draw < 0.85 else ([a] if draw < 0.925 else [b])
            machine = len(coders) == 2 and rng.random() < 0.2
            speaker = rng.choice(entities)
            if machine:
                span = _span(body, slot, rng, 0)
                if is_quote:
                    quotes.append(
                        Quote(
                            article=article,
                            **span,
                            speaker=speaker,
                            cue="said",
                            origin="machine",
                            status="suggested",
                        )
                    )
                    quote_accepts += [(len(quotes) - 1, x) for x in coders]
                else:
                    stances.append(
                        Stance(
                            article=article,
                            **span,
                            holder=speaker,
                            target_entity=rng.choice(entities),
                            polarity=rng.choice(polarities),
                            origin="machine",
                            status="suggested",
                        )
                    )
                    stance_accepts += [(len(stances) - 1, x) for x in coders]
                continue
            target = rng.choice(entities)
            polarity = rng.choice(polarities)
            for coder in coders:
                span = _span(body, slot, rng, 4)
                if is_quote:
                    quotes.append(
                        Quote(
                            article=article,
                            **span,
                            speaker=_choice(rng, 0.85, speaker, entities),
                            cue=_choice(rng, 0.9, "said", ["told", "added", "warned"]),
                            kind=_choice(rng, 0.9, "direct", ["indirect", "mixed"]),
                            origin="analyst",
                            created_by=coder,
                        )
                    )
                else:
                    stances.append(
                        Stance(
                            article=article,
                            **span,
                            holder=_choice(rng, 0.9, speaker, entities),
                            target_entity=_choice(rng, 0.85, target, entities),
                            polarity=_choice(rng, 0.8, polarity, polarities),
                            origin="analyst",
                            created_by=coder,
                        )
                    )
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    quotes = Quote.objects.bulk_create(quotes, batch_size=2000)
    stances = Stance.objects.bulk_create(stances, batch_size=2000)
    QuoteDecision.objects.bulk_create(
        [
            QuoteDecision(quote=quotes[i], analyst=x, verdict=Verdict.CONFIRMED)
            for i, x in quote_accepts
        ],
        batch_size=2000,
    )
    StanceDecision.objects.bulk_create(
        [
            StanceDecision(stance=stances[i], analyst=x, verdict=Verdict.CONFIRMED)
            for i, x in stance_accepts
        ],
        batch_size=2000,
    )
    return {
        "articles": len(articles),
        "quotes": len(quotes),
        "stances": len(stances),
        "decisions": len(quote_accepts) + len(stance_accepts),
        "assignments": len(assignments),
    }


def timed(rounds: int, call: Any) -> dict[str, Any]:
    times = []
    captured = CaptureQueriesContext(connection)
    result = None
    for _ in range(rounds):
        with captured:
            started = time.perf_counter()
            result = call()
            times.append(time.perf_counter() - started)
    return {
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "queries": len(captured.captured_queries),
        "query_ms": [round(float(q["time"]) * 1000, 1) for q in captured.captured_queries],
        "sql": [q["sql"][:70] for q in captured.captured_queries],
        "result": result,
    }


def _has_queue_page() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("adjudication-queue")
    except NoReverseMatch:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "bench_newsdesk_agreement"
    config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        started = time.perf_counter()
        sizes = build(args.articles)
        build_s = time.perf_counter() - started
        print(f"built {sizes} in {build_s:.1f}s")
        ids = tuple(Article.objects.order_by("pk").values_list("pk", flat=True))
        everything = AgreementSelection()
        tenth = AgreementSelection(ids=ids[: max(1, len(ids) // 10)])

        fetch = timed(args.rounds, lambda: len(article_versions(everything)[0]))
        report = timed(args.rounds, lambda: agreement_for(everything).report)
        small = timed(args.rounds, lambda: agreement_for(tenth).report)
        overall = report["result"].overall
        admin = get_user_model().objects.create_superuser("bench-lead", password=None)
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin)

        def get(url: str) -> int:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"bench_agreement: {url} answered {response.status_code}")
            return len(response.content)

        api = timed(args.rounds, lambda: get("/api/v1/agreement/"))
        api_csv = timed(args.rounds, lambda: get("/api/v1/agreement/?format=csv"))
        page = timed(args.rounds, lambda: get("/agreement/"))
        refresh = timed(args.rounds, lambda: agreement_refresh(article_ids=ids))
        # The adjudication queue at that size (every article is in it once refreshed),
        # its last page, and one article's units with every coder's version.
        queue = timed(args.rounds, lambda: get("/api/v1/adjudications/"))
        last = (len(ids) + 49) // 50
        queue_last = timed(args.rounds, lambda: get(f"/api/v1/adjudications/?page={last}"))
        units = timed(args.rounds, lambda: get(f"/api/v1/adjudications/{ids[len(ids) // 2]}/"))
        queue_page = timed(args.rounds, lambda: get("/adjudicate/")) if _has_queue_page() else None
    finally:
        teardown_databases(config, verbosity=0)

    def figures(run: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {k: v for k, v in run.items() if k != "result"} | extra

    results = {
        "benchmark": "agreement report over doubly coded articles",
        "seed": SEED,
        "rounds": args.rounds,
        "data": sizes,
        "build_s": round(build_s, 1),
        "units": overall.counts.units,
        "overall": {
            **overall.counts.as_dict(),
            "fields": {f"{f.kind}.{f.field}": round(f.alpha or 0, 3) for f in overall.fields},
            "alpha_u": {s.kind: round(s.alpha_u or 0, 3) for s in overall.spans},
        },
        "versions_from_db": figures(fetch),
        "report": figures(report),
        "report_tenth_of_articles": figures(small, articles=len(tenth.ids)),
        "api_json": figures(api, bytes=api["result"]),
        "api_csv": figures(api_csv, bytes=api_csv["result"]),
        "page": figures(page, bytes=page["result"]),
        "refresh": figures(refresh, rows=refresh["result"]),
        "adjudication_queue_api": figures(queue, bytes=queue["result"]),
        "adjudication_queue_api_last_page": figures(queue_last, page=last),
        "adjudication_units_api": figures(units, bytes=units["result"]),
    }
    if queue_page is not None:
        results["adjudication_queue_page"] = figures(queue_page, bytes=queue_page["result"])
    for name in ("versions_from_db", "report", "report_tenth_of_articles", "api_json"):
        row = results[name]
        print(f"{name:26} median {row['median_s']:7.3f}s  queries {row['queries']}")
    for name in (
        "api_csv",
        "page",
        "refresh",
        "adjudication_queue_api",
        "adjudication_queue_api_last_page",
        "adjudication_units_api",
        *(["adjudication_queue_page"] if queue_page is not None else []),
    ):
        row = results[name]
        print(f"{name:26} median {row['median_s']:7.3f}s  queries {row['queries']}")
    print(f"units {overall.counts.units}, {overall.counts.as_dict()}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
