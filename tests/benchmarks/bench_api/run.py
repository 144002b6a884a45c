"""The measurements: each endpoint under closed-loop load, the jsonl export, stance
creation; then bench/results/api.json and a table. Any non-2xx answer fails the run (a
partial report goes to var/bench/api-failed.json); an endpoint that answers 404 is not
there yet and is reported as skipped."""

import http.client
import json
import multiprocessing
import random
import re
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import psycopg

from tests.benchmarks.bench_api import generate, load, report, synth
from tests.benchmarks.bench_api.server import BenchFailed, Server, stream_export

RESULTS = generate.ROOT / "bench" / "results" / "api.json"
FAILED = generate.ROOT / "var" / "bench" / "api-failed.json"
PARTIAL = generate.ROOT / "var" / "bench" / "api-partial.json"
MEASUREMENTS = (
    "annotations_list",
    "article_detail",
    "annotations_updated_since",
    "jsonl_export",
    "stance_create",
)
SLICE = 0.01  # the updated_since pull: the most recent 1% of the annotations
ROUNDS = 4  # measurement windows per endpoint, taking turns with the other endpoints
EXPORT_AT_LEAST = 100_000
SENTENCE = re.compile(r"[A-Z][a-z ]+[a-z]\.")
ANNOTATION_TABLES = (
    "articles_mention",
    "annotations_quote",
    "annotations_stance",
    "annotations_note",
)


def _one(connection: psycopg.Connection, sql: str, params: tuple = ()) -> object:
    row = connection.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


def _recent_cutoff(connection: psycopg.Connection, k: int) -> datetime:
    """The updated_at of the k-th most recent annotation: `updated_since` it selects ~k."""
    # Each table's k most recent by its updated_at index, then the k-th of those.
    union = " UNION ALL ".join(
        f"(SELECT updated_at FROM {t} ORDER BY updated_at DESC LIMIT %(k)s)"  # noqa: S608
        for t in ANNOTATION_TABLES
    )
    sql = f"SELECT updated_at FROM ({union}) r ORDER BY updated_at DESC OFFSET %(k)s - 1 LIMIT 1"  # noqa: S608
    row = connection.execute(sql, {"k": k}).fetchone()
    assert row is not None
    return row[0]


def _selected(connection: psycopg.Connection, since: datetime) -> int:
    sql = "SELECT count(*) FROM {} WHERE updated_at >= %s"
    return sum(int(_one(connection, sql.format(t), (since,))) for t in ANNOTATION_TABLES)  # type: ignore[call-overload]


def _cleanup(username: str) -> int:
    """Delete the stances the run created (and their history and tombstones), so that the
    data stays as generated. Returns how many there were."""
    with psycopg.connect(generate.DATABASE_URL) as connection, connection.transaction():
        who = {"u": _one(connection, "SELECT id FROM auth_user WHERE username = %s", (username,))}
        connection.execute(
            "DELETE FROM annotations_stance_tags WHERE stance_id IN "
            "(SELECT id FROM annotations_stance WHERE created_by_id = %(u)s)",
            who,
        )
        connection.execute(
            "DELETE FROM annotations_historicalstance_tags WHERE history_id IN (SELECT "
            "history_id FROM annotations_historicalstance WHERE created_by_id = %(u)s "
            "OR history_user_id = %(u)s)",
            who,
        )
        connection.execute(
            "DELETE FROM annotations_historicalstance "
            "WHERE created_by_id = %(u)s OR history_user_id = %(u)s",
            who,
        )
        ids = [
            row[0]
            for row in connection.execute(
                "DELETE FROM annotations_stance WHERE created_by_id = %(u)s RETURNING id", who
            )
        ]
        if ids and _one(connection, "SELECT to_regclass('annotations_deletion')") is not None:
            connection.execute(
                "DELETE FROM annotations_deletion WHERE kind = 'stance' AND object_id = ANY(%s)",
                (ids,),
            )
    return len(ids)


def _facts(stances: int) -> dict:
    """Tokens, ids, cutoffs and the stance payloads, read before the server starts."""
    with psycopg.connect(generate.DATABASE_URL) as connection:
        tokens: dict[str, str] = dict(
            connection.execute(
                "SELECT u.username, t.key FROM authtoken_token t JOIN auth_user u "
                "ON u.id = t.user_id WHERE u.username = ANY(%s)",
                ([generate.POSTER, generate.CLIENT, generate.ADMIN],),
            ).fetchall()
        )
        article_ids = [r[0] for r in connection.execute("SELECT id FROM articles_article")]
        entity_ids = [r[0] for r in connection.execute("SELECT id FROM articles_entity")]
        total = sum(generate.EXPECTED[k] for k in ("mentions", "quotes", "stances", "notes"))
        since = _recent_cutoff(connection, int(total * SLICE))
        export_since = _recent_cutoff(connection, int(EXPORT_AT_LEAST * 1.2))
        rng = random.Random(generate.SEED + 1)
        chosen = rng.sample(article_ids, stances)
        bodies: dict[int, str] = dict(
            connection.execute(
                "SELECT id, body FROM articles_article WHERE id = ANY(%s)", (chosen,)
            ).fetchall()
        )
        payloads = []
        for i, article in enumerate(chosen):
            match = rng.choice(list(SENTENCE.finditer(bodies[article])))
            holder, target = rng.sample(entity_ids, 2)
            payloads.append(
                json.dumps(
                    {
                        "article": article,
                        "start": match.start(),
                        "end": match.end(),
                        "exact": match.group(),
                        "holder": holder,
                        "target": target,
                        "polarity": synth.POLARITIES[i % 4],
                        "note": "",
                    }
                ).encode()
            )
        return {
            "tokens": tokens,
            "article_ids": tuple(rng.sample(article_ids, 5000)),
            "since": since,
            "since_selected": _selected(connection, since),
            "export_since": export_since,
            "export_selected": _selected(connection, export_since),
            "payloads": payloads,
        }


