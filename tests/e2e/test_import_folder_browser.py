"""A folder chosen on the import page, in real headless Chromium with a real worker: its
files are imported under their paths in the folder, its manifest.csv is applied, and the
files it holds that are not articles are listed with the reason they were skipped.
Screenshots at 1280x800 and 390x844 go to tests/e2e/screenshots/ (git-ignored)."""

import re

import pytest
from playwright.sync_api import Page, expect

from articles.models import Article
from newsdesk import roles
from tests.articles.test_import_folder import FOLDER, SORTED
from tests.articles.test_import_worker import wait_for_first_pass
from tests.e2e.screens import both_sizes
from tests.e2e.test_workbench_browser import PASSWORD, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def shots(page: Page, name: str) -> None:
    """The whole page at both sizes; the narrow one must not scroll sideways."""
    both_sizes(page, name, full_page=True)


def test_a_folder_chosen_in_the_browser_keeps_its_paths_and_lists_what_it_skipped(
    live_server, page: Page, celery_worker, tmp_path
):
    for path, raw in FOLDER.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(raw)
    UserFactory(username="root", password=PASSWORD, role=roles.ADMIN)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # A Content-Security-Policy refusal (an inline script, say) is a console error.
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    log_in(page, live_server.url, "root")

    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("Or a folder").set_input_files(tmp_path / "wire")
    shots(page, "import-folder-chosen")
    page.get_by_role("button", name="Import").click()

    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    expect(page.get_by_role("heading", name="Progress: Done")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("manifest wire/manifest.csv")).to_be_visible()
    files = page.get_by_role("table")
    expect(files.get_by_role("caption")).to_have_text("6 files")
    for name, (status, error) in SORTED.items():
        row = files.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))
        shown = ("Failed", error) if status == "failed" else ("Imported", re.compile(r"\(#\d+\)"))
        # The last cell, what the first pass found: nothing for a file not imported.
        found = "Not imported" if status == "failed" else re.compile("entit|Queued for the first")
        expect(row.get_by_role("cell")).to_have_text([name, re.compile("bytes|KB"), *shown, found])
    # The manifest's title for a.txt; sub/b.txt keeps the title its text gives it.
    a = files.get_by_role("row").filter(has=page.get_by_role("cell", name="wire/a.txt"))
    expect(
        a.get_by_role("link", name=re.compile(r"^River talks to reopen \(#\d+\)"))
    ).to_be_visible()
    assert Article.objects.get(title="River talks to reopen").outlet.name == "Meridian Post"
    assert Article.objects.count() == 2
    shots(page, "import-folder-batch")
    assert problems == []
    wait_for_first_pass(int(page.url.rstrip("/").rsplit("/", 1)[1]))
