"""Upload benchmark (issue 18): a zip of about 1 GiB and a zip of 20,000 small members,
each POSTed to /api/v1/imports/ with curl, while the memory of every web and worker
process is read from /proc.

    python -m tests.benchmarks.bench_upload [--zip-mib N] [--members N]

Figures to read, not a timed test. The web is gunicorn as docker-compose.yml's web
service runs it (its command and GUNICORN_CMD_ARGS, bound to 127.0.0.1; production
settings, DEBUG off), the worker is compose's worker command (its default concurrency,
2) with INGEST_EXTRACTION=false, so that the import is all there is to wait for. They
share a database of the benchmark's own (newsdesk_bench_upload, made afresh and dropped
at the end) and Redis (TEST_BROKER_URL, default db 9) through a queue of the run's own.

Each zip gets fresh web and worker processes, so that their high-water marks (VmHWM) are
its own. From just before the POST until the batch is done (or BENCH_UPLOAD_TIMEOUT
seconds), VmRSS and VmHWM of the gunicorn master and workers and of the Celery master and
pool processes are read every 50 ms, per phase: the request, the unpacking (a worker
reads the stored zip one member at a time) and the import (a worker reads a chunk of
IMPORT_CHUNK_SIZE files whole). The request should return within 2 s; memory should
follow one member (or one chunk), not the zip.

Results: bench/results/upload.json (var/bench/upload-partial.json for other sizes), and a
table. The zips, the media, the uploads' temporary files, the database and the queue are
removed at the end, on failure too.
"""

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import redis

from tests import processes

ROOT = processes.ROOT
RESULTS = ROOT / "bench" / "results" / "upload.json"
PARTIAL = ROOT / "var" / "bench" / "upload-partial.json"
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "newsdesk_bench_upload"
BROKER = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/9")
# Where the web writes an upload's temporary file: by default beside MEDIA_ROOT, on the
# same filesystem, so that storing it is a rename. Point it at another filesystem (e.g.
# /dev/shm) to measure the copy a deployment makes when /tmp and the media volume differ.
TEMP_PARENT = os.environ.get("BENCH_UPLOAD_TEMP_DIR") or None
DONE_TIMEOUT = float(os.environ.get("BENCH_UPLOAD_TIMEOUT", "2400"))
CURL = "/usr/bin/curl"
ADMIN = "bench-upload-admin"
WORKER_CONCURRENCY = "2"  # docker-compose.yml's default
SAMPLE_SECONDS = 0.05
TIMELINE_SECONDS = 5.0
WARM_UPS = 2  # requests each gunicorn worker serves before the measured one
POLL_SECONDS = 0.1
REQUEST_TARGET_SECONDS = 2.0
MIB = 1024 * 1024
BATCH_SQL = """
SELECT b.status, b.files_total, b.imported, b.duplicate, b.failed,
       (SELECT count(*) FROM articles_importupload u
        WHERE u.batch_id = b.id AND u.unpacked_at IS NULL)
FROM articles_importbatch b WHERE b.id = %s
"""
FINISHED = ("done", "failed", "cancelled")
CURL_TIMINGS = (
    "%{http_code} %{time_total} %{time_pretransfer} %{time_starttransfer} %{speed_upload}"
)
# The defaults of IMPORT_MAX_ZIP_TOTAL_BYTES (1 GiB) and of IMPORT_MAX_ZIP_MEMBERS and
# IMPORT_MAX_FILES_PER_BATCH (20,000): both zips are as big as the limits let them be.
ZIP_MIB = 1024
SMALL_MEMBERS = 20_000
SMALL_BYTES = (300, 4096)

# Plain words of news prose, none of them the page furniture the cleaner removes (no
# "share", "subscribe", "comments" or credits), so that every paragraph is kept as text.
_PROSE = """the of and to in a that for on with as was by at from said minister talks
    government foreign ministry officials week country agreement state president
    delegation border trade security council meeting would could should after before
    during between against under over into about their its his her our new first last
    second third year month day morning evening capital city region province coast
    river mountain harbour embassy ambassador envoy summit treaty ceasefire sanctions
    negotiators parliament vote budget election opposition coalition party leader
    spokesman statement reporters visit visited announced agreed rejected proposed
    warned urged expected planned delayed signed held met told called asked pressed
    economic military diplomatic regional national international public private
    several many few some most other both each every neighbouring northern southern
    eastern western central long short early late recent former current next previous
    talks draft proposal text terms clause article annex protocol framework mechanism
    water energy grain fuel oil gas power port rail road bridge pipeline fishing farming
    exports imports tariffs quotas duties loans aid reserves markets prices wages jobs
    troops patrols observers monitors refugees residents farmers workers students
    villages towns districts valleys islands waters airspace routes crossings checkpoints
    quietly openly firmly briefly slowly again still also only even nearly largely
    while although because since unless until whether where when which who whose"""
