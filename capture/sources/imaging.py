"""A decoded image as the engines need it: 8-bit RGB, whatever depth and transparency the file had.

Pillow's own convert("RGB") clips a 16-bit grayscale PNG (0-65535) to
white and drops alpha, and ink on transparent paper is black ink on black
pixels underneath: both came out `no_waybill` while the same label in
8-bit queued.  Here depth is scaled, not clipped, and transparency is laid
on white paper.  HEIC/HEIF (the iPhone's default) is opened through
pillow-heif, registered with Pillow once when this module is imported.
"""

from __future__ import annotations

import numpy as np
import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()

SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N"})
WIDE_MODES = SIXTEEN_BIT_MODES | {"I", "F"}
ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
EIGHT_BIT_TOP = 255
SIXTEEN_BIT_TOP = 65535
PAPER = (255, 255, 255, 255)


def as_rgb8(im: Image.Image) -> Image.Image:
    """The image as 8-bit RGB: wide levels scaled down, transparency composited on white."""
    if im.mode == "RGB":
        return im  # the common case: no copy (a 12-megapixel copy costs more than reading its barcodes)
    if im.mode in WIDE_MODES:
        return _scaled_to_8bit(im).convert("RGB")
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ALPHA_MODES:
        paper = Image.new("RGBA", im.size, PAPER)
        return Image.alpha_composite(paper, im.convert("RGBA")).convert("RGB")
    return im.convert("RGB")


def _scaled_to_8bit(im: Image.Image) -> Image.Image:
    levels = np.asarray(im).astype(np.float64)
    # A 16-bit file's scale is its format's; a 32-bit or float one's is whatever it holds.
    top = SIXTEEN_BIT_TOP if im.mode in SIXTEEN_BIT_MODES else max(float(levels.max()), EIGHT_BIT_TOP)
    return Image.fromarray(np.clip(levels * (EIGHT_BIT_TOP / top), 0, EIGHT_BIT_TOP).round().astype(np.uint8), "L")
