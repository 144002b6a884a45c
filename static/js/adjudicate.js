// Adjudication from the keyboard, as review and My work do.
// The queue: j/k next/previous article, Enter or o opens it.
// An article: j/k next/previous unit (agreed ones skipped), 1..9 use that coder's version,
// x no gold unit, e edit, r reason (Enter or Esc back to the unit), u reopen a settled
// unit, n the next article in the queue. ? lists the shortcuts on both pages.
// Nothing here writes HTML: the page renders every text, this only moves focus and
// presses the page's own buttons (plain form posts with their CSRF token).
"use strict";

const shortcuts = document.getElementById("shortcuts");
const queue = document.querySelector("[data-adjudication-queue]");
const items = () =>
  Array.from(document.querySelectorAll(queue ? "[data-queue-item]" : "[data-unit]:not([data-state=agreed])"));
let current = null;

// scroll: false, or where the item goes in the window ("start", "nearest").
function setCurrent(item, { scroll = queue ? "nearest" : "start" } = {}) {
  if (!item) return;
  if (current) current.classList.remove("is-current");
  current = item;
  item.classList.add("is-current");
  item.focus({ preventScroll: true });
  if (scroll) item.scrollIntoView({ block: scroll });
}

function move(step) {
  const list = items();
  if (!list.length) return;
  const at = list.indexOf(current);
  const next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(at + step, 0), list.length - 1);
  setCurrent(list[next]);
}

function within(selector) {
  return current ? current.querySelector(selector) : null;
}

function press(selector) {
  const button = within(selector);
  if (button && !button.disabled) button.click();
}

function follow(selector) {
  const link = document.querySelector(selector);
  if (link && link.href) window.location.assign(link.href);
}

function openEdit() {
  const edit = within("[data-edit]");
  if (!edit) return;
  edit.open = true;
  const first = edit.querySelector("select, input");
  if (first) first.focus();
}

function focusReason() {
  const reason = within("[data-reason]");
  if (reason) reason.focus();
}

const queueActions = {
  j: () => move(1),
  k: () => move(-1),
  o: () => {
    const link = within("[data-open]");
    if (link) window.location.assign(link.href);
  },
};
queueActions.Enter = queueActions.o;

const unitActions = {
  j: () => move(1),
  k: () => move(-1),
  x: () => press("[data-drop]"),
  e: openEdit,
  r: focusReason,
  u: () => press("[data-reopen]"),
  n: () => follow("[data-next-article]"),
};
for (let n = 1; n <= 9; n += 1) unitActions[String(n)] = () => press(`[data-pick="${n}"]`);

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const item = target && target.closest(queue ? "[data-queue-item]" : "[data-unit]");
  if (item && !target.closest("a, button, input, select, summary, textarea")) setCurrent(item, { scroll: false });
});

// In a unit's fields, focus still says which unit is current.
document.addEventListener("focusin", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const unit = !queue && target && target.closest("[data-unit]");
  if (unit && unit !== current) {
    if (current) current.classList.remove("is-current");
    current = unit;
    unit.classList.add("is-current");
  }
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  if (document.querySelector("dialog[open]")) return;
  const target = event.target instanceof Element ? event.target : null;
  if (target && target.closest("input, textarea, select, [contenteditable]")) {
    // Out of a field and back to the unit: Esc anywhere; Enter in the reason, whose
    // form would otherwise submit (its default button does nothing, on purpose).
    if (event.key === "Escape" || (event.key === "Enter" && target.matches("[data-reason]"))) {
      const unit = target.closest("[data-unit]");
      if (unit) {
        event.preventDefault();
        if (event.key === "Escape") {
          const edit = target.closest("[data-edit]");
          if (edit) edit.open = false;
        }
        setCurrent(unit, { scroll: false });
      }
    }
    return;
  }
  // Enter on a link, a button or a disclosure does what it always does.
  if (event.key === "Enter" && target && target.closest("a, button, summary")) return;
  if (event.key === "?") {
    event.preventDefault();
    if (shortcuts) shortcuts.showModal();
    return;
  }
  const act = (queue ? queueActions : unitActions)[event.key];
  if (!act) return;
  event.preventDefault();
  act();
});

function fromHash() {
  if (!window.location.hash) return null;
  let id = window.location.hash.slice(1);
  try {
    id = decodeURIComponent(id);
  } catch (error) {
    return null;
  }
  return document.getElementById(id);
}

// Back from settling one (#unit-<key>: the next one to settle), that one is current;
// otherwise the first unit still open (the first article on the queue), so that the
// keys work from the start. With every unit settled (#summary), the summary and its link
// to the next article.
const landed = fromHash();
if (landed && landed.matches(queue ? "[data-queue-item]" : "[data-unit]")) {
  setCurrent(landed);
} else if (landed && landed.id === "summary") {
  landed.focus();
} else if (queue) {
  setCurrent(items()[0], { scroll: false });
} else {
  const open = document.querySelector("[data-unit][data-state=open]");
  if (open) setCurrent(open, { scroll: "nearest" });
}