WORDS = tuple(_PROSE.split())
# Drawn uniformly: about one token in 15 ends a sentence and one in 91 a paragraph, so
# paragraphs run to some 90 words (longer than any line the cleaner counts as chrome).
TOKENS = WORDS * 84 + tuple(f"{word}." for word in WORDS) * 6 + tuple(f"{w}.\n\n" for w in WORDS)
TOKEN_BYTES = sum(len(token) + 1 for token in TOKENS) / len(TOKENS)


class BenchFailed(RuntimeError):
    """Something the benchmark needs did not happen: the run stops and says what."""


# --- the zips ----------------------------------------------------------------------------


def member_text(rng: random.Random, size: int) -> bytes:
    """At most `size` bytes of prose: a title line, then paragraphs of words drawn at
    random, so that no two members (and no two lines of theirs) are alike."""
    title = " ".join(rng.choices(WORDS, k=7)).capitalize()
    body = " ".join(rng.choices(TOKENS, k=int(size / TOKEN_BYTES * 1.1) + 16))
    text = f"{title}\n\n{body.replace(chr(10) + ' ', chr(10))}".encode()
    return text[: size - 2].rsplit(b" ", 1)[0] + b".\n"


def build_zip(path: Path, sizes: Iterator[int], compression: int, *, seed: int) -> dict[str, Any]:
    """Write the zip member by member (one in memory at a time) and describe it."""
    rng = random.Random(seed)
    started = time.perf_counter()
    lengths: list[int] = []
    with zipfile.ZipFile(path, "w", compression) as archive:
        for number, size in enumerate(sizes, 1):
            data = member_text(rng, size)
            archive.writestr(f"wire/{number:05d}.txt", data)
            lengths.append(len(data))
    # On disk before the POST, as a client's file would be: the web's writes then do not
    # compete with the flushing of the zip just written.
    with path.open("rb") as written:
        os.fsync(written.fileno())
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "mib": round(path.stat().st_size / MIB, 1),
        "members": len(lengths),
        "expanded_bytes": sum(lengths),
        "member_bytes": {
            "min": min(lengths),
            "max": max(lengths),
            "mean": round(sum(lengths) / len(lengths)),
        },
        "compression": "stored" if compression == zipfile.ZIP_STORED else "deflated",
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def big_sizes(zip_mib: int) -> Iterator[int]:
    # A little under 1 MiB each, so that the members add up to just under the zip total
    # limit (which refuses only what is over it).
    return iter([MIB - 64] * zip_mib)


def small_sizes(members: int, *, seed: int) -> Iterator[int]:
    rng = random.Random(seed)
    return (rng.randint(*SMALL_BYTES) for _ in range(members))


# --- the database, the user and the queue --------------------------------------------------


def fresh_database() -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"


