"""A bounded load run on loopback while an import runs (issue 18, point 6): a few hundred
requests a second for a minute against gunicorn (docker-compose.yml's web command, in
production mode, three workers as compose runs it), while a real worker imports and
first-passes a batch. Not one answer may be a 5xx or a dropped connection. The latency
percentiles are printed and written to var/test-results/load.json (quoted in the notes;
not a timed assertion).
"""

import http.client
import io
import json
import statistics
import subprocess
import threading
import time
import zipfile
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from articles import services
from articles.models import ImportBatch
from tests import processes
from tests.factories import ArticleFactory, UserFactory
from tests.faults.test_stack_faults import _dispatch
from tests.test_settings import PRODUCTION_KEY

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECONDS = 60
RATE = 200  # requests a second, all clients together
CLIENTS = 20
REPORT = processes.ROOT / "var" / "test-results" / "load.json"


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(name, []).append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "count": len(ordered),
        "p50_ms": round(cut[49] * 1000, 1),
        "p90_ms": round(cut[89] * 1000, 1),
        "p99_ms": round(cut[98] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _client(port: int, paths: list[tuple[str, str, dict]], tally: Tally, stop: float, gap: float):
    """Requests in turn from `paths`, one every `gap` seconds (on schedule, not after the
    last answer), each on a new connection as gunicorn's sync workers close them."""
    due = time.monotonic()
    turn = 0
    while due < stop:
        name, path, headers = paths[turn % len(paths)]
        turn += 1
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            tally.add(name, response.status, time.monotonic() - started)
        except (OSError, http.client.HTTPException) as error:
            with tally.lock:
                tally.errors.append(f"{name}: {type(error).__name__}: {error}")
        due += gap
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)


def test_a_minute_of_load_while_an_import_runs_gets_no_5xx(
    real_stack, test_database_url, media_root, tmp_path
):
    robot = UserFactory(role="admin", password=None)  # admins may read import batches
    token = Token.objects.create(user=robot).key
    for _ in range(30):
        ArticleFactory()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for i in range(800):
            bundle.writestr(f"wire/{i:04}.txt", _dispatch(i))
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("wire.zip", archive.getvalue())],
        source=ImportBatch.Source.CLI,
        enqueue=False,
    )

    port = processes.free_port()
    common = {
        "DATABASE_URL": test_database_url,
        "MEDIA_ROOT": str(media_root),
        "CELERY_TASK_DEFAULT_QUEUE": f"{settings.CELERY_TASK_DEFAULT_QUEUE}-load",
    }
    web_env = processes.native_env(
        DJANGO_ENV="production",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="false",
        DEBUG=None,
        STATIC_ROOT=str(tmp_path / "static"),
        GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port} --workers 3 --timeout 60",
        **common,
    )
    subprocess.run(
        ["python", "manage.py", "collectstatic", "--noinput"],
        cwd=processes.ROOT,
        env=web_env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    web = processes.Process(processes.compose_command("web"), env=web_env, log=tmp_path / "web.log")
    worker = processes.Process(
        processes.compose_command("worker"),
        env=processes.native_env(DJANGO_ENV="development", CELERY_WORKER_CONCURRENCY="2", **common),
        log=tmp_path / "worker.log",
    )
    auth = {"Authorization": f"Token {token}"}
    paths = [
        ("articles page", "/api/v1/articles/?page_size=20", auth),
        ("me", "/api/v1/me/", auth),
        ("import progress", f"/api/v1/imports/{batch.pk}/", auth),
        ("login page", "/accounts/login/", {}),
    ]
    tally = Tally()
    try:
        web.wait_until(
            lambda: processes.http_ok(f"http://127.0.0.1:{port}/accounts/login/"), "gunicorn", 90
        )
        processes.wait_for(
            lambda: ImportBatch.objects.get(pk=batch.pk).files_done > 0,
            timeout=120,
            what="the import to be under way",
        )
        stop = time.monotonic() + SECONDS
        clients = [
            threading.Thread(
                target=_client, args=(port, paths, tally, stop, CLIENTS / RATE), daemon=True
            )
            for _ in range(CLIENTS)
        ]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=SECONDS + 60)
        during = ImportBatch.objects.get(pk=batch.pk)
    finally:
        web.stop()
        worker.stop()

    answered = sum(tally.statuses.values())
    report = {
        "seconds": SECONDS,
        "target_rate": RATE,
        "achieved_rate": round(answered / SECONDS, 1),
        "statuses": {str(code): n for code, n in sorted(tally.statuses.items())},
        "errors": len(tally.errors),
        "all": _percentiles([v for values in tally.latencies.values() for v in values]),
        "by_request": {name: _percentiles(values) for name, values in tally.latencies.items()},
        "import_files_done_during_the_run": during.files_done,
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    assert tally.errors == [], tally.errors[:5]
    assert not any(code >= 500 for code in tally.statuses), report["statuses"]
    assert set(tally.statuses) == {200}, report["statuses"]
    assert answered >= RATE * SECONDS * 0.5, f"the load run was not a load: {report}"
    assert during.files_done > 0
