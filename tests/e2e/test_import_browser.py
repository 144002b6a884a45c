"""The import page in real headless Chromium, with a real worker: upload (with the native
inputs, or by dropping files and choosing a folder through the drop zone), watch the
progress bar fill through htmx polling, read the per-file results and what the first
pass found in each; and the error pages a user may meet. Screenshots at 1280x800 and
390x844 go to tests/e2e/screenshots/ (git-ignored) for a person to look at."""

import re

import pytest
from playwright.sync_api import Page, expect

from articles.models import Article, ImportFile
from newsdesk import roles
from tests.articles.test_import_folder import FOLDER
from tests.articles.test_import_worker import wait_for_first_pass
from tests.data import texts
from tests.e2e.screens import both_sizes as shots
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough test password"


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_admin_imports_files_and_watches_the_batch_finish(
    live_server, page: Page, celery_worker, tmp_path
):
    UserFactory(username="root", password=PASSWORD, role=roles.ADMIN)
    one = tmp_path / "one.txt"
    one.write_text(texts.ARTICLE_ONE, encoding="utf-8")
    same = tmp_path / "same.txt"
    same.write_text(texts.ARTICLE_ONE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")

    _log_in(page, live_server.url, "root")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import articles")).to_be_visible()
    page.get_by_label("Files").set_input_files([one, same, empty])
    page.get_by_label("Outlet (optional)").fill("Meridian Post")
    page.get_by_role("button", name="Import").click()

    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    # htmx swaps the panel in place until the batch is done: no reload needed.
    expect(page.get_by_role("heading", name="Progress: Done")).to_be_visible(timeout=30_000)
    progress = page.get_by_label("Files done")
    expect(progress).to_have_attribute("value", "3")
    expect(progress).to_have_attribute("max", "3")
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="one.txt")).to_contain_text("Imported")
    expect(rows.filter(has_text="same.txt")).to_contain_text("Duplicate")
    expect(rows.filter(has_text="empty.txt")).to_contain_text("The file is empty.")
    assert Article.objects.get().outlet.name == "Meridian Post"
    wait_for_first_pass(int(page.url.rstrip("/").rsplit("/", 1)[1]))


