// The reader's one script: select text to tag a quote, a stance or a note (a small menu
// beside the selection opens the form); review the machine's suggestions with the mouse
// or the keyboard (j/k, a/r, e, q/s/n, ?); hovering or focusing marked text brings its
// items into view in the panel; a quote's speaker label leads to where the text names
// the speaker.
//
// Every write goes through the REST API (/api/v1/, session cookie + CSRF header); the
// server computes the span's offsets from the article body and checks them against the
// selected text (exact + prefix + suffix + the offset we saw), so nothing is stored at
// the wrong place. After a write the server renders the reader again and htmx swaps it
// in. Article and annotation text only ever goes into the page through textContent and
// form values, never as HTML.

import { ApiError, ARTICLE, api, failure } from "./reader_api.js";

const CONTEXT = 32; // characters of prefix and suffix sent with a selection

const dialog = document.getElementById("annotate");
const pop = document.getElementById("select-pop");
const form = document.getElementById("annotate-form");
const shortcuts = document.getElementById("shortcuts");
const statusLine = document.getElementById("reader-status");
const errorLine = document.getElementById("annotate-error");
const options = document.getElementById("entity-options");
const field = (id) => document.getElementById(id);

let current = null; // key of the current item ("quote-12"), kept across re-renders
let selection = null; // the selection the dialog works on: {exact, prefix, suffix, near}
let editing = null; // the item the dialog edits: {kind, id, data}, or null for a new one
let mode = "quote";
// The selection the menu beside it was shown for: {selection, range}, kept while the menu
// and then the form are open (focusing the form's fields takes the page's selection away).
let pending = null;
let returnTo = null; // where focus goes back to when the menu or the form closes
const known = new Map(); // lower-cased name or alias -> [entity, ...] seen in autocomplete

// --- talking to the API (static/js/reader_api.js) ----------------------------------

const endpoint = { quote: "quotes", stance: "stances", note: "notes", mention: "mentions" };

// --- messages -----------------------------------------------------------------------

function say(message, isError = false) {
  statusLine.textContent = message;
  statusLine.classList.toggle("is-error", isError);
}

function refuse(message) {
  errorLine.textContent = message;
  errorLine.hidden = false;
}

// --- the reader, re-rendered by the server ---------------------------------------------

function items() {
  return Array.from(document.querySelectorAll("#panel .item"));
}

function suggestions() {
  return items()
    .filter((item) => item.hasAttribute("data-suggested"))
    .sort((a, b) => Number(a.dataset.start) - Number(b.dataset.start));
}

function itemByKey(key) {
  return key ? document.getElementById(key) : null;
}

function spansOf(key) {
  return Array.from(document.querySelectorAll(`#article-text [data-items~="${CSS.escape(key)}"]`));
}

// A range over the text an item marks (its pieces are contiguous), or null.
function rangeOf(key) {
  const spans = spansOf(key);
  if (!spans.length) return null;
  const range = document.createRange();
  range.setStartBefore(spans[0]);
  range.setEndAfter(spans[spans.length - 1]);
  return range;
}

function flash(key) {
  flashSpans(spansOf(key));
}

function flashSpans(spans) {
  if (!spans.length) return;
  spans[0].scrollIntoView({ block: "center", behavior: "smooth" });
  for (const span of spans) {
    span.classList.remove("flash");
    void span.offsetWidth; // restart the animation
    span.classList.add("flash");
  }
  window.setTimeout(() => spans.forEach((span) => span.classList.remove("flash")), 1600);
}

// --- hook for static/js/review.js (panel filters, bulk review, undo) -----------------
// annotate.js announces the current item on `document` as `reader:current` ({detail:
// {key}}, key null when none) and keeps it in #reader's data-current; review.js asks for
// the reader again with `reader:refresh` after its own writes.
function announce(key) {
  const reader = document.getElementById("reader");
  if (reader) {
    if (key) reader.dataset.current = key;
    else delete reader.dataset.current;
  }
  document.dispatchEvent(new CustomEvent("reader:current", { detail: { key } }));
}
// (its `reader:refresh` listener is the block at the end of this file)
// --- end of the hook ------------------------------------------------------------------

