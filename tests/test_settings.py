"""Run modes: settings come from the environment, production refuses to start unsafe."""

import re
import subprocess

import pytest

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


def test_embedded_default_is_sqlite_in_wal_mode_with_the_filesystem_broker(tmp_path):
    script = (
        "from django.conf import settings; from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode');"
        "print(settings.DATABASES['default']['NAME']);"
        "print(c.fetchone()[0]);"
        "print(settings.DATABASES['default']['OPTIONS']['transaction_mode']);"
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
        DJANGO_ENV=None,
        NEWSDESK_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        str(tmp_path / "db.sqlite3"),
        "wal",
        "IMMEDIATE",
        "filesystem://",
        str(tmp_path / "celery" / "queue"),
    ]


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

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
