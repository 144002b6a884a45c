"""Closed-loop HTTP load on loopback: each client sends its next request when the last one
has answered. Clients run in processes of their own (JSON parsing would serialise threads
on the GIL); this module imports neither Django nor a database driver, so they start fast.

The clients share the machine's cores with the server they measure, so what they spend is
taken from it: they parse every page they are given (to count its annotations and follow
its `next`), with orjson, which does it in a fraction of the standard library's time.
"""

import http.client
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import orjson


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks, as
    numpy's default; `values` need not be sorted."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0-100, not {q}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True, slots=True)
class Scenario:
    """What one client requests. kind: `fixed` (the same path again and again), `pages`
    (a first page, then its `next` cursors until `depth` pages, then again) or `article`
    (`path` with a random id of `ids` in place of `{}`)."""

    kind: str
    path: str
    depth: int = 1
    ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ClientSpec:
    port: int
    token: str
    scenario: Scenario
    start_at: float  # time.time() at which every client starts
    seconds: float
    seed: int


@dataclass(slots=True)
class ClientResult:
    latencies: dict[str, list[float]] = field(default_factory=dict)  # label -> seconds
    completed: int = 0  # requests answered within the window
    items: int = 0  # annotations received on list pages
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the client's own CPU: what the load generator cost


def request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None = None,
) -> tuple[int, bytes]:
    """One request on a kept connection; http.client reconnects by itself when the server
    closed it (gunicorn's sync workers close every connection after its response)."""
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def client_loop(spec: ClientSpec) -> ClientResult:
    rng = random.Random(spec.seed)
    headers = {"Authorization": f"Token {spec.token}", "Accept": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", spec.port, timeout=120)
    result = ClientResult()
    scenario = spec.scenario
    time.sleep(max(0.0, spec.start_at - time.time()))
    cpu = time.process_time()
    deadline = time.perf_counter() + spec.seconds
    path, depth = scenario.path, 1
    while time.perf_counter() < deadline:
        if scenario.kind == "article":
            path = scenario.path.format(rng.choice(scenario.ids))
        label = "first_page" if depth == 1 else "deeper_page"
        if scenario.kind != "pages":
            label = "all"
        started = time.perf_counter()
        try:
            status, body = request(connection, "GET", path, headers)
        except (OSError, http.client.HTTPException) as error:
            status, body = 0, repr(error).encode()
            connection.close()
        finished = time.perf_counter()
        if not 200 <= status < 300:
            result.errors += 1
            if len(result.error_samples) < 5:
                result.error_samples.append(f"GET {path} -> {status}: {body[:300]!r}")
            path, depth = scenario.path, 1
            continue
        in_window = finished <= deadline
        if in_window:
            result.completed += 1
            result.latencies.setdefault(label, []).append(finished - started)
        if scenario.kind == "pages":
            page = orjson.loads(body)
            if in_window:
                result.items += len(page["results"])
            if page.get("next") and depth < scenario.depth:
                path, depth = _path_of(page["next"]), depth + 1
            else:
                path, depth = scenario.path, 1
    connection.close()
    result.cpu_seconds = time.process_time() - cpu
    return result


def summary(results: Sequence[ClientResult], seconds: float) -> dict:
    """Requests/s over the window, and latency percentiles in milliseconds per label."""
    merged: dict[str, list[float]] = {}
    for result in results:
        for label, values in result.latencies.items():
            merged.setdefault(label, []).extend(values)
    everything = [value for values in merged.values() for value in values]
    completed = sum(result.completed for result in results)
    report: dict = {
        "requests": completed,
        "seconds": seconds,
        "requests_per_second": round(completed / seconds, 1),
        "p50_ms": _ms(percentile(everything, 50)) if everything else None,
        "p95_ms": _ms(percentile(everything, 95)) if everything else None,
        "errors": sum(result.errors for result in results),
        "client_cpu_seconds": round(sum(result.cpu_seconds for result in results), 2),
    }
    items = sum(result.items for result in results)
    if items:
        report["annotations_per_second"] = round(items / seconds)
    if set(merged) != {"all"}:
        report["by_page"] = {
            label: {
                "requests": len(values),
                "p50_ms": _ms(percentile(values, 50)),
                "p95_ms": _ms(percentile(values, 95)),
            }
            for label, values in sorted(merged.items())
        }
    return report


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)
