"""`make run`, the embedded default, in a fresh copy of the checkout with no DATABASE_URL:
the embedded PostgreSQL under var/ (no TCP port), the filesystem broker, the web server and
a real worker; the samples and the demo logins on the first start, the logins again on the
next; an import goes through the worker; SIGTERM to make stops everything within 15 s and
leaves nothing behind; the data is there on the next start."""

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests import processes

pytestmark = pytest.mark.slow

STOP_SECONDS = 15
# The first start migrates an empty database and imports the samples with extraction.
START_SECONDS = 300


def _fresh_copy(tmp_path: Path) -> Path:
    """The checkout's files (tracked, and new ones that git does not ignore) in a folder of
    their own, with this checkout's virtualenv and vendored static files, which `make
    install` would otherwise build again."""
    copy = tmp_path / "newsdesk"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=processes.ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, map(os.fsdecode, listed)):
        source = processes.ROOT / name
        if source.is_file():  # a tracked file deleted in the work tree is not
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            # Times kept, so that make finds the virtualenv newer than requirements.txt.
            shutil.copy2(source, copy / name)
    (copy / ".venv").symlink_to(processes.ROOT / ".venv")
    shutil.copytree(processes.ROOT / "static" / "vendor", copy / "static" / "vendor")
    return copy


def _env() -> dict[str, str]:
    # Nothing from the suite's own run: the defaults, var/ in the copy, a make of its own.
    return processes.native_env(
        DATABASE_URL=None,
        CELERY_BROKER_URL=None,
        CELERY_TASK_DEFAULT_QUEUE=None,
        DJANGO_ENV="development",
        NEWSDESK_VAR_DIR=None,
        MEDIA_ROOT=None,
        CACHE_URL=None,
        NEWSDESK_REQUIRE_REAL_STACK=None,
        MAKEFLAGS=None,
        MFLAGS=None,
        MAKELEVEL=None,
    )


def _start(copy: Path, port: int, log: Path) -> processes.Process:
    run = processes.Process(
        ["make", "--no-print-directory", "run", f"PORT={port}"], env=_env(), log=log, cwd=copy
    )
    run.wait_until(lambda: "Ctrl-C stops them" in run.output(), "make run", START_SECONDS)
    return run


def _sigterm_make(run: processes.Process) -> float:
    """SIGTERM to make alone, as `kill PID` would send it; the seconds until make exits."""
    started = time.monotonic()
    os.kill(run.popen.pid, signal.SIGTERM)
    try:
        run.popen.wait(timeout=STOP_SECONDS + 15)
    except subprocess.TimeoutExpired:
        pytest.fail(f"make run still running after SIGTERM:\n{run.output()[-3000:]}")
    return time.monotonic() - started


def _processes_in(folder: Path) -> list[str]:
    """Every process running from `folder`: working directory or an argument inside it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:  # gone meanwhile, or a zombie
            continue
        if cwd == str(folder) or cwd.startswith(f"{folder}/") or str(folder) in args:
            found.append(f"{entry.name}: {args.strip()}")
    return found


def _tcp_listeners() -> dict[int, int]:
    """Listening TCP sockets on this machine: {socket inode: port}."""
    listeners = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # TCP_LISTEN
                listeners[int(fields[9])] = int(fields[1].rsplit(":", 1)[1], 16)
    return listeners


def _tcp_ports_of(pid: int) -> set[int]:
    listeners = _tcp_listeners()
    ports = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:[") and int(target[8:-1]) in listeners:
            ports.add(listeners[int(target[8:-1])])
    return ports


def _assert_nothing_left(copy: Path, port: int) -> None:
    assert _processes_in(copy) == [], "processes of make run outlived it"
    assert port not in _tcp_listeners().values(), f"port {port} is still listening"
    postgres = copy / "var" / "postgres"
    assert not (postgres / ".s.PGSQL.5432").exists(), "the database socket is still there"
    assert not (postgres / "postmaster.pid").exists(), "the database did not shut down"


def _demo_logins(log: str) -> dict[str, tuple[str, str]]:
    return {
        role: (username, password)
        for role, username, password in re.findall(r"Demo (\w+): log in as (\S+) / (\S+)", log)
    }


def _signed_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login = browser.open(f"{base}/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    landing = browser.open(
        f"{base}/accounts/login/", data=urllib.parse.urlencode(form).encode(), timeout=10
    )
    assert landing.geturl() == f"{base}/", "the demo login did not sign in"
    return browser


def _checkout_files(copy: Path) -> set[str]:
    """The copy's files outside var/ and the virtualenv, bytecode caches aside."""
    return {
        str(path.relative_to(copy))
        for path in copy.rglob("*")
        if path.is_file()
        and path.relative_to(copy).parts[0] not in ("var", ".venv")
        and "__pycache__" not in path.parts
    }


