"""Barcodes the whole-photo read missed, read again on their own bars, upright and at full detail.

Whole-photo decoding misses a label small in a 12-megapixel photo (the
engine downscales the frame), bars turned at an angle its scan lines do not
cross, and bars softened by blur.  bars.find_bars says where bars are; each
region is cut out of the full-resolution photo turned level, and read as
it is, enlarged, then sharpened.  Boxes come back in the photo's pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from capture.engines.base import BarcodeEngine
from capture.pipeline.bars import Bars
from capture.pipeline.regions import is_matrix
from capture.types import BarcodeRead, Quad

# Quiet zone kept around the bars on each side, in bar-region lengths: the
# region found may stop short of the outermost bars.
MARGIN = 0.2
# Regions tried, longest first: a label has at most a main and a stub barcode
# and an order barcode; a photo with more is unusual and costs time.
MAX_REGIONS = 4
# Crops shorter than this (px) are enlarged for the second try ...
ENLARGE_BELOW_PX = 900
ENLARGE = 2.0
# ... and the third try sharpens (unsharp mask) against blur.
SHARPEN_SIGMA = 2.0
SHARPEN_AMOUNT = 1.0
# Light is evened out over this scale (crop px): wider than a bar, so bars
# keep their contrast, narrower than a shadow band.
EVEN_LIGHT_SIGMA_PX = 16
EVEN_LIGHT_FLOOR = 8.0


def read_bars(image: np.ndarray, found: Sequence[Bars], engine: BarcodeEngine) -> list[BarcodeRead]:
    """The 1-D barcodes decoded on the regions `found`, one read per region at most."""
    reads: list[BarcodeRead] = []
    for bars in sorted(found, key=lambda b: -b.length)[:MAX_REGIONS]:
        crop, to_photo = _upright(image, bars)
        for variant, back in _variants(crop, to_photo):
            linear = [r for r in engine.read(variant) if not is_matrix(r)]
            if linear:
                reads.extend(_in_photo(r, back, bars) for r in linear if all(r.text != k.text for k in reads))
                break
    return reads


def _upright(image: np.ndarray, bars: Bars) -> tuple[np.ndarray, np.ndarray]:
    """The bars and their quiet zone cut out level; and the 2x3 map from crop to photo pixels."""
    width_px = int(bars.length * (1 + 2 * MARGIN))
    height_px = int(bars.height + 2 * MARGIN * bars.length)
    to_photo = bars.level_frame(width_px, height_px)
    crop = cv2.warpAffine(
        image,
        cv2.invertAffineTransform(to_photo),
        (width_px, height_px),
        flags=cv2.INTER_LINEAR,
        borderValue=(255, 255, 255),
    )
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    return gray, to_photo


def _variants(crop: np.ndarray, to_photo: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The crop as cut, its light evened out, enlarged when short, and sharpened: each with its map to the photo."""
    variants = [(crop, to_photo), (_even_light(crop), to_photo)]
    if crop.shape[1] < ENLARGE_BELOW_PX:
        enlarged = cv2.resize(crop, None, fx=ENLARGE, fy=ENLARGE, interpolation=cv2.INTER_CUBIC)
        variants.append((enlarged, to_photo @ np.diag([1 / ENLARGE, 1 / ENLARGE, 1.0])))
    soft = cv2.GaussianBlur(crop, (0, 0), SHARPEN_SIGMA)
    variants.append((cv2.addWeighted(crop, 1 + SHARPEN_AMOUNT, soft, -SHARPEN_AMOUNT, 0), to_photo))
    return variants


def _even_light(crop: np.ndarray) -> np.ndarray:
    """The crop divided by its local brightness: a shadow band's edge across the bars no longer splits them.

    The engine binarises against a threshold that a sharp step in the light
    defeats on the bars either side of it; divided out, light and shadow
    give the same black and white.
    """
    grey = crop.astype(np.float32)
    even = grey / (cv2.GaussianBlur(grey, (0, 0), EVEN_LIGHT_SIGMA_PX) + EVEN_LIGHT_FLOOR)
    low, high = float(even.min()), float(even.max())
    return np.clip((even - low) * (255.0 / max(high - low, 1e-6)), 0, 255).astype(np.uint8)


def _in_photo(read: BarcodeRead, to_photo: np.ndarray, bars: Bars) -> BarcodeRead:
    """The read with its box in photo pixels, shaped as whole-photo reads are.

    The engine's box on a crop spans the rows it scanned, which is most of
    the crop; label views (regions.py) take a barcode box's height for the
    bars', so the box is rebuilt: the engine's reading line through its
    centre, as tall as the bars region found.
    """
    pts = np.array(read.box, dtype=np.float64) @ to_photo[:, :2].T + to_photo[:, 2]
    along = pts[1] - pts[0]
    length = float(np.hypot(*along))
    if length == 0:
        return read
    u = along / length
    d = np.array([-u[1], u[0]])
    half_height = bars.height / 2
    centre = pts.mean(axis=0)
    corners = [centre + sx * length / 2 * u + sy * half_height * d for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    box: Quad = tuple((float(x), float(y)) for x, y in corners)  # type: ignore[assignment]
    return BarcodeRead(text=read.text, format=read.format, engine=read.engine, box=box)
