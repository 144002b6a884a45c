"""bench/results/api.json: its skeleton, the ratios to /me/ and the targets, the table."""

import json
import os
import platform
from datetime import UTC, datetime

from tests.benchmarks.bench_api import generate
from tests.benchmarks.bench_api.server import WORKERS

PAGE = 100
DEPTH = 5  # list walks: a first page, then its `next` cursors, this many pages in all
WARMUP_SECONDS = 2.0
TARGETS = {"annotations_list_to_me": 0.5, "stances_per_second": 230}


def skeleton(counts: dict[str, int], facts: dict, clients: int, seconds: float) -> dict:
    marker = generate.MARKER
    generated = json.loads(marker.read_text()) if marker.exists() else {}
    return {
        "benchmark": "REST API under gunicorn (2 sync workers, DEBUG off), loopback clients",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            # Whatever else runs on the machine (a test suite, say) shares its cores.
            "loadavg_1min": {"start": round(os.getloadavg()[0], 2)},
        },
        "server": {"gunicorn_workers": WORKERS, "worker_class": "sync", "debug": False},
        "load": {
            "clients": clients,
            "closed_loop": True,
            "seconds_per_endpoint": seconds,
            "warmup_seconds_per_endpoint": WARMUP_SECONDS,
            "page_size": PAGE,
            "pages_per_walk": DEPTH,
            "note": "the clients share the cores with gunicorn and PostgreSQL; "
            "client_cpu_seconds is what they spent",
        },
        "data": {
            "database": generate.DATABASE,
            **counts,
            "annotations": sum(counts[k] for k in ("mentions", "quotes", "stances", "notes")),
            "generation_seconds": generated.get("seconds", {}).get("total"),
            "updated_since": facts["since"].isoformat(),
            "updated_since_selects": facts["since_selected"],
        },
        "baseline": "/api/v1/me/",
        "endpoints": {},
        "skipped": {},
    }


def summarise(report: dict) -> None:
    report["machine"]["loadavg_1min"]["end"] = round(os.getloadavg()[0], 2)
    endpoints = report["endpoints"]
    base = endpoints.get("me", {}).get("requests_per_second")
    report["ratios_to_me"] = {
        name: round(figures["requests_per_second"] / base, 3)
        for name, figures in endpoints.items()
        if base and name != "me"
    }
    ratio = report["ratios_to_me"].get("annotations_list")
    rate = report.get("stance_create", {}).get("stances_per_second")
    report["targets"] = {
        "annotations_list_to_me": {
            "target": TARGETS["annotations_list_to_me"],
            "value": ratio,
            "met": None if ratio is None else ratio >= TARGETS["annotations_list_to_me"],
        },
        "stances_per_second": {
            "target": TARGETS["stances_per_second"],
            "value": rate,
            "met": None if rate is None else rate >= TARGETS["stances_per_second"],
        },
    }


def table(report: dict) -> str:
    rows = [
        f"{'endpoint':<27} {'req/s':>8} {'x /me/':>7} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>7}"
    ]
    for name, figures in report["endpoints"].items():
        ratio = report["ratios_to_me"].get(name, 1.0 if name == "me" else None)
        rows.append(
            f"{name:<27} {figures['requests_per_second']:>8} {ratio or '':>7} "
            f"{figures['p50_ms']:>8} {figures['p95_ms']:>8} "
            f"{figures['server_cpu_ms_per_request']:>7}"
        )
    if "stance_create" in report:
        s = report["stance_create"]
        rows.append(
            f"{'stance_create (1 client)':<27} {s['stances_per_second']:>8} {'':>7} "
            f"{s['p50_ms']:>8} {s['p95_ms']:>8} {s['server_cpu_ms_per_stance']:>7}"
        )
    for key in ("jsonl_export", "jsonl_export_all"):
        if key not in report:
            continue
        e = report[key]
        rows.append(
            f"{key}: {e['annotations']:,} annotations in {e['seconds']}s = "
            f"{e['annotations_per_second']:,}/s; worker RSS {e['worker_rss_mb']['before']} -> "
            f"peak {e['worker_rss_mb']['peak_during']} MB"
        )
    rows.append("cpu ms: the gunicorn workers' CPU per request (PostgreSQL's not included)")
    for name, reason in report["skipped"].items():
        rows.append(f"skipped {name}: {reason}")
    for name, target in report["targets"].items():
        rows.append(f"target {name} >= {target['target']}: {target['value']} met={target['met']}")
    return "\n".join(rows)
