"""What the first pass leaves for a person to see, in real headless Chromium: the import
page's lines taken out of the text and why, an entity page that says why two spellings
are one person, the article list's dates read from the text, and a story page, each at
1280x800 and 390x844 (tests/e2e/screenshots/, git-ignored, for a person to look at).

The demo samples are imported and extracted as `make run` does; the chrome comes from a
batch of pages written for tests/articles/test_ingest_recurring.py."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from annotations.services.statements import statements_link
from articles import services
from articles.models import Article, EntityJoin, ImportBatch
from articles.services.entities import entities_reconcile
from newsdesk import roles
from tests.articles.test_ingest_recurring import FURNITURE, TOPICS, page, story
from tests.e2e.screens import both_sizes as shots
from tests.e2e.test_workbench_browser import PASSWORD, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def first_pass(capsys) -> ImportBatch:
    call_command("demo")
    capsys.readouterr()
    ids = list(Article.objects.values_list("pk", flat=True))
    entities_reconcile(article_ids=ids)
    statements_link(article_ids=ids)
    pages = {f"harbour-{n}.txt": page(story(*topic), FURNITURE) for n, topic in enumerate(TOPICS)}
    pages["ferry-date.txt"] = (
        "Ferry timetable agreed\n\nThe island council agreed the new ferry timetable on "
        "Tuesday, March 3, 2026, after a vote of seven to two.\n\nThe first sailing under "
        "the new timetable leaves Port Edry at six in the morning."
    )
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes(name, text.encode()) for name, text in pages.items()],
        source=ImportBatch.Source.CLI,
        outlet_name="Quayside Wire",
        enqueue=False,
    )
    services.import_batch_process_pending(batch_id=batch.pk)
    return batch


def test_an_admin_sees_what_the_first_pass_removed_joined_and_dated(
    live_server, page: Page, first_pass
):
    UserFactory(username="root", password=PASSWORD, role=roles.ADMIN)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "root")

    # The import page: each file says which lines went as page chrome, and why.
    page.goto(f"{live_server.url}/imports/{first_pass.pk}/")
    expect(page.get_by_text("6 of 6 articles extracted.")).to_be_visible()
    first = page.get_by_role("row").filter(has_text="harbour-0.txt")
    removed = first.get_by_text("lines taken out of the text")
    expect(removed).to_be_visible()
    removed.click()
    expect(first.get_by_text(FURNITURE[1])).to_be_visible()
    expect(first).to_contain_text(
        "page chrome: recurs across the batch's or the outlet's other pages"
    )
    shots(page, "import-removed-lines")

    # An entity page explains each automatic join, with a way to undo it.
    join = EntityJoin.objects.select_related("entity").filter(entity__kind="PERSON").first()
    assert join is not None
    page.goto(f"{live_server.url}/entities/{join.entity_id}/")
    joins = page.get_by_role(
        "region", name=f"Why these spellings are one {join.entity.get_kind_display().lower()}"
    )
    expect(joins).to_contain_text(f"{join.joined_name} joined to {join.entity.name}")
    expect(joins).to_contain_text(join.reason)
    shots(page, "entity-joins")

    # The list marks a date read from the text; undated articles say so.
    page.goto(f"{live_server.url}/")
    dated = Article.objects.get(title="Ferry timetable agreed")
    assert dated.date_stated == "Tuesday, March 3, 2026"
    row = page.locator("li.row").filter(has=page.locator(f'a[href="/articles/{dated.pk}/"]'))
    expect(row).to_contain_text("3 Mar 2026 (from the text)")
    shots(page, "list-first-pass")

    # A story page of the samples, with its statements reported by several articles.
    story_id = Article.objects.exclude(story=None).values_list("story_id", flat=True).first()
    page.goto(f"{live_server.url}/stories/{story_id}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shots(page, "story-first-pass")
    assert not errors
