"""gunicorn as the compose web service runs it (2 sync workers, production settings, DEBUG
off, plain HTTP on 127.0.0.1), its workers' memory read from /proc, and the jsonl export
streamed while the serving worker's RSS is sampled.

gunicorn's sync workers close the connection after every response, so the clients' kept
connections reconnect for each request (a loopback connect, tens of microseconds); that is
what a client of this deployment gets too.
"""

import http.client
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests import processes
from tests.benchmarks.bench_api import generate

WORKERS = 2


class BenchFailed(RuntimeError):
    """A non-2xx answer, or a stream that is not what it says: the run fails loudly."""


class Server:
    """gunicorn as the compose web service runs it, 2 sync workers, DEBUG off."""

    def __init__(self, folder: Path) -> None:
        self.port = processes.free_port()
        env = processes.native_env(
            DJANGO_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            HTTPS="false",
            DEBUG=None,
            # Speed, not the per-token export limit (tested in the suite).
            API_THROTTLE_EXPORT="1000000/min",
            DATABASE_URL=generate.DATABASE_URL,
            STATIC_ROOT=str(folder / "static"),
            NEWSDESK_VAR_DIR=str(folder / "var"),
            LOG_LEVEL="WARNING",
            # Long enough for the export stream; the compose default is 60 s.
            GUNICORN_CMD_ARGS=(
                f"--bind 127.0.0.1:{self.port} --workers {WORKERS} --worker-class sync "
                "--timeout 300"
            ),
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=processes.ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        self.process = processes.Process(
            processes.compose_command("web"), env=env, log=folder / "web.log"
        )
        self.process.wait_until(
            lambda: (
                processes.http_ok(f"http://127.0.0.1:{self.port}/accounts/login/")
                and len(self.workers()) == WORKERS
            ),
            "gunicorn",
            timeout=120,
        )

    def workers(self) -> list[int]:
        return processes.child_pids(self.process.popen.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU the workers have spent so far."""
        return sum(_cpu_ticks(pid) for pid in self.workers()) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.stop()


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def stream_export(server: Server, token: str, path: str) -> dict:
    """GET the jsonl export, counting lines as they come, while a thread samples the
    workers' RSS every 20 ms; the serving worker is the one that spent the CPU."""
    workers = server.workers()
    before = {pid: _rss_kib(pid) for pid in workers}
    cpu = {pid: _cpu_ticks(pid) for pid in workers}
    peak = dict(before)
    streaming = threading.Event()
    streaming.set()

    def sample() -> None:
        while streaming.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], _rss_kib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Authorization": f"Token {token}"})
        response = connection.getresponse()
        if response.status != 200:
            raise BenchFailed(f"GET {path} -> {response.status}: {response.read()[:500]!r}")
        first_byte = None
        lines = size = 0
        head = tail = b""
        while chunk := response.read(1 << 16):
            first_byte = first_byte or time.perf_counter() - started
            lines += chunk.count(b"\n")
            size += len(chunk)
            if len(head) < 1 << 20:
                head += chunk
            tail = (tail + chunk)[-(1 << 20) :]
        seconds = time.perf_counter() - started
    finally:
        streaming.clear()
        sampler.join()
        connection.close()
    if not lines:
        raise BenchFailed(f"GET {path}: an empty export")
    for line in (head.split(b"\n", 1)[0], tail.rstrip(b"\n").rsplit(b"\n", 1)[-1]):
        try:
            json.loads(line)  # the first and the last lines are whole JSON objects
        except ValueError as error:
            raise BenchFailed(f"GET {path}: not one JSON object a line: {line[:300]!r}") from error
    serving = max(workers, key=lambda pid: _cpu_ticks(pid) - cpu[pid])
    return {
        "annotations": lines,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "annotations_per_second": round(lines / seconds),
        "first_byte_ms": round((first_byte or seconds) * 1000, 1),
        "content_type": response.getheader("Content-Type"),
        "worker_rss_mb": {
            "before": round(before[serving] / 1024, 1),
            "peak_during": round(peak[serving] / 1024, 1),
            "growth": round((peak[serving] - before[serving]) / 1024, 1),
        },
    }