function setCurrent(key, { show = true } = {}) {
  for (const item of document.querySelectorAll("#panel .item.is-current")) {
    item.classList.remove("is-current");
    item.removeAttribute("aria-current");
  }
  const changed = current !== key;
  current = key;
  if (changed || document.getElementById("reader")?.dataset.current !== key) announce(key);
  const item = itemByKey(key);
  if (!item) return;
  const details = item.closest("details");
  if (details && !details.open) details.open = true;
  item.classList.add("is-current");
  item.setAttribute("aria-current", "true");
  item.focus({ preventScroll: true });
  item.scrollIntoView({ block: "nearest" });
  if (show) flash(key);
}

async function refresh() {
  // htmx settles a swap after it resolves (it puts back the new elements' own classes a
  // moment later): the current item is marked once that is over, or the mark is lost.
  const settled = new Promise((resolve) => {
    document.addEventListener("htmx:afterSettle", resolve, { once: true });
    window.setTimeout(resolve, 500);
  });
  await window.htmx.ajax("GET", window.location.pathname, { target: "#reader", swap: "outerHTML" });
  if (current && itemByKey(current)) setCurrent(current, { show: false }); // focus at once
  await settled;
  if (current && itemByKey(current)) setCurrent(current, { show: false });
}

// The suggestion after `item` in text order (or before it when it is the last), so that
// reviewing one moves on to the next, as in a mail client.
function neighbour(item) {
  const list = suggestions();
  const index = list.indexOf(item);
  if (index < 0) return null;
  return (list[index + 1] || list[index - 1] || null)?.id ?? null;
}

function move(step) {
  const list = suggestions();
  if (!list.length) {
    say("No suggestions left to review in this article.");
    return;
  }
  const here = itemByKey(current);
  let index = list.indexOf(here);
  if (index < 0 && !here) {
    index = step > 0 ? -1 : list.length;
  } else if (index < 0) {
    // The current item is not a suggestion (any more): go on from where it sits in text
    // order, items with the same start in panel order (two stances on one sentence).
    const ordered = items().sort((a, b) => Number(a.dataset.start) - Number(b.dataset.start));
    const at = ordered.indexOf(here);
    const after = list.findIndex((item) => ordered.indexOf(item) > at);
    index = after < 0 ? (step > 0 ? list.length - 1 : list.length) : step > 0 ? after - 1 : after;
  }
  const next = list[Math.min(list.length - 1, Math.max(0, index + step))];
  setCurrent(next.id);
}

async function review(action, item = itemByKey(current)) {
  if (!item || !item.hasAttribute("data-suggested")) {
    say("Pick a suggestion first: j and k move between them.", true);
    return;
  }
  const { kind, id } = item.dataset;
  const next = neighbour(item);
  try {
    await api("POST", `${endpoint[kind]}/${id}/${action}/`);
  } catch (error) {
    say(failure(error), true);
    return;
  }
  say(`${kind[0].toUpperCase()}${kind.slice(1)} ${action === "accept" ? "accepted" : "rejected"}.`);
  current = next || item.id;
  await refresh();
}

async function remove(item) {
  const { kind, id } = item.dataset;
  if (!window.confirm(`Delete this ${kind}? This cannot be undone.`)) return;
  try {
    await api("DELETE", `${endpoint[kind]}/${id}/`);
  } catch (error) {
    say(failure(error), true);
    return;
  }
  say(`${kind[0].toUpperCase()}${kind.slice(1)} deleted.`);
  current = null;
  announce(null);
  await refresh();
}

// --- selections ----------------------------------------------------------------------

