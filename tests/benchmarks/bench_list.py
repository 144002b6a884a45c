"""python -m tests.benchmarks.bench_list: the article list page on the API benchmark's
database (100,000 articles, 650,000 mentions, 200,000 quotes, 100,000 stances, 50,000
notes; `python -m tests.benchmarks.bench_api --generate` makes it, this does too).

Each scenario renders the whole page through Django (session, view, selectors, template)
for a signed-in analyst, `ROUNDS` times, and reports the median and the slowest time, and
each query's time in the last round. Each page is checked too: the total in its heading
is the count of the list's own filter (counted apart, with COUNT), and it shows as many
rows as it should. Written to bench/results/list.json. Figures to report, never a
pass/fail test (a wrong page stops the run).
"""

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

from tests.benchmarks.bench_api import generate

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "list.json"
ROUNDS = 5


def main() -> None:
    generate.ensure()
    os.environ["DATABASE_URL"] = generate.DATABASE_URL
    os.environ["DJANGO_ENV"] = "development"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from annotations.selectors import browse
    from annotations.views.browse import list_query
    from articles.models import Article, Mention, Story
    from newsdesk import roles, services

    user = get_user_model().objects.filter(username="bench-list").first()
    if user is None:
        user = services.user_create(
            username="bench-list", role=roles.ANALYST, password="bench-list password 1"
        )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    top_entity = Mention.objects.values("entity_id").annotate(n=Count("pk")).order_by("-n").first()
    story = Story.objects.annotate(n=Count("articles")).order_by("-n").first()
    scenarios = {
        "all, newest first": "",
        "search, a word in most articles": "q=ceasefire",
        "search, a name": "q=%22Kestrel+Novotny%22",
        "search, a word in most articles, in progress": "q=ceasefire&status=in_progress",
        "search, a word in most articles, page 100": "q=ceasefire&page=100",
        "status in progress": f"status={browse.AnnotationStatus.IN_PROGRESS.value}",
        "the most mentioned entity": f"entity={top_entity['entity_id']}",
        "one story": f"story={story.pk}" if story else "",
        "grouped by story": "group=story",
        "most quotes first": "sort=quotes",
        "page 100": "page=100",
    }

    def check(name: str, query: str, html: str) -> None:
        """The page's total is the filter's own count; its rows are the page's share."""
        params, filters = list_query(query)
        expected = browse.filtered_articles(filters).count()
        heading = re.search(r'id="results-heading"[^>]*>\s*([\d,]+) article', html)
        total = int(heading.group(1).replace(",", "")) if heading else -1
        rows = html.count('<li class="row">')
        asked = re.search(r"(?:^|&)page=(\d+)", query)
        page = int(asked.group(1)) if asked else 1
        if "group" in params:
            wanted_rows = rows if rows else -1  # groups hold up to 5 each: any, if some
        else:
            wanted_rows = max(0, min(browse.PAGE_SIZE, expected - (page - 1) * browse.PAGE_SIZE))
        if total != expected or rows != wanted_rows or (expected and not rows):
            sys.exit(
                f"bench_list: {name}: the page says {total} articles and shows {rows} rows; "
                f"the filter counts {expected}"
            )

    results: dict = {
        "articles": Article.objects.count(),
        "mentions": Mention.objects.count(),
        "rounds": ROUNDS,
        "scenarios": {},
    }
    for name, query in scenarios.items():
        times = []
        captured = CaptureQueriesContext(connection)
        for _ in range(ROUNDS):
            with captured:
                started = time.perf_counter()
                response = client.get(f"/?{query}")
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                sys.exit(f"bench_list: /?{query} answered {response.status_code}")
            times.append(elapsed * 1000)
        check(name, query, response.content.decode())
        queries = [round(float(q["time"]) * 1000, 1) for q in captured.captured_queries]
        results["scenarios"][name] = {
            "url": f"/?{query}",
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "queries": len(queries),
            "query_ms": queries,
        }
        print(
            f"{name:34} median {statistics.median(times):8.1f} ms  max {max(times):8.1f} ms  "
            f"queries {len(queries)}: {queries}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
