// The packer's page: gun reads (kept in localStorage until the server answers), the big outcome screen,
// tones and spoken prompts, the shift count and the last 20 outcomes.
"use strict";

const STATION = CONFIG.station;
const KEY = (what) => `waybill.${what}.${STATION}`;
const RECENT_KEPT = 20;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 10000;

const gun = document.getElementById("gun");
const screen = document.getElementById("screen");
const link = document.getElementById("link");
const voiceOn = document.getElementById("voice-on");
const shown = new Set(); // outcomes already on screen (a POST's answer and its event are one outcome)
let retryMs = RETRY_FIRST_MS;
let flushing = false;
let retryTimer = null;

function load(what, fallback) {
  try {
    return JSON.parse(localStorage.getItem(KEY(what))) ?? fallback;
  } catch (e) {
    return fallback;
  }
}
function save(what, value) {
  localStorage.setItem(KEY(what), JSON.stringify(value));
}

function newReadId() {
  return (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

// --- the link to the server ---------------------------------------------------------------

function setOnline(online) {
  const pending = load("pending", []).length;
  link.className = `link ${online ? "online" : "offline"}`;
  link.textContent = online ? (pending ? `${pending} ${T.pending}` : "") : `${T.offline} (${pending})`;
}

function scheduleFlush() {
  if (retryTimer) return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    flush();
  }, retryMs);
  retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
}

// Send every kept read, oldest first; a read leaves localStorage only once the server has answered it.
async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    for (;;) {
      const pending = load("pending", []);
      if (!pending.length) break;
      const read = pending[0];
      try {
        const body = await api("POST", "/api/code", { text: read.text, station: STATION, read_id: read.id });
        drop(read.id);
        show(body);
      } catch (e) {
        if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403) {
          drop(read.id); // the read itself is wrong: say so, do not send it again
          showProblem(e.message);
          continue;
        }
        setOnline(false);
        scheduleFlush();
        return;
      }
    }
    retryMs = RETRY_FIRST_MS;
    setOnline(true);
  } finally {
    flushing = false;
  }
}

function drop(id) {
  save("pending", load("pending", []).filter((r) => r.id !== id));
}

gun.addEventListener("keydown", (e) => {
  if (e.key !== "Enter") return;
  e.preventDefault();
  const text = gun.value.trim();
  gun.value = "";
  if (!text) return;
  const pending = load("pending", []);
  pending.push({ id: newReadId(), text, at: new Date().toISOString() });
  save("pending", pending);
  flush();
});

// The gun types into whatever has focus: keep it on the input.
document.addEventListener("click", () => setTimeout(() => gun.focus(), 50));
gun.addEventListener("blur", () => setTimeout(() => {
  if (!document.activeElement || document.activeElement === document.body) gun.focus();
}, 200));

// --- showing an outcome -------------------------------------------------------------------

function outcomeKey(body) {
  return body.scan_id ? `scan:${body.scan_id}` : `${body.at}:${body.path}`;
}

function show(body) {
  const key = outcomeKey(body);
  if (shown.has(key)) return;
  shown.add(key);
  paint(body);
  play(body.display);
  remember(body);
}

function lineFor(body) {
  const pair = body.pair && body.pair.state === "paired" ? body.pair : null;
  const waybill = body.waybill || (pair && pair.waybill) || "";
  const carrier = body.carrier_name || body.carrier || "";
  return { waybill, carrier };
}

function paint(body) {
  const d = body.display;
  screen.className = `screen look-${d.look}`;
  screen.dataset.look = d.look;
  screen.dataset.status = body.status;
  document.getElementById("screen-title").textContent = word(d.title);
  const { waybill, carrier } = lineFor(body);
  document.getElementById("screen-waybill").textContent = [waybill, carrier].filter(Boolean).join("  ");
  const parcel = body.parcel;
  const order = body.order || (parcel && parcel.order) || "";
  const who = parcel ? [parcel.receiver, parcel.phone, parcel.address].filter(Boolean).join("  ") : "";
  document.getElementById("screen-detail").textContent = [order && `#${order}`, shopOf(body), who]
    .filter(Boolean).join("  ");
  document.getElementById("screen-reason").textContent = d.reasons.map(word).join("；");
  document.getElementById("screen-time").textContent = clock(body.at);
}

