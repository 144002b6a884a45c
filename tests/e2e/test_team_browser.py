"""Team annotation end to end, in real headless Chromium: two analysts code the same
article blind (ana accepts the machine's quote, ben corrects its speaker), each reader
shows only its analyst's own work, both mark the article done; the lead finds it in the
adjudication queue, sees the disagreement on the speaker, settles it from the keyboard
with a reason (2: ben's version), and the gold quote, with ben's speaker, is what
`?layer=gold` in the API and `export_articles --layer gold` give. Screenshots of the
queue, the disagreement and the settled article at 1280x800 and 390x844 go to
tests/e2e/screenshots/ (git-ignored) for a person to look at."""

import io
import json
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from annotations.models import (
    AdjudicationDecision,
    Assignment,
    AssignmentMode,
    Quote,
    QuoteDecision,
)
from annotations.services.agreement import agreement_refresh
from articles.models import Origin
from newsdesk import roles
from tests.annotations.agreement_world import cast, coded_article, lead_user
from tests.e2e.screens import NARROW, WIDE
from tests.e2e.screens import both_sizes as shots
from tests.e2e.test_workbench_browser import PASSWORD, SHOTS, item, log_in
from tests.factories import ArticleFactory, EntityFactory, OutletFactory, QuoteFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BODY = (
    "Fishing ministers met in Brussels on Monday. Minister Ana Ortiz said the quota talks "
    "had stalled, and Senator Rui Prado told reporters the new limits were unfair to "
    "coastal towns."
)
WORDS = "the quota talks had stalled"
REASON = "Prado is the one quoted in the readout."


def blind_reader(page: Page, base: str, username: str, article) -> None:
    log_in(page, base, username)
    page.goto(f"{base}/articles/{article.pk}/")
    expect(page.locator(".assignment-banner")).to_contain_text("Blind coding.")


def mark_done(page: Page) -> None:
    page.locator(".assignment-banner").get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Marked done")
    page.get_by_role("button", name="Log out").click()