def test_make_run_starts_serves_runs_tasks_stops_and_keeps_its_data(tmp_path):
    copy = _fresh_copy(tmp_path)
    files = _checkout_files(copy)
    samples = sorted((copy / "samples").glob("*.txt"))
    port = processes.free_port()
    base = f"http://127.0.0.1:{port}"
    postgres = copy / "var" / "postgres"
    runs = []
    try:
        first = _start(copy, port, tmp_path / "first.log")
        runs.append(first)
        log = first.output()
        assert f"embedded PostgreSQL started in {postgres}" in log
        assert f"Newsdesk on {base}/ (web, worker and database; Ctrl-C stops them)" in log
        assert "Imported batch" in log  # the samples, on the first start only
        logins = _demo_logins(log)
        assert set(logins) == {"analyst", "admin"}, log

        # The login page is served, and the demo login works, on the samples.
        assert processes.http_ok(f"{base}/accounts/login/")
        browser = _signed_in(base, *logins["analyst"])
        page = browser.open(f"{base}/", timeout=10).read().decode()
        assert f"{len(samples)} articles" in page
        assert "Seyra" in browser.open(f"{base}/?q=Seyra+river", timeout=10).read().decode()

        # PostgreSQL on its unix socket under var/, and on no TCP port (5432 is the
        # system server's).
        assert (postgres / ".s.PGSQL.5432").is_socket()
        postmaster = int((postgres / "postmaster.pid").read_text().split()[0])
        assert _tcp_ports_of(postmaster) == set()

        # The CLI hands a folder to the worker through the filesystem broker and waits.
        folder = tmp_path / "incoming"
        folder.mkdir()
        (folder / "new.txt").write_text(
            "Envoys meet again\n\nThe envoys met again on Friday in a quiet room.\n",
            encoding="utf-8",
        )
        command = ["import_articles", str(folder), "--wait", "--json"]
        result = subprocess.run(
            [str(copy / ".venv" / "bin" / "python"), "manage.py", *command],
            cwd=copy,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )
        summary = json.loads(result.stdout)
        assert summary["status"] == "done"
        assert summary["counts"]["imported"] == 1
        assert "articles.tasks.import_files" in first.output()

        seconds = _sigterm_make(first)
        log = first.output()
        assert seconds < STOP_SECONDS, f"make run took {seconds:.1f} s to stop:\n{log[-2000:]}"
        print(f"first make run stopped {seconds:.1f} s after SIGTERM")
        assert "Warm shutdown" in log
        assert "database stopped" in log
        _assert_nothing_left(copy, port)

        # A second start right after: the same database, the logins shown again.
        second = _start(copy, port, tmp_path / "second.log")
        runs.append(second)
        log = second.output()
        assert f"embedded PostgreSQL started in {postgres}" in log
        assert "Imported batch" not in log
        assert _demo_logins(log) == logins
        browser = _signed_in(base, *logins["analyst"])
        page = browser.open(f"{base}/", timeout=10).read().decode()
        assert f"{len(samples) + 1} articles" in page
        assert "Envoys meet again" in page

        seconds = _sigterm_make(second)
        assert seconds < STOP_SECONDS, f"make run took {seconds:.1f} s to stop"
        print(f"second make run stopped {seconds:.1f} s after SIGTERM")
        _assert_nothing_left(copy, port)
    finally:
        # A failed test leaves nothing running either.
        for run in runs:
            run.stop(timeout=STOP_SECONDS)
        for line in _processes_in(copy):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line.split(":", 1)[0]), signal.SIGKILL)
    # Everything make run writes lives under var/: the checkout has the files it had.
    assert _checkout_files(copy) == files
    assert (copy / "var" / "celery" / "control").is_dir()
