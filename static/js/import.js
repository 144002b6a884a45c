// The import page's folder: a browser sends each file of a chosen folder under its base
// name, and the server keeps no more, so where a file lay (wire/sub/b.txt) would be lost
// and the folder could not be sorted out as the CLI sorts one (a manifest.csv at its top,
// hidden folders skipped). Just before the form goes, this writes each file's folder into
// the hidden folder_paths field, in the order the files are sent:
// {"folders": ["wire", "wire/sub"], "files": [0, 1, ...]} (an index per file keeps the
// field small for thousands of files). Without it the import still works, on base names.
"use strict";

function folderPaths(files) {
  const folders = [];
  const seen = new Map();
  const indexes = Array.from(files, (file) => {
    const path = file.webkitRelativePath || "";
    const folder = path.slice(0, Math.max(path.lastIndexOf("/"), 0));
    if (!seen.has(folder)) {
      seen.set(folder, folders.length);
      folders.push(folder);
    }
    return seen.get(folder);
  });
  return JSON.stringify({ folders, files: indexes });
}

for (const input of document.querySelectorAll("input[type=file][webkitdirectory]")) {
  const field = input.form && input.form.elements.namedItem("folder_paths");
  if (field) input.form.addEventListener("submit", () => (field.value = folderPaths(input.files)));
}
