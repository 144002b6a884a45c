"""The analyst's workbench in real headless Chromium on the seed articles: search, read,
tag a quote and a stance by selecting text, review suggestions with the keyboard, and
see it all persisted; a second analyst may not edit the first one's items. Screenshots of
the list, the reader with its dialog, an entity page and a story page go to
tests/e2e/screenshots/ (git-ignored) for a person to look at."""

import re

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Quote, Stance
from articles.models import Article, Entity, Mention, ReviewStatus
from newsdesk import roles
from tests.e2e.screens import SHOTS
from tests.factories import UserFactory
from tests.seeds import import_seeds

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough test password"
QUOTED = "“China supports Russia’s demands for security guarantees,”"  # noqa: RUF001
TYPED = "The two leaders will meet in the Chinese capital on Friday"
EVIDENCE = "pursue deeper ties in the face of increasing criticism from the West"

# Selects `needle` inside the article text the way a drag would: a DOM Range over the
# text nodes of the region, whatever marks split them.
SELECT = """(needle) => {
  const region = document.getElementById('article-text');
  const full = region.textContent;
  const at = full.indexOf(needle);
  if (at < 0) throw new Error('not in the article: ' + needle);
  const end = at + needle.length;
  const walker = document.createTreeWalker(region, NodeFilter.SHOW_TEXT);
  let pos = 0, startNode, startOffset, endNode, endOffset;
  while (walker.nextNode()) {
    const node = walker.currentNode, length = node.data.length;
    if (!startNode && at < pos + length) { startNode = node; startOffset = at - pos; }
    if (!endNode && end <= pos + length) { endNode = node; endOffset = end - pos; break; }
    pos += length;
  }
  const range = document.createRange();
  range.setStart(startNode, startOffset);
  range.setEnd(endNode, endOffset);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


@pytest.fixture
def seeds() -> dict[str, Article]:
    return import_seeds()


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def item(page: Page, key: str):
    return page.get_by_role("region", name="Annotations").locator(f'[id="{key}"]')


def test_analyst_tags_reviews_and_finds_it_all_after_a_reload(
    live_server, page: Page, browser, seeds
):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    UserFactory(username="ben", password=PASSWORD, role=roles.ANALYST)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 800})
    article = seeds["000"]

    # Search the list and open a seed article.
    log_in(page, live_server.url, "ana")
    search = page.get_by_label("Search articles")
    search.fill("Ushakov security guarantees")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=Ushakov"))
    # The story is named after this article too: the reader's link is the one to it.
    link = page.get_by_role("link", name=article.title).and_(
        page.locator(f'a[href="/articles/{article.pk}/"]')
    )
    expect(link).to_be_visible()
    shot(page, "list")
    link.click()
    expect(page).to_have_url(f"{live_server.url}/articles/{article.pk}/")
    # The reader's script is deferred: a key pressed before it runs goes nowhere (a
    # loaded CI machine once pressed `q` too early).
    page.wait_for_load_state("load")
    text = page.get_by_role("region", name="Article text")
    expect(text).to_be_visible()
    assert text.text_content() == article.body  # the page holds the body, offset for offset
    panel = page.get_by_role("region", name="Annotations")
    expect(panel).to_be_visible()

    # Select a quoted sentence and tag it as a quote with a speaker.
    page.evaluate(SELECT, QUOTED)
    page.keyboard.press("q")
    dialog = page.get_by_role("dialog", name="Annotate selection")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Quote")).to_have_attribute("aria-pressed", "true")
    expect(dialog.locator("#annotate-exact")).to_have_text(QUOTED)
    dialog.get_by_label("Speaker").fill("Yury Ushakov")
    dialog.get_by_label("Cue").fill("added")
    shot(page, "reader-dialog")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status")).to_have_text("Quote saved.")
    quote = Quote.objects.get(article=article, created_by__username="ana")
    assert (quote.exact, quote.speaker.name, quote.cue) == (QUOTED, "Yury Ushakov", "added")
    assert article.body[quote.start : quote.end] == QUOTED
    expect(item(page, f"quote-{quote.pk}")).to_contain_text("Added by you")

    # Select the evidence and tag a stance: holder, target, polarity.
    page.evaluate(SELECT, EVIDENCE)
    page.keyboard.press("s")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Stance")).to_have_attribute("aria-pressed", "true")
    dialog.get_by_label("Holder").fill("Xi Jinping")
    dialog.get_by_label("Target").fill("Vladimir Putin")
    dialog.get_by_label("Polarity").select_option(label="Support")
    dialog.get_by_label("Note").fill("Ties framed against the West.")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Stance saved.")
    stance = Stance.objects.get(article=article, created_by__username="ana")
    assert (stance.holder.name, stance.target_entity.name, stance.polarity.slug) == (
        "Xi Jinping",
        "Vladimir Putin",
        "support",
    )
    assert stance.exact == EVIDENCE

    # Review with the keyboard: j to the first suggestion, a accepts it and moves on to the
    # next, r rejects that one.
    text.focus()
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.id")
    assert re.fullmatch(r"(quote|stance|mention)-\d+", first)
    page.keyboard.press("a")
    expect(page.get_by_role("status")).to_contain_text("accepted")
    expect(item(page, first)).not_to_have_attribute("data-suggested", "")
    second = page.evaluate("document.activeElement.id")
    assert second != first
    assert re.fullmatch(r"(quote|stance|mention)-\d+", second)
    page.keyboard.press("r")
    expect(page.get_by_role("status")).to_contain_text("rejected")
    assert not errors

    # A reload shows all of it, from the database.
    page.reload()
    expect(item(page, f"quote-{quote.pk}")).to_contain_text("Yury Ushakov")
    expect(item(page, f"stance-{stance.pk}")).to_contain_text("Xi Jinping")
    expect(item(page, f"stance-{stance.pk}")).to_contain_text("Xi Jinping supports Vladimir Putin")
    expect(item(page, first)).to_contain_text("Suggested by the machine, confirmed by you")
    expect(item(page, second)).to_contain_text("Suggested by the machine, rejected by you")
    model = {"quote": Quote, "stance": Stance, "mention": Mention}
    for key, status in ((first, ReviewStatus.CONFIRMED), (second, ReviewStatus.REJECTED)):
        kind, pk = key.split("-")
        row = model[kind].objects.get(pk=pk)
        assert (row.status, row.reviewed_by.username) == (status, "ana")
        assert row.history.first().history_user.username == "ana"  # recorded in history

    # Clicking an item flashes its span; hovering a span shows its item.
    item(page, f"stance-{stance.pk}").get_by_role("button", name="Show in text").click()
    mark = page.locator(f'#article-text [data-items~="stance-{stance.pk}"]').first
    expect(mark).to_have_class(re.compile(r"\bflash\b"))
    mark.hover()
    expect(item(page, f"stance-{stance.pk}")).to_have_class(re.compile(r"\bis-hovered\b"))

    # The entity page and the story page.
    item(page, f"quote-{quote.pk}").get_by_role("link", name="Yury Ushakov").click()
    expect(page.get_by_role("heading", name="Yury Ushakov", level=1)).to_be_visible()
    shot(page, "entity")
    page.goto(f"{live_server.url}/stories/{article.story_id}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    variants = page.get_by_role("heading", name="How each outlet reported the same words")
    variants.evaluate("heading => heading.scrollIntoView()")  # the variants fill the shot
    expect(page.locator("main ins").first).to_be_visible()  # a word-level difference
    shot(page, "story")

    # A second analyst sees ana's items with no edit or delete, and the API refuses them.
    other = browser.new_page(viewport={"width": 1280, "height": 800})
    log_in(other, live_server.url, "ben")
    other.goto(f"{live_server.url}/articles/{article.pk}/")
    for key in (f"quote-{quote.pk}", f"stance-{stance.pk}"):
        expect(item(other, key)).to_be_visible()
        expect(item(other, key).get_by_role("button", name="Edit")).to_have_count(0)
        expect(item(other, key).get_by_role("button", name="Delete")).to_have_count(0)
    answer = other.evaluate(
        """async (pk) => {
          const csrf = document.getElementById('reader-config').dataset.csrf;
          const response = await fetch(`/api/v1/stances/${pk}/`, {
            method: 'PATCH', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
            body: JSON.stringify({note: 'ben was here'}),
          });
          return response.status;
        }""",
        stance.pk,
    )
    assert answer == 403
    stance.refresh_from_db()
    assert stance.note == "Ties framed against the West."
    other.close()


def test_a_double_click_opens_nothing_q_tags_the_word_and_refusals_are_shown(
    live_server, page: Page, seeds
):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    article = seeds["000"]
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    # Double-click the word itself (the middle of a longer mark may be another word).
    box = page.evaluate(
        """(word) => {
          const text = document.getElementById('article-text');
          const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(word);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + word.length);
            range.startContainer.parentElement.scrollIntoView({block: 'center'});
            const rect = range.getBoundingClientRect();
            return {x: rect.x + rect.width / 2, y: rect.y + rect.height / 2};
          }
          return null;
        }""",
        "Olympic",
    )
    page.mouse.dblclick(box["x"], box["y"])
    dialog = page.get_by_role("dialog", name="Annotate selection")
    # A double-click selects the word (to copy it, say) and opens nothing: no menu, no form.
    assert page.evaluate("window.getSelection().toString()").strip() == "Olympic"
    page.wait_for_timeout(400)
    expect(page.get_by_role("toolbar", name="Tag the selected text")).to_be_hidden()
    expect(dialog).to_be_hidden()
    # q tags the word selected.
    page.keyboard.press("q")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#annotate-exact")).to_contain_text("Olympic")
    # A stance with no holder is refused in words, and nothing is stored.
    dialog.get_by_role("button", name="Stance").click()
    dialog.get_by_label("Target").fill("Beijing")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Holder")
    assert not Stance.objects.filter(created_by__isnull=False).exists()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # ? shows the shortcuts.
    page.locator("#article-text").focus()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")

    # Keyboard only: j to a suggested quote, e edits it, s tags a stance on its text.
    page.evaluate("window.getSelection().removeAllRanges()")
    for _ in range(60):
        page.keyboard.press("j")
        if page.evaluate("document.activeElement.id").startswith("quote-"):
            break
    key = page.evaluate("document.activeElement.id")
    quote = Quote.objects.get(pk=key.split("-")[1])
    page.keyboard.press("e")
    expect(page.get_by_role("dialog", name="Edit quote")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("s")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#annotate-exact")).to_have_text(quote.exact)
    # The quote's speaker is offered as the holder (and is an entity: no type asked).
    expect(dialog.get_by_label("Holder")).to_have_value(quote.speaker.name if quote.speaker else "")
    expect(dialog.locator("#f-holder-new")).to_be_hidden()
    dialog.get_by_label("Holder").fill(quote.speaker.name if quote.speaker else "Yury Ushakov")
    dialog.get_by_label("Target").fill("security guarantees")
    dialog.get_by_label("Polarity").select_option("support")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Stance saved.")
    stance = Stance.objects.get(created_by__isnull=False)
    assert (stance.quote_id, stance.exact, stance.target_text) == (
        quote.pk,
        quote.exact,
        "security guarantees",
    )

    # Keyboard only, nothing selected and no current item: the words are typed, and the
    # server finds them (or says why not, and stores nothing).
    page.reload()
    page.locator("#article-text").focus()
    page.keyboard.press("q")
    expect(dialog).to_be_visible()
    typed = dialog.get_by_label("Text to tag")
    expect(typed).to_be_focused()
    typed.fill("Olympic")  # more than once in the article
    dialog.get_by_label("Speaker").fill("Yury Ushakov")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("occurs")
    assert not Quote.objects.filter(created_by__isnull=False).exists()
    typed.fill(TYPED)
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Quote saved.")
    typed_quote = Quote.objects.get(created_by__isnull=False)
    assert article.body[typed_quote.start : typed_quote.end] == TYPED


def test_narrow_screen_stacks_the_panel_under_the_text(live_server, page: Page, seeds):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{seeds['001'].pk}/")
    text = page.get_by_role("region", name="Article text").bounding_box()
    panel = page.get_by_role("region", name="Annotations").bounding_box()
    assert panel["y"] >= text["y"] + text["height"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "reader-narrow")


def test_entities_keep_their_names_escaped_in_the_browser(live_server, page: Page, seeds):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    Entity.objects.filter(name="Yury Ushakov").update(name='<img src=x onerror="window.__xss=1">')
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{seeds['000'].pk}/")
    expect(page.get_by_role("region", name="Annotations")).to_contain_text("<img src=x")
    assert page.evaluate("window.__xss") is None