def test_two_blind_analysts_disagree_and_the_lead_settles_it_into_gold(
    live_server, page: Page, browser
):
    ortiz = EntityFactory(name="Ana Ortiz")
    EntityFactory(name="Rui Prado")
    article = ArticleFactory(
        title="Quota talks stall in Brussels", body=BODY, outlet=OutletFactory(name="Tide Wire")
    )
    machine = QuoteFactory(
        article=article, text=WORDS, speaker=ortiz, cue="said", kind="indirect",
        origin=Origin.MACHINE, status="suggested",
    )  # fmt: skip
    ana = UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    ben = UserFactory(username="ben", password=PASSWORD, role=roles.ANALYST)
    lead_user(username="lena", password=PASSWORD)
    for analyst in (ana, ben):
        Assignment.objects.create(article=article, analyst=analyst, mode=AssignmentMode.BLIND)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 800})
    base = live_server.url

    # ana accepts the machine's quote from the keyboard.
    blind_reader(page, base, "ana", article)
    page.locator("#article-text").focus()
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"quote-{machine.pk}"
    page.keyboard.press("a")
    expect(page.get_by_role("status")).to_have_text("Quote accepted.")
    assert QuoteDecision.objects.filter(quote=machine, analyst=ana, verdict="confirmed").exists()
    expect(item(page, f"quote-{machine.pk}")).to_contain_text(
        "Suggested by the machine, confirmed by you"
    )

    # ben, blind: the suggestion is still a suggestion for him (ana's decision is hers);
    # he corrects its speaker, which makes his own copy.
    other = browser.new_page(viewport={"width": 1280, "height": 800})
    other.on("pageerror", lambda error: errors.append(str(error)))
    blind_reader(other, base, "ben", article)
    card = item(other, f"quote-{machine.pk}")
    expect(card).to_contain_text("Suggested by the machine")
    expect(other.get_by_role("region", name="Annotations")).not_to_contain_text("ana")
    card.get_by_role("button", name="Edit").click()
    dialog = other.get_by_role("dialog", name="Edit quote")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Speaker").fill("Rui Prado")
    dialog.get_by_role("button", name="Save").click()
    expect(other.get_by_role("status")).to_have_text("Quote saved.")
    ben_copy = Quote.objects.get(article=article, created_by=ben)
    assert (ben_copy.speaker.name, ben_copy.exact) == ("Rui Prado", WORDS)
    expect(item(other, f"quote-{ben_copy.pk}")).to_contain_text("Rui Prado")
    # What ben sees coding blind: the banner, the suggestion and his own copy.
    other.screenshot(path=str(SHOTS / "reader-blind-wide.png"))
    other.set_viewport_size(NARROW)
    other.screenshot(path=str(SHOTS / "reader-blind-narrow.png"), full_page=True)
    other.set_viewport_size(WIDE)

    # Each sees only their own work: ana's reader has no trace of ben's copy.
    page.reload()
    expect(item(page, f"quote-{machine.pk}")).to_contain_text(
        "Suggested by the machine, confirmed by you"
    )
    expect(item(page, f"quote-{ben_copy.pk}")).to_have_count(0)
    expect(page.get_by_role("region", name="Annotations")).not_to_contain_text("Rui Prado")
    expect(page.get_by_role("region", name="Annotations")).not_to_contain_text("ben")

    # Both mark the article done.
    mark_done(page)
    mark_done(other)
    other.close()
    assert Assignment.objects.filter(article=article, done_at__isnull=False).count() == 2

    # The lead: Adjudicate in the navigation, the article in the queue.
    log_in(page, base, "lena")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Adjudicate").click()
    expect(page.get_by_role("heading", name="Adjudicate", level=1)).to_be_visible()
    row = page.locator(f"#queue-{article.pk}")
    expect(row).to_contain_text("Quota talks stall in Brussels")
    expect(row).to_contain_text("Tide Wire")
    expect(row.locator(".is-disagreed dd")).to_have_text("1")
    shots(page, "adjudication-queue")
    assert page.evaluate("document.activeElement.id") == f"queue-{article.pk}"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Quota talks stall in Brussels")).to_be_visible()

    # The disagreement: one unit, the speaker differs, ana 1 and ben 2 side by side.
    unit = page.locator("[data-unit][data-state=open]")
    expect(unit).to_have_count(1)
    expect(unit).to_contain_text("Differs: Speaker")
    versions = unit.get_by_role("listitem")
    expect(versions).to_have_count(2)
    expect(unit.get_by_role("listitem", name="ana’s version")).to_contain_text("Ana Ortiz")  # noqa: RUF001
    expect(unit.get_by_role("listitem", name="ben’s version")).to_contain_text("Rui Prado")  # noqa: RUF001
    expect(unit.locator(".differs-mark")).to_have_count(2)
    assert page.evaluate("document.activeElement.matches('[data-unit].is-current')")
    shots(page, "adjudication-disagreement")
    # The actions on a phone, and the edit form (e opens it, Esc closes it).
    page.set_viewport_size(NARROW)
    unit.locator(".settle-actions").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "adjudication-actions-narrow.png"))
    page.set_viewport_size(WIDE)
    unit.focus()
    page.keyboard.press("e")
    expect(unit.get_by_label("Start from")).to_be_focused()
    expect(unit.get_by_label("Speaker", exact=True)).to_have_value(str(ortiz.pk))
    page.screenshot(path=str(SHOTS / "adjudication-edit-wide.png"))
    page.keyboard.press("Escape")
    expect(unit.get_by_label("Start from")).to_be_hidden()
    assert page.evaluate("document.activeElement.matches('[data-unit].is-current')")

    # From the keyboard: ? the shortcuts, r the reason, Enter back to the unit, 2 ben's.
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    reason = unit.get_by_label("Reason")
    expect(reason).to_be_focused()
    page.keyboard.type(REASON)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.matches('[data-unit]')")
    page.keyboard.press("2")
    expect(page.locator(".all-settled")).to_contain_text("Every unit is settled")
    expect(page.locator(".messages")).to_have_text("Settled: picked.")
    settled = page.locator("[data-unit][data-state=settled]")
    expect(settled).to_contain_text("Picked ben's version by lena")
    expect(settled).to_contain_text(REASON)
    expect(settled.get_by_role("button", name="Reopen")).to_be_visible()
    expect(page.get_by_role("link", name="Next article in the queue").first).to_be_visible()
    settled.scroll_into_view_if_needed()
    shots(page, "adjudication-settled")

    decision = AdjudicationDecision.objects.get(article=article)
    assert (decision.how, decision.picked_analyst, decision.reason) == ("picked", ben, REASON)
    gold = decision.gold_quote
    assert (gold.origin, gold.speaker.name, gold.exact) == (Origin.GOLD, "Rui Prado", WORDS)
    assert decision.history.first().history_user.username == "lena"

    # The gold layer: the API (the lead's session) and the export.
    answer = page.request.get(f"{base}/api/v1/quotes/?layer=gold")
    assert answer.status == 200
    quotes = answer.json()["results"]
    assert [(q["id"], q["speaker"]["name"], q["origin"]) for q in quotes] == [
        (gold.pk, "Rui Prado", "gold")
    ]
    out = io.StringIO()
    call_command("export_articles", "--layer", "gold", stdout=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    exported = {r["id"]: r for r in records}[article.pk]
    assert [(q["id"], q["speaker"]["name"]) for q in exported["quotes"]] == [(gold.pk, "Rui Prado")]

    # The queue is empty now; n from the article goes back to it.
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(r"/adjudicate/$"))
    expect(page.get_by_text("Nothing to adjudicate")).to_be_visible()
    assert not errors


