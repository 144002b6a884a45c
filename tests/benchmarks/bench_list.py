"""python -m tests.benchmarks.bench_list: the article list page on the API benchmark's
database (100,000 articles, 650,000 mentions, 200,000 quotes, 100,000 stances, 50,000
notes; `python -m tests.benchmarks.bench_api --generate` makes it, this does too).

Each scenario renders the whole page through Django (session, view, selectors, template)
for a signed-in analyst, `ROUNDS` times, then its facets (their own URL, /facets/ with the
same query, which the page loads with htmx right after itself) `ROUNDS` times, and reports
for each the median and the slowest time, and each query's time in the last round. Each
page is checked too: the total in its heading is the count of the list's own filter
(counted apart, with COUNT), and it shows as many rows as it should; its facets count, in
the status facet, those same articles. Written to bench/results/list.json. Figures to
report, never a pass/fail test (a wrong page stops the run).

The generated data has no stories: so that "one story" filters by one, the run groups
some articles into a story when the database has none (once: the next runs find it).
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
    story = Story.objects.annotate(n=Count("articles")).order_by("-n").first() or _story(
        top_entity["entity_id"]
    )
    scenarios = {
        "all, newest first": "",
        "search, a word in most articles": "q=ceasefire",
        "search, a name": "q=%22Kestrel+Novotny%22",
        "search, a word in most articles, in progress": "q=ceasefire&status=in_progress",
        "search, a word in most articles, page 100": "q=ceasefire&page=100",
        "status in progress": f"status={browse.AnnotationStatus.IN_PROGRESS.value}",
        "the most mentioned entity": f"entity={top_entity['entity_id']}",
        "one story": f"story={story.pk}",
        "grouped by story": "group=story",
        "most quotes first": "sort=quotes",
        "page 100": "page=100",
    }

    def measure(url: str, headers: dict[str, str]) -> tuple[list[float], list[float], str]:
        """ROUNDS times: the times (ms), each query's time in the last round, the HTML."""
        times = []
        captured = CaptureQueriesContext(connection)
        for _ in range(ROUNDS):
            with captured:
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                sys.exit(f"bench_list: {url} answered {response.status_code}")
            times.append(elapsed * 1000)
        queries = [round(float(q["time"]) * 1000, 1) for q in captured.captured_queries]
        return times, queries, response.content.decode()

    def figures(url: str, times: list[float], queries: list[float]) -> dict:
        return {
            "url": url,
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "queries": len(queries),
            "query_ms": queries,
        }

    def check_facets(name: str, query: str, html: str) -> None:
        """The status facet counts every article the other filters leave: with none
        chosen, its counts add up to the list's total; with one, its own count is it."""
        params, filters = list_query(query)
        expected = browse.filtered_articles(filters).count()
        counts = [int(n) for n in re.findall(r'<span class="count">(\d+)</span>', html)]
        status = html.split('id="facet-status"', 1)[-1].split("</section>", 1)[0]
        shown = [int(n) for n in re.findall(r'<span class="count">(\d+)</span>', status)]
        selected = re.findall(
            r'aria-current="true">[^<]*<span[^>]*>[^<]*</span> <span class="count">(\d+)', status
        )
        total = int(selected[0]) if "status" in params and selected else sum(shown)
        if not counts or total != expected:
            sys.exit(
                f"bench_list: {name}: the facets count {total} articles, the filter {expected}"
            )

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
        page_url = f"/?{query}"
        times, queries, html = measure(page_url, {})
        check(name, query, html)
        # The facets' URL as the page wrote it (the same query, less the page number),
        # asked for as htmx asks for it.
        found = re.search(r'<div id="facets-slot"[^>]*hx-get="([^"]*)"', html)
        if not found:
            sys.exit(f"bench_list: {name}: the page does not load its facets")
        facets_url = found.group(1).replace("&amp;", "&")
        facet_times, facet_queries, facets_html = measure(facets_url, {"HX-Request": "true"})
        check_facets(name, query, facets_html)
        results["scenarios"][name] = {
            **figures(page_url, times, queries),
            "facets": figures(facets_url, facet_times, facet_queries),
        }
        for what, t, q in (("page", times, queries), ("facets", facet_times, facet_queries)):
            print(
                f"{name[:34]:34} {what:6} median {statistics.median(t):8.1f} ms  "
                f"max {max(t):8.1f} ms  queries {len(q)}: {q}"
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


STORY_LABEL = "Bench: coverage of the most mentioned entity"
STORY_ARTICLES = 40


def _story(entity_id: int):  # type: ignore[no-untyped-def]
    """A story of the newest articles that mention the entity, made in the bench
    database (the one this run is connected to) when it has no story at all."""
    from django.db import transaction
    from django.db.models import Max, Min

    from articles.models import Article, Mention, Story

    with transaction.atomic():
        ids = list(
            Article.objects.filter(
                pk__in=Mention.objects.filter(entity_id=entity_id).values("article_id")
            )
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)[:STORY_ARTICLES]
        )
        seen = Article.objects.filter(pk__in=ids).aggregate(
            first=Min("published_at"), last=Max("published_at")
        )
        story = Story.objects.create(
            label=STORY_LABEL, first_seen=seen["first"], last_seen=seen["last"]
        )
        Article.objects.filter(pk__in=ids).update(story=story)
    print(f"grouped {len(ids)} articles into story {story.pk} ({STORY_LABEL})")
    return story


if __name__ == "__main__":
    main()
