"""Where a photo shows barcode-like bars, decoded or not.

A reused box may carry an older label beside the new one, its barcode under
tape or in shadow so that no engine decodes it; a courier's scanner may
still read it.  Safety must not rest on what decoded, so the whole photo is
searched for bars at low resolution: rows of parallel edges, strong and all
one way.  The structure tensor gives both, per pixel: its energy (how strong
the edges are) and its coherence (how much they agree in direction).  Text
has strong edges in every direction; a shadow's edge is one line, longer
across its gradient than along it; bars are long along their gradient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from capture.types import Quad

# The photo is searched at this size: a waybill barcode in a 12-megapixel
# photo of a label a sixth of the frame wide still has its bars resolved.
SEARCH_MAX_SIDE = 1280
# Local brightness (Gaussian sigma, search px) that the picture is divided by,
# and a floor that keeps black from dividing by nothing.
BRIGHTNESS_SIGMA = 8
BRIGHTNESS_FLOOR = 8.0
# Window (search px) over which edge directions are compared: a few bars.
TENSOR_WINDOW = 15
# Bars agree in direction (coherence 1 is one direction exactly) ...
MIN_COHERENCE = 0.72
# ... and are strong edges, against the photo's own strongest (printed
# black on white): a fraction of the 99th percentile of edge energy.
MIN_ENERGY_FRACTION = 0.004
OPEN_PX = 11
# A region of bars this long along its gradient (search px, at least) ...
MIN_LENGTH_PX = 28
# ... and longer along its gradient than across, by this much.
MIN_ELONGATION = 1.3
# Light-dark alternations along the region's middle: a 1-D barcode has dozens.
MIN_ALTERNATIONS = 16
HYSTERESIS = 0.3
# A region too tall for bars is looked at again above this percentile of its edge energy.
SPLIT_ENERGY_PERCENTILE = 50
# Stripes fainter than this (brightness-divided grey, standard deviation) are
# paper or wood grain: printed bars keep twice this even in a shadow band or
# under tape, where grain on a desk stays under two thirds of it.
MIN_STRIPE_CONTRAST = 0.075


@dataclass(frozen=True)
class Bars:
    """A region that looks like a 1-D barcode, in photo pixels."""

    box: Quad
    angle: float  # reading direction (across the bars), degrees in [0, 180)
    length: float  # photo px along the reading direction

    @property
    def centre(self) -> tuple[float, float]:
        return sum(x for x, _ in self.box) / 4, sum(y for _, y in self.box) / 4

    @property
    def height(self) -> float:
        """Photo px across the reading direction (the bars' own height)."""
        (x0, y0), (x3, y3) = self.box[0], self.box[3]
        return math.hypot(x3 - x0, y3 - y0)

    def level_frame(self, width_px: int, height_px: int) -> np.ndarray:
        """The 2x3 map from a level crop of this size, centred on the bars, to photo pixels."""
        theta = math.radians(self.angle)
        u = np.array([math.cos(theta), math.sin(theta)])
        d = np.array([-u[1], u[0]])
        origin = np.array(self.centre) - u * width_px / 2 - d * height_px / 2
        return np.column_stack([u, d, origin])


def find_bars(image: np.ndarray) -> list[Bars]:
    """Every region of the photo that looks like a 1-D barcode's bars."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    height, width = gray.shape[:2]
    scale = min(1.0, SEARCH_MAX_SIDE / max(height, width))
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    # Brightness divided out: bars under brown tape or in a shadow band are
    # as striped as bars in the light, only fainter.
    small = small.astype(np.float32)
    small = small / (cv2.GaussianBlur(small, (0, 0), BRIGHTNESS_SIGMA) + BRIGHTNESS_FLOOR)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    window = (TENSOR_WINDOW, TENSOR_WINDOW)
    jxx = cv2.boxFilter(gx * gx, -1, window)
    jyy = cv2.boxFilter(gy * gy, -1, window)
    jxy = cv2.boxFilter(gx * gy, -1, window)
    energy = jxx + jyy
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (energy + 1e-6)
    strong = energy > MIN_ENERGY_FRACTION * float(np.percentile(energy, 99))
    mask = ((coherence > MIN_COHERENCE) & strong).astype(np.uint8)
    # Opening wider than a ruled line is thick in the mask drops the label's
    # frame and table rules, which are coherent too; bars are a broad patch.
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (OPEN_PX, OPEN_PX)))
    return [_scaled(bars, 1 / scale) for bars in _regions(mask, small, (jxx, jyy, jxy), energy, split=True)]


def _regions(
    mask: np.ndarray,
    small: np.ndarray,
    tensor: tuple[np.ndarray, np.ndarray, np.ndarray],
    energy: np.ndarray,
    split: bool,
    offset: tuple[int, int] = (0, 0),
) -> list[Bars]:
    """The bars among the mask's connected regions (search px; `offset`: the mask's top-left in them)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    found: list[Bars] = []
    for index in range(1, count):
        area = stats[index, cv2.CC_STAT_AREA]
        if area < MIN_LENGTH_PX * MIN_LENGTH_PX / 4:
            continue
        left, top = stats[index, cv2.CC_STAT_LEFT], stats[index, cv2.CC_STAT_TOP]
        box_w, box_h = stats[index, cv2.CC_STAT_WIDTH], stats[index, cv2.CC_STAT_HEIGHT]
        ys, xs = np.nonzero(labels[top : top + box_h, left : left + box_w] == index)
        ys, xs = ys + top + offset[1], xs + left + offset[0]
        bars = _bars_of(small, xs, ys, *tensor)
        if bars is not None:
            found.append(bars)
        elif split and area >= MIN_LENGTH_PX * MIN_LENGTH_PX:
            found += _strongest_part(xs, ys, small, tensor, energy)
    return found


