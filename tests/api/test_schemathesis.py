"""The whole API against its own OpenAPI schema: schemathesis, every check, zero failures.

Runs the schemathesis command line against the live test server, signed in as an analyst
(who reads everything and writes annotations), over `world`'s annotated article, with
`--checks all`: the examples, coverage, fuzzing and stateful phases (the stateful one
follows the schema's links, newsdesk.api.link_rows, and those schemathesis infers: what a
POST creates, the GET, PATCH, DELETE, accept and reject of that id take, with its ETag;
half the time the writes name the world's article, entities and phrases, so that they
create). `DELETE /api/v1/auth/token/` is left out because it
would revoke the run's own token (tests of its own cover it). A fixed seed keeps CI
repeatable; the failures, if any, are printed.

`positive_data_acceptance` holds the schema to every refusal it can state (ids from 1,
no blank text, the formats of node keys and kinds). A few rules OpenAPI 3.0 cannot
state: BEYOND_THE_SCHEMA lists them, and on those operations alone a 400 is an expected
answer to schema-valid data. `sync_token` is a signed token the schema can only call a
string: the run sends a real one. Every other check runs unchanged on every operation.
"""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from newsdesk import sync
from newsdesk.throttling import ExportRateThrottle
from tests.api.world import BODY, People, World
from tests.factories import polarity

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")

# Why a schema-valid request may still be a 400, and the operations where it may.
BEYOND_THE_SCHEMA = {
    # A parameter that goes with another: `analyst` with layer=analyst, a network's
    # `normalization` with its `mode`, `relation` with `actors`.
    "parameters that go together": [
        "analysis_events_retrieve",
        "analysis_network_retrieve",
        "analysis_sources_retrieve",
        "analysis_stance_matrix_retrieve",
        "analysis_timeline_retrieve",
    ],
    # `layer` is the origin: both given must be the same.
    "layer and origin agree": ["annotations_list"],
    # A span's `exact` is the body's text at its offsets and `end` is past `start`; the
    # article, entity, speaker or quote named exists; speaker_start goes with speaker_end;
    # an entity's new name is no other entity's alias.
    "spans and the rows they name": [
        "entities_partial_update",
        "mentions_partial_update",
        "notes_create",
        "notes_partial_update",
        "quotes_create",
        "quotes_partial_update",
        "stances_create",
        "stances_partial_update",
        "entities_merge_create",
        # The suggestions a bulk review names are in its article, each listed once.
        "reviews_create",
    ],
    # A well-formed username and password of no account.
    "credentials that exist": ["auth_token_create"],
    # A name needs a letter or a digit (str.isalnum, in any script): a pattern for it would
    # read differently in Python's and in Rust's regular expressions.
    "a name with letters or digits": ["entities_create"],
}
STATEFUL_SCENARIOS = 150
# Text that is in the world's article once: a span that writes find.
PHRASES = ["Kremlin aide Yury Ushakov", "Foreign Minister Anna Keller", "welcomed the talks"]
assert all(BODY.count(phrase) == 1 for phrase in PHRASES)
# What positive_data_acceptance expects anywhere (its defaults), and 412: whether an
# If-Match ETag is the row's current one is not something a schema can say.
EXPECTED = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]


def toml_list(values) -> str:
    return "[" + ", ".join(json.dumps(value) for value in values) + "]"


def config(sync_token: str, world: World) -> str:
    """schemathesis.toml for the run."""
    quoted = ", ".join(f'"{status}"' for status in EXPECTED)
    entities = [world.ushakov.pk, world.keller.pk]
    dictionaries = {
        "articles": ([world.article.pk], ["article"]),
        "entities": (entities, ["speaker", "holder", "target", "entity", "into"]),
        "polarities": (["support", "oppose", "neutral"], ["polarity"]),
        "phrases": (PHRASES, ["exact"]),
    }
    lines = [
        "[checks.positive_data_acceptance]",
        f"expected-statuses = [{quoted}]",
        "[phases.stateful.generation]",
        f"max-examples = {STATEFUL_SCENARIOS}",
    ]
    for name, (values, _) in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {toml_list(values)}"]
    lines += ["[parameters]", f'"query.{sync.PARAMETER}" = "{sync_token}"']
    for name, (_, fields) in dictionaries.items():
        for field in fields:
            lines.append(f'"body.{field}" = {{ dictionary = "{name}", probability = 0.5 }}')
    for reason, operations in BEYOND_THE_SCHEMA.items():
        ids = ", ".join(f'"{operation}"' for operation in operations)
        lines += [
            f"# {reason}",
            "[[operations]]",
            f"include-operation-id = [{ids}]",
            f'checks.positive_data_acceptance.expected-statuses = [{quoted}, "400"]',
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def quick_live_server(live_server, monkeypatch):
    """The live server, answering without Nagle's delay. Django's test server sends a
    response's headers and its body in two writes; on a kept-alive connection the second
    waits for the client's delayed acknowledgement of the first, 40 ms a request, which
    made this test five minutes instead of one."""
    server = live_server.thread.httpd
    accept = server.get_request

    def get_request():
        connection, address = accept()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    monkeypatch.setattr(server, "get_request", get_request)
    # Schemathesis asks for exports far faster than a client may (60 a minute per token):
    # the limit is tested in test_export_hardening, the exports' logic here.
    monkeypatch.setattr(ExportRateThrottle, "THROTTLE_RATES", {"export": "1000000/min"})
    return live_server


def test_the_api_keeps_to_its_openapi_schema(
    quick_live_server, tmp_path, world: World, people: People
):
    # The vocabulary comes from a migration, which a transactional test's flush removes.
    for slug in ("support", "oppose", "neutral", "mixed"):
        polarity(slug)
    token = Token.objects.get(user=people.users["analyst_a"])
    pull = people.client("analyst_a").get("/api/v1/articles/")
    (tmp_path / "schemathesis.toml").write_text(config(pull[sync.HEADER], world))
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{quick_live_server.url}/api/v1/schema/",
            "--header",
            f"Authorization: Token {token.key}",
            "--checks",
            "all",
            "--exclude-operation-id",
            "auth_token_destroy",
            "--max-examples",
            "10",
            "--seed",
            "20261202",
            "--generation-database",
            "none",
            "--workers",
            "1",
            "--no-color",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = result.stdout[result.stdout.find("SUMMARY") :]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # With the assignments (7 operations), agreement (1), adjudications (5), analysis (5)
    # the nd: vocabulary (1), and reviews (2: many at once, undo).
    assert "Tested: 66" in summary, summary
    assert "✅ Stateful" in summary, summary
    assert "failure" not in summary.splitlines()[-1], summary
