"""The Agreement page in real headless Chromium, for a lead: the figures, the jump to an
article's disagreements by keyboard, and a phone's width (390 px) without sideways
scrolling; screenshots in tests/e2e/screenshots/ (git-ignored) for a person to look at."""

import pytest
from playwright.sync_api import Page, expect

from tests.annotations.agreement_world import cast, coded_article, lead_user
from tests.e2e.screens import both_sizes as shots
from tests.e2e.test_workbench_browser import PASSWORD, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_lead_reads_agreement_and_reaches_the_disagreements(live_server, page: Page):
    a = UserFactory(username="ana", role="analyst")
    b = UserFactory(username="bea", role="analyst")
    people = cast()
    articles = [coded_article(a, b, people) for _ in range(3)]
    lead_user(username="lea", password=PASSWORD)

    log_in(page, live_server.url, "lea")
    page.get_by_role("link", name="Agreement").click()
    expect(page.get_by_role("heading", name="Agreement", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Per pair of analysts")).to_be_visible()
    shots(page, "agreement")

    link = page.locator(f'a[href="#disagreements-{articles[0].pk}"]')
    link.focus()
    page.keyboard.press("Enter")
    target = page.locator(f"#disagreements-{articles[0].pk}")
    expect(target).to_be_in_viewport()
    expect(target.get_by_text("absent").first).to_be_visible()