def test_a_lead_settles_an_article_from_the_keyboard(live_server, page: Page):
    """coded_article's six units: four to settle (in text order: a quote whose speaker
    and span differ, a stance whose polarity differs, a quote only bea has, and another),
    two agreed (merged by themselves, skipped by j and k)."""
    ana = UserFactory(username="ana", role=roles.ANALYST)
    bea = UserFactory(username="bea", role=roles.ANALYST)
    article = coded_article(ana, bea, cast())
    agreement_refresh(article_ids=[article.pk])
    lead_user(username="lena", password=PASSWORD)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/adjudicate/{article.pk}/")
    units = page.locator("[data-unit]")
    expect(units).to_have_count(6)
    expect(page.locator("[data-unit][data-state=agreed]")).to_have_count(2)
    ids = units.evaluate_all("units => units.map(u => u.id)")
    states = units.evaluate_all("units => units.map(u => u.dataset.state)")
    to_settle = [i for i, s in zip(ids, states, strict=True) if s == "open"]
    assert len(to_settle) == 4
    first, stance, only_bea, last = to_settle

    def current() -> str:
        return page.evaluate(
            "document.activeElement.matches('[data-unit].is-current') && document.activeElement.id"
        )

    # j and k move between the units to settle, over the agreed ones.
    assert current() == first
    for key, expected in (
        ("j", stance),
        ("j", only_bea),
        ("j", last),
        ("j", last),
        ("k", only_bea),
    ):
        page.keyboard.press(key)
        assert current() == expected, key

    # x: no gold unit; the page comes back at the next unit to settle.
    page.keyboard.press("x")
    expect(page.locator(f'[id="{only_bea}"]')).to_have_attribute("data-state", "settled")
    expect(page.locator(f'[id="{only_bea}"]')).to_contain_text("No gold unit by lena")
    assert current() == last
    # 1 is ana's version, which this unit lacks: nothing happens; 2 is bea's.
    page.keyboard.press("1")
    assert current() == last
    page.keyboard.press("2")
    expect(page.locator(f'[id="{last}"]')).to_have_attribute("data-state", "settled")
    # None after it: back to the first one still open.
    assert current() == first

    # e: an edited version of the first; the form says what it saves.
    page.keyboard.press("e")
    unit = page.locator(f'[id="{first}"]')
    unit.get_by_label("Cue").fill("met with")
    unit.get_by_label("Kind").select_option("mixed")
    unit.get_by_role("button", name="Save the edited version as gold").click()
    expect(unit).to_have_attribute("data-state", "settled")
    expect(unit).to_contain_text("Edited by lena")
    assert current() == stance
    page.keyboard.press("u")  # not settled: nothing to reopen
    assert current() == stance
    page.keyboard.press("1")
    expect(page.locator(".all-settled")).to_contain_text("Every unit is settled")

    # u reopens a settled unit: the dropped one is open again.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert current() == only_bea
    page.keyboard.press("u")
    expect(page.locator(f'[id="{only_bea}"]')).to_have_attribute("data-state", "open")
    assert current() == only_bea
    expect(page.locator(".messages")).to_have_text("Reopened: settle it again.")

    hows = sorted(
        AdjudicationDecision.objects.filter(article=article).values_list("how", flat=True)
    )
    assert hows == ["agreed", "agreed", "edited", "picked", "picked"]
    edited = AdjudicationDecision.objects.get(article=article, how="edited").gold_quote
    assert (edited.cue, edited.kind) == ("met with", "mixed")
    assert not errors
