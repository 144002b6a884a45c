"""Run modes: settings come from the environment, production refuses to start unsafe."""

import re
import subprocess

import pytest

from newsdesk import embedded_db
from tests.processes import ROOT, native_env

PRODUCTION_KEY = "k3Jx9-production-test-key-with-enough-entropy-7YqP2vLm8rTz"


def manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=ROOT,
        env=native_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "news.example.org,localhost",
        # Never connected to by these checks.
        "DATABASE_URL": "postgres://newsdesk@db.example.org:5432/newsdesk",
        "DEBUG": None,
        "HTTPS": None,
    }
    env.update(overrides)
    return env


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"SECRET_KEY": None}, "needs SECRET_KEY in the environment"),
        ({"ALLOWED_HOSTS": None}, "needs ALLOWED_HOSTS in the environment"),
        ({"SECRET_KEY": None, "ALLOWED_HOSTS": None}, "needs SECRET_KEY and ALLOWED_HOSTS"),
        ({"SECRET_KEY": ""}, "needs SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_key_and_hosts(missing, message):
    result = manage("check", **production_env(**missing))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_an_unknown_environment_name_is_refused():
    result = manage("check", DJANGO_ENV="staging")
    assert result.returncode != 0
    assert "DJANGO_ENV must be 'development' or 'production'" in result.stderr


def test_production_reads_hosts_as_a_comma_separated_list():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.ALLOWED_HOSTS, settings.DEBUG)",
        **production_env(),
    )
    assert result.returncode == 0, result.stderr
    assert "['news.example.org', 'localhost'] False" in result.stdout


def test_embedded_default_is_the_embedded_postgresql_with_the_filesystem_broker(tmp_path):
    server = embedded_db.server(tmp_path)
    assert server.start() is True  # a fresh data folder: initdb, then the server
    try:
        script = (
            "from django.conf import settings; from django.db import connection;"
            "c = connection.cursor();"
            "c.execute('SELECT current_setting(%s), current_setting(%s), version()',"
            " ['listen_addresses', 'jit']);"
            "listen, jit, version = c.fetchone();"
            "print(settings.EMBEDDED_DATABASE, connection.vendor, version.split()[0]);"
            "print(settings.DATABASES['default']['HOST'], connection.settings_dict['NAME']);"
            "print(repr(listen), jit);"
            "print(settings.CELERY_BROKER_URL);"
            "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'])"
        )
        result = manage(
            "shell",
            "--no-imports",
            "-c",
            script,
            DATABASE_URL=None,
            CELERY_BROKER_URL=None,
            DJANGO_ENV="development",
            NEWSDESK_VAR_DIR=str(tmp_path),
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "True postgresql PostgreSQL",
        f"{tmp_path / 'postgres'} newsdesk",
        "'' off",  # a unix socket under var/ and no TCP port; JIT off as on any server
        "filesystem://",
        str(tmp_path / "celery" / "queue"),
    ]
    assert not server.socket.exists()


def test_an_empty_database_url_means_the_embedded_database():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.EMBEDDED_DATABASE)",
        DATABASE_URL="",
        DJANGO_ENV="development",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    "url", ["sqlite:///var/db.sqlite3", "mysql://user@127.0.0.1/newsdesk", "not a url"]
)
def test_a_database_url_that_is_not_postgresql_is_refused(url):
    result = manage("check", DATABASE_URL=url, DJANGO_ENV="development")
    assert result.returncode != 0
    assert "DATABASE_URL must name a PostgreSQL database" in result.stderr


def test_production_never_runs_on_the_embedded_database():
    result = manage("check", **production_env(DATABASE_URL=None))
    assert result.returncode != 0
    assert "DJANGO_ENV=production needs DATABASE_URL" in result.stderr


def test_every_environment_variable_the_settings_read_is_documented():
    settings_source = (ROOT / "newsdesk" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    assert {
        "DJANGO_ENV",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
    } <= read
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in read:
        assert re.search(rf"^#? ?{name}=", example, re.MULTILINE), f"{name} not in .env.example"
        assert f"`{name}`" in readme, f"{name} not in the README"


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """JIT-compiling an export's plan cost seconds before its first row (bench_api)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


# -- secure by default (issue 18, point 5) ---------------------------------------------------

SHOW_MODE = (
    "from django.conf import settings;"
    "print(settings.DJANGO_ENV, settings.DEBUG, settings.SECRET_KEY)"
)


def test_a_process_not_told_its_mode_runs_as_production_and_refuses_without_a_key():
    """Seen before the fix: with DJANGO_ENV unset the process ran with DEBUG on and the
    known development key."""
    result = manage("shell", "--no-imports", "-c", SHOW_MODE, DJANGO_ENV=None, SECRET_KEY=None)
    assert result.returncode != 0
    assert "DJANGO_ENV is not set, so this runs as production, which needs SECRET_KEY" in (
        result.stderr
    )
    assert "set DJANGO_ENV=development" in result.stderr


def test_a_process_not_told_its_mode_never_has_debug_or_the_development_key():
    result = manage("shell", "--no-imports", "-c", SHOW_MODE, **production_env(DJANGO_ENV=None))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", "False", PRODUCTION_KEY]


@pytest.mark.parametrize("mode", ["production", None])
def test_production_refuses_debug(mode):
    result = manage("check", **production_env(DJANGO_ENV=mode, DEBUG="true"))
    assert result.returncode != 0
    assert "DEBUG=true is refused: production never runs with DEBUG on" in result.stderr


def test_development_mode_is_only_ever_explicit():
    result = manage("shell", "--no-imports", "-c", SHOW_MODE, DJANGO_ENV="development")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["development", "True"]


@pytest.mark.parametrize("address", ["0.0.0.0:8799", "0:8799", "[::]:8799", "192.0.2.1:8799"])
def test_development_runserver_refuses_anything_but_loopback(address):
    result = manage("runserver", "--noreload", address, DJANGO_ENV="development")
    assert result.returncode != 0
    assert "Development mode (DJANGO_ENV=development) listens on loopback only" in result.stderr


def test_development_gunicorn_refuses_anything_but_loopback():
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-b", "0.0.0.0:8798", "newsdesk.wsgi"],
        cwd=ROOT,
        env=native_env(DJANGO_ENV="development"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "listens on loopback only, not on 0.0.0.0:8798" in result.stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),  # noqa: S104 - the address refused
        ("0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("example.org", False),
        ("", False),
    ],
)
def test_loopback_addresses(host, loopback):
    from newsdesk.loopback import is_loopback

    assert is_loopback(host) is loopback
