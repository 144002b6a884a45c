"""Start and stop the project's real processes (web server, Celery worker) for tests.

The commands come from docker-compose.yml, so the processes the suite proves are the ones
the real stack runs.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import yaml

from newsdesk import embedded_db

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
VENV_BIN = Path(sys.executable).parent


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def compose_command(service: str) -> list[str]:
    """The exec-form command of a compose service, as a list of arguments."""
    command = compose()["services"][service]["command"]
    assert isinstance(command, list), f"{service}: keep the compose command in exec form"
    return command


def native_env(**overrides: str | None) -> dict[str, str]:
    """This environment with the venv first on PATH, as the image has its Python first."""
    env = dict(os.environ)
    # Set for the test process's own browser tests only; a deployment must never have it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def wait_for(
    condition: Callable[[], bool],
    *,
    timeout: float = 30,
    what: str = "condition",
    interval: float = 0.1,
) -> None:
    """Poll `condition` until it holds; an AssertionError naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database a Django connection is using (the test database):
    a server's host and port, or a unix socket folder (the embedded server's)."""
    engine = settings_dict["ENGINE"]
    assert engine == "django.db.backends.postgresql", f"not PostgreSQL: {engine}"
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    name = settings_dict["NAME"]
    if host.startswith("/"):
        return embedded_db.socket_url(host, name, user=user, password=password, port=port)
    auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    return f"postgres://{auth + '@' if auth else ''}{host}:{port}/{name}"


class Process:
    """A child process in its own session, its output in a log file for failure messages."""

    def __init__(self, args: list[str], *, env: dict[str, str], log: Path, cwd: Path = ROOT):
        self.args = args
        self.log = log
        self._log_file = log.open("wb")
        self.popen = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def output(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float = 60) -> None:
        """wait_for(ready), failing at once with the log if the process exits first."""

        def alive_and_ready() -> bool:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{what}: the process exited early:\n{self.output()[-4000:]}")
            return ready()

        try:
            wait_for(alive_and_ready, timeout=timeout, what=what, interval=0.25)
        except AssertionError as error:
            raise TimeoutError(f"{error}:\n{self.output()[-4000:]}") from None

    def group_alive(self) -> bool:
        try:
            os.killpg(self.popen.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Signal the whole process group, wait for every member, kill what lingers."""
        if self.group_alive():
            os.killpg(self.popen.pid, sig)
        deadline = time.monotonic() + timeout
        while self.group_alive() and time.monotonic() < deadline:
            self.popen.poll()
            time.sleep(0.1)
        if self.group_alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        code = self.popen.wait(timeout=10)
        self._log_file.close()
        return code


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def child_pids(parent: int) -> list[int]:
    """The ids of `parent`'s direct children (read from /proc), in order."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return sorted(found)
