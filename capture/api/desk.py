"""What the packing-desk page sends besides gun reads: an uploaded photo, and asks: a scan's photo.

A photo from the page (a phone's snap, a picture chosen) is decoded, kept in
the evidence folder like a camera frame (the scan record points at it), and
scanned as `waybill scan` scans a file, with the station's desk pairing.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime
from pathlib import Path

from capture import review
from capture.api.runtime import database, engines
from capture.api.scanning import record_unreadable, scan_frame
from capture.errors import UnreadableImage
from capture.settings import Settings
from capture.sources import evidence
from capture.sources.browser import BrowserCamera
from capture.sources.camera import CameraEvent
from capture.sources.files import decode_image_bytes
from capture.store.db import session_scope
from capture.store.tables import ReviewItem, Scan
from capture.types import Frame, ScanResult

UPLOAD_SLUG = "upload"


def scan_photo(data: bytes, name: str, station: str | None, settings: Settings) -> ScanResult:
    """Read, decide and record one uploaded photo; a picture that cannot be decoded is an `error` result."""
    started = time.perf_counter()
    chosen = engines(settings)
    db = database(settings)
    try:
        image = decode_image_bytes(data, name, settings.max_image_pixels)
    except UnreadableImage as exc:
        return record_unreadable(f"upload:{name}", hashlib.sha256(data).hexdigest(), exc, chosen, db, started)
    slug = f"{UPLOAD_SLUG}-{station}" if station else UPLOAD_SLUG
    root = evidence.evidence_root(settings.evidence_dir)
    path, sha256 = evidence.save_frame(image, root, _safe(slug), "photo", datetime.now())
    return scan_frame(Frame(image, str(path), sha256), chosen, settings, db, started, station=station)


def scan_photo_path(scan_id: int, settings: Settings) -> Path | None:
    """The picture a scan was decided on, when it is a file that still exists (not a gun read)."""
    with session_scope(database(settings)) as session:
        scan = session.get(Scan, scan_id)
        if scan is None:
            return None
        path = Path(scan.path)
    return path if path.is_absolute() and path.is_file() else None


def _safe(slug: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in slug)


def review_scan_id(item_id: int, settings: Settings) -> int | None:
    """The scan a review item is about (the desk that made it learns it was settled)."""
    with session_scope(database(settings)) as session:
        item = session.get(ReviewItem, item_id)
        return item.scan_id if item is not None else None


def feed_camera_frame(camera: BrowserCamera, data: bytes, stream_s: float, settings: Settings) -> list[CameraEvent]:
    """One JPEG frame of a browser's camera; the parcels it completed, each decided and recorded once."""
    return camera.feed(data, stream_s)


def typed_carrier(text: str) -> tuple[str, str]:
    """(number, carrier code) of a number a supervisor is typing, by the carrier rules `review correct` applies.

    The page says so before the correction is sent when the carrier differs
    from the one read.  Raises ReviewError for a number no carrier has.
    """
    return review.typed_number(text)