function codePoints(text) {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

// Cut a UTF-16 string without leaving half of a surrogate pair at either end.
function whole(text) {
  let result = text;
  if (/^[\uDC00-\uDFFF]/.test(result)) result = result.slice(1);
  if (/[\uD800-\uDBFF]$/.test(result)) result = result.slice(0, -1);
  return result;
}

// The current selection inside the article text, as a TextQuoteSelector plus the offset
// (in code points, as the server counts) we saw it at; null when there is none.
function selected() {
  const region = document.getElementById("article-text");
  const chosen = window.getSelection();
  if (!region || !chosen || chosen.rangeCount === 0 || chosen.isCollapsed) return null;
  const range = chosen.getRangeAt(0);
  if (!region.contains(range.startContainer) || !region.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.setStart(region, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const text = region.textContent;
  let start = before.toString().length;
  let end = start + range.toString().length;
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  if (start === end) return null;
  return {
    exact: text.slice(start, end),
    prefix: whole(text.slice(Math.max(0, start - CONTEXT), start)),
    suffix: whole(text.slice(end, end + CONTEXT)),
    near: codePoints(text.slice(0, start)),
  };
}

// --- entities: autocomplete and resolution -------------------------------------------

function remember(entity) {
  for (const name of [entity.name, ...(entity.aliases || [])]) {
    const key = name.toLowerCase();
    const list = known.get(key) || [];
    if (!list.some((e) => e.id === entity.id)) list.push(entity);
    known.set(key, list);
  }
}

async function lookup(text) {
  const data = await api("GET", `entities/?q=${encodeURIComponent(text)}&page_size=10`);
  const found = data.results || [];
  found.forEach(remember);
  return found;
}

// Each name field has its own "not an entity yet" row, shown once a lookup has found no
// entity of that name or alias (and hidden again as soon as one is picked): the type of a
// new entity is asked for only when one will be created, next to the field it is for.
const typing = new Map(); // input id -> timer
const looked = new Map(); // input id -> the text last looked up

function newRow(input) {
  return field(`${input.id}-new`);
}

function matchesFor(text) {
  return known.get(text.toLowerCase()) || [];
}

function showOptions(found) {
  options.replaceChildren(
    ...found.map((entity) => {
      const option = document.createElement("option");
      option.value = entity.name;
      option.label = `${entity.name} (${entity.kind.toLowerCase()})`;
      return option;
    }),
  );
}

function settle(input, text) {
  const row = newRow(input);
  if (!row) return;
  const isNew = Boolean(text) && looked.get(input.id) === text && !matchesFor(text).length;
  row.querySelector("[data-new-name]").textContent = text;
  row.hidden = !isNew;
}

function checkEntity(input, { now = false } = {}) {
  window.clearTimeout(typing.get(input.id));
  const text = input.value.trim();
  if (!text || matchesFor(text).length) {
    settle(input, text);
    return Promise.resolve();
  }
  if (looked.get(input.id) !== text) newRow(input).hidden = true; // not known yet: ask first
  return new Promise((resolve) => {
    typing.set(
      input.id,
      window.setTimeout(
        async () => {
          let found;
          try {
            found = await lookup(text);
          } catch {
            resolve(); // the list is a convenience: saving resolves the name again
            return;
          }
          if (input.value.trim() !== text) {
            resolve(); // typed on since: a later lookup answers
            return;
          }
          looked.set(input.id, text);
          if (document.activeElement === input) showOptions(found);
          settle(input, text);
          resolve();
        },
        now ? 0 : 200,
      ),
    );
  });
}

// The entity a typed name means: a known name or alias (a person first, for speakers and
// holders); `create` makes a new one of the type chosen next to the field when there is none.
async function entityNamed(input, { create }) {
  const text = input.value.trim();
  if (!text) return null;
  let matches = matchesFor(text);
  if (!matches.length) {
    await lookup(text);
    matches = matchesFor(text);
  }
  if (matches.length) {
    return matches.find((e) => e.kind === "PERSON") || matches[0];
  }
  const kind = field(`${input.id}-kind`).value;
  if (!create || !kind) return null;
  const entity = await api("POST", "entities/", { name: text, kind });
  remember(entity);
  return entity;
}

// The stance spelled out as it will be read: holder, polarity, target, each named.
function readStance() {
  const out = field("f-stance-reads");
  if (!out) return;
  const holder = field("f-holder").value.trim();
  const target = field("f-target").value.trim();
  const polarity = field("f-polarity");
  const part = (text, role) => {
    const element = document.createElement(text ? "strong" : "span");
    element.textContent = text || `${role}?`;
    if (!text) element.className = "missing";
    return element;
  };
  const verb = document.createElement("em");
  verb.textContent = polarity.selectedOptions[0]?.textContent.toLowerCase() ?? "";
  out.replaceChildren(
    "Reads: ",
    part(holder, "holder"),
    " (holder) — ",
    verb,
    " — ",
    part(target, "target"),
    " (target)",
  );
}

// --- the dialog ----------------------------------------------------------------------

function setMode(next) {
  mode = next;
  for (const button of document.querySelectorAll("#annotate-modes [data-mode]")) {
    button.setAttribute("aria-pressed", String(button.dataset.mode === next));
  }
  for (const part of dialog.querySelectorAll("[data-mode-part]")) {
    part.hidden = !part.dataset.modePart.split(" ").includes(next);
  }
}

function resetForm() {
  form.reset();
  errorLine.hidden = true;
  errorLine.textContent = "";
  known.clear();
  looked.clear();
  typing.forEach((timer) => window.clearTimeout(timer));
  typing.clear();
  options.replaceChildren();
  for (const row of form.querySelectorAll(".new-entity")) row.hidden = true;
}

// With no text selected, the current item's text is the selection: a keyboard user
// moves to a quote with j/k and tags a stance on it with s.
function selectCurrent() {
  const range = current ? rangeOf(current) : null;
  if (!range) return false;
  const chosen = window.getSelection();
  chosen.removeAllRanges();
  chosen.addRange(range);
  return true;
}

function openNew(kind) {
  if (!dialog) {
    say("Only analysts and admins may annotate.", true);
    return;
  }
  const from = pending;
  hidePop({ keep: true });
  selection = selected() || from?.selection || null;
  if (selection) holdSelection(from?.range ?? liveRange());
  if (!selection && selectCurrent()) {
    selection = selected();
    holdSelection(liveRange());
  }
  // Nothing selected and no current item (a keyboard user, say): the words are typed in
  // the dialog and the server finds them.
  const typed = !selection;
  if (typed) selection = { exact: "", typed: true };
  // A stance on exactly the current quote's text is read from that quote (saved with it).
  const at = itemByKey(current);
  selection.quote = at?.dataset.kind === "quote" ? Number(at.dataset.id) : null;
  editing = null;
  resetForm();
  field("annotate-title").textContent = "Annotate selection";
  field("annotate-exact").textContent = selection.exact;
  field("annotate-selected").hidden = typed;
  field("annotate-typed").hidden = !typed;
  field("annotate-modes").hidden = false;
  field("f-move-row").hidden = true;
  setMode(kind);
  // A stance read from a quote is, most often, its speaker's: offered as the holder.
  const speaker = at?.dataset.kind === "quote" && at.dataset.speakerId ? at.dataset : null;
  if (speaker && selection.quote && quoteText(selection.quote) === selection.exact) {
    remember({ id: Number(speaker.speakerId), name: speaker.speakerName, kind: "", aliases: [] });
    field("f-holder").value = speaker.speakerName;
  }
  readStance();
  if (!returnTo) returnTo = document.activeElement;
  dialog.showModal();
  const first = { quote: "f-speaker", stance: "f-holder", note: "f-note" }[kind];
  field(typed ? "f-exact" : first).focus();
  if (!typed && field(first).value) field(first).select(); // typing replaces the offer
}

function openEdit(item) {
  if (!dialog) return;
  const { kind, id } = item.dataset;
  selection = selected();
  editing = { kind, id, data: item.dataset };
  resetForm();
  const data = item.dataset;
  field("annotate-title").textContent = kind === "mention" ? "Correct mention" : `Edit ${kind}`;
  field("annotate-exact").textContent = item.querySelector(".snippet")?.textContent ?? "";
  field("annotate-modes").hidden = true;
  field("annotate-selected").hidden = false;
  field("annotate-typed").hidden = true;
  field("f-move-row").hidden = !selection || kind === "note";
  setMode(kind);
  if (kind === "quote") {
    field("f-speaker").value = data.speakerName || "";
    field("f-cue").value = data.cue || "";
    field("f-quote-kind").value = data.quoteKind || "direct";
  } else if (kind === "stance") {
    field("f-holder").value = data.holderName || "";
    field("f-target").value = data.targetName || "";
    field("f-polarity").value = data.polarity;
    field("f-note").value = data.note || "";
  } else if (kind === "note") {
    field("f-note").value = data.note || "";
  } else {
    field("f-entity").value = data.entityName || "";
  }
  // The names shown are the item's own entities: known, so no "new entity" row for them.
  for (const [id, name] of [
    [data.speakerId, data.speakerName],
    [data.holderId, data.holderName],
    [data.targetId, data.targetName],
    [data.entityId, data.entityName],
  ]) {
    if (id && name) remember({ id: Number(id), name, kind: "", aliases: [] });
  }
  readStance();
  returnTo = document.activeElement;
  dialog.showModal();
  const first = { quote: "f-speaker", stance: "f-holder", note: "f-note", mention: "f-entity" };
  field(first[kind]).focus();
}

// The text of quote `id` as the page marks it.
function quoteText(id) {
  return rangeOf(`quote-${id}`)?.toString().trim() ?? "";
}

function span(target) {
  if (target.typed) {
    const exact = field("f-exact").value.trim();
    if (!exact) throw new ApiError("Text to tag: type or paste the words from the article.");
    return { exact };
  }
  return { exact: target.exact, prefix: target.prefix, suffix: target.suffix, near: target.near };
}

async function quoteFields() {
  const speaker = await entityNamed(field("f-speaker"), { create: true });
  return {
    speaker: speaker ? speaker.id : null,
    cue: field("f-cue").value.trim(),
    kind: field("f-quote-kind").value,
  };
}

async function stanceFields() {
  const holderName = field("f-holder").value.trim();
  if (!holderName) throw new ApiError("Holder: say who takes the stance.");
  const holder = await entityNamed(field("f-holder"), { create: true });
  const targetName = field("f-target").value.trim();
  if (!targetName) throw new ApiError("Target: say what or whom the stance is on.");
  // Not an entity: kept as a topic in words, unless a type for a new entity was chosen.
  const target = await entityNamed(field("f-target"), { create: true });
  return {
    holder: holder.id,
    target: target ? target.id : null,
    target_text: target ? "" : targetName,
    polarity: field("f-polarity").value,
    note: field("f-note").value.trim(),
  };
}

async function save() {
  let body;
  let done;
  if (editing) {
    const { kind, id, data } = editing;
    if (kind === "mention") {
      const entity = await entityNamed(field("f-entity"), { create: true });
      if (!entity) throw new ApiError("Mentioned entity: name the entity this text refers to.");
      if (field("f-merge").checked && String(entity.id) !== data.entityId) {
        await api("POST", `entities/${data.entityId}/merge/`, { into: entity.id });
        return `${data.entityName} merged into ${entity.name}.`;
      }
      body = { entity: entity.id };
    } else if (kind === "quote") {
      body = await quoteFields();
    } else if (kind === "stance") {
      body = await stanceFields();
    } else {
      body = { text: field("f-note").value.trim() };
    }
    if (selection && field("f-move").checked) Object.assign(body, span(selection));
    await api("PATCH", `${endpoint[kind]}/${id}/`, body);
    current = `${kind}-${id}`;
    return `${kind[0].toUpperCase()}${kind.slice(1)} saved.`;
  }
  const where = span(selection); // refused first, before any entity is created
  if (mode === "quote") {
    body = await quoteFields();
    done = "Quote saved.";
  } else if (mode === "stance") {
    body = await stanceFields();
    done = "Stance saved.";
  } else {
    const text = field("f-note").value.trim();
    if (!text) throw new ApiError("Note: write the note.");
    body = { text };
    done = "Note saved.";
  }
  if (mode === "stance" && selection.quote && quoteText(selection.quote) === selection.exact) {
    body.quote = selection.quote;
  }
  const row = await api("POST", `${endpoint[mode]}/`, { article: ARTICLE, ...where, ...body });
  current = `${mode}-${row.id}`;
  return done;
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = field("annotate-save");
  button.disabled = true;
  errorLine.hidden = true;
  try {
    const message = await save();
    releaseSelection();
    dialog.close();
    window.getSelection()?.removeAllRanges();
    say(message);
    await refresh();
  } catch (error) {
    refuse(error instanceof ApiError ? error.message : "The server could not be reached; nothing was saved.");
  } finally {
    button.disabled = false;
  }
});

dialog?.addEventListener("click", (event) => {
  const modeButton = event.target.closest("[data-mode]");
  if (modeButton) setMode(modeButton.dataset.mode);
  if (event.target.closest("[data-close]")) dialog.close();
});

dialog?.addEventListener("input", (event) => {
  if (event.target.matches("[data-entity-input]")) checkEntity(event.target);
  readStance();
});

dialog?.addEventListener("change", (event) => {
  // A name picked from the list, or typed and left: settle its "new entity" row now.
  if (event.target.matches("[data-entity-input]")) checkEntity(event.target, { now: true });
  readStance();
});

// Closed (Save, Cancel or Escape): the selection it was opened on comes back when nothing
// was saved, and focus goes back where it was, on the text or the item, not on the body.
dialog?.addEventListener("close", () => {
  const range = pending?.range;
  releaseSelection();
  if (range && range.startContainer.isConnected) {
    const chosen = window.getSelection();
    chosen.removeAllRanges();
    chosen.addRange(range);
  }
  giveFocusBack();
});

// --- the panel and the text --------------------------------------------------------------

document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof Element)) return;
  if (target.closest("[data-action=shortcuts]")) {
    shortcuts.showModal();
    return;
  }
  const item = target.closest("#panel .item");
  if (!item) return;
  const action = target.closest("button[data-action]")?.dataset.action;
  if (action === "accept" || action === "reject") review(action, item);
  else if (action === "edit") openEdit(item);
  else if (action === "delete") remove(item);
  else if (action === "show" || !target.closest("a, button")) setCurrent(item.id);
});

