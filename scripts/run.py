"""`make run`: the database, the migrations and the demo, then the Celery worker and the web
server side by side, until Ctrl-C or SIGTERM stops them all.

    python scripts/run.py [--host HOST] [--port PORT]
    python scripts/run.py -- COMMAND [ARG ...]

The first form is `make run`. With DATABASE_URL empty it starts the embedded PostgreSQL
under var/ (newsdesk/embedded_db.py) and stops it last; otherwise it uses that database
and starts none. Ctrl-C or SIGTERM (make passes its SIGTERM on to this process) stops the
web server, then lets the worker finish the task at hand for a few seconds (the work of a
task cut short is offered again when a worker next starts: it re-offers unfinished imports
and extractions, and tasks are idempotent), then stops the database: all within 15
seconds, leaving no process behind. The web server, the worker and
the database each run in a session of their own, so that a Ctrl-C in the terminal reaches
this process only, which stops them in that order; each also gets a signal from the kernel
if this process dies without stopping it.

The second form runs one command with the embedded database up, started for it and stopped
after unless it was running already (`make migrate`, `make demo`, or `manage.py adduser`
while no `make run` is up).
"""

import argparse
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
# The development runner says so itself: a process not told otherwise runs as production.
os.environ.setdefault("DJANGO_ENV", "development")

# The settings decide, from the environment and .env, whether the database is the
# embedded one and where var/ is: the same decision the web server and the worker make.
from django.conf import settings  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from newsdesk import embedded_db  # noqa: E402
from newsdesk.loopback import is_loopback, refusal  # noqa: E402

PYTHON = sys.executable
CELERY = str(Path(sys.executable).parent / "celery")
# Seconds each process gets to stop by itself before it is killed. A worker on the
# filesystem broker takes 6 to 8 seconds to stop even when idle (it polls the broker in
# 2-second rounds); the database's fast shutdown takes a fraction of a second.
WEB_GRACE = 5.0
WORKER_GRACE = 10.0
# How long the web server and the worker may take to start (the worker loads spaCy).
START_TIMEOUT = 180.0
PR_SET_PDEATHSIG = 1
# How the demo command's login lines start (articles/management/commands/demo.py).
DEMO_LOGIN = "Demo "


class Supervisor:
    """The processes of one `make run`, and the signals that stop them."""

    def __init__(self) -> None:
        self.signals = 0
        self.children: dict[str, subprocess.Popen] = {}
        self.database: embedded_db.EmbeddedPostgres | None = None

    @property
    def stopping(self) -> bool:
        return self.signals > 0

    def on_signal(self, signum: int, frame: object) -> None:
        self.signals += 1

    def sleep(self, seconds: float) -> None:
        """Sleep, but wake at once for a signal (PEP 475 would finish the sleep)."""
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def start(self, name: str, args: list[str], *, piped: bool = False) -> None:
        self.children[name] = subprocess.Popen(
            args,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if piped else None,
            stderr=subprocess.STDOUT if piped else None,
            encoding="utf-8" if piped else None,
            errors="replace" if piped else None,
            start_new_session=True,
            preexec_fn=_signal_when_parent_dies(signal.SIGTERM),
        )

    def echo(
        self, name: str, watch: str = "", hold: str | None = None
    ) -> tuple[list[str], threading.Event]:
        """Pass a piped child's output on, line by line, but those starting with `hold`,
        keeping them all; the event is set when a line contains `watch`."""
        process = self.children[name]
        lines: list[str] = []
        seen = threading.Event()

        def run() -> None:
            assert process.stdout is not None
            shown = True
            for line in process.stdout:
                lines.append(line)
                if shown and not (hold and line.startswith(hold)):
                    try:
                        print(line, end="", flush=True)
                    except OSError:  # our own output closed: keep draining the child's
                        shown = False
                if watch and watch in line:
                    seen.set()

        threading.Thread(target=run, name=f"echo-{name}", daemon=True).start()
        return lines, seen

    def step(
        self, name: str, args: list[str], hold: str | None = None
    ) -> tuple[int | None, list[str]]:
        """Run one command to its end, passing its output on (see echo); (None, output)
        if a signal came first."""
        self.start(name, args, piped=True)
        process = self.children[name]
        lines, _ = self.echo(name, hold=hold)
        while process.poll() is None and not self.stopping:
            time.sleep(0.05)
        if self.stopping:
            _signal_group(process, signal.SIGTERM)
            self.reap(name, time.monotonic() + WEB_GRACE)
            return None, lines
        del self.children[name]
        assert process.stdout is not None
        process.stdout.close()  # after the reader has read it all: the child has exited
        return process.returncode, lines

    def reap(self, name: str, deadline: float) -> None:
        """Wait until the child's whole process group has ended, killing what is left of it
        at `deadline` (or at once on a second Ctrl-C)."""
        process = self.children.pop(name)
        gone = _wait(lambda: _group_gone(process), deadline, hurry=lambda: self.signals > 1)
        if not gone:
            print(f"{name}: still running, killed", flush=True)
            _signal_group(process, signal.SIGKILL)
            _wait(lambda: _group_gone(process), time.monotonic() + 5)

    def stop_all(self) -> None:
        """The web server and the worker, then the database that they use."""
        # From here on a signal only hurries the stop along.
        self.signals = max(self.signals, 1)
        now = time.monotonic()
        deadlines = {}
        for name, process in self.children.items():
            if name == "worker":
                # To the main process only: a warm shutdown lets the task at hand finish.
                process.send_signal(signal.SIGTERM)
                deadlines[name] = now + WORKER_GRACE
            else:
                # runserver's autoreloader and the server it runs share the process group.
                _signal_group(process, signal.SIGTERM)
                deadlines[name] = now + WEB_GRACE
        for name, deadline in deadlines.items():
            self.reap(name, deadline)
        if self.database is not None:
            self.database.stop()
            print("database stopped", flush=True)


