"""REST API benchmark: gunicorn (2 sync workers, DEBUG off) over a synthetic corpus of
100,000 articles and 1,000,000 annotations in its own PostgreSQL database.

    python -m tests.benchmarks.bench_api --generate   (fill newsdesk_bench_api; idempotent)
    python -m tests.benchmarks.bench_api              (generate if missing, then measure)

Closed-loop clients on 127.0.0.1 measure requests/s and p50/p95 latency of /api/v1/me/
(the baseline), the annotations list, article detail and the `updated_since` pull (in
windows that take turns, so that the machine's drift falls on all of them alike), then
the jsonl export rate with the serving worker's peak RSS, and stance creation from one
sequential client. Results: bench/results/api.json. Endpoints that do not exist yet are
reported as skipped.

- `synth`: the seeded text and span arithmetic (plain Python, unit-tested);
- `generate`: the database, the COPY loader and the benchmark users;
- `load`: the HTTP load clients and the percentile function (no Django, no database);
- `run`: the server, the measurements and the report.
"""
