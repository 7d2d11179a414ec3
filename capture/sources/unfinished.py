"""Is a dropped photo still being written?  Its image data cut short, and written to lately.

Size and mtime holding still (stability.py) is not enough: a phone's sync
client or an SMB copy that stalls for a few seconds mid-photo leaves a file
that looks settled, and reading it then filed half a photo in failed/ (and
a writer that reopened it by name made a second fragment).  An empty file is not
written yet; a JPEG ends with its EOI marker and a PNG with its IEND chunk; a file without one that
was written to less than `wait_s` ago is left to settle again instead.
Past that it is taken and fails as truncated, as before: a file really cut
short must not wait forever.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PIL import Image

JPEG_START, JPEG_END = b"\xff\xd8\xff", b"\xff\xd9"
PNG_START, PNG_END = b"\x89PNG\r\n\x1a\n", b"IEND"
# Enough of the file's end to find a PNG's IEND past any trailing padding.
TAIL_BYTES = 1 << 16


def cut_short(path: Path) -> bool:
    """True when the file is empty, or a JPEG or PNG whose image data does not reach its end marker."""
    try:
        with path.open("rb") as f:
            head = f.read(len(PNG_START))
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - TAIL_BYTES))
            tail = f.read()
    except OSError:
        return False  # the reader will say what is wrong with it
    if size == 0:
        return True  # created, not yet written (an encoder still at work, a copy not started)
    if head.startswith(JPEG_START):
        return not tail.rstrip(b"\x00").endswith(JPEG_END) and not _decodes_whole(path)
    if head.startswith(PNG_START):
        return PNG_END not in tail
    return False


def _decodes_whole(path: Path) -> bool:
    """A JPEG not ending in EOI may still be whole (a Motion Photo's video after it): ask the decoder.

    Any failure counts as not whole: cut inside its header it is not even
    identified, and waiting a while on a damaged young file costs nothing.
    """
    try:
        with Image.open(path) as im:
            im.load()
    except Exception:
        return False
    return True


def written_within(path: Path, wait_s: float) -> bool:
    try:
        return time.time() - os.stat(path).st_mtime < wait_s
    except OSError:
        return False


def still_being_written(path: Path, wait_s: float) -> bool:
    """Cut short and young: leave it to its writer a while longer."""
    return wait_s > 0 and written_within(path, wait_s) and cut_short(path)
