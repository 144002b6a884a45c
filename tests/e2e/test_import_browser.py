"""The import page in real headless Chromium, with a real worker: upload, watch the
progress bar fill through htmx polling, read the per-file results."""

import re

import pytest
from playwright.sync_api import Page, expect

from articles.models import Article
from newsdesk import roles
from tests.articles.test_import_worker import wait_for_first_pass
from tests.data import texts
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
