// The reader's way to the REST API, shared by annotate.js and review.js: JSON over the
// session cookie with the CSRF header, and a refusal turned into the server's own words.

const config = document.getElementById("reader-config").dataset;

export const API = config.api;
export const ARTICLE = Number(config.article);

// A refusal the server explained (or the page's own check): its message is for the user.
export class ApiError extends Error {}

export function describe(status, data) {
  if (!data || typeof data !== "object") return `The server refused it (${status}).`;
  if (typeof data.detail === "string") return data.detail;
  const parts = [];
  for (const [name, messages] of Object.entries(data)) {
    const text = Array.isArray(messages) ? messages.join(" ") : String(messages);
    parts.push(name === "non_field_errors" ? text : `${name}: ${text}`);
  }
  return parts.join(" ") || `The server refused it (${status}).`;
}

export async function api(method, path, body) {
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

// What to tell the user when a write failed: the server's words, or that it was not
// reached (a dropped connection, a server that is down).
export function failure(error, unreached = "The server could not be reached; nothing was saved.") {
  return error instanceof ApiError ? error.message : unreached;
}
