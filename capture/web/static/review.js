// The supervisor's page: the review queue live, one click to accept / correct / reject,
// order search, history and the upload queue.
"use strict";

const items = document.getElementById("review-items");
let selected = null; // the review item an order found by search is attached to

function reasonsText(list) {
  return list.map(word).join("；");
}

async function loadReview() {
  const entries = await api("GET", "/api/review");
  document.getElementById("review-count").textContent = `(${entries.length})`;
  if (!entries.length) {
    items.replaceChildren(el("p", T.nothing_waiting, "empty"));
    return;
  }
  // Cards on screen stay as they are: the supervisor may be typing a correction in one when
  // another desk's outcome arrives and the list is read again.
  const shown = new Map([...items.querySelectorAll("article.item")].map((box) => [box.dataset.item, box]));
  items.replaceChildren(...entries.map((entry) => shown.get(String(entry.id)) || card(entry)));
}

function card(entry) {
  const box = el("article", null, "item");
  box.dataset.item = entry.id;
  const photo = el("div", null, "photo");
  const img = el("img");
  img.alt = `scan ${entry.scan_id}`;
  img.src = entry.photo_url;
  img.onerror = () => img.replaceWith(el("p", "—"));
  photo.append(img);
  showScanClips(entry.scan_id, photo); // the parcel's packing video beside its photo (clips.js)
  const body = el("div");
  body.append(el("p", `#${entry.id} · ${clock(entry.created_at)}`), el("p", reasonsText(entry.reason_words), "reasons"));
  if (entry.detail) body.append(el("p", entry.detail, "detail"));
  body.append(el("h3", T.numbers_read));
  const numbers = el("ul");
  for (const n of entry.numbers) numbers.append(el("li", `${n.number} · ${n.carrier} · ${n.via} · ${n.confidence.toFixed(2)}`));
  if (!entry.numbers.length) numbers.append(el("li", "—"));
  body.append(numbers);
  for (const c of entry.conflicts) body.append(el("p", c, "warn"));
  const table = el("div", null, "candidates"); // scrolls sideways on a narrow screen instead of running under the side panel
  table.append(candidates(entry));
  body.append(el("h3", T.candidates), table, actions(entry));
  box.append(photo, body);
  box.addEventListener("click", () => { selected = entry; });
  return box;
}

function fmt(v) {
  return v === null || v === undefined ? "—" : Number(v).toFixed(2);
}

// What goes in the box and what the buyer and seller wrote (phones masked on import), under the order number.
function packingNotes(notes) {
  const list = el("ul", null, "notes");
  for (const i of (notes && notes.items) || []) {
    const what = i.properties ? `${i.title} [${i.properties}]` : i.title;
    list.append(el("li", i.quantity ? `${what} ×${i.quantity}` : what));
  }
  if (notes && notes.buyer_message) list.append(el("li", `${T.buyer_message}：${notes.buyer_message}`));
  if (notes && notes.seller_note) list.append(el("li", `${T.seller_note}：${notes.seller_note}`));
  return list;
}

function candidates(entry) {
  const table = el("table");
  const head = el("tr");
  for (const h of [T.order, T.score, T.receiver, T.phone, T.address, ""]) head.append(el("th", h));
  table.append(head);
  for (const o of entry.orders) {
    const row = el("tr");
    const tid = el("td", o.tid);
    tid.append(packingNotes(o.notes));
    row.append(tid, el("td", fmt(o.score)), el("td", `${o.receiver_name} ${fmt(o.name)}`),
      el("td", `${o.phone_masked} ${fmt(o.phone)}`), el("td", `${o.address} ${fmt(o.address_fit)}`, "addr"));
    const take = el("button", T.accept, "accept");
    take.dataset.order = o.tid;
    take.onclick = () => resolve(entry, "accept", {
      orders: [o.tid], waybill: entry.suggested_waybill, another_parcel: anotherParcel(entry),
    });
    const cell = el("td");
    cell.append(take);
    row.append(cell);
    table.append(row);
  }
  if (!entry.orders.length) {
    const row = el("tr");
    row.append(el("td", "—"));
    table.append(row);
  }
  return table;
}