// --- marked text and the panel ------------------------------------------------------

// The nearest box that scrolls the item (the panel, or a list inside it), or null when the
// page itself scrolls it (narrow screens stack the panel under the text): then the page is
// left where it is, the reader's eyes are on the text.
function scroller(element) {
  for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
    const overflow = window.getComputedStyle(node).overflowY;
    if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) {
      return node;
    }
  }
  return null;
}

// Scroll the panel (never the page) so that `shown` items are in view: the first one at
// least, all of them when they fit.
function revealInPanel(shown) {
  if (!shown.length) return;
  const box = scroller(shown[0]);
  if (!box) return;
  const view = box.getBoundingClientRect();
  const rects = shown.map((item) => item.getBoundingClientRect());
  const top = Math.min(...rects.map((r) => r.top));
  const bottom = Math.max(...rects.map((r) => r.bottom));
  if (top >= view.top && bottom <= view.bottom) return;
  const margin = 8;
  let delta;
  if (bottom - top <= view.height - 2 * margin) {
    // All fit: just enough to show the last one, or the first one if it is above.
    delta = top < view.top ? top - view.top - margin : bottom - view.bottom + margin;
  } else {
    // They do not all fit: the first one shown (a quote, stance or note before mentions,
    // whatever their order in the panel) goes to the top.
    delta = rects[0].top - view.top - margin;
  }
  box.scrollBy({ top: delta, behavior: "smooth" });
}

