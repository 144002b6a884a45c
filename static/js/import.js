// The import page's upload form: a drop zone for files, .zip archives and whole folders,
// and the folder paths the server needs.
//
// The zone (shown only when this script runs; without it the form's own file inputs do
// everything) takes a drop, or opens the file chooser on a click, Enter or Space; a
// button beside it opens the folder chooser. Whatever comes, dropped or chosen, is added
// to one list shown under the zone with each file's size, and put into the form's own
// inputs: loose files into "files", the files of a folder into "folder" (a dropped
// manifest.csv into "manifest" when that is empty), so the form posts as it always did.
//
// A browser sends each file of a folder under its base name, and the server keeps no
// more, so where a file lay (wire/sub/b.txt) would be lost and the folder could not be
// sorted out as the CLI sorts one (a manifest.csv at its top, hidden folders skipped).
// Just before the form goes, this writes each folder file's folder into the hidden
// folder_paths field, in the order the files are sent:
// {"folders": ["wire", "wire/sub"], "files": [0, 1, ...]} (an index per file keeps the
// field small for thousands of files). Without it the import still works, on base names.
"use strict";

// The most files the list shows one by one; the rest are counted.
const LISTED = 300;

function folderPaths(paths) {
  const folders = [];
  const seen = new Map();
  const indexes = paths.map((path) => {
    const folder = path.slice(0, Math.max(path.lastIndexOf("/"), 0));
    if (!seen.has(folder)) {
      seen.set(folder, folders.length);
      folders.push(folder);
    }
    return seen.get(folder);
  });
  return JSON.stringify({ folders, files: indexes });
}

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function plural(count, one, many) {
  return `${count.toLocaleString("en-GB")} ${count === 1 ? one : many}`;
}

// What the server will make of a folder's file (articles.services.imports.folder_uploads
// sorts a folder the same way): "" for a file it imports.
const MANIFEST_NAME = "manifest.csv";
const MANIFEST_APPLIED = "the import's manifest";
const JUNK_PARTS = new Set(["__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"]);

function folderNote(path, manifestTaken) {
  const parts = path.split("/");
  const inside = parts.length > 1 ? parts.slice(1) : parts;
  if (inside.join("/") === MANIFEST_NAME) {
    return manifestTaken ? "not applied: one manifest per import" : MANIFEST_APPLIED;
  }
  if (inside.some((part) => JUNK_PARTS.has(part) || part.startsWith("."))) {
    return "hidden or system file: skipped";
  }
  if (!/\.(txt|text|zip)$/i.test(path)) return "not .txt or .zip: skipped";
  return "";
}

// --- Reading a drop -------------------------------------------------------------------

