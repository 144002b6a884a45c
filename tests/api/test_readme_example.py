"""The README's incremental pull runs as written, against the live server: the first run
pulls everything, the next what was committed since, the one after that nothing."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import NoteFactory, QuoteFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_pull_fetches_what_changed_and_what_was_deleted(live_server, tmp_path):
    code = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)[1]
    assert "sync_token" in code
    assert "updated_since" not in code
    user = UserFactory(role="api-client", password=None)
    token = Token.objects.create(user=user)
    script = tmp_path / "pull.py"
    script.write_text(
        code.replace("<your token>", token.key).replace("http://127.0.0.1:8000", live_server.url),
        encoding="utf-8",
    )

    def run() -> list[tuple[str, str]]:
        result = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=tmp_path,  # where it keeps its tokens
        )
        assert result.returncode == 0, result.stderr
        return [tuple(line.split(" ", 1)) for line in result.stdout.splitlines()]

    first = QuoteFactory()
    NoteFactory().delete()
    pulled = run()
    assert [feed for feed, _ in pulled] == ["annotations", "deleted"]  # the quote; the note
    assert json.loads(pulled[0][1])["newsdesk"]["id"] == first.pk

    second = QuoteFactory()
    gone = NoteFactory()
    gone_id = gone.pk
    gone.delete()
    pulled = run()
    assert [feed for feed, _ in pulled] == ["annotations", "deleted"]
    assert json.loads(pulled[0][1])["newsdesk"]["id"] == second.pk
    assert json.loads(pulled[1][1])["object_id"] == gone_id
    assert run() == []