def drop_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def forget_queue(queue: str) -> None:
    """The run's queue and its bindings (kombu's keys that name it); whatever else is in
    the Redis database stays."""
    client = redis.Redis.from_url(BROKER)
    try:
        keys = list(client.scan_iter(match=f"*{queue}"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def app_env(folder: Path, database_url: str, queue: str, temp_dir: Path) -> dict[str, str]:
    """The compose services' environment (production, DEBUG off), on this machine."""
    return processes.native_env(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="false",
        DEBUG=None,
        CACHE_URL=None,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=BROKER,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        CELERY_WORKER_CONCURRENCY=WORKER_CONCURRENCY,
        INGEST_EXTRACTION="false",
        MEDIA_ROOT=str(folder / "media"),
        NEWSDESK_VAR_DIR=str(folder / "var"),
        # Django's temporary upload files (FILE_UPLOAD_TEMP_DIR is unset: the system's).
        TMPDIR=str(temp_dir),
        LOG_LEVEL="WARNING",
    )


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result.stdout.strip()


def admin_token(env: dict[str, str]) -> str:
    manage(env, "adduser", ADMIN, "--role", "admin", "--password", secrets.token_urlsafe(24))
    return manage(env, "api_token", ADMIN)


# --- the processes -----------------------------------------------------------------------


def gunicorn_args(port: int) -> str:
    """Compose's GUNICORN_CMD_ARGS for the web service, bound to loopback instead."""
    args = processes.compose()["services"]["web"]["environment"]["GUNICORN_CMD_ARGS"]
    return re.sub(r"--bind \S+", f"--bind 127.0.0.1:{port}", args)


def gunicorn_workers() -> int:
    args = processes.compose()["services"]["web"]["environment"]["GUNICORN_CMD_ARGS"]
    found = re.search(r"--workers (\d+)", args)
    return int(found.group(1)) if found else 1


def start_web(
    stack: ExitStack, env: dict[str, str], port: int, log: Path, token: str
) -> processes.Process:
    """gunicorn, stopped when the stack closes (from the moment it is started)."""
    web = processes.Process(
        processes.compose_command("web"),
        env=env | {"GUNICORN_CMD_ARGS": gunicorn_args(port)},
        log=log,
    )
    stack.callback(web.stop)
    url = f"http://127.0.0.1:{port}/api/v1/imports/"
    web.wait_until(
        lambda: (
            api_ok(url, token) and len(processes.child_pids(web.popen.pid)) == gunicorn_workers()
        ),
        "gunicorn",
        timeout=180,
    )
    return web


def warm_up(web: processes.Process, port: int, token: str, folder: Path) -> int:
    """Serve every gunicorn worker a few real uploads (a zip of one small member) before
    the measured one, so that it pays no worker's first-request costs (imports, the
    broker's connection: 0.1-0.5 s here). Their batches wait for the worker, which is not
    started yet. Returns how many were sent."""
    archive = folder / "warm-up.zip"
    build_zip(archive, small_sizes(1, seed=4), zipfile.ZIP_DEFLATED, seed=5)
    workers = processes.child_pids(web.popen.pid)
    served = dict.fromkeys(workers, 0)
    sent = 0
    while min(served.values()) < WARM_UPS and sent < WARM_UPS * len(workers) * 10:
        cpu = {pid: cpu_seconds(pid) for pid in workers}
        answer = post(archive, port, token, folder / "warm-up.json")
        if answer["http_status"] != 201:
            raise BenchFailed(f"a warm-up upload got {answer}:\n{web.output()[-2000:]}")
        served[max(workers, key=lambda pid: cpu_seconds(pid) - cpu[pid])] += 1
        sent += 1
    archive.unlink()
    return sent


def wait_for_warm_ups(url: str, worker: processes.Process) -> None:
    """Until the worker has finished the warm-up batches: the measured one is then the
    only work there is."""

    def finished() -> bool:
        with psycopg.connect(url) as connection:
            row = connection.execute(
                "SELECT count(*) FROM articles_importbatch WHERE status <> ALL(%s)",
                (list(FINISHED),),
            ).fetchone()
        return row is not None and row[0] == 0

    worker.wait_until(finished, "the warm-up batches", timeout=300)


def start_worker(stack: ExitStack, env: dict[str, str], log: Path) -> processes.Process:
    worker = processes.Process(processes.compose_command("worker"), env=env, log=log)
    stack.callback(worker.stop)
    worker.wait_until(lambda: "ready." in worker.output(), "the Celery worker", timeout=180)
    return worker


def curl(
    token: str, url: str, *args: str, answer: str = os.devnull, write: str = "%{http_code}"
) -> list[str]:
    """A curl command for the API with the token; it prints `write` (curl's -w)."""
    auth = f"Authorization: Token {token}"
    return [CURL, "-sS", "-o", answer, "-w", write, "-H", auth, *args, url]


def api_ok(url: str, token: str) -> bool:
    result = subprocess.run(
        curl(token, url, "-m", "5"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result.stdout == "200"


def memory_kib(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) in KiB, or None for a process that is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    values = dict(line.split(":", 1) for line in lines if line.startswith(("VmRSS", "VmHWM")))
    return int(values["VmRSS"].split()[0]), int(values["VmHWM"].split()[0])


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the sampler ---------------------------------------------------------------------------


@dataclass
class Seen:
    kind: str
    first_rss: int
    peak_rss: int = 0
    hwm: int = 0


@dataclass
class Sampler:
    """Every SAMPLE_SECONDS, VmRSS and VmHWM of both masters and of their children (looked
    for again each time: a pool may replace a process), kept per process and, per phase,
    the largest process and the largest sum of each kind."""

    web: int
    worker: int
    phase: str = "before"
    samples: int = 0
    seen: dict[int, Seen] = field(default_factory=dict)
    phases: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # Every TIMELINE_SECONDS: seconds since start, phase, the largest web worker's and
    # pool process's RSS over that stretch (MiB): whether memory grows as the work goes on.
    timeline: list[tuple[float, str, float, float]] = field(default_factory=list)
    _stretch: dict[str, int] = field(default_factory=dict)
    _started: float = field(default_factory=time.perf_counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._started = time.perf_counter()
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._stop.is_set():
            return  # stopped already (the clean-up stops it again)
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()
        with self._lock:
            if self._stretch:
                self._close_stretch(time.perf_counter() - self._started)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.sample()

    def processes(self) -> list[tuple[str, int]]:
        return (
            [("web_master", self.web)]
            + [("web_worker", pid) for pid in processes.child_pids(self.web)]
            + [("celery_master", self.worker)]
            + [("celery_pool", pid) for pid in processes.child_pids(self.worker)]
        )

    def sample(self) -> None:
        with self._lock:  # the thread's and the caller's, at a phase's end
            self._sample()

    def _sample(self) -> None:
        totals: dict[str, int] = {}
        largest: dict[str, int] = {}
        for kind, pid in self.processes():
            memory = memory_kib(pid)
            if memory is None:
                continue
            rss, hwm = memory
            seen = self.seen.setdefault(pid, Seen(kind, first_rss=rss))
            seen.peak_rss, seen.hwm = max(seen.peak_rss, rss), max(seen.hwm, hwm)
            totals[kind] = totals.get(kind, 0) + rss
            largest[kind] = max(largest.get(kind, 0), rss)
        phase = self.phases.setdefault(self.phase, {})
        for kind, total in totals.items():
            figures = phase.setdefault(kind, {"largest": 0, "total": 0})
            figures["largest"] = max(figures["largest"], largest[kind])
            figures["total"] = max(figures["total"], total)
        self.samples += 1
        for kind in ("web_worker", "celery_pool"):
            self._stretch[kind] = max(self._stretch.get(kind, 0), largest.get(kind, 0))
        elapsed = time.perf_counter() - self._started
        if not self.timeline or elapsed - self.timeline[-1][0] >= TIMELINE_SECONDS:
            self._close_stretch(elapsed)

    def _close_stretch(self, elapsed: float) -> None:
        web, pool = self._stretch.get("web_worker", 0), self._stretch.get("celery_pool", 0)
        self.timeline.append((round(elapsed, 1), self.phase, mib(web), mib(pool)))
        self._stretch = {}

    def report(self) -> dict[str, Any]:
        kinds: dict[str, Any] = {}
        for kind in ("web_master", "web_worker", "celery_master", "celery_pool"):
            seen = [s for s in self.seen.values() if s.kind == kind]
            if not seen:
                continue
            kinds[kind] = {
                "processes": len(seen),
                "before": mib(max(s.first_rss for s in seen)),
                "peak": mib(max(s.peak_rss for s in seen)),
                "growth": mib(max(s.peak_rss - s.first_rss for s in seen)),
                "hwm": mib(max(s.hwm for s in seen)),
                "total_peak": mib(
                    max(p.get(kind, {}).get("total", 0) for p in self.phases.values())
                ),
            }
        by_phase = {
            name: {
                kind: {key: mib(value) for key, value in figures.items()}
                for kind, figures in kinds_.items()
            }
            for name, kinds_ in self.phases.items()
        }
        return {
            "by_kind": kinds,
            "by_phase": by_phase,
            "samples": self.samples,
            "timeline": {
                "columns": ["seconds", "phase", "web_worker_max", "celery_pool_max"],
                "rows": self.timeline,
            },
        }


def mib(kib: int) -> float:
    return round(kib / 1024, 1)


# --- one zip ---------------------------------------------------------------------------------


def post(zip_path: Path, port: int, token: str, answer: Path) -> dict[str, Any]:
    """curl -F files=@zip, as a client would; its own timings."""
    result = subprocess.run(
        curl(
            token,
            f"http://127.0.0.1:{port}/api/v1/imports/",
            "-F",
            f"files=@{zip_path};type=application/zip",
            answer=str(answer),
            write=CURL_TIMINGS,
        ),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    code, total, pretransfer, first_byte, speed = result.stdout.split()
    return {
        "http_status": int(code),
        "seconds": round(float(total), 3),
        "connected_seconds": round(float(pretransfer), 3),
        "first_byte_seconds": round(float(first_byte), 3),
        "upload_mib_per_second": round(float(speed) / MIB, 1),
        "curl_error": result.stderr.strip()[:500],
    }


def follow(
    url: str, batch_id: int, sampler: Sampler, worker: processes.Process, started: float
) -> dict[str, Any]:
    """Poll the batch until its uploads are unpacked, then until it is finished (or the
    time limit); the sampler's phase follows."""
    unpacked = done = None
    row: tuple = ()
    with psycopg.connect(url, autocommit=True) as connection:
        while time.perf_counter() - started < DONE_TIMEOUT:
            row = connection.execute(BATCH_SQL, (batch_id,)).fetchone() or ()
            if row and row[5] == 0 and unpacked is None:
                unpacked = time.perf_counter() - started
                sampler.phase = "import"
            if row and row[5] == 0 and row[0] in FINISHED:
                done = time.perf_counter() - started
                break
            if worker.popen.poll() is not None:
                raise BenchFailed(f"the worker died:\n{worker.output()[-4000:]}")
            time.sleep(POLL_SECONDS)
        reasons = connection.execute(
            "SELECT error, count(*) FROM articles_importfile WHERE batch_id = %s "
            "AND status = 'failed' GROUP BY error ORDER BY count(*) DESC LIMIT 5",
            (batch_id,),
        ).fetchall()
    status, total, imported, duplicate, failed, packed = row
    return {
        "seconds_from_post": {
            "unpacked": round(unpacked, 2) if unpacked is not None else None,
            "done": round(done, 2) if done is not None else None,
        },
        "timed_out": done is None,
        "time_limit_seconds": DONE_TIMEOUT,
        "batch": {
            "id": batch_id,
            "status": status,
            "uploads_still_packed": packed,
            "files_recorded": total,
            "imported": imported,
            "duplicate": duplicate,
            "failed": failed,
            "failure_reasons": dict(reasons),
        },
    }


def measure(
    zip_path: Path, folder: Path, env: dict[str, str], url: str, token: str
) -> dict[str, Any]:
    """Fresh web and worker processes, the POST, and the batch followed to its end while
    their memory is sampled."""
    name = zip_path.stem
    with ExitStack() as stack:
        port = processes.free_port()
        web = start_web(stack, env, port, folder / f"web-{name}.log", token)
        warm_ups = warm_up(web, port, token, folder)
        worker = start_worker(stack, env, folder / f"worker-{name}.log")
        wait_for_warm_ups(url, worker)
        sampler = Sampler(web=web.popen.pid, worker=worker.popen.pid)
        stack.callback(sampler.stop)
        web_workers = processes.child_pids(web.popen.pid)
        cpu_before = {pid: cpu_seconds(pid) for pid in web_workers}
        sampler.start()
        sampler.phase = "request"
        started = time.perf_counter()
        request = post(zip_path, port, token, folder / f"answer-{name}.json")
        sampler.sample()  # a request shorter than a sampling interval is seen too
        sampler.phase = "unpack"
        request["warm_up_requests"] = warm_ups
        request["within_target"] = request["seconds"] <= REQUEST_TARGET_SECONDS
        request["target_seconds"] = REQUEST_TARGET_SECONDS
        request["serving_worker_cpu_seconds"] = round(
            max(cpu_seconds(pid) - cpu_before[pid] for pid in web_workers), 2
        )
        answer = json.loads((folder / f"answer-{name}.json").read_text() or "{}")
        if request["http_status"] != 201 or "batch" not in answer:
            sampler.stop()
            return {
                "request": request,
                "answer": str(answer)[:1000],
                "web_log": web.output()[-2000:],
                "rss_mib": sampler.report(),
            }
        followed = follow(url, answer["batch"], sampler, worker, started)
        sampler.stop()
        received = folder / "media" / "imports" / "received"
        followed["received_copies_left"] = len(list(received.iterdir())) if received.exists() else 0
        followed["worker_log_errors"] = worker.output().count(" ERROR ")
        return {"request": request, **followed, "rss_mib": sampler.report()}
    raise AssertionError("unreachable")


# --- the run -----------------------------------------------------------------------------


def run(zip_mib: int, members: int) -> dict[str, Any]:
    report: dict[str, Any] = {
        "benchmark": (
            "POST /api/v1/imports/ of one zip with curl; gunicorn as compose runs it "
            "(production, DEBUG off), compose's Celery worker, INGEST_EXTRACTION=false; "
            "RSS of every web and worker process sampled every 50 ms"
        ),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_1min_start": round(os.getloadavg()[0], 2),
        },
        "web": {"gunicorn_cmd_args": gunicorn_args(0).replace(":0", ":<port>")},
        "worker": {"concurrency": int(WORKER_CONCURRENCY), "extraction": False},
        "limits": "the settings' defaults (no IMPORT_* override)",
        "temp_dir": TEMP_PARENT or "beside MEDIA_ROOT (same filesystem: the upload is moved)",
        "zips": {},
    }
    queue = f"newsdesk-bench-upload-{os.getpid()}"
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-upload-")))
        temp_dir = Path(tempfile.mkdtemp(prefix="bench-upload-tmp-", dir=TEMP_PARENT or folder))
        stack.callback(shutil.rmtree, temp_dir, ignore_errors=True)
        url = fresh_database()
        stack.callback(drop_database)
        stack.callback(forget_queue, queue)
        env = app_env(folder, url, queue, temp_dir)
        manage(env, "migrate", "--noinput", "-v0")
        token = admin_token(env)
        scenarios = [
            ("big", big_sizes(zip_mib), zipfile.ZIP_STORED, 1),
            ("small", small_sizes(members, seed=2), zipfile.ZIP_DEFLATED, 3),
        ]
        for name, sizes, compression, seed in scenarios:
            zip_path = folder / f"{name}.zip"
            try:
                facts = build_zip(zip_path, sizes, compression, seed=seed)
                print(f"{name}: {facts['mib']} MiB, {facts['members']:,} members", flush=True)
                report["zips"][name] = {"zip": facts, **measure(zip_path, folder, env, url, token)}
            finally:
                zip_path.unlink(missing_ok=True)
    report["machine"]["loadavg_1min_end"] = round(os.getloadavg()[0], 2)
    return report


def table(report: dict[str, Any]) -> str:
    rows = [
        f"{'zip':<6} {'MiB':>7} {'members':>8} {'HTTP':>4} {'request s':>9} {'unpacked s':>10} "
        f"{'done s':>8} {'files':>6} {'imported':>8} {'failed':>6}"
    ]
    for name, run_ in report["zips"].items():
        z, r = run_["zip"], run_["request"]
        s = run_.get("seconds_from_post", {})
        b = run_.get("batch", {})
        rows.append(
            f"{name:<6} {z['mib']:>7} {z['members']:>8,} {r['http_status']:>4} {r['seconds']:>9} "
            f"{s.get('unpacked')!s:>10} {s.get('done')!s:>8} {b.get('files_recorded', '')!s:>6} "
            f"{b.get('imported', '')!s:>8} {b.get('failed', '')!s:>6}"
        )
    rows.append("peak RSS MiB (sampled; VmHWM in brackets) of the largest process of each kind:")
    for name, run_ in report["zips"].items():
        kinds = run_["rss_mib"]["by_kind"]
        rows.append(
            f"  {name}: "
            + ", ".join(
                f"{kind} {k['before']} -> {k['peak']} ({k['hwm']}), total {k['total_peak']}"
                for kind, k in kinds.items()
            )
        )
        for phase, figures in run_["rss_mib"]["by_phase"].items():
            rows.append(
                f"    {phase:<8} "
                + ", ".join(f"{kind} {f['largest']}" for kind, f in figures.items())
            )
        if run_.get("timed_out"):
            rows.append(f"  {name}: not done within {run_['time_limit_seconds']} s")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.bench_upload")
    parser.add_argument("--zip-mib", type=int, default=ZIP_MIB, help="members of ~1 MiB")
    parser.add_argument("--members", type=int, default=SMALL_MEMBERS, help="small members")
    args = parser.parse_args()
    # A stop from outside unwinds like an error: every clean-up above still runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    report = run(args.zip_mib, args.members)
    full = (args.zip_mib, args.members) == (ZIP_MIB, SMALL_MEMBERS)
    path = RESULTS if full else PARTIAL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(report))
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
