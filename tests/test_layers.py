"""The layers hold (annotations -> articles -> the kit in newsdesk/), and the contracts
`make lint` runs would catch an import that breaks them: each is shown failing on a copy
of the tree with one forbidden import added."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("newsdesk", "articles", "annotations")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The three packages' Python files and the contracts, in a folder of their own."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "data"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        ("articles/models.py", "annotations.models", "articles never imports annotations"),
        ("articles/selectors/__init__.py", "annotations.selectors", "articles never imports"),
        ("newsdesk/roles.py", "articles.models", "The kit in newsdesk/ builds on neither app"),
        ("newsdesk/permissions.py", "annotations.models", "The kit in newsdesk/"),
        ("annotations/agreement/metrics.py", "annotations.models", "annotations.agreement is"),
        ("annotations/agreement/report.py", "articles.models", "annotations.agreement is"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tree, module, forbidden, contract):
    path = tree / module
    path.write_text(f"import {forbidden}  # noqa\n" + path.read_text())
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert any(line.startswith(contract) for line in broken), result.stdout
    assert forbidden in result.stdout