def test_analyst_is_refused_the_import_page(live_server, page: Page):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    _log_in(page, live_server.url, "ana")
    expect(page.get_by_role("link", name="Import", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Import articles")).to_have_count(0)
    response = page.goto(f"{live_server.url}/imports/")
    assert response.status == 403


def watch_console(page: Page) -> list[str]:
    """Page errors and console errors (a Content-Security-Policy refusal is one)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    return problems


# Drops these files on the zone as a person's drag and drop would: a DataTransfer with
# File objects, dispatched as dragenter, dragover and drop.
DROP = """([files]) => {
  const transfer = new DataTransfer();
  for (const [name, text] of files) {
    transfer.items.add(new File([text], name, {type: "text/plain"}));
  }
  const zone = document.querySelector("[data-drop-zone]");
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = {bubbles: true, cancelable: true, dataTransfer: transfer};
    zone.dispatchEvent(new DragEvent(type, init));
  }
}"""


def test_admin_drops_files_and_a_folder_and_reads_what_the_first_pass_found(
    live_server, page: Page, celery_worker, tmp_path
):
    for path, raw in FOLDER.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(raw)
    chosen = tmp_path / "chosen.txt"
    chosen.write_text(texts.reprint(texts.ARTICLE_ONE), encoding="utf-8")
    UserFactory(username="root", password=PASSWORD, role=roles.ADMIN)
    problems = watch_console(page)
    # Playwright turns on its interception of file choosers when a listener is added, and
    # does not wait for it: a key pressed at once can beat it, and Chromium then shows
    # (headless: cancels) its own chooser. A listener from the start has it on in time.
    page.on("filechooser", lambda chooser: None)
    _log_in(page, live_server.url, "root")
    page.goto(f"{live_server.url}/imports/")

    zone = page.get_by_role("button", name=re.compile("^Drop zone"))
    expect(zone).to_be_visible()
    # The zone stands in for the native inputs, which stay in the form, out of sight.
    expect(page.locator("form[data-import-form]")).to_have_class(re.compile("has-drop-zone"))
    shots(page, "import-drop-zone")

    page.evaluate(DROP, [[["three.txt", texts.ARTICLE_THREE], ["empty.txt", ""]]])
    listed = page.get_by_role("list", name="Chosen so far")
    expect(listed.get_by_role("listitem")).to_have_count(2)
    expect(listed.get_by_role("listitem").filter(has_text="three.txt")).to_contain_text(
        f"{len(texts.ARTICLE_THREE.encode())} bytes"
    )
    expect(listed.get_by_role("listitem").filter(has_text="empty.txt")).to_contain_text("0 bytes")

    # Enter on the zone opens the file chooser; what it chooses joins the list.
    zone.focus()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    assert chooser.value.is_multiple()
    chooser.value.set_files(chosen)
    # The folder button opens the folder chooser; its files keep their paths.
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Choose a folder…").click()
    chooser.value.set_files(tmp_path / "wire")
    expect(listed.get_by_role("listitem").filter(has_text="wire/sub/b.txt")).to_be_visible()
    # What the server will skip is said before the upload, as it will list it.
    expect(page.locator("[data-dropped-summary]")).to_have_text(
        "10 files chosen, 3.8 KB (1 folder): 5 files to import, 4 to be listed as skipped; "
        "the folder's manifest.csv is applied."
    )
    expect(listed.get_by_role("listitem").filter(has_text="wire/page.html")).to_contain_text(
        "not .txt or .zip: skipped"
    )
    shots(page, "import-dropped", full_page=True)

    page.get_by_role("button", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    batch_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.get_by_role("heading", name="Progress: Done")).to_be_visible(timeout=60_000)
    wait_for_first_pass(batch_id)
    page.reload()
    names = set(
        ImportFile.objects.filter(batch_id=batch_id).values_list("original_name", flat=True)
    )
    assert {"three.txt", "empty.txt", "chosen.txt", "wire/a.txt", "wire/sub/b.txt"} <= names
    assert Article.objects.get(title="River talks to reopen")  # the folder's manifest applied

    table = page.get_by_role("table")
    for name in ("three.txt", "wire/a.txt", "wire/sub/b.txt"):
        row = table.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))
        found = row.get_by_role("cell").last
        expect(found).to_contain_text(re.compile(r"\d+ entit"))
        expect(found).to_contain_text(re.compile(r"quote|No quotes"))
        expect(found).to_contain_text(re.compile(r"Story "))
        expect(found.get_by_role("link", name="Review in the reader")).to_be_visible()
    empty = table.get_by_role("row").filter(has=page.get_by_role("cell", name="empty.txt"))
    expect(empty.get_by_role("cell").last).to_have_text("Not imported")
    done, total = page.locator(".figures dd").first.inner_text().split(" / ")
    assert done == total == str(len(names))
    shots(page, "import-batch-summaries", full_page=True)
    assert problems == []


def test_error_pages_have_the_navigation_and_say_what_happened(
    live_server, page: Page, monkeypatch
):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    problems = watch_console(page)
    _log_in(page, live_server.url, "ana")

    response = page.goto(f"{live_server.url}/imports/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You may not open this page")).to_be_visible()
    expect(page.get_by_text("Importing articles is for admins")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    shots(page, "error-403")

    response = page.goto(f"{live_server.url}/articles/987654/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="There is no article 987654.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    shots(page, "error-404")

    def broken(*args, **kwargs):
        raise RuntimeError("a secret detail of the failure")

    # The live server runs in this process: the story page fails as a bug would.
    monkeypatch.setattr("annotations.views.stories.selectors.story_for_page", broken)
    response = page.goto(f"{live_server.url}/stories/1/")
    assert response.status == 500
    expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_text("secret detail")).to_have_count(0)
    shots(page, "error-500")

    # The console errors a failed page load logs are the status codes, not CSP refusals.
    assert [p for p in problems if "status of" not in p] == []
