"""Every kind of image a desk really gets is read, and what is not an image is said, never skipped silently.

16-bit grayscale and RGBA-on-transparent PNGs came out `no_waybill` (the
pixels were clipped white, or the transparent paper turned black); HEIC,
the iPhone's default, and GIF were skipped by folder scans and `watch`
alike.  Real files made here from a sample label, real engines, a real
database, a real watcher.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from capture import api
from capture import settings as settings_mod
from tests.integration.test_watch import CLEAN_A, CLEAN_B, HUGE_LIMIT, ROOT, STABLE_S, by_name, wait_for, watching

NOT_AN_IMAGE = b"%PDF-1.4 a packing slip, not a photo\n"


@pytest.fixture
def settings(tmp_path):
    base = settings_mod.load(
        db_url=f"sqlite:///{tmp_path / 'waybill.db'}",
        env={},
        watch_stable_s=STABLE_S,
        watch_rescan_s=30.0,
        max_image_pixels=HUGE_LIMIT,
    )
    api.import_orders(ROOT / "samples" / "orders.csv", base)
    api.engines(base)
    return base


def gray16(src: Path, dest: Path) -> Path:
    """A 16-bit grayscale PNG, as some scanners save: 0-65535, not 0-255."""
    levels = np.asarray(Image.open(src).convert("L")).astype(np.uint16) * 257
    Image.fromarray(levels).save(dest)
    assert Image.open(dest).mode in ("I;16", "I")
    return dest


def ink_on_transparent(src: Path, dest: Path) -> Path:
    """Black ink on fully transparent paper: the colour under the transparency is black too."""
    darkness = 255 - np.asarray(Image.open(src).convert("L"))
    rgba = np.zeros((*darkness.shape, 4), np.uint8)
    rgba[..., 3] = darkness
    Image.fromarray(rgba).save(dest)
    return dest


def heic(src: Path, dest: Path) -> Path:
    pillow_heif.register_heif_opener()
    Image.open(src).save(dest, format="HEIF", quality=90)
    return dest


def gif(src: Path, dest: Path) -> Path:
    Image.open(src).save(dest, format="GIF")
    return dest


def test_a_folder_scan_reads_every_kind_and_says_what_it_cannot(tmp_path, settings):
    photos = tmp_path / "photos"
    photos.mkdir()
    made = [
        gray16(CLEAN_A, photos / "gray16.png"),
        ink_on_transparent(CLEAN_B, photos / "transparent.png"),
        heic(CLEAN_A, photos / "iphone.heic"),
        gif(CLEAN_B, photos / "animated.gif"),
    ]
    (photos / "slip.pdf").write_bytes(NOT_AN_IMAGE)
    (photos / "fake.gif").write_bytes(NOT_AN_IMAGE)
    results = {Path(r.path).name: r for r in api.scan_paths([photos], settings)}
    assert sorted(results) == sorted([p.name for p in made] + ["fake.gif"])
    for photo in made:
        outcome = results[photo.name].outcome
        assert outcome.status.value in ("queued", "rejected"), (photo.name, outcome)  # a second copy: already_queued
        assert outcome.candidate is not None
    fake = results["fake.gif"].outcome
    assert fake.status.value == "error" and "not an image" in fake.detail
    assert api.files_not_photos([photos]) == [str(photos / "slip.pdf")]  # `scan` names it on stderr


def test_watch_takes_heic_and_gif_and_files_what_it_cannot_read(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with watching(inbox, settings) as handled:
        heic(CLEAN_A, tmp_path / "iphone.HEIC").rename(inbox / "iphone.HEIC")
        gif(CLEAN_B, tmp_path / "scanner.gif").rename(inbox / "scanner.gif")
        (inbox / "slip.pdf").write_bytes(NOT_AN_IMAGE)
        (inbox / "notes").write_bytes(b"no suffix at all")
        wait_for(lambda: len(handled) == 4, "all four files")
    results = by_name(handled)
    assert results["iphone.HEIC"].result.outcome.status.value == "queued"
    assert results["scanner.gif"].result.outcome.status.value == "queued"
    for name in ("slip.pdf", "notes"):
        assert results[name].filed == inbox / "failed" / name
        assert results[name].filed.read_bytes() != b""
        sidecar = json.loads(results[name].sidecar.read_text())
        assert sidecar["scan"]["status"] == "error" and "not an image" in sidecar["why"]
    assert [p for p in inbox.iterdir() if p.is_file()] == []
