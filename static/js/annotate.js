// The reader's one script: select text to tag a quote, a stance or a note; review the
// machine's suggestions with the mouse or the keyboard (j/k, a/r, e, q/s, ?).
//
// Every write goes through the REST API (/api/v1/, session cookie + CSRF header); the
// server computes the span's offsets from the article body and checks them against the
// selected text (exact + prefix + suffix + the offset we saw), so nothing is stored at
// the wrong place. After a write the server renders the reader again and htmx swaps it
// in. Article and annotation text only ever goes into the page through textContent and
// form values, never as HTML.

const config = document.getElementById("reader-config").dataset;
const API = config.api;
const ARTICLE = Number(config.article);
const CONTEXT = 32; // characters of prefix and suffix sent with a selection

const dialog = document.getElementById("annotate");
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
const known = new Map(); // lower-cased name or alias -> [entity, ...] seen in autocomplete

// --- talking to the API -------------------------------------------------------------

class ApiError extends Error {}

function describe(status, data) {
  if (!data || typeof data !== "object") return `The server refused it (${status}).`;
  if (typeof data.detail === "string") return data.detail;
  const parts = [];
  for (const [name, messages] of Object.entries(data)) {
    const text = Array.isArray(messages) ? messages.join(" ") : String(messages);
    parts.push(name === "non_field_errors" ? text : `${name}: ${text}`);
  }
  return parts.join(" ") || `The server refused it (${status}).`;
}

async function api(method, path, body) {
  const response = await fetch(API + path, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": config.csrf,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw new ApiError(describe(response.status, data));
  return data;
}

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
  const spans = spansOf(key);
  if (!spans.length) return;
  spans[0].scrollIntoView({ block: "center", behavior: "smooth" });
  for (const span of spans) {
    span.classList.remove("flash");
    void span.offsetWidth; // restart the animation
    span.classList.add("flash");
  }
  window.setTimeout(() => spans.forEach((span) => span.classList.remove("flash")), 1600);
}

function setCurrent(key, { show = true } = {}) {
  for (const item of document.querySelectorAll("#panel .item.is-current")) {
    item.classList.remove("is-current");
    item.removeAttribute("aria-current");
  }
  current = key;
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
  await window.htmx.ajax("GET", window.location.pathname, { target: "#reader", swap: "outerHTML" });
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
    say(error.message, true);
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
    say(error.message, true);
    return;
  }
  say(`${kind[0].toUpperCase()}${kind.slice(1)} deleted.`);
  current = null;
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

let typing = null;
function suggestEntities(input) {
  window.clearTimeout(typing);
  const text = input.value.trim();
  if (text.length < 2) return;
  typing = window.setTimeout(async () => {
    let found;
    try {
      found = await lookup(text);
    } catch {
      return; // the list is a convenience: saving resolves the name again
    }
    options.replaceChildren(
      ...found.map((entity) => {
        const option = document.createElement("option");
        option.value = entity.name;
        option.label = `${entity.name} (${entity.kind.toLowerCase()})`;
        return option;
      }),
    );
  }, 200);
}

// The entity a typed name means: a known name or alias (a person first, for speakers and
// holders); `create` makes a new one of the chosen type when there is none.
async function entityNamed(name, { create }) {
  const text = name.trim();
  if (!text) return null;
  let matches = known.get(text.toLowerCase());
  if (!matches) {
    await lookup(text);
    matches = known.get(text.toLowerCase());
  }
  if (matches && matches.length) {
    return matches.find((e) => e.kind === "PERSON") || matches[0];
  }
  if (!create) return null;
  const entity = await api("POST", "entities/", { name: text, kind: field("f-new-kind").value });
  remember(entity);
  return entity;
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
  options.replaceChildren();
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
  selection = selected();
  if (!selection && selectCurrent()) selection = selected();
  // Nothing selected and no current item (a keyboard user, say): the words are typed in
  // the dialog and the server finds them.
  const typed = !selection;
  if (typed) selection = { exact: "", typed: true };
  // A stance on exactly the current quote's text is read from that quote (saved with it).
  const from = itemByKey(current);
  selection.quote = from?.dataset.kind === "quote" ? Number(from.dataset.id) : null;
  editing = null;
  resetForm();
  field("annotate-title").textContent = "Annotate selection";
  field("annotate-exact").textContent = selection.exact;
  field("annotate-selected").hidden = typed;
  field("annotate-typed").hidden = !typed;
  field("annotate-modes").hidden = false;
  field("f-move-row").hidden = true;
  setMode(kind);
  dialog.showModal();
  const first = { quote: "f-speaker", stance: "f-holder", note: "f-note" }[kind];
  field(typed ? "f-exact" : first).focus();
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
  const speaker = await entityNamed(field("f-speaker").value, { create: true });
  return {
    speaker: speaker ? speaker.id : null,
    cue: field("f-cue").value.trim(),
    kind: field("f-quote-kind").value,
  };
}

async function stanceFields() {
  const holderName = field("f-holder").value.trim();
  if (!holderName) throw new ApiError("Holder: say who takes the stance.");
  const holder = await entityNamed(holderName, { create: true });
  const targetName = field("f-target").value.trim();
  if (!targetName) throw new ApiError("Target: say what or whom the stance is on.");
  const target = await entityNamed(targetName, { create: false });
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
      const entity = await entityNamed(field("f-entity").value, { create: true });
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
  if (event.target.matches("[data-entity-input]")) suggestEntities(event.target);
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

function hovered(event, on) {
  const span = event.target instanceof Element && event.target.closest("#article-text [data-items]");
  if (!span) return;
  for (const key of span.dataset.items.split(" ")) {
    itemByKey(key)?.classList.toggle("is-hovered", on);
  }
}
document.addEventListener("mouseover", (event) => hovered(event, true));
document.addEventListener("mouseout", (event) => hovered(event, false));

// Selecting text with the mouse opens the dialog; keyboard users select and press q or s.
document.addEventListener("mouseup", (event) => {
  if (!(event.target instanceof Element) || !event.target.closest("#article-text")) return;
  window.setTimeout(() => {
    if (dialog && !dialog.open && selected()) openNew("quote");
  }, 0);
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  if (document.querySelector("dialog[open]")) return;
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