def _strongest_part(
    xs: np.ndarray,
    ys: np.ndarray,
    small: np.ndarray,
    tensor: tuple[np.ndarray, np.ndarray, np.ndarray],
    energy: np.ndarray,
) -> list[Bars]:
    """Bars in a region too tall to be bars: barcode edges joined to a long soft edge running the same way.

    A shadow band or a tape edge crossing the bars runs parallel to them and
    is as coherent; one region then holds both, taller than any barcode.
    The bars' edges are far the stronger, so the region's strongest part is
    looked at again on its own.
    """
    left, top = int(xs.min()), int(ys.min())
    strongest = np.zeros((int(ys.max()) - top + 1, int(xs.max()) - left + 1), np.uint8)
    strong = energy[ys, xs] > np.percentile(energy[ys, xs], SPLIT_ENERGY_PERCENTILE)
    strongest[ys[strong] - top, xs[strong] - left] = 1
    opened = cv2.morphologyEx(
        strongest, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (OPEN_PX, OPEN_PX))
    )
    return _regions(opened, small, tensor, energy, split=False, offset=(left, top))


def _bars_of(
    small: np.ndarray, xs: np.ndarray, ys: np.ndarray, jxx: np.ndarray, jyy: np.ndarray, jxy: np.ndarray
) -> Bars | None:
    """The region's box when it is shaped and striped like a barcode, else None."""
    # The region's mean gradient direction: the reading direction.
    sxx, syy, sxy = float(jxx[ys, xs].sum()), float(jyy[ys, xs].sum()), float(jxy[ys, xs].sum())
    theta = 0.5 * math.atan2(2 * sxy, sxx - syy)
    u = np.array([math.cos(theta), math.sin(theta)])
    d = np.array([-u[1], u[0]])
    pts = np.column_stack([xs, ys]).astype(np.float64)
    along, across = pts @ u, pts @ d
    # One call per axis for both ends (a camera decision looks at hundreds of regions; each call costs its setup).
    along_lo, along_hi = (float(v) for v in np.percentile(along, (1, 99)))
    across_lo, across_hi = (float(v) for v in np.percentile(across, (1, 99)))
    length = along_hi - along_lo
    height = across_hi - across_lo
    if length < MIN_LENGTH_PX or length < MIN_ELONGATION * max(height, 1.0):
        return None
    mid_along = (along_hi + along_lo) / 2
    mid_across = float(np.median(across))
    if _alternations(small, u, d, mid_along, mid_across, length) < MIN_ALTERNATIONS:
        return None
    half_l, half_h = length / 2, height / 2
    centre = mid_along * u + mid_across * d
    corners = [centre + sx * half_l * u + sy * half_h * d for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    box: Quad = tuple((float(x), float(y)) for x, y in corners)  # type: ignore[assignment]
    return Bars(box=box, angle=math.degrees(theta) % 180.0, length=length)


def _alternations(
    small: np.ndarray, u: np.ndarray, d: np.ndarray, mid_along: float, mid_across: float, length: float
) -> int:
    """How many times the grey level crosses its mean along the region's middle line."""
    steps = np.linspace(-length / 2, length / 2, max(8, int(length * 2)))
    line = (mid_along + steps)[:, None] * u + mid_across * d
    map_x = line[:, 0].astype(np.float32).reshape(1, -1)
    map_y = line[:, 1].astype(np.float32).reshape(1, -1)
    profile = cv2.remap(small, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).ravel()
    # Crossings with hysteresis: noise on plain paper crosses the mean too,
    # but not by a good part of the profile's own spread.
    spread = float(profile.std())
    if spread < MIN_STRIPE_CONTRAST:
        return 0
    centred = profile - profile.mean()
    state, crossings = 0, 0
    for value in centred:
        level = 1 if value > HYSTERESIS * spread else -1 if value < -HYSTERESIS * spread else 0
        if level and level != state:
            crossings += state != 0
            state = level
    return crossings


def _scaled(bars: Bars, factor: float) -> Bars:
    box: Quad = tuple((x * factor, y * factor) for x, y in bars.box)  # type: ignore[assignment]
    return Bars(box=box, angle=bars.angle, length=bars.length * factor)