function entryFile(entry) {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function allEntries(reader) {
  // readEntries answers a hundred or so at a time, and an empty batch at the end.
  return new Promise((resolve, reject) => {
    const found = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) {
          resolve(found);
        } else {
          found.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry, into) {
  if (entry.isFile) {
    into.push({ file: await entryFile(entry), path: entry.fullPath.replace(/^\/+/, "") });
  } else if (entry.isDirectory) {
    for (const child of await allEntries(entry.createReader())) await walk(child, into);
  }
}

// The dropped things as {loose: [File], folder: [{file, path}]}. The items must all be
// read before the first await: the browser empties the DataTransfer after the event.
async function dropped(dataTransfer) {
  const loose = [];
  const folder = [];
  const items = Array.from(dataTransfer.items || []).filter((item) => item.kind === "file");
  const directories = [];
  for (const item of items) {
    const entry = typeof item.webkitGetAsEntry === "function" ? item.webkitGetAsEntry() : null;
    if (entry && entry.isDirectory) {
      directories.push(entry);
    } else {
      const file = item.getAsFile();
      if (file) loose.push(file);
    }
  }
  if (items.length === 0) loose.push(...Array.from(dataTransfer.files || []));
  for (const directory of directories) await walk(directory, folder);
  return { loose, folder };
}

// --- The zone -------------------------------------------------------------------------

function canSetFiles() {
  try {
    return typeof DataTransfer === "function" && Boolean(new DataTransfer().items);
  } catch {
    return false;
  }
}

function setFiles(input, files) {
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  input.files = transfer.files;
}

function dropZone(form) {
  const zone = form.querySelector("[data-drop-zone]");
  const folderButton = form.querySelector("[data-choose-folder]");
  const list = form.querySelector("[data-dropped]");
  const inputs = {
    files: form.elements.namedItem("files"),
    folder: form.elements.namedItem("folder"),
    manifest: form.elements.namedItem("manifest"),
  };
  const pathsField = form.elements.namedItem("folder_paths");
  if (!zone || !list || !inputs.files || !inputs.folder || !canSetFiles()) return;

  const chosen = { loose: [], folder: [] };

  function sync() {
    setFiles(inputs.files, chosen.loose);
    setFiles(inputs.folder, chosen.folder.map((item) => item.file));
    render();
  }

  function add(loose, folder) {
    for (const file of loose) {
      // A loose manifest.csv is the import's manifest when none is chosen yet.
      if (file.name.toLowerCase() === "manifest.csv" && inputs.manifest && !inputs.manifest.files.length) {
        setFiles(inputs.manifest, [file]);
      } else {
        chosen.loose.push(file);
      }
    }
    chosen.folder.push(...folder);
    sync();
  }

  function render() {
    const formManifest =
      inputs.manifest && inputs.manifest.files.length ? inputs.manifest.files[0] : null;
    let manifestTaken = Boolean(formManifest);
    const rows = chosen.loose.map((file) => ({ name: file.name, size: file.size, note: "" }));
    for (const item of chosen.folder) {
      const name = item.path || item.file.name;
      const note = folderNote(name, manifestTaken);
      if (note === MANIFEST_APPLIED) manifestTaken = true;
      rows.push({ name, size: item.file.size, note });
    }
    const summary = list.querySelector("[data-dropped-summary]");
    const ul = list.querySelector("ul");
    ul.replaceChildren();
    if (rows.length === 0 && !formManifest) {
      list.hidden = true;
      summary.textContent = "";
      return;
    }
    const total = rows.reduce((sum, row) => sum + row.size, 0);
    const skipped = rows.filter((row) => row.note && row.note !== MANIFEST_APPLIED).length;
    const manifests = rows.filter((row) => row.note === MANIFEST_APPLIED).length;
    const folders = new Set(chosen.folder.map((item) => (item.path || "").split("/")[0]));
    let text = `${plural(rows.length, "file", "files")} chosen, ${sizeText(total)}`;
    if (chosen.folder.length) text += ` (${plural(folders.size, "folder", "folders")})`;
    text += `: ${plural(rows.length - skipped - manifests, "file", "files")} to import`;
    if (skipped) text += `, ${skipped.toLocaleString("en-GB")} to be listed as skipped`;
    if (formManifest) text += `; manifest: ${formManifest.name}`;
    else if (manifests) text += "; the folder's manifest.csv is applied";
    summary.textContent = `${text}.`;
    for (const row of rows.slice(0, LISTED)) {
      const li = document.createElement("li");
      if (row.note && row.note !== MANIFEST_APPLIED) li.className = "is-skipped";
      const name = document.createElement("span");
      name.className = "dropped-name";
      name.textContent = row.name;
      if (row.note) {
        const note = document.createElement("span");
        note.className = "dropped-note";
        note.textContent = ` (${row.note})`;
        name.append(note);
      }
      const size = document.createElement("span");
      size.className = "dropped-size";
      size.textContent = sizeText(row.size);
      li.append(name, size);
      ul.append(li);
    }
    if (rows.length > LISTED) {
      const li = document.createElement("li");
      li.textContent = `and ${plural(rows.length - LISTED, "more file", "more files")}`;
      ul.append(li);
    }
    list.hidden = false;
  }

  // The zone replaces the native inputs on screen; they stay in the form, out of the tab order.
  form.classList.add("has-drop-zone");
  inputs.files.tabIndex = -1;
  inputs.folder.tabIndex = -1;
  zone.hidden = false;
  if (folderButton) folderButton.closest("[data-zone-buttons]").hidden = false;

  zone.addEventListener("click", () => inputs.files.click());
  zone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      inputs.files.click();
    }
  });
  if (folderButton) folderButton.addEventListener("click", () => inputs.folder.click());

  // A chooser replaces an input's files: what it chose joins what was there.
  inputs.files.addEventListener("change", () => add(Array.from(inputs.files.files), []));
  inputs.folder.addEventListener("change", () =>
    add(
      [],
      Array.from(inputs.folder.files, (file) => ({ file, path: file.webkitRelativePath || file.name }))
    )
  );
  if (inputs.manifest) inputs.manifest.addEventListener("change", render);

  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("is-over");
    });
  }
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("is-over");
  });
  zone.addEventListener("drop", async (event) => {
    event.preventDefault();
    zone.classList.remove("is-over");
    const { loose, folder } = await dropped(event.dataTransfer);
    add(loose, folder);
  });
  // A file dropped beside the zone must not make the browser leave the page to open it
  // (text dragged into the outlet field is left alone).
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (event) => {
      const types = event.dataTransfer ? Array.from(event.dataTransfer.types) : [];
      if (types.includes("Files") && !zone.contains(event.target)) event.preventDefault();
    });
  }

  const clear = list.querySelector("[data-dropped-clear]");
  if (clear) {
    clear.addEventListener("click", () => {
      chosen.loose = [];
      chosen.folder = [];
      if (inputs.manifest) inputs.manifest.value = "";
      sync();
      zone.focus();
    });
  }

  form.addEventListener("submit", () => {
    if (pathsField) pathsField.value = folderPaths(chosen.folder.map((item) => item.path));
    const button = form.querySelector("button[type=submit]");
    const count = chosen.loose.length + chosen.folder.length;
    if (button && count) button.textContent = `Uploading ${plural(count, "file", "files")}…`;
  });
  return true;
}

for (const form of document.querySelectorAll("form[data-import-form]")) {
  if (!dropZone(form)) {
    // No zone (an old browser): the native folder input sends its own paths.
    const input = form.elements.namedItem("folder");
    const field = form.elements.namedItem("folder_paths");
    if (input && field) {
      form.addEventListener("submit", () => {
        field.value = folderPaths(Array.from(input.files, (file) => file.webkitRelativePath || ""));
      });
    }
  }
}
