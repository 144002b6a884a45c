"""docker-compose.yml is valid, wires the real stack together, and its web and worker
commands are the very ones the suite runs natively (tests/processes.py reads them)."""

import json
import re
from pathlib import Path

import jsonschema

from tests import processes

SCHEMA = processes.ROOT.parent / "shared" / "schemas" / "compose-spec.json"


def test_compose_file_is_valid_against_the_compose_specification():
    schema = json.loads(Path(SCHEMA).read_text(encoding="utf-8"))
    # The spec names draft-07 in a form jsonschema does not look up by itself.
    assert schema["$schema"].startswith("https://json-schema.org/draft-07/")
    validator = jsonschema.Draft7Validator(schema)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(processes.compose())
    ]
    assert errors == []


def test_compose_runs_the_five_services():
    assert set(processes.compose()["services"]) == {"db", "redis", "web", "worker", "beat"}


def test_database_is_postgresql_15_or_newer_with_a_volume_and_a_healthcheck():
    doc = processes.compose()
    db = doc["services"]["db"]
    image, _, tag = db["image"].partition(":")
    assert image == "postgres"
    assert int(re.match(r"\d+", tag).group()) >= 15
    volume = db["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data"
    assert volume[0] in doc["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_web_migrates_then_serves_with_gunicorn():
    command = processes.compose_command("web")
    assert command[:2] == ["sh", "-c"]
    steps = [step.strip() for step in command[2].split("&&")]
    assert steps == ["python manage.py migrate --noinput", "exec gunicorn newsdesk.wsgi"]


def test_worker_is_a_celery_worker_of_the_project_app():
    assert processes.compose_command("worker")[:4] == ["celery", "-A", "newsdesk", "worker"]


def test_beat_schedules_the_project_app_s_periodic_tasks_once():
    assert processes.compose_command("beat")[:4] == ["celery", "-A", "newsdesk", "beat"]
    beat = processes.compose()["services"]["beat"]
    assert beat["environment"]["DATABASE_URL"].startswith("postgres://")


def test_app_services_are_wired_to_the_database_and_broker_services():
    services = processes.compose()["services"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["DJANGO_ENV"] == "production"
        assert "@db:5432/" in env["DATABASE_URL"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), "no default production key"
        for dependency in ("db", "redis"):
            assert services[name]["depends_on"][dependency]["condition"] == "service_healthy"
    db_env = services["db"]["environment"]
    url = services["web"]["environment"]["DATABASE_URL"]
    assert url == (
        f"postgres://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}"
        f"@db:5432/{db_env['POSTGRES_DB']}"
    )
    # The web service runs the migrations, so workers wait until it is healthy.
    assert services["worker"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_suite_starts_its_processes_with_the_compose_commands():
    # tests/conftest.py's worker fixture, tests/e2e/test_production_web.py and
    # tests/annotations/test_beat_worker.py start exactly processes.compose_command("worker"),
    # ("web") and ("beat"); nothing else builds those commands.
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (processes.ROOT / "tests").rglob("*.py")
        if path.name != "test_compose.py"
    )
    assert 'processes.compose_command("worker")' in sources
    assert 'processes.compose_command("web")' in sources
    assert 'processes.compose_command("beat")' in sources
