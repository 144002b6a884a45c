"""python -m tests.benchmarks.bench_analysis: every analysis view and export on the API
benchmark's database (100,000 articles and 1,000,000 annotations, of them 100,000 stances
and 200,000 quotes; `python -m tests.benchmarks.bench_api --generate` makes it, this does
too).

Each scenario is one whole request through Django (session, view, selectors, renderer,
template) for a signed-in analyst, run `ROUNDS` times after one warm-up; a streamed
export is read to its last byte. Reported: the median and slowest time to the whole
answer, the time to its first byte for streamed exports, its size and its queries.
Written to bench/results/analysis.json. Figures to report, never a pass/fail test.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

from tests.benchmarks.bench_api import generate

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "analysis.json"
ROUNDS = 5
TARGET_MS = 500


def main() -> None:
    generate.ensure()
    os.environ["DATABASE_URL"] = generate.DATABASE_URL
    os.environ["DJANGO_ENV"] = "development"
    # Speed, not the per-token export limit (tested in the suite): it would refuse rounds.
    os.environ["API_THROTTLE_EXPORT"] = "1000000/min"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    import django

    django.setup()
    # The web process as gunicorn runs it: its WSGI module loaded, views imported and the
    # loaded objects frozen out of the collector's reach.
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import newsdesk.wsgi  # noqa: F401
    from annotations.models import Stance
    from annotations.selectors import analysis
    from articles.models import Story
    from newsdesk import roles, services

    user = get_user_model().objects.filter(username="bench-analysis").first()
    if user is None:
        user = services.user_create(
            username="bench-analysis", role=roles.ANALYST, password="a long benchmark passphrase 7"
        )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    matrix = analysis.stance_matrix(analysis.AnalysisFilters(), holders=25, targets=25)
    biggest = max(matrix.cells.values(), key=lambda cell: (cell.total, cell.holder, cell.target))
    holder = next(side for side in matrix.holders if side.key == biggest.holder)
    target = next(side for side in matrix.targets if side.key == biggest.target)
    pair = f"{matrix.holders[0].key},{matrix.holders[1].key}"
    story = Story.objects.order_by("pk").first()
    analyst = (
        get_user_model().objects.filter(username__startswith="analyst-").order_by("pk").first()
    )
    story_q = f"story={story.pk}" if story else "outlet=1"
    network = "/api/v1/analysis/network/"
    events = "/api/v1/analysis/events/"
    cell = f"holder={holder.key}&target={target.key}"
    scenarios = {
        "API matrix 25x25": "/api/v1/analysis/stance-matrix/",
        "API matrix 100x100 by net": "/api/v1/analysis/stance-matrix/?holders=100&targets=100"
        "&sort=net",
        "API matrix, a word in most articles": "/api/v1/analysis/stance-matrix/?q=ceasefire",
        "API matrix, a name": "/api/v1/analysis/stance-matrix/?q=%22Kestrel+Novotny%22",
        "API matrix, one analyst's layer": "/api/v1/analysis/stance-matrix/?layer=analyst"
        f"&analyst={analyst.pk}",
        "API matrix CSV": "/api/v1/analysis/stance-matrix/?format=csv",
        "API network two-mode (60)": network,
        "API network congruence, average (60)": f"{network}?mode=congruence&normalization=average",
        "API network conflict, jaccard (60)": f"{network}?mode=conflict&normalization=jaccard",
        "API network two-mode GraphML (60)": f"{network}?format=graphml",
        "API network congruence GEXF (60)": f"{network}?mode=congruence&format=gexf",
        "API network congruence CSV (60)": f"{network}?mode=congruence&format=csv",
        "API network two-mode (500)": f"{network}?limit=500",
        "API network congruence, cosine (500)": f"{network}?mode=congruence"
        "&normalization=cosine&limit=500",
        "API network congruence GEXF (500)": f"{network}?mode=congruence&format=gexf&limit=500",
        "API events CSV, every statement": f"{events}?format=csv",
        "API events JSONL, every statement": f"{events}?format=jsonl",
        "API events of a cell": f"{events}?{cell}&format=jsonl",
        "API events of a congruence tie": f"{events}?actors={pair}&relation=congruence"
        "&format=jsonl",
        "API timeline of an actor, weekly": f"/api/v1/analysis/timeline/?actor={holder.entity_id}",
        "API coverage per outlet, monthly": "/api/v1/analysis/timeline/?interval=month",
        "API coverage of a story, daily": f"/api/v1/analysis/timeline/?interval=day&{story_q}",
        "API sources": "/api/v1/analysis/sources/",
        "API sources of a story": f"/api/v1/analysis/sources/?{story_q}",
        "page matrix": "/analysis/matrix/",
        "page network": "/analysis/network/?mode=congruence",
        "page timeline": f"/analysis/timeline/?actor={holder.entity_id}",
        "page sources": "/analysis/sources/",
        "page statements of a cell": f"/analysis/statements/?{cell}",
        "page statements, all (page 1)": "/analysis/statements/",
        "page overview (dashboard)": "/overview/",
    }
    results: dict = {
        "stances": Stance.objects.count(),
        "rounds": ROUNDS,
        "target_ms": TARGET_MS,
        "scenarios": {},
    }
    # Arguments: words a scenario's name must contain, for a quick look at some (the
    # results file is then not written).
    only = [word.lower() for word in sys.argv[1:]]
    if only:
        scenarios = {k: v for k, v in scenarios.items() if any(w in k.lower() for w in only)}
    for name, url in scenarios.items():
        times, firsts = [], []
        captured = CaptureQueriesContext(connection)
        size = 0
        for round_ in range(ROUNDS + 1):
            with captured:
                started = time.perf_counter()
                response = client.get(url)
                first = None
                if response.streaming:
                    size = 0
                    for chunk in response.streaming_content:
                        if first is None:
                            first = time.perf_counter() - started
                        size += len(chunk)
                else:
                    size = len(response.content)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                sys.exit(f"bench_analysis: {url} answered {response.status_code}")
            if round_:  # the first is a warm-up
                times.append(elapsed * 1000)
                if first is not None:
                    firsts.append(first * 1000)
        queries = [round(float(q["time"]) * 1000, 1) for q in captured.captured_queries]
        row = {
            "url": url,
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "bytes": size,
            "queries": len(queries),
            "query_ms": queries,
            "within_target": statistics.median(times) <= TARGET_MS,
        }
        if firsts:
            row["first_byte_median_ms"] = round(statistics.median(firsts), 1)
        results["scenarios"][name] = row
        print(
            f"{name:46} median {row['median_ms']:8.1f} ms  max {row['max_ms']:8.1f} ms  "
            + (f"first byte {row['first_byte_median_ms']:6.1f} ms  " if firsts else "")
            + f"{size:>10} B  queries {len(queries)}"
        )
    if only:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
