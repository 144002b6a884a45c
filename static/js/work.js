// My work: moving through one's queue from the keyboard, as the reader's review does.
// j/k next/previous article, Enter or o opens it, d marks it done, ? lists the shortcuts.
// No article text is ever written as HTML here: the page renders it, this only moves focus.
"use strict";

const items = () => Array.from(document.querySelectorAll("[data-queue-item]"));
const shortcuts = document.getElementById("shortcuts");
let current = null;

function setCurrent(item) {
  if (!item) return;
  if (current) current.classList.remove("is-current");
  current = item;
  item.classList.add("is-current");
  item.focus({ preventScroll: true });
  item.scrollIntoView({ block: "nearest" });
}

function move(step) {
  const list = items();
  if (!list.length) return;
  const at = list.indexOf(current);
  const next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(at + step, 0), list.length - 1);
  setCurrent(list[next]);
}

function press(selector) {
  const button = current && current.querySelector(selector);
  if (button) button.click();
}

document.addEventListener("click", (event) => {
  const item = event.target instanceof Element && event.target.closest("[data-queue-item]");
  if (item && !event.target.closest("a, button")) setCurrent(item);
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  if (document.querySelector("dialog[open]")) return;
  if (event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]")) return;
  // Enter on a link or a button does what it always does.
  if (event.key === "Enter" && event.target instanceof Element && event.target.closest("a, button")) return;
  const open = () => {
    const link = current && current.querySelector("[data-open]");
    if (link) window.location.assign(link.href);
  };
  const actions = {
    j: () => move(1),
    k: () => move(-1),
    o: open,
    Enter: open,
    d: () => press("[data-done]"),
    "?": () => shortcuts && shortcuts.showModal(),
  };
  const act = actions[event.key];
  if (!act) return;
  event.preventDefault();
  act();
});

// Back from reopening one (#assignment-12), that one is current; otherwise (back from
// marking one done, say) the first open one, as a mail client moves on to the next
// message, so that j and d work from the start.
const firstOpen = () => items().find((item) => !item.classList.contains("is-done")) || items()[0];
const fromHash = window.location.hash && document.getElementById(window.location.hash.slice(1));
setCurrent(fromHash && fromHash.matches("[data-queue-item]") ? fromHash : firstOpen());
