// The reader's panel as a review tool: filter it by kind, state and entity (the filter is
// the URL's query, so a reload or a shared link shows the same), review every suggestion
// it shows at once, and undo the last review; with the mouse or the keyboard:
//   A / R   accept / reject every suggestion like the current one (same kind, same
//           entity): the panel shows them while a confirmation says how many
//   f       show only the current item's entity (again: every entity)
//   F       show everything
//   u       undo your last review in this article
//
// The server renders the panel for the filter (annotations.selectors.reader.panel_of)
// and records reviews (POST /api/v1/reviews/, one action, undoable with
// POST /api/v1/reviews/<id>/undo/). annotate.js owns the current item and j/k/a/r; this
// module reads the current item from the panel (.is-current) and asks annotate.js to
// render the reader again with a `reader:refresh` event (its hook block). Text from the
// page only ever goes back into it through textContent.

import { ARTICLE, api, failure } from "./reader_api.js";

const statusLine = document.getElementById("reader-status");

const panel = () => document.getElementById("panel");

function say(message, isError = false) {
  statusLine.textContent = message;
  statusLine.classList.toggle("is-error", isError);
}


// --- the reader rendered again ------------------------------------------------------------

// Every request for the reader (annotate.js asks for the page's path after each write)
// carries the panel's filter, which lives in the address bar.
document.addEventListener("htmx:configRequest", (event) => {
  const detail = event.detail;
  if (detail.verb === "get" && detail.path === window.location.pathname) {
    detail.path = window.location.pathname + window.location.search;
  }
});

// A key pressed while the reader is being rendered again (just after an accept, say)
// waits for the new one: it acts on what the panel will show, not on what it showed.
let pending = null;
let settle = null;
document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.detail.target?.id !== "reader" || pending) return;
  pending = new Promise((resolve) => {
    settle = resolve;
  });
});
function settled() {
  return pending ?? Promise.resolve();
}
for (const name of ["htmx:afterSwap", "htmx:afterRequest", "htmx:responseError", "htmx:sendError", "htmx:swapError", "htmx:timeout"]) {
  document.addEventListener(name, (event) => {
    const target = event.detail?.target;
    if (!settle || (target && target.id !== "reader")) return;
    const done = settle;
    pending = settle = null;
    done();
  });
}

// The panel scrolls on its own: a re-render with the same filter keeps its place.
let kept = null;
document.addEventListener("htmx:beforeSwap", () => {
  const element = panel();
  if (element) kept = { query: element.dataset.query, top: element.scrollTop };
});
document.addEventListener("htmx:afterSwap", () => {
  const element = panel();
  if (element && kept && kept.query === element.dataset.query) element.scrollTop = kept.top;
  kept = null;
});

// The reader again, through annotate.js (which keeps the current item), or by itself if
// that hook is missing. Resolves once the new reader is in.
function refresh(extra = {}) {
  return new Promise((resolve) => {
    const detail = { ...extra, handled: false, done: resolve };
    document.dispatchEvent(new CustomEvent("reader:refresh", { detail }));
    if (!detail.handled) {
      window.htmx
        .ajax("GET", window.location.pathname, { target: "#reader", swap: "outerHTML" })
        .then(resolve, resolve);
    }
  });
}

