"""The W3C Web Annotation checker of ../shared/tools (check_w3c_annotation.py), run as
it is on documents the tests write out."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

CHECKER = Path(__file__).resolve().parents[3] / "shared" / "tools" / "check_w3c_annotation.py"


def w3c_check(document, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The checker's run over `document` (an annotation, a list of them or a page)."""
    if not CHECKER.is_file():
        pytest.skip(f"{CHECKER} is missing")
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(CHECKER), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
