"""`make run`, the embedded default: web server and a real worker on SQLite (WAL) and the
filesystem broker, no servers; a task goes through; Ctrl-C stops both processes."""

import http.cookiejar
import re
import signal
import sqlite3
import subprocess
import urllib.parse
import urllib.request

import pytest

from tests import processes
from tests.processes import wait_for

pytestmark = pytest.mark.slow

PASSWORD = "a long enough test password"


def _embedded_env(var_dir, **extra):
    # No DATABASE_URL / CELERY_BROKER_URL: the defaults under NEWSDESK_VAR_DIR.
    return processes.native_env(
        DATABASE_URL=None,
        CELERY_BROKER_URL=None,
        CELERY_TASK_DEFAULT_QUEUE=None,
        DJANGO_ENV=None,
        NEWSDESK_VAR_DIR=str(var_dir),
        **extra,
    )


def _manage(env, *args):
    return subprocess.run(
        ["python", "manage.py", *args],
        cwd=processes.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_make_run_serves_pages_runs_tasks_and_stops_on_ctrl_c(tmp_path):
    port = processes.free_port()
    env = _embedded_env(tmp_path)
    run = processes.Process(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        env=env,
        log=tmp_path / "make-run.log",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        run.wait_until(lambda: processes.http_ok(f"{base}/accounts/login/"), "make run", 180)
        run.wait_until(lambda: "ready." in run.output(), "the worker", 60)
        assert (tmp_path / "db.sqlite3").exists()
        db = sqlite3.connect(tmp_path / "db.sqlite3")
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

        # An analyst logs in through the web server.
        _manage(env, "adduser", "ana", "--role", "analyst", "--password", PASSWORD)
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = browser.open(f"{base}/accounts/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
        form = urllib.parse.urlencode(
            {"username": "ana", "password": PASSWORD, "csrfmiddlewaretoken": token, "next": ""}
        ).encode()
        overview = browser.open(f"{base}/accounts/login/", data=form, timeout=10)
        assert overview.geturl() == f"{base}/"
        assert "role <strong>analyst</strong>" in overview.read().decode()

        # A task sent from another process reaches the worker through the filesystem broker.
        _manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from articles.models import ImportBatch, ImportFile; from articles import tasks;"
            "b = ImportBatch.objects.create(source='cli');"
            "ImportFile.objects.create(batch=b, original_name='x.txt', status='failed',"
            " error='Empty file.');"
            "tasks.import_batch_refresh.delay(b.id)",
        )

        def batch_done():
            row = db.execute("SELECT status, failed FROM articles_importbatch").fetchone()
            return row == ("done", 1)

        wait_for(batch_done, timeout=30, what="the worker to run the task")
        db.close()
    finally:
        # Ctrl-C in a terminal signals the whole foreground process group.
        run.stop(signal.SIGINT, timeout=30)
    log = run.output()
    assert not run.group_alive(), "a process of make run outlived Ctrl-C"
    assert "import_batch_refresh" in log
    assert "succeeded" in log
    assert "worker: Warm shutdown" in log or "Warm shutdown" in log
    # Everything the embedded default writes lives under var/, nothing in the checkout.
    assert (tmp_path / "celery" / "control").is_dir()
    assert not (processes.ROOT / "control").exists()
