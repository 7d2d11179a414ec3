"""unfinished.cut_short: an empty file, a JPEG without EOI and a PNG without IEND are not done; whole ones are."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from capture.sources.unfinished import cut_short, still_being_written


def encoded(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buf, format=fmt)
    return buf.getvalue()


def test_whole_and_cut_short_images(tmp_path: Path) -> None:
    for fmt in ("JPEG", "PNG"):
        data = encoded(fmt)
        whole, half = tmp_path / f"whole.{fmt}", tmp_path / f"half.{fmt}"
        whole.write_bytes(data)
        half.write_bytes(data[: len(data) // 2])
        assert not cut_short(whole) and cut_short(half), fmt
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not an image")
    assert cut_short(tmp_path / "empty.jpg") and not cut_short(tmp_path / "notes.txt")


def test_only_a_young_file_is_waited_for(tmp_path: Path) -> None:
    half = tmp_path / "half.jpg"
    half.write_bytes(encoded("JPEG")[:100])
    assert still_being_written(half, wait_s=30.0)
    assert not still_being_written(half, wait_s=0.0)