let revealing = null;
function pointAt(keys, on) {
  const found = on ? keys.map(itemByKey).filter(Boolean) : [];
  for (const item of document.querySelectorAll("#panel .item.is-hovered")) {
    if (!found.includes(item)) item.classList.remove("is-hovered");
  }
  window.clearTimeout(revealing);
  if (!found.length) return;
  found.forEach((item) => item.classList.add("is-hovered"));
  // The quote first (a stance tagged on it is about it), then notes and stances, mentions
  // last; only what is shown (not in a closed list, not filtered out).
  const rank = { quote: 0, note: 1, stance: 2, mention: 3 };
  const shown = found
    .filter((item) => item.getClientRects().length)
    .sort((a, b) => (rank[a.dataset.kind] ?? 4) - (rank[b.dataset.kind] ?? 4));
  // A moment's pause, so that sweeping the mouse across the text does not shake the panel.
  revealing = window.setTimeout(() => revealInPanel(shown), 120);
}

function keysAt(target) {
  if (!(target instanceof Element)) return [];
  const mark = target.closest("#article-text [data-items]");
  if (mark) return mark.dataset.items.split(" ");
  const label = target.closest("#article-text .speaker-label[data-quote]");
  return label ? [label.dataset.quote] : [];
}

document.addEventListener("mouseover", (event) => {
  const keys = keysAt(event.target);
  if (keys.length) pointAt(keys, true);
});
document.addEventListener("mouseout", (event) => {
  if (!keysAt(event.target).length) return;
  // Moving onto the next piece of the same mark keeps it pointed at.
  const next = keysAt(event.relatedTarget);
  if (next.length) pointAt(next, true);
  else if (!keysAt(document.activeElement).length) pointAt([], false);
  else pointAt(keysAt(document.activeElement), true);
});
document.addEventListener("focusin", (event) => {
  const keys = keysAt(event.target);
  if (keys.length) pointAt(keys, true);
});
document.addEventListener("focusout", (event) => {
  if (keysAt(event.target).length && !keysAt(event.relatedTarget).length) pointAt([], false);
});