function queryOf({ kind = "", state = "all", entity = "" }) {
  const params = new URLSearchParams();
  if (kind) params.set("kind", kind);
  if (state && state !== "all") params.set("state", state);
  if (entity) params.set("entity", entity);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function shownFilter() {
  const { kind = "", state = "all", entity = "" } = panel()?.dataset ?? {};
  return { kind, state, entity };
}

// Show the panel for another filter, without loading the page again.
async function filterTo(query) {
  await settled(); // one render at a time: the last filter asked for is the one shown
  const target = query === "?" ? "" : query;
  window.history.replaceState(window.history.state, "", window.location.pathname + target);
  await refresh();
}

// --- keeping the current item in view -----------------------------------------------------

// The current item stays in view within the panel (which scrolls on its own), the page
// itself left where it is. Only the item itself (annotate.js focuses the current one):
// a button or link in it gets focus as it is clicked, and the panel must not move under
// the pointer then.
document.addEventListener("focusin", (event) => {
  const item = event.target instanceof Element && event.target.matches("#panel .item") && event.target;
  const box = panel();
  if (!item || !box || box.scrollHeight <= box.clientHeight) return;
  const top = item.offsetTop - box.offsetTop;
  const bottom = top + item.offsetHeight;
  if (top < box.scrollTop) box.scrollTop = top - 8;
  else if (bottom > box.scrollTop + box.clientHeight) box.scrollTop = bottom - box.clientHeight + 8;
});

// --- bulk review --------------------------------------------------------------------------

const VERBS = { accept: ["Accept", "accepted"], reject: ["Reject", "rejected"] };

function current() {
  return document.querySelector("#panel .item.is-current");
}

// Ask, then review every suggestion the panel shows. `back`: the filter to return to
// afterwards (A and R filter the panel to what they review only while they ask).
function confirmBulk(verb, back = null) {
  const button = document.querySelector(`#panel [data-bulk="${verb}"]`);
  if (!button) {
    say("Nothing to review with this filter.", true);
    return;
  }
  const dialog = document.getElementById("bulk-confirm");
  const [Verb] = VERBS[verb];
  const count = Number(button.dataset.count);
  document.getElementById("bulk-confirm-title").textContent = `${Verb} ${button.dataset.what}?`;
  const yes = document.getElementById("bulk-confirm-yes");
  yes.textContent = `${Verb} ${count}`;
  yes.classList.toggle("danger", verb === "reject");
  dialog.returnValue = "";
  dialog.addEventListener(
    "close",
    () => {
      if (dialog.returnValue === "confirm") bulk(verb, button.dataset.what, count, back);
      else if (back !== null) filterTo(back);
    },
    { once: true },
  );
  dialog.showModal();
  yes.focus();
}

async function bulk(verb, what, count, back) {
  const keys = Array.from(document.querySelectorAll("#panel .item[data-suggested]"), (item) => item.id);
  if (keys.length !== count) {
    say("The panel changed while you were asked; nothing was reviewed. Try again.", true);
    await refresh();
    return;
  }
  const [, done] = VERBS[verb];
  let message = `${done[0].toUpperCase()}${done.slice(1)} ${what}. Press u to undo.`;
  let failed = false;
  try {
    await api("POST", "reviews/", { article: ARTICLE, verdict: verb, items: keys });
  } catch (error) {
    message = failure(error, "The server could not be reached; nothing was reviewed.");
    failed = true;
  }
  if (back !== null) await filterTo(back);
  else await refresh();
  say(message, failed);
}

// A and R: the panel filtered to the suggestions like the current item (same kind, same
// entity) that are still to review, and the confirmation for them; then the panel as it
// was. With no current item, the confirmation for what the panel shows.
async function likeThis(verb) {
  await settled();
  const item = current();
  let back = null;
  if (item) {
    const { kind, entity = "" } = item.dataset;
    if (kind === "note") {
      say("Notes are not suggestions: there is nothing to accept or reject.", true);
      return;
    }
    const wanted = queryOf({ kind, state: "review", entity });
    if (wanted !== queryOf(shownFilter())) {
      back = queryOf(shownFilter()) || "?";
      await filterTo(wanted);
    }
  }
  if (!document.querySelector(`#panel [data-bulk="${verb}"]`)) {
    say(item ? "No suggestion like this one is left to review." : "Nothing to review with this filter.", true);
    if (back !== null) await filterTo(back);
    return;
  }
  confirmBulk(verb, back);
}

// --- undo ---------------------------------------------------------------------------------

async function undo() {
  await settled();
  const button = document.querySelector("#panel [data-undo]");
  if (!button) {
    say("You have no review to undo in this article.", true);
    return;
  }
  try {
    await api("POST", `reviews/${button.dataset.undo}/undo/`);
  } catch (error) {
    say(failure(error, "The server could not be reached; nothing was undone."), true);
    await refresh();
    return;
  }
  await refresh();
  say(`Undone: ${button.dataset.what}. They are as they were before.`);
}

// --- mouse and keyboard -------------------------------------------------------------------

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target || !target.closest("#panel")) return;
  const link = target.closest("a[data-filter]");
  if (link) {
    event.preventDefault();
    filterTo(link.getAttribute("href"));
    return;
  }
  const bulkButton = target.closest("button[data-bulk]");
  if (bulkButton) {
    confirmBulk(bulkButton.dataset.bulk);
    return;
  }
  if (target.closest("button[data-undo]")) undo();
});

document.addEventListener("change", (event) => {
  const select = event.target instanceof Element && event.target.closest("#panel select[data-filter=entity]");
  if (!select) return;
  filterTo(queryOf({ ...shownFilter(), entity: select.value }));
});

document.addEventListener("submit", (event) => {
  if (event.target instanceof Element && event.target.matches("#panel form[data-filter-form]")) {
    event.preventDefault();
    const select = event.target.querySelector("select[data-filter=entity]");
    filterTo(queryOf({ ...shownFilter(), entity: select.value }));
  }
});

// With the script the entity filter applies on change: its Show button is for pages
// without one.
function scripted() {
  for (const button of document.querySelectorAll("#panel [data-without-script]")) button.hidden = true;
}
scripted();
document.addEventListener("htmx:afterSwap", scripted);

async function toggleEntity() {
  await settled();
  const item = current();
  const shown = shownFilter();
  if (shown.entity && (!item || item.dataset.entity === shown.entity)) {
    filterTo(queryOf({ ...shown, entity: "" }));
    return;
  }
  if (!item || !item.dataset.entity) {
    say(item ? "This item names no entity." : "Pick an item first: j and k move between suggestions.", true);
    return;
  }
  filterTo(queryOf({ ...shown, entity: item.dataset.entity }));
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  if (document.querySelector("dialog[open]")) return;
  if (event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]")) return;
  const actions = {
    A: () => likeThis("accept"),
    R: () => likeThis("reject"),
    f: toggleEntity,
    F: () => filterTo("?"),
    u: undo,
  };
  const act = actions[event.key];
  if (!act) return;
  event.preventDefault();
  act();
});