def _get(port: int, token: str, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        return load.request(connection, "GET", path, {"Authorization": f"Token {token}"})
    finally:
        connection.close()


def _probe(port: int, token: str, path: str) -> str | None:
    """None when the endpoint answers 2xx; the reason to skip it when it is not there (404);
    BenchFailed on any other answer."""
    status, body = _get(port, token, path)
    if 200 <= status < 300:
        return None
    if status == 404:
        return f"GET {path} -> 404 (not there yet)"
    raise BenchFailed(f"GET {path} -> {status}: {body[:500]!r}")


def _window(
    pool: ProcessPoolExecutor,
    clients: int,
    server: Server,
    token: str,
    scenario: load.Scenario,
    seconds: float,
) -> list[load.ClientResult]:
    """`clients` clients of the pool, each on a connection of its own, all starting at
    once, for `seconds`."""
    start_at = time.time() + 0.3
    specs = [
        load.ClientSpec(server.port, token, scenario, start_at, seconds, seed=i)
        for i in range(clients)
    ]
    results = list(pool.map(load.client_loop, specs))
    errors = sum(r.errors for r in results)
    if errors:
        samples = [s for r in results for s in r.error_samples]
        raise BenchFailed(f"{scenario.path}: {errors} errors, e.g. {samples}")
    return results


def _measure(
    pool: ProcessPoolExecutor,
    clients: int,
    server: Server,
    endpoints: dict[str, tuple[str, load.Scenario]],
    tokens: dict[str, str],
    seconds: float,
) -> dict[str, dict]:
    """Each endpoint warmed up, then measured in ROUNDS windows that take turns with the
    other endpoints' (baseline, A, B, C, baseline, A, ...): this machine's speed drifts
    by tens of percent from one minute to the next, and taking turns spreads the drift
    over the baseline and the endpoints alike instead of handing it to one of them."""
    for name, (user, scenario) in endpoints.items():
        generate.log(f"warming up {name}")
        _window(pool, clients, server, tokens[user], scenario, report.WARMUP_SECONDS)
    results: dict[str, list[load.ClientResult]] = {name: [] for name in endpoints}
    cpu = dict.fromkeys(endpoints, 0.0)
    for round_ in range(ROUNDS):
        generate.log(f"round {round_ + 1} of {ROUNDS}: {', '.join(endpoints)}")
        for name, (user, scenario) in endpoints.items():
            before = server.cpu_seconds()
            results[name] += _window(
                pool, clients, server, tokens[user], scenario, seconds / ROUNDS
            )
            cpu[name] += server.cpu_seconds() - before
    measured = {}
    for name, (_, scenario) in endpoints.items():
        summary = load.summary(results[name], seconds)
        # Includes the few requests cut off at each window's end: an estimate, ~1% high.
        summary["server_cpu_ms_per_request"] = round(
            1000 * cpu[name] / max(summary["requests"], 1), 2
        )
        measured[name] = {"path": scenario.path, **summary}
    return measured


def _stances(server: Server, token: str, payloads: list[bytes]) -> dict | str:
    """Create the stances one after another on one connection: the figures, or the reason
    to skip when the endpoint is not there yet (404, or 405 without POST)."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    latencies = []
    cpu = server.cpu_seconds()
    started = time.perf_counter()
    try:
        for payload in payloads:
            begun = time.perf_counter()
            status, body = load.request(connection, "POST", "/api/v1/stances/", headers, payload)
            latencies.append(time.perf_counter() - begun)
            if status in (404, 405) and not latencies[:-1]:
                return f"POST /api/v1/stances/ -> {status} (not there yet)"
            if status != 201:
                raise BenchFailed(f"POST /api/v1/stances/ -> {status}: {body[:500]!r}")
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    return {
        "stances": len(payloads),
        "seconds": round(seconds, 2),
        "stances_per_second": round(len(payloads) / seconds, 1),
        "p50_ms": round(load.percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(load.percentile(latencies, 95) * 1000, 2),
        "server_cpu_ms_per_stance": round(1000 * (server.cpu_seconds() - cpu) / len(payloads), 2),
    }


def _endpoints(facts: dict) -> dict[str, tuple[str, load.Scenario]]:
    """name -> (token user, scenario); `me` first: it is the baseline."""
    since = quote(facts["since"].isoformat())
    ids = facts["article_ids"]
    feed = f"/api/v1/annotations/?page_size={report.PAGE}"
    return {
        "me": (generate.CLIENT, load.Scenario("fixed", "/api/v1/me/")),
        "annotations_list": (generate.CLIENT, load.Scenario("pages", feed, depth=report.DEPTH)),
        "article_detail": (
            generate.CLIENT,
            load.Scenario("article", "/api/v1/articles/{}/", ids=ids),
        ),
        "annotations_updated_since": (
            generate.CLIENT,
            load.Scenario("pages", f"{feed}&updated_since={since}", depth=report.DEPTH),
        ),
    }


def _export(results: dict, server: Server, facts: dict) -> None:
    """The jsonl export of the recent slice, then of the whole feed, with the worker's RSS."""
    token = facts["tokens"][generate.CLIENT]
    feed = "/api/v1/annotations/?format=jsonl&updated_since="
    # A pull that selects nothing: 404 means no jsonl format (or no feed) yet.
    reason = _probe(server.port, token, f"{feed}2999-01-01T00:00:00Z")
    if reason:
        results["skipped"]["jsonl_export"] = reason
        return
    generate.log(f"streaming the jsonl export ({facts['export_selected']:,} selected)")
    results["jsonl_export"] = {
        "selected_in_database": facts["export_selected"],
        **stream_export(server, token, feed + quote(facts["export_since"].isoformat())),
    }
    # The whole feed, ~8x the pull above: if memory is bounded, the worker's peak does not
    # grow with the size of the export.
    generate.log("streaming the whole feed as jsonl")
    results["jsonl_export_all"] = stream_export(server, token, "/api/v1/annotations/?format=jsonl")


def _create_stances(results: dict, server: Server, facts: dict) -> None:
    token = facts["tokens"][generate.POSTER]
    probe = _stances(server, token, facts["payloads"][:1])
    if isinstance(probe, str):
        results["skipped"]["stance_create"] = probe
        return
    generate.log(f"creating {len(facts['payloads']) - 1} stances, one client")
    results["stance_create"] = _stances(server, token, facts["payloads"][1:])


def _measure_all(
    results: dict, facts: dict, seconds: float, clients: int, only: set[str] | None = None
) -> None:
    tokens = facts["tokens"]

    def wanted(name: str) -> bool:
        return only is None or name in only

    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        server = Server(Path(tmp))
        try:
            endpoints = {
                name: spec
                for name, spec in _endpoints(facts).items()
                if name == "me" or wanted(name)
            }
            if _probe(server.port, tokens[generate.CLIENT], "/api/v1/me/"):
                # /me/ not there yet: the admin-only import list stands in as the baseline.
                endpoints["me"] = (generate.ADMIN, load.Scenario("fixed", "/api/v1/imports/"))
                results["baseline"] = "/api/v1/imports/ (admin token), standing in for /me/"
            context = multiprocessing.get_context("spawn")
            measured = {}
            for name, (user, scenario) in endpoints.items():
                reason = _probe(
                    server.port, tokens[user], scenario.path.format(facts["article_ids"][0])
                )
                if reason:
                    results["skipped"][name] = reason
                else:
                    measured[name] = (user, scenario)
            generate.log(
                f"measuring {', '.join(measured)} ({seconds:.0f}s each in {ROUNDS} rounds, "
                f"{clients} clients)"
            )
            with ProcessPoolExecutor(clients, mp_context=context) as pool:
                results["endpoints"].update(
                    _measure(pool, clients, server, measured, tokens, seconds)
                )
            if wanted("jsonl_export"):
                _export(results, server, facts)
            if wanted("stance_create"):
                _create_stances(results, server, facts)
        finally:
            server.stop()
            results["server_log_tail"] = server.process.output()[-3000:]


def main(
    counts: dict[str, int],
    *,
    seconds: float,
    clients: int,
    stances: int,
    only: set[str] | None = None,
) -> None:
    """Measure and report; with `only` (a few measurements and the baseline), the partial
    figures go to var/bench/api-partial.json, never to the results file."""
    removed = _cleanup(generate.POSTER)
    if removed:
        generate.log(f"removed {removed} stances left by an earlier run")
    facts = _facts(stances + 1)  # the first one probes the endpoint
    results = report.skeleton(counts, facts, clients, seconds)
    results["load"]["windows_per_endpoint"] = ROUNDS
    results["load"]["note"] += (
        f"; each endpoint is measured in {ROUNDS} windows that take turns with the others'"
    )
    try:
        _measure_all(results, facts, seconds, clients, only)
    except BenchFailed as error:
        results["error"] = str(error)
        FAILED.parent.mkdir(parents=True, exist_ok=True)
        FAILED.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        sys.exit(f"bench_api FAILED: {error}\n(partial report: {FAILED})")
    finally:
        _cleanup(generate.POSTER)
    results.pop("server_log_tail", None)
    report.summarise(results)
    written = RESULTS if only is None else PARTIAL
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report.table(results))
    print(f"written to {written.relative_to(generate.ROOT)}")
