// Shared by the desk and supervisor pages: the page's config, API calls with the CSRF token, times, elements.
"use strict";

const CONFIG = JSON.parse(document.getElementById("config").textContent);
const T = CONFIG.text;

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// fetch with the session cookie and CSRF token; throws ApiError (server said no) or TypeError (no network).
async function api(method, path, body, isForm) {
  const headers = { "X-CSRF-Token": CONFIG.csrf };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    if (isForm) {
      init.body = body;
    } else {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch (e) {
    parsed = { error: text };
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

const timeFormat = new Intl.DateTimeFormat(CONFIG.lang === "zh" ? "zh-CN" : "en-GB", {
  timeZone: CONFIG.timezone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
});
const dateFormat = new Intl.DateTimeFormat("en-CA", { timeZone: CONFIG.timezone });

function clock(iso) {
  return iso ? timeFormat.format(new Date(iso)) : "";
}

function shiftDay() {
  return dateFormat.format(new Date());
}

// An element with text content only: data never becomes HTML.
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function word(pair) {
  return pair ? pair[CONFIG.lang] || pair.zh : "";
}

// Live events: EventSource reconnects by itself (the server asks for 2 s) and resends Last-Event-ID.
function liveEvents(path, handlers, onState) {
  const source = new EventSource(path);
  source.onopen = () => onState(true);
  source.onerror = () => onState(false);
  for (const [kind, handle] of Object.entries(handlers)) {
    source.addEventListener(kind, (e) => handle(JSON.parse(e.data)));
  }
  return source;
}