def serve(host: str, port: int) -> int:
    url = f"http://{host}:{port}/"
    if not _port_free(host, port):
        print(f"{host}:{port} is taken by another program: try `make run PORT={port + 1}`.")
        return 1
    supervisor = Supervisor()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, supervisor.on_signal)
    try:
        if settings.EMBEDDED_DATABASE:
            database = embedded_db.server(settings.VAR_DIR)
            if (pid := database.pid()) is not None:
                # Another make run's, or a `run.py --` command's: not ours to stop.
                print(
                    f"The embedded PostgreSQL in {database.data} is already running (pid "
                    f"{pid}), for another `make run` or `scripts/run.py --` command: stop "
                    f"that first, or the server itself with `kill -INT {pid}`.",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
            supervisor.database = database
            database.start()
            print(f"embedded PostgreSQL started in {database.data}", flush=True)
            if supervisor.stopping:
                return 0
        code, _ = supervisor.step("migrate", [PYTHON, "manage.py", "migrate", "--noinput"])
        if code is None:
            return 0
        if code != 0:
            print(f"migrate failed (exit {code})", flush=True)
            return code
        # The demo's logins are shown below the start-up lines of the worker and the web.
        demo_args = [PYTHON, "manage.py", "demo", "--if-empty"]
        code, demo = supervisor.step("demo", demo_args, hold=DEMO_LOGIN)
        if code is None:
            return 0
        if code != 0:
            print(f"demo failed (exit {code})", flush=True)
            return code
        # -B: the worker also runs the periodic scheduler (settings.CELERY_BEAT_SCHEDULE),
        # which `docker compose` runs as a service of its own: one machine, one scheduler.
        worker = [CELERY, "-A", "newsdesk", "worker", "--loglevel=INFO", "-B"]
        supervisor.start("worker", worker, piped=True)
        _, worker_ready = supervisor.echo("worker", watch=" ready.")
        supervisor.start("web", [PYTHON, "manage.py", "runserver", f"{host}:{port}"])
        deadline = time.monotonic() + START_TIMEOUT
        while not (worker_ready.is_set() and _answers(host, port)):
            if (code := _exited(supervisor)) is not None:
                return code
            if supervisor.stopping:
                return 0
            if time.monotonic() > deadline:
                if not _answers(host, port):
                    print(f"the web server is not up after {START_TIMEOUT:.0f} s", flush=True)
                    return 1
                print(f"the worker has not said it is ready after {START_TIMEOUT:.0f} s")
                break
            supervisor.sleep(0.2)
        parts = "web, worker and database" if supervisor.database else "web and worker"
        print(f"\nNewsdesk on {url} ({parts}; Ctrl-C stops them)", flush=True)
        for line in demo:
            if line.startswith(DEMO_LOGIN):
                print(line, end="", flush=True)
        print(flush=True)
        while not supervisor.stopping:
            if (code := _exited(supervisor)) is not None:
                return code
            supervisor.sleep(0.5)
        return 0
    except embedded_db.EmbeddedPostgresError as error:
        print(error, file=sys.stderr, flush=True)
        return 1
    finally:
        supervisor.stop_all()


def run_command(args: list[str]) -> int:
    """Run `args` in the foreground with the embedded database up."""
    database = None
    if settings.EMBEDDED_DATABASE:
        database = embedded_db.server(settings.VAR_DIR)
        try:
            started = database.start()
        except embedded_db.EmbeddedPostgresError as error:
            print(error, file=sys.stderr, flush=True)
            return 1
        if not started:
            database = None  # someone else's: theirs to stop
    try:
        process = subprocess.Popen(args, cwd=ROOT)
        # Ctrl-C reaches the command (it shares the terminal's process group) and this
        # process, which waits for the command to end. SIGTERM is passed on to it.
        signal.signal(signal.SIGINT, lambda signum, frame: None)
        signal.signal(signal.SIGTERM, lambda signum, frame: process.send_signal(signum))
        return process.wait()
    finally:
        if database is not None:
            database.stop()


def _exited(supervisor: Supervisor) -> int | None:
    """The exit code to return if a long-running child ended by itself, else None."""
    for name, process in supervisor.children.items():
        if process.poll() is not None:
            print(f"{name} exited (code {process.returncode}); stopping the rest", flush=True)
            return process.returncode or 1
    return None


def _signal_when_parent_dies(sig: int) -> Callable[[], None]:
    def preexec() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)

    return preexec


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _group_gone(process: subprocess.Popen) -> bool:
    process.poll()  # reap the leader, or the group never looks empty
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return True
    return False


def _wait(
    condition: Callable[[], bool], deadline: float, hurry: Callable[[], bool] | None = None
) -> bool:
    while time.monotonic() < deadline:
        if condition():
            return True
        if hurry is not None and hurry():
            return False
        time.sleep(0.05)
    return condition()


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As runserver binds: a port left in TIME_WAIT by the last run is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main(argv: list[str]) -> int:
    try:
        settings.EMBEDDED_DATABASE  # noqa: B018 (loads the settings: refusals come first)
    except ImproperlyConfigured as error:
        print(error, file=sys.stderr)
        return 1
    if argv and argv[0] == "--":
        if len(argv) == 1:
            print("usage: run.py -- COMMAND [ARG ...]", file=sys.stderr)
            return 2
        return run_command(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    options = parser.parse_args(argv)
    if not 0 < options.port < 65536:
        parser.error(f"--port must be between 1 and 65535, not {options.port}")
    if settings.DJANGO_ENV == "development" and not is_loopback(options.host):
        print(refusal(options.host), file=sys.stderr)
        return 2
    return serve(options.host, options.port)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