// The shop is shown once a seller has several (the single shop from before shops is "default").
function shopOf(body) {
  const shop = body.shop || (body.parcel && body.parcel.shop) || "";
  return shop && shop !== "default" ? `[${shop}]` : "";
}

function showProblem(message) {
  paint({ status: "error", at: new Date().toISOString(), display: {
    look: "red", tone: "rejected", voice: "rejected", title: { zh: "无法处理", en: "Not handled" },
    reasons: [{ zh: message, en: message }] } });
  play({ tone: "rejected", voice: "rejected" });
}

function play(d) {
  const tone = document.getElementById(`tone-${d.tone}`);
  if (!tone) return;
  tone.currentTime = 0;
  const voice = voiceOn.checked ? document.getElementById(`voice-${d.voice}`) : null;
  if (voice) {
    tone.onended = () => {
      voice.currentTime = 0;
      voice.play().catch(() => {});
    };
  } else {
    tone.onended = null;
  }
  tone.play().catch(() => {}); // a browser that blocks sound still shows the screen
}

// --- the shift count and the last 20 ------------------------------------------------------

function remember(body) {
  const recent = load("recent", []);
  recent.unshift({
    key: outcomeKey(body), scan_id: body.scan_id, at: body.at, status: body.status, look: body.display.look,
    title: body.display.title, ...lineFor(body), order: body.order || (body.parcel && body.parcel.order) || "",
    shop: shopOf(body),
  });
  save("recent", recent.slice(0, RECENT_KEPT));
  if (body.display.look === "green") countShipped();
  drawRecent();
}

function countShipped() {
  const shift = load("shift", { day: shiftDay(), count: 0 });
  if (shift.day !== shiftDay()) Object.assign(shift, { day: shiftDay(), count: 0 });
  shift.count += 1;
  save("shift", shift);
  drawCount();
}

function drawCount() {
  const shift = load("shift", { day: shiftDay(), count: 0 });
  document.getElementById("shift-count").textContent = shift.day === shiftDay() ? shift.count : 0;
}

function drawRecent() {
  const list = document.getElementById("recent");
  list.replaceChildren(...load("recent", []).map((r) => {
    const item = el("li", null, `look-${r.look}`);
    item.dataset.scanId = r.scan_id || "";
    item.append(el("span", clock(r.at), "at"), el("span", word(r.title), "what"),
      el("span", r.waybill, "number"), el("span", r.carrier, "carrier"), el("span", r.order && `#${r.order}`, "order"),
      el("span", r.shop || "", "shop"));
    return item;
  }));
}

// A supervisor settled one of this desk's review items.
function resolved(body) {
  const recent = load("recent", []);
  const mine = recent.find((r) => r.scan_id && r.scan_id === body.scan_id);
  if (!mine) return;
  // A pick list that settled a held label was counted as the green it showed; a supervisor's accept counts here.
  const newlyShipped = body.display.look === "green" && mine.look !== "green" && body.state !== "paired";
  Object.assign(mine, { status: body.status, look: body.display.look, title: body.display.title,
    waybill: body.waybill || mine.waybill, carrier: body.carrier_name || mine.carrier, order: body.order || mine.order });
  save("recent", recent);
  drawRecent();
  if (recent[0] === mine) {
    paint({ ...body, parcel: null });
    play(body.display);
  }
  if (newlyShipped) countShipped();
}

// --- start ------------------------------------------------------------------------------

drawCount();
drawRecent();
setOnline(true);
liveEvents(`/api/events?station=${encodeURIComponent(STATION)}`, { outcome: show, resolved }, (online) => {
  setOnline(online);
  if (online) flush(); // back after a restart or a dropped network: send what was kept
});
window.addEventListener("online", flush);
flush();

document.getElementById("snap").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  e.target.value = "";
  if (!file) return;
  const form = new FormData();
  form.append("photo", file);
  form.append("station", STATION);
  try {
    show(await api("POST", "/api/scan", form, true));
  } catch (err) {
    showProblem(err.message);
  } finally {
    gun.focus(); // the gun types into whatever has focus
  }
});
