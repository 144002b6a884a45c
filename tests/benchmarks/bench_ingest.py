"""Import benchmark: the 1,683 FNC-1 bodies, written out as .txt files and zipped,
imported through the CLI with one Celery worker, on PostgreSQL and Redis.

    python -m tests.benchmarks.bench_ingest      (make bench runs it)

Extraction is switched off (INGEST_EXTRACTION=false): this measures the import alone. The
database is a fresh one of the benchmark's own; the worker is docker-compose.yml's worker
command. Results go to bench/results/ingest.json and are printed.
"""

import csv
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from tests import processes

ROOT = processes.ROOT
CORPUS = ROOT.parent / "shared" / "corpus" / "fnc1" / "train_bodies.csv"
RESULTS = ROOT / "bench" / "results" / "ingest.json"
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "newsdesk_bench"
BROKER = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/0")
CONCURRENCY = os.environ.get("BENCH_WORKER_CONCURRENCY", str(os.cpu_count() or 1))


def _bodies() -> list[tuple[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return [(row["Body ID"], row["articleBody"]) for row in csv.DictReader(handle)]


def _zip(bodies: list[tuple[str, str]], folder: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for body_id, body in bodies:
            archive.writestr(f"fnc1/{body_id}.txt", body)
    path = folder / "fnc1.zip"
    path.write_bytes(buffer.getvalue())
    return path


def _fresh_database() -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"


def _batch_times(url: str, batch_id: int) -> dict:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT created_at, started_at, finished_at FROM articles_importbatch WHERE id = %s",
            (batch_id,),
        ).fetchone()
        words = connection.execute("SELECT coalesce(sum(word_count), 0) FROM articles_article")
        return {
            "created": row[0],
            "started": row[1],
            "finished": row[2],
            "words": words.fetchone()[0],
        }


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is missing")
    bodies = _bodies()
    input_words = sum(len(body.split()) for _, body in bodies)
    url = _fresh_database()
    queue = f"newsdesk-bench-{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive = _zip(bodies, folder)
        env = processes.native_env(
            DATABASE_URL=url,
            CELERY_BROKER_URL=BROKER,
            CELERY_TASK_DEFAULT_QUEUE=queue,
            CELERY_WORKER_CONCURRENCY=CONCURRENCY,
            INGEST_EXTRACTION="false",
            MEDIA_ROOT=str(folder / "media"),
            DJANGO_ENV=None,
            LOG_LEVEL="WARNING",
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        worker = processes.Process(
            processes.compose_command("worker"), env=env, log=folder / "worker.log"
        )
        try:
            worker.wait_until(lambda: "ready." in worker.output(), "the worker", timeout=120)
            started = time.perf_counter()
            wall_start = datetime.now(UTC)
            result = subprocess.run(
                [sys.executable, "manage.py", "import_articles", str(archive), "--wait", "--json"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            cli_seconds = time.perf_counter() - started
        finally:
            worker.stop()
    summary = json.loads(result.stdout)
    times = _batch_times(url, summary["batch"])
    batch_seconds = (times["finished"] - times["created"]).total_seconds()
    pipeline_seconds = (times["finished"] - wall_start).total_seconds()
    files = summary["counts"]["total"]
    report = {
        "benchmark": "import of the FNC-1 train bodies as one zip, CLI --wait, one worker",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "worker_concurrency": int(CONCURRENCY),
        "extraction": "off (INGEST_EXTRACTION=false)",
        "files": files,
        "counts": summary["counts"],
        "input_words": input_words,
        "article_words": times["words"],
        "seconds": {
            "cli_wall": round(cli_seconds, 3),
            "cli_start_to_batch_finished": round(pipeline_seconds, 3),
            "batch_created_to_finished": round(batch_seconds, 3),
        },
        "files_per_second": {
            "cli_wall": round(files / cli_seconds, 1),
            "batch_created_to_finished": round(files / batch_seconds, 1),
        },
        "words_per_second": {
            "cli_wall": round(input_words / cli_seconds),
            "batch_created_to_finished": round(input_words / batch_seconds),
        },
        "target_files_per_second": 1100,
        # The ratio of end-to-end ingestion to bare nlp.pipe throughput needs the spaCy
        # extraction step, which issue 4 plugs in through services.articles_extract.
        "extraction_to_nlp_pipe_ratio": None,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
