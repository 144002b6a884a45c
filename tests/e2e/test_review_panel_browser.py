"""Reviewing many suggestions at once in real headless Chromium, on a seed article: from
the freshly loaded reader, three keystrokes (j, Shift+A, Enter) accept every suggested
mention of one entity, and u undoes it; a single accept is undone the same way; the
panel's filter is the URL's and survives a reload. Screenshots of the panel filtered to
one entity's mentions and of the bulk confirmation, at 1280x800 and 390x844, go to
tests/e2e/screenshots/ (git-ignored) for a person to look at."""

import re

import pytest
from playwright.sync_api import Page, expect

from articles.models import Mention
from newsdesk import roles
from tests.e2e.test_workbench_browser import PASSWORD, item, log_in, shot
from tests.factories import UserFactory
from tests.seeds import import_seeds

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def review_states() -> dict[int, tuple]:
    """Every mention's review, in every article."""
    return {
        pk: (status, reviewer, reviewed_at)
        for pk, status, reviewer, reviewed_at in Mention.objects.values_list(
            "pk", "status", "reviewed_by__username", "reviewed_at"
        )
    }


def current_key(page: Page) -> str:
    return page.evaluate("document.querySelector('#panel .item.is-current')?.id ?? ''")


def test_three_keystrokes_accept_every_suggested_mention_of_an_entity(live_server, page: Page):
    seeds = import_seeds()
    article = seeds["000"]
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_load_state("load")  # the scripts are modules: deferred
    before = review_states()

    # 1: j, to the first suggestion in text order: a mention.
    page.keyboard.press("j")
    first = current_key(page)
    assert first.startswith("mention-"), f"the seed's first suggestion is {first}"
    entity = Mention.objects.select_related("entity").get(pk=first.split("-")[1]).entity
    wanted = set(
        Mention.objects.filter(article=article, entity=entity, status="suggested").values_list(
            "pk", flat=True
        )
    )
    assert len(wanted) >= 2, "the seed names this entity more than once"
    others = {pk for pk in before if pk not in wanted}
    assert Mention.objects.filter(pk__in=others, article=article, status="suggested").exists()
    panel = page.get_by_role("region", name="Annotations")
    # The current item is in view inside the panel, which takes about two fifths of the
    # width and scrolls on its own.
    box, card = panel.bounding_box(), item(page, first).bounding_box()
    assert box["y"] <= card["y"]
    assert card["y"] + card["height"] <= box["y"] + box["height"]
    assert 0.35 * 1280 <= box["width"] <= 0.45 * 1280

    # 2: Shift+A, every suggestion like this one: the panel filtered to them, and the
    # confirmation says how many and what.
    page.keyboard.press("Shift+A")
    expect(page).to_have_url(
        re.compile(rf"\?kind=mention&state=review&entity={entity.pk}$"), timeout=10_000
    )
    dialog = page.get_by_role(
        "dialog", name=f"Accept {len(wanted)} suggested mentions of {entity.name}?"
    )
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name=f"Accept {len(wanted)}")).to_be_focused()
    shown = page.locator("#panel .item")
    expect(shown).to_have_count(len(wanted))
    assert {
        int(key.split("-")[1]) for key in shown.evaluate_all("items => items.map(i => i.id)")
    } == wanted
    shot(page, "review-bulk-confirm")

    # 3: Enter confirms.
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status")).to_have_text(
        f"Accepted {len(wanted)} suggested mentions of {entity.name}. Press u to undo."
    )
    after = review_states()
    for pk in wanted:
        assert after[pk][:2] == ("confirmed", "ana"), pk
    assert {pk: after[pk] for pk in others} == {pk: before[pk] for pk in others}
    # The panel is back as it was (the filter was only the preview), every one of them
    # confirmed, and the review can be undone.
    expect(page).to_have_url(f"{live_server.url}/articles/{article.pk}/")
    expect(item(page, first)).to_contain_text("Suggested by the machine, confirmed by you")
    expect(panel).to_contain_text(
        f"You accepted {len(wanted)} suggested mentions of {entity.name}."
    )
    assert not errors

    # u undoes it: every one of them exactly as before.
    page.keyboard.press("u")
    expect(page.get_by_role("status")).to_contain_text(
        f"Undone: accepted {len(wanted)} suggested mentions of {entity.name}."
    )
    assert review_states() == before
    expect(item(page, first)).to_contain_text("Suggested by the machine")
    expect(item(page, first).get_by_role("button", name="Accept")).to_be_visible()

    # A shared link (or a reload) shows the same filter, with its counts.
    filtered = (
        f"{live_server.url}/articles/{article.pk}/?kind=mention&state=review&entity={entity.pk}"
    )
    page.goto(filtered)
    page.reload()
    page.wait_for_load_state("load")
    expect(shown).to_have_count(len(wanted))
    mentions_chip = panel.locator('a[data-filter="kind"][data-value="mention"]')
    expect(mentions_chip).to_have_attribute("aria-current", "true")
    expect(mentions_chip).to_contain_text(str(len(wanted)))
    expect(panel.get_by_label("Entity")).to_have_value(str(entity.pk))
    shot(page, "review-panel-filtered")

    # A single accept is undone the same way: j, a, u.
    page.keyboard.press("j")
    single = current_key(page)
    page.keyboard.press("a")
    expect(page.get_by_role("status")).to_have_text("Mention accepted.")
    assert review_states()[int(single.split("-")[1])][:2] == ("confirmed", "ana")
    page.keyboard.press("u")
    expect(page.get_by_role("status")).to_contain_text("Undone: accepted 1 suggested mention of")
    assert review_states() == before

    # f lets every entity through again (the current item's entity was the filter); the
    # filter chips and the menu apply without loading the page.
    page.keyboard.press("f")
    expect(page).to_have_url(re.compile(r"\?kind=mention&state=review$"))
    expect(panel).to_have_attribute("data-entity", "")  # the new panel is in
    page.evaluate("window.__still_here = true")
    panel.locator('a[data-filter="kind"][data-value=""]').click()
    expect(page).to_have_url(re.compile(r"\?state=review$"))
    expect(panel).to_have_attribute("data-kind", "")
    panel.get_by_label("Entity").select_option(str(entity.pk))
    expect(page).to_have_url(re.compile(rf"\?state=review&entity={entity.pk}$"))
    assert page.evaluate("window.__still_here") is True  # no page load
    page.keyboard.press("Shift+F")
    expect(page).to_have_url(f"{live_server.url}/articles/{article.pk}/")

    # Shift+R asks about the same suggestions; cancelled, nothing changes and the panel
    # is as it was.
    expect(panel).to_have_attribute("data-query", "?")
    page.keyboard.press("j")
    page.keyboard.press("Shift+R")
    reject = page.get_by_role("dialog", name=re.compile(r"^Reject \d+ suggested "))
    expect(reject).to_be_visible()
    page.keyboard.press("Escape")
    expect(reject).to_be_hidden()
    expect(page).to_have_url(f"{live_server.url}/articles/{article.pk}/")
    expect(panel).to_have_attribute("data-query", "?")
    assert review_states() == before
    assert not errors


def test_the_filtered_panel_and_the_confirmation_on_a_narrow_screen(live_server, page: Page):
    article = import_seeds()["000"]
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "ana")
    entity_id = (
        Mention.objects.filter(article=article, status="suggested")
        .order_by("start")
        .values_list("entity_id", flat=True)
        .first()
    )
    page.goto(
        f"{live_server.url}/articles/{article.pk}/?kind=mention&state=review&entity={entity_id}"
    )
    page.wait_for_load_state("load")
    panel = page.get_by_role("region", name="Annotations")
    text = page.get_by_role("region", name="Article text").bounding_box()
    # Stacked: the panel under the text, nothing wider than the screen.
    assert panel.bounding_box()["y"] >= text["y"] + text["height"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    panel.scroll_into_view_if_needed()
    shot(page, "review-panel-filtered-narrow")
    panel.get_by_role("button", name=re.compile(r"^Accept all \d+$")).click()
    dialog = page.locator("#bulk-confirm")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_contain_text("suggested mention")
    shot(page, "review-bulk-confirm-narrow")
    before = review_states()
    page.keyboard.press("Escape")  # cancelled: nothing reviewed
    expect(dialog).to_be_hidden()
    assert review_states() == before
