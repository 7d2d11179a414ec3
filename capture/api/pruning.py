"""`waybill prune`: remove photos, evidence and audit rows past the keeping times the settings give.

keep_photos_days: photos (and their sidecars) filed in the drop folders' processed/ and failed/.
keep_evidence_days: camera evidence frames, and the evidence JSON of scans and their audit rows.
keep_audit_days: audit rows, and the scans nothing else refers to any more.
0 keeps forever.  A photo, frame or row of a scan still waiting for review
or upload is kept whatever its age (capture.store.retention says which).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from capture.api.runtime import database
from capture.settings import Settings
from capture.sources.evidence import evidence_root
from capture.sources.filing import SIDECAR_SUFFIX, Layout, sidecar_path
from capture.store import retention
from capture.store.db import session_scope


@dataclass(frozen=True)
class PruneReport:
    dry_run: bool
    photos: tuple[Path, ...]  # removed, or that would be
    frames: tuple[Path, ...]  # camera evidence frames
    kept_waiting: int  # old files kept because their scan still waits for review or upload
    evidence_cleared: int
    audit_rows: int
    scans: int
    nothing_set: bool  # every keep_*_days is 0: nothing is ever pruned


def _cutoff(now: datetime, days: int) -> datetime | None:
    return now - timedelta(days=days) if days > 0 else None


def _old_files(folders: Iterable[Path], cutoff: datetime, pattern: str) -> Iterator[Path]:
    limit = cutoff.timestamp()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.glob(pattern):
            ours = path.is_file() and not path.name.endswith(SIDECAR_SUFFIX) and not path.name.startswith(".")
            if ours and path.stat().st_mtime < limit:
                yield path


def _take(candidates: Iterable[Path], held: set[Path], dry_run: bool) -> tuple[list[Path], int]:
    taken, kept = [], 0
    for path in candidates:
        if path.resolve() in held:
            kept += 1
            continue
        taken.append(path)
        if not dry_run:
            path.unlink(missing_ok=True)
            sidecar_path(path).unlink(missing_ok=True)
    return taken, kept


def prune(settings: Settings, drop_folders: Iterable[Path], dry_run: bool, now: datetime | None = None) -> PruneReport:
    now = now or datetime.now(UTC)
    photos_before = _cutoff(now, settings.keep_photos_days)
    evidence_before = _cutoff(now, settings.keep_evidence_days)
    audit_before = _cutoff(now, settings.keep_audit_days)
    with session_scope(database(settings)) as session:
        held = {Path(p).resolve() for p in retention.held_paths(session)}
        cleared = retention.clear_evidence(session, evidence_before, dry_run) if evidence_before else 0
        rows, scans = retention.prune_audit(session, audit_before, dry_run) if audit_before else (0, 0)
        # Files after the rows are decided, in the same transaction's view of what is held.
        photos: list[Path] = []
        frames: list[Path] = []
        kept = 0
        if photos_before:
            layouts = [
                Layout.under(Path(f), settings.watch_processed_dir, settings.watch_failed_dir) for f in drop_folders
            ]
            folders = [d for layout in layouts for d in (layout.processed, layout.failed)]
            photos, kept = _take(_old_files(folders, photos_before, "*"), held, dry_run)
        if evidence_before:
            frames, kept_frames = _take(
                _old_files([evidence_root(settings.evidence_dir)], evidence_before, "**/*.jpg"), held, dry_run
            )
            kept += kept_frames
    return PruneReport(
        dry_run=dry_run,
        photos=tuple(photos),
        frames=tuple(frames),
        kept_waiting=kept,
        evidence_cleared=cleared,
        audit_rows=rows,
        scans=scans,
        nothing_set=not (photos_before or evidence_before or audit_before),
    )