function actions(entry) {
  const box = el("div", null, "actions");
  const number = el("input");
  number.placeholder = T.correct;
  number.value = entry.suggested_waybill || "";
  number.className = "correct-number";
  const order = el("input");
  order.placeholder = "#";
  order.className = "correct-order";
  order.value = entry.suggested_order || "";
  const fix = el("button", T.correct, "correct");
  const warning = el("p", "", "warn carrier-change");
  fix.onclick = async () => {
    const typed = number.value.trim();
    // A correction to another carrier is said first; the second click sends it.
    if (fix.dataset.confirmed !== typed) {
      let found;
      try {
        found = await api("GET", `/api/carrier?number=${encodeURIComponent(typed)}`);
      } catch (e) {
        warning.textContent = e.message;
        return;
      }
      const read = entry.numbers[0];
      if (read && found.carrier !== read.carrier) {
        warning.textContent = `${T.carrier_changes}: ${read.carrier} → ${found.carrier_name || found.carrier}`;
        fix.dataset.confirmed = typed;
        return;
      }
    }
    resolve(entry, "correct", { waybill: typed, order: order.value.trim() || null, another_parcel: anotherParcel(entry) });
  };
  const no = el("button", T.reject, "reject");
  no.onclick = () => resolve(entry, "reject", {});
  // The supervisor's word that this label is a further parcel of an order that already has a number (拆单发货).
  const parcel = el("label", null, "another-parcel");
  const tick = el("input");
  tick.type = "checkbox";
  parcel.append(tick, document.createTextNode(T.another_parcel));
  box.append(number, order, fix, no, parcel, warning);
  return box;
}

function anotherParcel(entry) {
  const tick = items.querySelector(`[data-item="${entry.id}"] .another-parcel input`);
  return Boolean(tick && tick.checked);
}

async function resolve(entry, action, body) {
  const box = items.querySelector(`[data-item="${entry.id}"]`);
  try {
    await api("POST", `/api/review/${entry.id}/${action}`, body);
    await refresh();
  } catch (e) {
    const why = e.body && e.body.refusal ? `${e.body.refusal.reason}: ${e.body.refusal.detail}` : e.message;
    if (box) box.append(el("p", why, "warn"));
  }
}

async function loadQueue() {
  const jobs = await api("GET", "/api/queue");
  const body = document.querySelector("#queue tbody");
  body.replaceChildren(...jobs.slice(0, 100).map((j) => {
    const row = el("tr");
    row.dataset.status = j.status;
    row.append(el("td", j.id), el("td", j.order), el("td", j.waybill), el("td", j.status), el("td", j.last_error || ""));
    const cell = el("td");
    for (const [label, action] of [[T.retry, "retry"], [T.cancel, "cancel"]]) {
      const b = el("button", label);
      b.onclick = async () => {
        try { await api("POST", `/api/queue/${action}`, { ids: [j.id] }); } catch (e) { alert(e.message); }
        loadQueue();
      };
      cell.append(b);
    }
    if (j.status === "sent") cell.append(resendButton(j));
    row.append(cell);
    return row;
  }));
}

// A sent number changed on the marketplace (a reprinted label); a refusal says what to do in the back office.
function resendButton(job) {
  const b = el("button", T.resend, "resend");
  b.onclick = async () => {
    const waybill = (prompt(T.resend_number, "") || "").trim();
    if (!waybill) return;
    const reason = (prompt(T.resend_reason, "") || "").trim();
    if (!reason) return;
    try {
      const done = await api("POST", `/api/queue/${job.id}/resend`, { waybill, reason });
      alert(`${T.resend_done}：${done.old_waybill} → ${done.waybill}`);
    } catch (e) {
      const body = e.body || {};
      alert([body.message_zh || e.message, body.hint_zh || ""].filter(Boolean).join("\n"));
    }
    loadQueue();
  };
  return b;
}

document.getElementById("order-search").addEventListener("submit", async (e) => {
  e.preventDefault();
  const q = document.getElementById("order-q").value.trim();
  const found = await api("GET", `/api/orders?q=${encodeURIComponent(q)}`);
  document.getElementById("order-results").replaceChildren(...found.map((o) => {
    const li = el("li", `${o.order} ${o.receiver} ${o.phone} ${o.status} ${o.address}`);
    const attach = el("button", T.accept);
    attach.onclick = () => selected && resolve(selected, "accept", { orders: [o.order], waybill: selected.suggested_waybill });
    li.append(attach);
    return li;
  }));
});

document.getElementById("history-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const key = document.getElementById("history-key").value.trim();
  if (!key) return;
  const found = await api("GET", `/api/history/${encodeURIComponent(key)}`);
  const box = document.getElementById("history");
  box.replaceChildren(...found.decisions.map((d) =>
    el("p", `${clock(d.at)} ${d.actor} ${d.action} ${d.status} ${d.waybill || "-"} ${d.order_tid || "-"} ${d.detail || ""}`)));
  for (const j of found.jobs) box.append(el("p", `job ${j.id}: ${j.order} ${j.waybill} ${j.status}`));
  showKeyClips(key, box); // packing videos of the waybill or order (clips.js)
});

async function refresh() {
  await Promise.all([loadReview(), loadQueue()]);
}

liveEvents("/api/events", { outcome: refresh, resolved: refresh }, (online) => {
  document.getElementById("link").className = `link ${online ? "online" : "offline"}`;
  if (online) refresh();
});
refresh();
