"""`make run`, the embedded default: web server and a real worker on SQLite (WAL) and the
filesystem broker, no servers; the samples and demo logins on a first run; an import goes
through the worker; Ctrl-C stops both processes."""

import http.cookiejar
import json
import re
import signal
import sqlite3
import subprocess
import urllib.parse
import urllib.request

import pytest

from tests import processes

pytestmark = pytest.mark.slow


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

        # First run on an empty database: the samples are imported and the demo logins
        # printed, and they work.
        samples = sorted((processes.ROOT / "samples").glob("*.txt"))
        assert db.execute("SELECT count(*) FROM articles_article").fetchone()[0] == len(samples)
        log = run.output()
        assert f"Newsdesk on http://127.0.0.1:{port}/" in log
        demo = re.search(r"Demo analyst: log in as (\S+) / (\S+)", log)
        assert demo, log
        assert re.search(r"Demo admin: log in as \S+ / \S+", log)
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = browser.open(f"{base}/accounts/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
        form = urllib.parse.urlencode(
            {
                "username": demo.group(1),
                "password": demo.group(2),
                "csrfmiddlewaretoken": token,
                "next": "",
            }
        ).encode()
        listing = browser.open(f"{base}/accounts/login/", data=form, timeout=10)
        assert listing.geturl() == f"{base}/"
        page = listing.read().decode()
        # The article list on SQLite (word-match search, figures worked out at read time).
        assert f"{len(samples)} articles" in page
        searched = browser.open(f"{base}/?q=Seyra+river", timeout=10).read().decode()
        assert "Seyra" in searched
        page = browser.open(f"{base}/overview/", timeout=10).read().decode()
        assert "role <strong>analyst</strong>" in page
        assert f"<dt>Articles</dt><dd>{len(samples)}</dd>" in page

        # The CLI hands a folder to the worker through the filesystem broker and waits.
        folder = tmp_path / "incoming"
        folder.mkdir()
        (folder / "new.txt").write_text(
            "Envoys meet again\n\nThe envoys met again on Friday in a quiet room.\n",
            encoding="utf-8",
        )
        result = _manage(env, "import_articles", str(folder), "--wait", "--json")
        summary = json.loads(result.stdout)
        assert summary["status"] == "done"
        assert summary["counts"]["imported"] == 1
        assert summary["files"][0]["name"] == "incoming/new.txt"

        # A second start on a database that has data leaves it alone.
        second = _manage(env, "demo", "--if-empty")
        assert second.stdout == ""
        db.close()
    finally:
        # Ctrl-C in a terminal signals the whole foreground process group.
        run.stop(signal.SIGINT, timeout=30)
    log = run.output()
    assert not run.group_alive(), "a process of make run outlived Ctrl-C"
    assert "articles.tasks.import_files" in log
    assert "succeeded" in log
    assert "worker: Warm shutdown" in log or "Warm shutdown" in log
    # Everything the embedded default writes lives under var/, nothing in the checkout.
    assert (tmp_path / "celery" / "control").is_dir()
    assert not (processes.ROOT / "control").exists()
