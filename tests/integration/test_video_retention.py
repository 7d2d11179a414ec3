"""Retention of packing videos: by age, then by quota, oldest first; a disputed order's clips are kept.

Real clips (PyAV/libx264, a few frames each) catalogued in a real SQLite
database through the facade's catalog, then `video.prune` and the
`waybill video --prune` command.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from capture import settings as settings_mod
from capture.api import video
from capture.sources.clip_encoder import ClipEncoder
from capture.sources.clip_recorder import FinishedClip

NOW = datetime.now(UTC)


@pytest.fixture
def settings(tmp_path):
    return settings_mod.load(
        db_url=f"sqlite:///{tmp_path / 'waybill.db'}", env={}, evidence_dir=str(tmp_path / "evidence")
    )


def catalogued(settings, name: str, order: str, age_days: float) -> Path:
    path = Path(settings.evidence_dir) / "video" / f"{name}.mp4"
    encoder = ClipEncoder(path, 320, 240, 15)
    for k in range(5):
        image = np.full((240, 320, 3), (k * 40 + len(name) * 7) % 255, np.uint8)
        encoder.write(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420), k * 67)
    size = encoder.finish()
    started = NOW - timedelta(days=age_days)
    clip = FinishedClip(path, name, order, "A", None, started, started + timedelta(seconds=20), 5, size)
    video.DatabaseCatalog(settings).add(clip)
    return path


def kept(settings, names: list[str]) -> list[str]:
    return [n for n in names if any(c.removed_at is None for c in video.clips(n, settings))]


def test_clips_older_than_the_keep_days_are_removed_and_the_history_says_so(settings):
    names = ["SF1000000000001", "SF1000000000002", "SF1000000000003"]
    paths = [
        catalogued(settings, n, f"40000000000000000{i}", age)
        for i, (n, age) in enumerate(zip(names, (45, 31, 2), strict=True))
    ]
    assert kept(settings, names) == names[2:], "the catalog applies retention after each clip"
    assert [p.exists() for p in paths] == [False, False, True]
    gone = video.clips(names[0], settings)[0]
    assert gone.removed_reason == "age" and gone.removed_at is not None


def test_over_the_quota_the_oldest_go_first_and_a_disputed_order_keeps_its_clips(settings):
    names = [f"SF200000000000{i}" for i in range(5)]
    orders = [f"41000000000000000{i}" for i in range(5)]
    paths = [catalogued(settings, n, o, age) for n, o, age in zip(names, orders, (5, 4, 3, 2, 1), strict=True)]
    sizes = [p.stat().st_size for p in paths]
    video.open_dispute(orders[0], "买家说空包", "person:wang", settings)
    # Room for exactly three clips: the two oldest undisputed go, the disputed oldest stays.
    tight = replace(settings, video_quota_mb=(sizes[0] + sizes[3] + sizes[4] + 1) / 1_000_000)
    removed = video.prune(tight)
    assert [r.waybill for r in removed] == [names[1], names[2]]
    assert {r.reason for r in removed} == {"quota"}
    assert kept(settings, names) == [names[0], names[3], names[4]]
    assert not paths[1].exists() and not paths[2].exists() and paths[0].exists()
    assert video.clips(names[0], settings)[0].disputed

    # The dispute closed, the next prune may take that clip too (the oldest).
    assert video.close_dispute(orders[0], "person:wang", settings) == 1
    tighter = replace(settings, video_quota_mb=(sizes[3] + sizes[4] + 1) / 1_000_000)
    assert [r.waybill for r in video.prune(tighter)] == [names[0]]


def test_the_video_command_prints_paths_prunes_and_exports(tmp_path, settings):
    path = catalogued(settings, "SF3000000000001", "420000000000000001", 1)
    env = {"WAYBILL_DB_URL": settings.db_url, "WAYBILL_EVIDENCE_DIR": settings.evidence_dir, "PATH": "/usr/bin:/bin"}
    waybill = [sys.executable, "-m", "capture.cli"]
    shown = subprocess.run([*waybill, "video", "420000000000000001"], env=env, capture_output=True, text=True)
    assert shown.returncode == 0 and shown.stdout.strip() == str(path), shown.stderr
    missing = subprocess.run([*waybill, "video", "SF9999999999999"], env=env, capture_output=True, text=True)
    assert missing.returncode == 1 and "no packing video" in missing.stderr and "Traceback" not in missing.stderr
    out = tmp_path / "dispute.zip"
    exported = subprocess.run(
        [*waybill, "video", "SF3000000000001", "--export", str(out)], env=env, capture_output=True, text=True
    )
    assert exported.returncode == 0, exported.stderr
    import zipfile

    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {path.name, "clip.json", "history.json", "manifest.json"} <= names
        assert archive.read(path.name) == path.read_bytes()
    again = subprocess.run(
        [*waybill, "video", "SF3000000000001", "--export", str(out)], env=env, capture_output=True, text=True
    )
    assert again.returncode != 0 and "exists" in again.stderr
    pruned = subprocess.run(
        [*waybill, "video", "--prune"], env=env | {"WAYBILL_VIDEO_KEEP_DAYS": "0.5"}, capture_output=True, text=True
    )
    assert pruned.returncode == 0 and f"removed (age): {path}" in pruned.stdout, pruned.stderr
    assert not path.exists()
