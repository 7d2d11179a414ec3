// Packing videos on the supervisor's page: played beside a scan's photo and in a history,
// exported as a dispute's zip; an order marked disputed keeps its videos.
"use strict";

function clipBox(clip) {
  const box = el("figure", null, "clip");
  box.dataset.clip = clip.id;
  if (!clip.video_url) {
    box.append(el("figcaption", `${T.video} ${clip.waybill}: ${T.video_removed} (${clip.removed})`));
    return box;
  }
  const player = el("video");
  player.controls = true;
  player.preload = "metadata";
  player.muted = true;
  player.src = clip.video_url;
  const caption = el("figcaption", `${T.video} ${clip.waybill} · ${clip.order || "-"} · ${clip.station} · ${clock(clip.started_at)}–${clock(clip.ended_at)}`);
  const exportLink = el("a", T.export_zip, "export");
  exportLink.href = clip.export_url;
  exportLink.download = "";
  caption.append(" ", exportLink);
  if (clip.order) caption.append(" ", disputeButton(clip, box));
  box.append(player, caption);
  return box;
}

function disputeButton(clip, box) {
  if (clip.disputed) {
    const close = el("button", T.close_dispute, "close-dispute");
    close.onclick = () => mark(`/api/disputes/${encodeURIComponent(clip.order)}/close`, undefined, clip, box, false);
    const span = el("span", `${T.disputed} `, "disputed");
    span.append(close);
    return span;
  }
  const open = el("button", T.mark_dispute, "mark-dispute");
  open.onclick = () => mark("/api/disputes", { order: clip.order }, clip, box, true);
  return open;
}

async function mark(path, body, clip, box, disputed) {
  try {
    await api("POST", path, body === undefined ? {} : body);
    box.replaceWith(clipBox({ ...clip, disputed }));
  } catch (e) {
    box.append(el("p", e.message, "warn"));
  }
}

async function showClips(path, into) {
  let found;
  try {
    found = await api("GET", path);
  } catch (e) {
    return; // no videos is not an error a supervisor must act on
  }
  for (const clip of found.clips) into.append(clipBox(clip));
}

function showScanClips(scanId, into) {
  if (scanId) showClips(`/api/scans/${scanId}/clips`, into);
}

function showKeyClips(key, into) {
  showClips(`/api/clips?key=${encodeURIComponent(key)}`, into);
}
