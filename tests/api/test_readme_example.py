"""The README's incremental pull runs as written, against the live server."""

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
    assert len([line for line in code.splitlines() if line.strip()]) == 5
    user = UserFactory(role="api-client", password=None)
    token = Token.objects.create(user=user)
    QuoteFactory()
    NoteFactory().delete()
    script = (
        code.replace("<your token>", token.key)
        .replace("http://127.0.0.1:8000", live_server.url)
        .replace("2026-12-01T00:00:00Z", "2000-01-01T00:00:00Z")
    )
    script += (
        "\nprint(fresh.status_code, len(fresh.text.splitlines()), "
        "gone.status_code, len(gone.text.splitlines()))\n"
    )
    path = tmp_path / "pull.py"
    path.write_text(script, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "1", "200", "1"]  # the quote; the note's tombstone