// A quote's speaker label leads to where the text names the speaker: scrolled to, flashed
// and focused (a label without such a place is a plain link to the speaker's page).
document.addEventListener("click", (event) => {
  if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  const label = event.target instanceof Element && event.target.closest("#article-text a.speaker-label");
  if (!label || !label.hash) return;
  const key = label.dataset.quote;
  const named = Array.from(
    document.querySelectorAll(`#article-text [data-speaker-of~="${CSS.escape(key)}"]`),
  );
  if (!named.length) return; // the browser follows the link
  event.preventDefault();
  flashSpans(named);
  if (!named[0].hasAttribute("tabindex")) named[0].setAttribute("tabindex", "-1");
  named[0].focus({ preventScroll: true });
});

// --- the menu beside a selection --------------------------------------------------------

function liveRange() {
  const chosen = window.getSelection();
  return chosen && chosen.rangeCount ? chosen.getRangeAt(0).cloneRange() : null;
}

// The text being tagged stays marked while the menu and the form are open, though focus
// in the form takes the page's own selection away (CSS Custom Highlight API).
function holdSelection(range) {
  if (pending) pending.range = range;
  else pending = { selection: selected(), range };
  if (range && window.CSS?.highlights && window.Highlight) {
    CSS.highlights.set("reader-pending", new Highlight(range));
  }
}

