"""The reader as a review tool, in real headless Chromium on a seed article: each quote's
speaker labelled at the quote (leading to where the text names them), hovered or focused
marks bringing their items into view in the panel, a small menu beside a selection (mouse
or Shift + arrows), a double-click that opens nothing, and a form that always fits the
window and asks for a new entity's type only when a name is not an entity yet, next to its
field. Screenshots at 1280x800 and 390x844 go to tests/e2e/screenshots/ (git-ignored)."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from annotations.models import Note, Quote, Stance
from articles.models import Article, Entity, Mention, Origin
from newsdesk import roles
from tests.e2e.test_workbench_browser import PASSWORD, item, log_in, shot
from tests.factories import EntityFactory, QuoteFactory, UserFactory
from tests.seeds import import_seeds

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}

# The viewport box of the character at `offset` of the article text (the region's text is
# the body, offset for offset), scrolled to the middle of the window first if `scroll`.
CHAR_BOX = """([offset, scroll]) => {
  const region = document.getElementById('article-text');
  const walker = document.createTreeWalker(region, NodeFilter.SHOW_TEXT);
  let pos = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (offset < pos + node.data.length) {
      const range = document.createRange();
      range.setStart(node, offset - pos);
      range.setEnd(node, offset - pos + 1);
      if (scroll) {
        const at = range.getClientRects()[0];
        window.scrollBy(0, at.y - window.innerHeight / 2);
      }
      const r = range.getClientRects()[0];
      return {x: r.x, y: r.y, width: r.width, height: r.height};
    }
    pos += node.data.length;
  }
  throw new Error('no character at ' + offset);
}"""

# The boxes of the page's current selection, one per line.
SELECTION_BOXES = """() => {
  const s = window.getSelection();
  if (!s.rangeCount || s.isCollapsed) return [];
  return [...s.getRangeAt(0).getClientRects()]
    .filter((r) => r.width > 0 && r.height > 0)
    .map((r) => ({x: r.x, y: r.y, width: r.width, height: r.height}));
}"""


@pytest.fixture
def article() -> Article:
    return import_seeds()["000"]


@pytest.fixture
def analyst():
    return UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)


def drag_select(page: Page, start: int, end: int) -> None:
    """A real mouse drag from the first character of body[start:end] to its last."""
    page.evaluate(CHAR_BOX, [start, True])
    first = page.evaluate(CHAR_BOX, [start, False])
    last = page.evaluate(CHAR_BOX, [end - 1, False])
    page.mouse.move(first["x"] + 1, first["y"] + first["height"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + last["width"] / 2, last["y"] + last["height"] / 2, steps=8)
    page.mouse.move(last["x"] + last["width"] - 0.5, last["y"] + last["height"] / 2, steps=2)
    page.mouse.up()


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def inside_window(page: Page, box: dict) -> bool:
    size = page.viewport_size
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


def in_view_of(element: Locator, container: Locator) -> bool:
    inner, outer = element.bounding_box(), container.bounding_box()
    return inner["y"] >= outer["y"] - 1 and inner["y"] + inner["height"] <= (
        outer["y"] + outer["height"] + 1
    )


def wait_until(page: Page, check, message: str, timeout_ms: int = 5000) -> None:
    for _ in range(timeout_ms // 100):
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError(message)


def test_each_quote_shows_its_speaker_at_the_quote_and_leads_to_the_speaker(
    live_server, page: Page, article, analyst
):
    placed = (
        Quote.objects.filter(article=article, speaker__isnull=False, speaker_start__isnull=False)
        .select_related("speaker")
        .order_by("start")
        .first()
    )
    assert placed is not None, "the seed article has a quote with a speaker span"
    # A quote whose speaker the text never names, and one whose speaker nobody knows.
    stranger = EntityFactory(name="Unnamed Official", kind="PERSON")
    assert not Mention.objects.filter(article=article, entity=stranger).exists()
    last_dot = article.body.rindex(".")
    sentence_start = article.body.rindex(".", 0, last_dot) + 1
    while article.body[sentence_start].isspace():
        sentence_start += 1
    unplaced = QuoteFactory(
        article=article,
        start=sentence_start,
        end=last_dot,
        speaker=stranger,
        origin=Origin.ANALYST,
        created_by=analyst,
    )
    first_dot = article.body.index(".")
    unknown = QuoteFactory(
        article=article, start=0, end=first_dot, speaker=None, created_by=analyst
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_load_state("load")
    text = page.get_by_role("region", name="Article text")
    # The labels add no character to the text: every offset still points into the body.
    assert text.text_content() == article.body

    # The label sits at the quote, just before its first character, and says who.
    label = text.locator(f'.speaker-label[data-quote="quote-{placed.pk}"]')
    expect(label).to_be_visible()
    expect(label).to_have_attribute("data-label", placed.speaker.name)
    assert (
        page.evaluate("(el) => getComputedStyle(el, '::before').content", label.element_handle())
        == f'"{placed.speaker.name}"'
    )
    expect(label).to_have_accessible_name(
        f"Quote by {placed.speaker.name}: show where the text names them"
    )
    first_piece = text.locator(f'[data-items~="quote-{placed.pk}"]').first
    label_box = label.bounding_box()
    line = first_piece.evaluate(
        "el => { const r = el.getClientRects()[0]; return {x: r.x, y: r.y, height: r.height}; }"
    )
    # On the quote's first line, ending where the quote's first character begins.
    label_middle = label_box["y"] + label_box["height"] / 2
    assert line["y"] <= label_middle <= line["y"] + line["height"]
    assert 0 <= line["x"] - (label_box["x"] + label_box["width"]) <= 12
    shot(page, "reader-speaker-labels")

    # Following it flashes and focuses the words that name the speaker.
    label.click()
    named = text.locator(f'[data-speaker-of~="quote-{placed.pk}"]')
    expect(named.first).to_have_class(re.compile(r"\bflash\b"))
    expect(named.first).to_be_focused()
    spoken = "".join(named.all_text_contents())
    assert spoken == article.body[placed.speaker_start : placed.speaker_end]
    assert page.evaluate("window.location.pathname") == f"/articles/{article.pk}/"

    # A speaker the text does not name: the label opens the speaker's page.
    unplaced_label = text.locator(f'.speaker-label[data-quote="quote-{unplaced.pk}"]')
    expect(unplaced_label).to_have_attribute("href", f"/entities/{stranger.pk}/")
    expect(unplaced_label).to_have_accessible_name(
        "Quote by Unnamed Official: not named in the text: open their page"
    )
    # Nobody: said so, in words a screen reader reads too, and no link.
    unknown_label = text.locator(f'.speaker-label[data-quote="quote-{unknown.pk}"]')
    expect(unknown_label).to_have_attribute("data-label", "speaker unknown")
    assert unknown_label.evaluate("el => el.tagName") == "SPAN"
    # Rejected quotes are not labelled: the machine was wrong about them.
    rejected = Quote.objects.filter(article=article, status="rejected").values_list("pk", flat=True)
    for pk in rejected:
        expect(text.locator(f'.speaker-label[data-quote="quote-{pk}"]')).to_have_count(0)

    # A selection made with the mouse after a label is stored at the right offsets.
    start = placed.start + 1
    end = min(placed.end, start + 40)
    while article.body[end - 1].isspace():
        end -= 1
    drag_select(page, start, end)
    pop = page.get_by_role("toolbar", name="Tag the selected text")
    expect(pop).to_be_visible()
    pop.get_by_role("button", name="Note").click()
    dialog = page.get_by_role("dialog", name="Annotate selection")
    expect(dialog.locator("#annotate-exact")).to_have_text(article.body[start:end])
    dialog.get_by_label("Note").fill("Selected after a speaker label.")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Note saved.")
    note = Note.objects.get(article=article, text="Selected after a speaker label.")
    assert (note.start, note.end) == (start, end)
    assert article.body[note.start : note.end] == note.exact == article.body[start:end]
    assert not errors


def test_hovering_or_focusing_marked_text_brings_its_items_into_view_in_the_panel(
    live_server, page: Page, article, analyst
):
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_load_state("load")
    panel = page.get_by_role("region", name="Annotations")
    text = page.get_by_role("region", name="Article text")
    # No native tooltip: the marks describe their items to assistive technology instead.
    assert text.locator("[title]").count() == 0
    first = text.locator("[data-items][tabindex='0']").first
    assert "Quote by" in (first.get_attribute("aria-description") or "") or (
        "Mention of" in (first.get_attribute("aria-description") or "")
    )
    # The last quote of the article: its item is far down the panel, out of its view.
    last = Quote.objects.filter(article=article).exclude(status="rejected").order_by("-start")[0]
    card = item(page, f"quote-{last.pk}")
    assert not in_view_of(card, panel)
    mark = text.locator(f'[data-items~="quote-{last.pk}"]').first
    mark.scroll_into_view_if_needed()
    page_scroll = page.evaluate("window.scrollY")
    mark.hover()
    expect(card).to_have_class(re.compile(r"\bis-hovered\b"))
    wait_until(page, lambda: in_view_of(card, panel), "the hovered quote's card came into view")
    assert page.evaluate("window.scrollY") == page_scroll  # the panel scrolled, not the page
    page.mouse.move(2, 2)
    expect(card).not_to_have_class(re.compile(r"\bis-hovered\b"))

    # Keyboard: Tab from a quote's speaker label reaches the quote's first mark, and focus
    # does what hover does.
    first_quote = (
        Quote.objects.filter(article=article).exclude(status="rejected").order_by("start")[0]
    )
    panel.evaluate("panel => { panel.scrollTop = panel.scrollHeight; }")
    card = item(page, f"quote-{first_quote.pk}")
    assert not in_view_of(card, panel)
    text.locator(f'.speaker-label[data-quote="quote-{first_quote.pk}"]').focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.items || ''")
    assert f"quote-{first_quote.pk}" in focused.split()
    expect(card).to_have_class(re.compile(r"\bis-hovered\b"))
    wait_until(page, lambda: in_view_of(card, panel), "the focused quote's card came into view")


def test_a_selection_shows_a_small_menu_beside_it_and_a_double_click_opens_nothing(
    live_server, page: Page, article, analyst
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The menu is placed through the CSSOM, which the Content-Security-Policy allows (a
    # style attribute would be refused and logged).
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_load_state("load")
    text = page.get_by_role("region", name="Article text")
    pop = page.get_by_role("toolbar", name="Tag the selected text")
    dialog = page.get_by_role("dialog", name="Annotate selection")

    # A double-click selects a word (to copy it) and opens nothing.
    word = "Olympic"
    at = article.body.index(word)
    box = page.evaluate(CHAR_BOX, [at + 2, True])
    page.mouse.dblclick(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.evaluate("window.getSelection().toString()").strip() == word
    page.wait_for_timeout(400)
    expect(pop).to_be_hidden()
    expect(dialog).to_be_hidden()
    # A triple click (a paragraph) neither.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, click_count=3)
    page.wait_for_timeout(400)
    expect(pop).to_be_hidden()
    expect(dialog).to_be_hidden()
    # Nor a key typed with Shift (?) while text is selected.
    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()
    page.wait_for_timeout(300)
    expect(pop).to_be_hidden()

    # A drag shows the menu beside the selection, never on it, and inside the window.
    sentence = "pursue deeper ties in the face of increasing criticism from the West"
    start = article.body.index(sentence)
    drag_select(page, start, start + len(sentence))
    expect(pop).to_be_visible()
    selection = page.evaluate(SELECTION_BOXES)
    assert selection
    menu = pop.bounding_box()
    assert not any(overlaps(menu, line) for line in selection)
    assert inside_window(page, menu)
    nearest = min(
        min(abs(menu["y"] - (b["y"] + b["height"])), abs(b["y"] - (menu["y"] + menu["height"])))
        for b in selection
    )
    assert nearest <= 12  # next to it
    assert menu["width"] < 320
    assert menu["height"] < 60
    for name, key in (("Quote", "q"), ("Stance", "s"), ("Note", "n")):
        expect(pop.get_by_role("button", name=name, exact=True)).to_have_attribute(
            "aria-keyshortcuts", key
        )
    shot(page, "reader-popover")

    # Escape closes it; focus stays on the text, without a frame round the whole article.
    page.keyboard.press("Escape")
    expect(pop).to_be_hidden()
    region_outline = text.evaluate("el => getComputedStyle(el).outlineStyle")
    assert region_outline == "none"
    expect(dialog).to_be_hidden()

    # Keyboard: click in the text, Shift + arrows select, Tab reaches the menu, arrows move
    # along it, Escape goes back to the text with the selection kept.
    start = article.body.index("Olympic")
    box = page.evaluate(CHAR_BOX, [start, True])
    page.mouse.click(box["x"] + 0.5, box["y"] + box["height"] / 2)
    for _ in range(len("Olympic")):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("window.getSelection().toString()") == "Olympic"
    expect(pop).to_be_visible()
    page.keyboard.press("Tab")
    expect(pop.get_by_role("button", name="Quote")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(pop.get_by_role("button", name="Stance")).to_be_focused()
    page.keyboard.press("Escape")
    expect(pop).to_be_hidden()
    active = page.evaluate(
        "(() => { const a = document.activeElement;"
        " return {inText: Boolean(a.closest('#article-text')),"
        " outline: getComputedStyle(a).outlineStyle, region: a.id === 'article-text'}; })()"
    )
    assert active["inText"]
    assert not (active["region"] and active["outline"] != "none")
    assert page.evaluate("window.getSelection().toString()") == "Olympic"
    # Tab again, then Enter on Stance opens the form on the selection.
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowLeft")
    expect(pop).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Stance")).to_have_attribute("aria-pressed", "true")
    expect(dialog.locator("#annotate-exact")).to_have_text("Olympic")
    expect(dialog.get_by_label("Holder")).to_be_focused()
    # Escape: closed, the selection back, focus on the text with no frame round it all.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # The selection is put back as the dialog's close settles (a frame later).
    wait_until(
        page,
        lambda: page.evaluate("window.getSelection().toString()") == "Olympic",
        "the selection came back after Escape",
    )
    assert page.evaluate("document.activeElement.closest('#article-text') !== null")
    assert text.evaluate("el => getComputedStyle(el).outlineStyle") == "none"
    assert not errors


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["1280x800", "390x844"])
def test_the_stance_form_fits_the_window_and_asks_a_new_entitys_type_next_to_its_field(
    live_server, page: Page, article, analyst, size
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size(size)
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_load_state("load")
    if size == NARROW:
        # The speaker labels on a phone: at the quotes, inside the text column.
        label = page.locator("#article-text a.speaker-label").nth(2)
        label.evaluate("el => el.scrollIntoView({block: 'center'})")
        assert inside_window(page, label.bounding_box())
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, "reader-speaker-labels-narrow")
    sentence = "pursue deeper ties in the face of increasing criticism from the West"
    start = article.body.index(sentence)
    drag_select(page, start, start + len(sentence))
    pop = page.get_by_role("toolbar", name="Tag the selected text")
    expect(pop).to_be_visible()
    assert inside_window(page, pop.bounding_box())
    if size == NARROW:
        shot(page, "reader-popover-narrow")
    pop.get_by_role("button", name="Stance").click()
    dialog = page.get_by_role("dialog", name="Annotate selection")
    expect(dialog).to_be_visible()
    holder, target = dialog.get_by_label("Holder"), dialog.get_by_label("Target")
    holder_new, target_new = dialog.locator("#f-holder-new"), dialog.locator("#f-target-new")
    expect(holder_new).to_be_hidden()
    expect(target_new).to_be_hidden()
    # The form says which is which, as a sentence.
    reads = dialog.locator("#f-stance-reads")
    expect(reads).to_have_text(re.compile(r"\(holder\).*\(target\)"))

    # An existing entity (by its name) asks for no type, even after the lookup.
    existing = Entity.objects.get(name="Xi Jinping")
    holder.fill(existing.name)
    page.wait_for_timeout(700)
    expect(holder_new).to_be_hidden()
    # A name that is not an entity: its type is asked for right under the holder's field.
    holder.fill("Zorblax Quenterovich")
    expect(holder_new).to_be_visible()
    expect(holder_new).to_contain_text("“Zorblax Quenterovich” is not an entity yet")
    expect(target_new).to_be_hidden()
    h_field, h_row = holder.bounding_box(), holder_new.bounding_box()
    assert 0 <= h_row["y"] - (h_field["y"] + h_field["height"]) < 80
    dialog.locator("#f-holder-kind").select_option("ORG")
    # The target: not an entity either; by default kept as a topic, its own choice.
    target.fill("deeper ties with Moscow")
    expect(target_new).to_be_visible()
    expect(dialog.get_by_label("Keep this name as")).to_have_value("")
    t_field, t_row = target.bounding_box(), target_new.bounding_box()
    assert 0 <= t_row["y"] - (t_field["y"] + t_field["height"]) < 80
    expect(reads).to_contain_text("Zorblax Quenterovich (holder)")
    expect(reads).to_contain_text("deeper ties with Moscow (target)")
    dialog.get_by_label("Note").fill("A long note.\n" * 6)
    # Picking an existing entity hides the row again.
    target.fill(existing.name)
    expect(target_new).to_be_hidden()
    target.fill("deeper ties with Moscow")
    expect(target_new).to_be_visible()

    # The whole form, and its Save button, inside the window, without scrolling the page.
    scroll = page.evaluate("window.scrollY")
    box = dialog.bounding_box()
    assert inside_window(page, box), box
    save = dialog.get_by_role("button", name="Save")
    save_box = save.bounding_box()
    assert inside_window(page, save_box), save_box
    assert save.evaluate(
        "b => { const r = b.getBoundingClientRect();"
        " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b; }"
    )
    # The fields scroll inside the form when they are taller than the window.
    body = dialog.locator(".dialog-body")
    if body.evaluate("b => b.scrollHeight > b.clientHeight"):
        assert body.evaluate("b => getComputedStyle(b).overflowY") == "auto"
    shot(page, "reader-stance-form" + ("-narrow" if size == NARROW else ""))
    assert page.evaluate("window.scrollY") == scroll

    save.click()
    expect(page.get_by_role("status")).to_have_text("Stance saved.")
    stance = Stance.objects.select_related("holder").get(created_by__username="ana")
    assert (stance.holder.name, stance.holder.kind) == ("Zorblax Quenterovich", "ORG")
    assert (stance.target_entity_id, stance.target_text) == (None, "deeper ties with Moscow")
    assert article.body[stance.start : stance.end] == stance.exact == sentence
    assert not errors


def test_a_quotes_new_speaker_gets_the_type_chosen_beside_the_speaker_field(
    live_server, page: Page, article, analyst
):
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_load_state("load")
    quoted = "“China supports Russia’s demands for security guarantees,”"  # noqa: RUF001
    start = article.body.index(quoted)
    drag_select(page, start, start + len(quoted))
    page.get_by_role("toolbar", name="Tag the selected text").get_by_role(
        "button", name="Quote"
    ).click()
    dialog = page.get_by_role("dialog", name="Annotate selection")
    speaker = dialog.get_by_label("Speaker")
    expect(speaker).to_be_focused()
    speaker.fill("Yury Ushakov")
    page.wait_for_timeout(700)
    expect(dialog.locator("#f-speaker-new")).to_be_hidden()
    speaker.fill("Aide of Ushakov")
    expect(dialog.locator("#f-speaker-new")).to_be_visible()
    # Only the speaker's row: the stance's rows are not part of a quote.
    expect(dialog.locator(".new-entity:visible")).to_have_count(1)
    dialog.locator("#f-speaker-kind").select_option("PERSON")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Quote saved.")
    quote = Quote.objects.select_related("speaker").get(created_by__username="ana")
    assert (quote.speaker.name, quote.speaker.kind) == ("Aide of Ushakov", "PERSON")
    assert article.body[quote.start : quote.end] == quote.exact == quoted
    # Its label is at the quote now, linking to the speaker's page (the text never names
    # the new entity).
    label = page.locator(f'#article-text .speaker-label[data-quote="quote-{quote.pk}"]')
    expect(label).to_have_attribute("data-label", "Aide of Ushakov")
    expect(label).to_have_attribute("href", f"/entities/{quote.speaker_id}/")


def test_the_reader_announces_its_current_item_and_refreshes_when_asked(
    live_server, page: Page, article, analyst
):
    """The contract static/js/review.js builds on: `reader:current` on document (and
    #reader[data-current]) whenever the current item changes; `reader:refresh` re-renders."""
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.wait_for_load_state("load")
    page.evaluate(
        """() => {
          window.__current = [];
          document.addEventListener('reader:current', (e) => window.__current.push(e.detail.key));
        }"""
    )
    page.locator("#article-text").focus()
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.id")
    page.keyboard.press("j")
    second = page.evaluate("document.activeElement.id")
    assert page.evaluate("window.__current") == [first, second]
    assert page.evaluate("document.getElementById('reader').dataset.current") == second
    # Reviewed elsewhere (by review.js, say): the reader is asked again and shows it, with
    # the same item current.
    kind, pk = second.split("-")
    model = {"quote": Quote, "stance": Stance, "mention": Mention}[kind]
    model.objects.filter(pk=pk).update(status="confirmed")
    page.evaluate("document.dispatchEvent(new CustomEvent('reader:refresh'))")
    expect(item(page, second)).not_to_have_attribute("data-suggested", "")
    expect(item(page, second)).to_have_class(re.compile(r"\bis-current\b"))
    assert page.evaluate("document.getElementById('reader').dataset.current") == second
