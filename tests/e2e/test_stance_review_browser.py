"""The machine's stance suggestions in the reader, in real headless Chromium on a seed
article: shown as suggestions, reached with j, accepted with a, rejected with r and
corrected with e, each recorded with its reviewer. Screenshots at 1280x800 and 390x844
go to tests/e2e/screenshots/ (git-ignored) for a person to look at."""

import re

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Stance
from articles.models import Origin, ReviewStatus
from newsdesk import roles
from tests.e2e.test_workbench_browser import PASSWORD, item, log_in, shot
from tests.factories import UserFactory
from tests.seeds import import_seeds

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def to_next_stance(page: Page) -> str:
    """The current item if a review just moved on to a suggested stance (as a mail client
    moves on to the next message), else press j until one is current; its key."""
    for press in range(121):
        if press:
            page.keyboard.press("j")
        key = page.evaluate("document.activeElement.id")
        if key.startswith("stance-") and page.locator(f'[id="{key}"][data-suggested]').count():
            return key
    raise AssertionError("j never reached a suggested stance")


def stance_of(key: str) -> Stance:
    return Stance.objects.select_related("polarity", "reviewed_by").get(pk=key.split("-")[1])


def test_analyst_reviews_the_machines_stance_suggestions_with_the_keyboard(live_server, page: Page):
    article = import_seeds()["000"]
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    suggested = list(
        Stance.objects.filter(article=article, origin=Origin.MACHINE).order_by("start", "pk")
    )
    assert len(suggested) >= 3, "the seed article states at least three stances"
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{article.pk}/")

    # Shown as a suggestion: who, the polarity, on what, and the evidence marked.
    first = suggested[0]
    card = item(page, f"stance-{first.pk}")
    expect(card).to_contain_text("Suggested by the machine")
    expect(card).to_contain_text(first.holder.name)
    expect(card).to_contain_text(first.polarity.verb)
    expect(card.get_by_role("button", name="Accept")).to_be_visible()
    mark = page.locator(f'#article-text [data-items~="stance-{first.pk}"]').first
    expect(mark).to_have_class(re.compile(r"\bhl-stance-suggested\b"))
    card.scroll_into_view_if_needed()
    shot(page, "reader-stance-suggestions")

    # j reaches a stance, a accepts it.
    page.locator("#article-text").focus()
    accepted = to_next_stance(page)
    page.keyboard.press("a")
    expect(page.get_by_role("status")).to_have_text("Stance accepted.")
    expect(item(page, accepted)).to_contain_text("Suggested by the machine, confirmed by you")

    # The next one: r rejects it.
    rejected = to_next_stance(page)
    page.keyboard.press("r")
    expect(page.get_by_role("status")).to_have_text("Stance rejected.")
    expect(item(page, rejected)).to_contain_text("Suggested by the machine, rejected by you")

    # The next one: e corrects its polarity, which confirms it. (Two of the seed's stances
    # share one sentence: the review reaches both.)
    corrected = to_next_stance(page)
    assert len({accepted, rejected, corrected}) == 3
    page.keyboard.press("e")
    dialog = page.get_by_role("dialog", name="Edit stance")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Holder")).to_have_value(stance_of(corrected).holder.name)
    dialog.get_by_label("Polarity").select_option("mixed")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Stance saved.")
    assert not errors

    for key, status in (
        (accepted, ReviewStatus.CONFIRMED),
        (rejected, ReviewStatus.REJECTED),
        (corrected, ReviewStatus.CONFIRMED),
    ):
        row = stance_of(key)
        assert (row.status, row.reviewed_by.username) == (status, "ana")
        assert row.history.first().history_user.username == "ana"
    assert stance_of(corrected).polarity.slug == "mixed"

    # The narrow screen shows the reviewed stances under the text.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    item(page, accepted).scroll_into_view_if_needed()
    expect(item(page, accepted)).to_contain_text("Suggested by the machine, confirmed by you")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "reader-stance-narrow")
