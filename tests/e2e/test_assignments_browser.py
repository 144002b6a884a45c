"""Team work in real headless Chromium: a lead filters the article list to a story of four
articles, assigns them to two analysts (one each, half of them to both for calibration),
and analyst A finds their queue under My work and marks an article done from the
keyboard. Screenshots of the form, the lead's page and the queue at 1280x800 and 390x844
go to tests/e2e/screenshots/ (git-ignored) for a person to look at."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from annotations.models import Assignment, AssignmentRound
from newsdesk import roles
from tests.e2e.screens import both_sizes as shots
from tests.e2e.test_workbench_browser import PASSWORD, log_in
from tests.factories import ArticleFactory, OutletFactory, StoryFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TITLES = (
    "Talks on the grain corridor resume in Istanbul",
    "Ministers meet again over the Black Sea deal",
    "Grain exports: a third round of talks, and a deadline",
    "Ankara hosts the corridor talks for a second day",
)


def current(page: Page) -> str:
    """The queue's current article (the script focuses it and marks it is-current)."""
    return page.evaluate(
        "document.activeElement.classList.contains('is-current') && document.activeElement.id"
    )


def test_a_lead_assigns_a_selection_and_an_analyst_works_through_the_queue(live_server, page: Page):
    story = StoryFactory(label="Grain corridor talks")
    outlet = OutletFactory(name="Harbour Post")
    for title in TITLES:
        ArticleFactory(title=title, story=story, outlet=outlet)
    ArticleFactory(title="Elsewhere entirely")
    lead = UserFactory(username="lena", password=PASSWORD, role=roles.ANALYST)
    lead.groups.add(Group.objects.get(name=roles.LEAD))
    ana = UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    UserFactory(username="ben", password=PASSWORD, role=roles.ANALYST)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 800})

    # The lead filters the list to the story and assigns what it shows.
    log_in(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/?story={story.pk}")
    shots(page, "list-assign")
    page.get_by_role("link", name="Assign these 4 articles").click()
    expect(page.get_by_role("heading", name="Assign articles")).to_be_visible()
    expect(page.get_by_text("The selection holds 4 articles")).to_be_visible()
    page.get_by_role("checkbox", name="ana", exact=True).check()
    page.get_by_role("checkbox", name="ben", exact=True).check()
    page.get_by_label("Analysts per article", exact=True).fill("1")
    page.get_by_label("Share coded by more than one analyst (%)").fill("50")
    page.get_by_label("Seed").fill("7")
    page.get_by_label("Return unfinished work after (days)").fill("7")
    page.get_by_label("Label").fill("Grain, week 1")
    shots(page, "assign-form")
    page.get_by_role("button", name="Assign 4 articles").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Grain, week 1: 6 assignments over 4 articles (2 with overlap); none skipped."
    )
    round_ = AssignmentRound.objects.get()
    assert Assignment.objects.filter(round=round_).count() == 6
    per_analyst = {
        name: Assignment.objects.filter(round=round_, analyst__username=name).count()
        for name in ("ana", "ben")
    }
    assert per_analyst == {"ana": 3, "ben": 3}
    shots(page, "assignments-lead")
    page.get_by_role("button", name="Log out").click()

    # Analyst A: My work, three open articles; j moves down, d marks the current one done.
    log_in(page, live_server.url, "ana")
    page.get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    queue = page.get_by_role("list", name="Assigned articles").get_by_role("listitem")
    expect(queue).to_have_count(3)
    expect(page.get_by_text("0 of 3 articles done")).to_be_visible()
    shots(page, "my-work")
    assert current(page) == queue.first.get_attribute("id")
    page.keyboard.press("j")
    second = queue.nth(1)
    assert current(page) == second.get_attribute("id")
    title = second.get_by_role("heading").inner_text()
    page.keyboard.press("d")
    expect(page.get_by_role("status")).to_have_text(f"Marked done: {title}.")
    expect(page.get_by_text("1 of 3 articles done")).to_be_visible()
    done = Assignment.objects.get(analyst=ana, article__title=title)
    assert done.state == "done"
    assert done.history.first().history_user == ana
    # The queue goes on with the first open article; the done one is last, to reopen.
    assert current(page) == queue.first.get_attribute("id")
    expect(queue.last).to_contain_text(title)
    expect(queue.last.get_by_role("button", name="Reopen")).to_be_visible()

    # ? lists the shortcuts; Enter opens the current article.
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    first_title = queue.first.get_by_role("heading").inner_text()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/articles/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(first_title)
    page.go_back()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    shots(page, "my-work-done")
    assert not errors
