"""Packing videos (打包视频): record them beside a camera, find them by waybill or order, export one for a dispute, keep the disk in check.

Recording itself is sources.clip_recorder; the facade gives it the catalog
that writes each finished clip's row and then applies retention: clips older
than `video_keep_days`, then the oldest while all kept clips exceed
`video_quota_mb`, except those of an order with an open dispute.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from capture.api.reviewing import history
from capture.api.runtime import database
from capture.errors import CaptureError
from capture.pipeline.carriers import canonical
from capture.settings import Settings
from capture.sources import evidence
from capture.sources.clip_recorder import ClipRecorder, FinishedClip
from capture.store import clips as store
from capture.store.db import session_scope
from capture.store.tables import Clip, Scan, as_utc, utcnow
from capture.views import history_entry_json

log = logging.getLogger(__name__)

HASH_CHUNK = 1 << 20


class ClipNotFound(CaptureError):
    exit_code = 1

    def __init__(self, what: str) -> None:
        super().__init__(f"no packing video {what}", "`waybill video WAYBILL_OR_ORDER` lists the clips there are")


@dataclass(frozen=True)
class Removed:
    path: str
    waybill: str
    reason: str  # "age" or "quota"


class DatabaseCatalog:
    """The recorder's catalog: a row per finished clip, then retention."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def add(self, clip: FinishedClip) -> None:
        row = Clip(
            path=str(clip.path),
            sha256=_sha256(clip.path),
            waybill=clip.waybill,
            order_tid=clip.order,
            station=clip.station,
            scan_id=clip.scan_id,
            started_at=clip.started_at,
            ended_at=clip.ended_at,
            frames=clip.frames,
            bytes=clip.bytes,
        )
        with session_scope(database(self._settings)) as session:
            store.add_clip(session, row)
        for gone in prune(self._settings):
            log.info("packing video %s removed (%s): %s", gone.waybill, gone.reason, gone.path)


def clip_recorder(settings: Settings, station: str, live: bool) -> ClipRecorder | None:
    """The recorder of one camera when `video_record` is on; None otherwise."""
    if not settings.video_record:
        return None
    root = evidence.evidence_root(settings.evidence_dir)
    return ClipRecorder(settings, station, root, DatabaseCatalog(settings), live=live)


def clips(key: str, settings: Settings) -> list[store.ClipView]:
    """The packing videos of a waybill number or an order number, oldest first."""
    with session_scope(database(settings)) as session:
        return store.clips_for(session, canonical(key))


def clips_of_scan(scan_id: int, settings: Settings) -> list[store.ClipView]:
    with session_scope(database(settings)) as session:
        return store.clips_of_scan(session, scan_id)


def clip_file(clip_id: int, settings: Settings) -> Path:
    """The file of a clip that is still kept; ClipNotFound otherwise."""
    with session_scope(database(settings)) as session:
        found = store.clip(session, clip_id)
    if found is None or found.removed_at is not None or not Path(found.path).is_file():
        raise ClipNotFound(f"with id {clip_id} on disk")
    return Path(found.path)


def export_clip(clip_id: int, settings: Settings, out: Path) -> Path:
    """One zip for a dispute: the clip, the scan's evidence frame, the audit trail of its waybill and order.

    `manifest.json` lists each file's SHA-256 (the clip's also as recorded
    when it was written, so a changed file shows).  `out` must not exist.
    """
    path = clip_file(clip_id, settings)
    with session_scope(database(settings)) as session:
        found = store.clip(session, clip_id)
        scan = session.get(Scan, found.scan_id) if found and found.scan_id else None
        frame = Path(scan.path) if scan is not None else None
    assert found is not None
    trail = {key: _trail(key, settings) for key in {found.waybill, found.order_tid} if key}
    meta = asdict(found) | {k: v.isoformat() for k, v in asdict(found).items() if isinstance(v, datetime)}
    files: dict[str, Path | bytes] = {path.name: path, "clip.json": _dump(meta), "history.json": _dump(trail)}
    if frame is not None and frame.is_absolute() and frame.is_file():
        files[f"evidence_{frame.name}"] = frame
    manifest = {name: _sha256(body) if isinstance(body, Path) else _digest(body) for name, body in files.items()}
    with zipfile.ZipFile(out, "x", compression=zipfile.ZIP_STORED) as archive:  # H.264 does not compress further
        for name, body in files.items():
            archive.write(body, name) if isinstance(body, Path) else archive.writestr(name, body)
        archive.writestr("manifest.json", _dump({"sha256": manifest, "recorded_sha256": found.sha256}))
    return out


def prune(settings: Settings, now: datetime | None = None) -> list[Removed]:
    """Retention: too old first, then oldest while over the quota; a disputed order's clips stay."""
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.video_keep_days)
    quota = round(settings.video_quota_mb * 1_000_000)
    removed = []
    with session_scope(database(settings)) as session:
        total = store.kept_bytes(session)
        for row in store.removable_oldest_first(session):
            reason = "age" if as_utc(row.started_at) < cutoff else "quota" if total > quota else ""
            if not reason:
                break  # oldest first: every later clip is newer and the rest fit
            Path(row.path).unlink(missing_ok=True)
            store.mark_removed(session, row, reason)
            total -= row.bytes
            removed.append(Removed(row.path, row.waybill, reason))
    return removed


def open_dispute(order_tid: str, note: str, by: str, settings: Settings) -> store.DisputeView:
    """Mark an order disputed: its packing videos are kept until the dispute is closed."""
    with session_scope(database(settings)) as session:
        return store.open_dispute(session, order_tid.strip(), note, by)


def close_dispute(order_tid: str, by: str, settings: Settings) -> int:
    with session_scope(database(settings)) as session:
        return store.close_dispute(session, order_tid.strip(), by)


def _trail(key: str, settings: Settings) -> dict[str, object]:
    found = history(key, settings)
    return {"decisions": [history_entry_json(e) for e in found.decisions], "jobs": [asdict(j) for j in found.jobs]}


def _dump(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, indent=2, default=str).encode()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