function releaseSelection() {
  pending = null;
  if (window.CSS?.highlights) CSS.highlights.delete("reader-pending");
}

function giveFocusBack() {
  const back = returnTo;
  returnTo = null;
  const target = back?.isConnected && back !== document.body ? back : document.getElementById("article-text");
  target?.focus({ preventScroll: true });
}

// Beside the selection, never on it: under its last line (at its end, where a drag ends),
// or above its first line when there is no room under it, inside the window.
function placePop(range) {
  const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0);
  const first = rects[0] ?? range.getBoundingClientRect();
  const last = rects[rects.length - 1] ?? first;
  const gap = 6;
  const edge = 8;
  const width = pop.offsetWidth;
  const height = pop.offsetHeight;
  const viewWidth = document.documentElement.clientWidth;
  const viewHeight = window.innerHeight;
  let top = last.bottom + gap;
  if (top + height > viewHeight - edge && first.top - gap - height >= edge) {
    top = first.top - gap - height;
  }
  const left = Math.min(Math.max(edge, last.right - width / 2), viewWidth - width - edge);
  pop.style.top = `${Math.round(top)}px`;
  pop.style.left = `${Math.round(left)}px`;
}

function showPop() {
  if (!pop || dialog?.open) return;
  const found = selected();
  const range = liveRange();
  if (!found || !range) {
    hidePop();
    return;
  }
  pending = { selection: found, range };
  if (!pop.contains(document.activeElement)) returnTo = document.activeElement;
  pop.hidden = false;
  placePop(range);
}

// `keep`: the form opens on the selection, so it stays held.
function hidePop({ keep = false } = {}) {
  const shown = Boolean(pop) && !pop.hidden;
  const hadFocus = shown && pop.contains(document.activeElement);
  if (shown) pop.hidden = true;
  if (keep || dialog?.open) return;
  releaseSelection();
  if (hadFocus) giveFocusBack();
  else returnTo = null;
}

pop?.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
pop?.addEventListener("click", (event) => {
  const button = event.target instanceof Element && event.target.closest("[data-pop]");
  if (button) openNew(button.dataset.pop);
});
pop?.addEventListener("keydown", (event) => {
  const buttons = Array.from(pop.querySelectorAll("button"));
  const at = buttons.indexOf(document.activeElement);
  if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    event.preventDefault();
    const step = event.key === "ArrowRight" ? 1 : -1;
    buttons[(at + step + buttons.length) % buttons.length].focus();
  } else if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    buttons[event.key === "Home" ? 0 : buttons.length - 1].focus();
  } else if (event.key === "Tab") {
    // One stop: Tab leaves the menu, back to the text.
    event.preventDefault();
    hidePop();
  }
});

// A drag that selects text shows the menu; a double or triple click selects a word or a
// paragraph (to copy it, say) and opens nothing.
let dragFromText = false;
let presses = 0; // mouse presses so far: a later press (a double click's second) wins
document.addEventListener("mousedown", (event) => {
  presses += 1;
  dragFromText = event.target instanceof Element && Boolean(event.target.closest("#article-text"));
});
document.addEventListener("mouseup", (event) => {
  if (!dragFromText || !pop) return;
  dragFromText = false;
  if (event.detail > 1) {
    hidePop();
    return;
  }
  const press = presses;
  window.setTimeout(() => {
    if (press !== presses) return;
    if (selected()) showPop();
    else hidePop();
  }, 0);
});

