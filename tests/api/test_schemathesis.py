"""The whole API against its own OpenAPI schema: schemathesis, every check, zero failures.

Runs the schemathesis command line against the live test server, signed in as an analyst
(who reads everything and writes annotations), over `world`'s annotated article. Every
check but `positive_data_acceptance`, which expects any schema-valid payload to be
accepted: ours refuse, by design, a span whose `exact` is not the text at its offsets, or
an entity id that does not exist, and the schema cannot say so. `DELETE
/api/v1/auth/token/` is left out because it would revoke the run's own token (tests of
its own cover it). A fixed seed keeps CI repeatable; the failures, if any, are printed.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.api.world import People, World
from tests.factories import polarity

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_the_api_keeps_to_its_openapi_schema(live_server, tmp_path, world: World, people: People):
    # The vocabulary comes from a migration, which a transactional test's flush removes.
    for slug in ("support", "oppose", "neutral", "mixed"):
        polarity(slug)
    token = Token.objects.get(user=people.users["analyst_a"])
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/v1/schema/",
            "--header",
            f"Authorization: Token {token.key}",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
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
    # With the assignments (7 operations), agreement (1), adjudications (5) and analysis (5).
    assert "Tested: 63" in summary, summary
    assert "failure" not in summary.splitlines()[-1], summary
