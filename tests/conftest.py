import os

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import override_settings

from newsdesk import embedded_db
from tests import processes

# pytest-playwright drives the browser from a thread with an event loop; Django's ORM
# calls made by live_server tests from there are safe in this single-threaded use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REAL_STACK_REQUIRED = os.environ.get("NEWSDESK_REQUIRE_REAL_STACK") == "1"


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Uploads go to a folder of this run's own, shared with the worker processes."""
    root = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=str(root)):
        yield root


@pytest.fixture(scope="session", autouse=True)
def own_cache():
    """A local-memory cache of this run's own, whatever CACHE_URL says: clearing it (below)
    must never flush a Redis database that something else, a broker say, is using."""
    cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    with override_settings(CACHES={"default": cache}):
        yield


@pytest.fixture(autouse=True)
def fresh_cache(own_cache):
    """API throttle counts and login lock-outs live in the cache: no test inherits another's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def embedded_database(tmp_path_factory):
    """The fast path's database (DATABASE_URL empty): an embedded PostgreSQL of this run's
    own, in a throwaway folder, so that the tests never touch var/ nor a `make run` that is
    up. Started before pytest-django creates the test database, stopped after it drops it.
    None when DATABASE_URL names a server (`make test`)."""
    if not settings.EMBEDDED_DATABASE:
        yield None
        return
    server = embedded_db.EmbeddedPostgres(tmp_path_factory.mktemp("embedded-postgres") / "data")
    server.start()
    try:
        for alias in connections:
            # The settings' dict itself: processes started by tests get the same socket.
            connections[alias].settings_dict["HOST"] = str(server.data)
            connections[alias].settings_dict["PORT"] = str(embedded_db.PORT)
        connections.close_all()
        yield server
    finally:
        connections.close_all()
        server.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, embedded_database):
    """pytest-django's hook just before it sets up the test database."""


@pytest.fixture(scope="session")
def real_stack() -> None:
    """Redis and so a real worker, or a skip on the fast path (a failure under make test).
    The database is PostgreSQL on both paths."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        message = "needs the real stack: CELERY_BROKER_URL is not Redis"
        if REAL_STACK_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def test_database_url(django_db_setup) -> str:
    """A URL for the test database, for processes started by the tests."""
    name = str(connection.settings_dict["NAME"])
    # pytest-django creates the test database only for sessions with a django_db test.
    assert "test" in name, f"{name!r} is not a test database: mark the test django_db"
    return processes.database_url(connection.settings_dict)


@pytest.fixture(scope="session")
def celery_worker(real_stack, test_database_url, media_root, tmp_path_factory):
    """A real worker process, started with docker-compose.yml's worker command, consuming
    this run's queue on Redis and writing to the test database."""
    from newsdesk.celery import app

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    worker = processes.Process(
        processes.compose_command("worker"),
        env=processes.native_env(
            DATABASE_URL=test_database_url,
            CELERY_WORKER_CONCURRENCY="1",
            DJANGO_ENV="development",
            MEDIA_ROOT=str(media_root),
        ),
        log=tmp_path_factory.mktemp("worker") / "worker.log",
    )

    def consuming() -> bool:
        replies = app.control.inspect(timeout=0.5).active_queues() or {}
        return any(q["name"] == queue for queues in replies.values() for q in queues)

    try:
        worker.wait_until(consuming, "celery worker", timeout=60)
        yield worker
    finally:
        worker.stop()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless, with no call home (this machine has no network)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