// Shift + arrow keys select text from the keyboard: from where the text was clicked, or
// from the start of the focused mark (or of the text). Chromium extends a selection by
// itself only once it has a length, and without caret browsing never from a bare caret,
// so the first step is taken here (Ctrl: a word at a time).
const EXTEND = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "Shift"]);
const STEPS = {
  ArrowRight: ["forward", "character"],
  ArrowLeft: ["backward", "character"],
  ArrowDown: ["forward", "line"],
  ArrowUp: ["backward", "line"],
};
let extended = false; // Shift + an arrow (Home, End) went to the text since Shift went down
document.addEventListener("keydown", (event) => {
  if (!event.shiftKey || event.altKey || event.metaKey) return;
  const region = document.getElementById("article-text");
  if (!region || !region.contains(document.activeElement) || dialog?.open) return;
  if (EXTEND.has(event.key) && event.key !== "Shift") extended = true;
  if (!(event.key in STEPS)) return;
  const chosen = window.getSelection();
  const inText = chosen.rangeCount > 0 && region.contains(chosen.anchorNode);
  if (inText && !chosen.isCollapsed) return; // the browser extends it
  if (!inText) {
    const walker = document.createTreeWalker(document.activeElement, NodeFilter.SHOW_TEXT);
    const first = walker.nextNode();
    if (!first) return;
    chosen.collapse(first, 0);
  }
  const [direction, unit] = STEPS[event.key];
  chosen.modify("extend", direction, event.ctrlKey ? "word" : unit);
  event.preventDefault();
});

// The menu follows a keyboard selection once a key is let go (not a bare Shift, as in `?`).
document.addEventListener("keyup", (event) => {
  if (!pop || !extended || !EXTEND.has(event.key)) return;
  if (event.key === "Shift") extended = false;
  if (dialog?.open || pop.contains(document.activeElement)) return;
  if (selected()) showPop();
});

// Touch screens select by a long press and its handles, with no mouseup: the menu shows
// once the selection has stayed put for a moment.
let pointer = "mouse";
let settling = null;
document.addEventListener("pointerdown", (event) => {
  pointer = event.pointerType;
}, true);

document.addEventListener("selectionchange", () => {
  if (pop && pointer === "touch") {
    window.clearTimeout(settling);
    settling = window.setTimeout(() => {
      if (pointer === "touch" && !dialog?.open && selected()) showPop();
    }, 500);
  }
  if (!pop || pop.hidden || pop.contains(document.activeElement)) return;
  if (!selected()) hidePop();
  else if (pending) {
    const range = liveRange();
    if (range) {
      pending.range = range;
      placePop(range);
    }
  }
});

window.addEventListener("scroll", () => {
  if (pop && !pop.hidden && pending?.range) placePop(pending.range);
}, { passive: true });
window.addEventListener("resize", () => hidePop());

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  if (document.querySelector("dialog[open]")) return;
  if (pop && !pop.hidden) {
    if (event.key === "Escape") {
      // Closed; focus goes back from the menu to where it was (or stays where it is).
      event.preventDefault();
      hidePop();
      return;
    }
    if (event.key === "Tab" && !event.shiftKey && !pop.contains(document.activeElement)) {
      // The menu is next to the selection, not in the tab order: Tab goes to it.
      event.preventDefault();
      pop.querySelector("button").focus();
      return;
    }
  }
  if (event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]")) return;
  const actions = {
    j: () => move(1),
    k: () => move(-1),
    a: () => review("accept"),
    r: () => review("reject"),
    e: () => {
      const item = itemByKey(current);
      if (item && item.querySelector("[data-action=edit]")) openEdit(item);
      else say(item ? "You may not edit this item." : "Pick an item first: j and k move between suggestions.", true);
    },
    q: () => openNew("quote"),
    s: () => openNew("stance"),
    n: () => openNew("note"),
    "?": () => shortcuts.showModal(),
  };
  const act = actions[event.key];
  if (!act) return;
  event.preventDefault();
  act();
});

// A link to #quote-12 (from an entity page, say) opens on that item.
if (window.location.hash && itemByKey(window.location.hash.slice(1))) {
  setCurrent(window.location.hash.slice(1));
}

// --- hook for review.js (issue 19: the panel's filters, bulk review, undo) -----------------
// review.js asks for the reader again (after a bulk review, an undo or a filter change)
// with a `reader:refresh` event, so that the current item is kept as after any write here.
// `detail.current`, if given, names the item to make current; `detail.done` is called once
// the new reader is in; `detail.handled` tells review.js that this hook is here.
document.addEventListener("reader:refresh", (event) => {
  const detail = event.detail || {};
  detail.handled = true;
  if ("current" in detail) current = detail.current;
  refresh().finally(() => detail.done?.());
});
// --- end of the hook for review.js ---------------------------------------------------------
