"""The box-top plane that holds the labels, what lies on it (tape, a hand), and its perspective view."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from standard_labels.backgrounds import smooth_noise, wrinkle_field
from standard_labels.draw import Box

Rng = np.random.Generator


@dataclass
class Plane:
    """Labels and overlays in flat box-top coordinates (px at the label's print resolution).

    rgba holds premultiplied colour and coverage in one (h, w, 4) float32 array."""

    rgba: np.ndarray
    ppm: float
    quads: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def empty(cls, w: int, h: int, ppm: float) -> Plane:
        return cls(np.zeros((h, w, 4), np.float32), ppm)

    @property
    def alpha(self) -> np.ndarray:
        return self.rgba[..., 3]

    def place(self, rgb: np.ndarray, alpha: np.ndarray, m: np.ndarray, boxes: dict[str, Box], prefix: str = "") -> None:
        """Lay a label (rgb + alpha at label resolution) onto the plane with the 2x3 affine m (over its footprint)."""
        lh, lw = alpha.shape
        corners = np.array([[0, 0], [lw, 0], [lw, lh], [0, lh]], np.float32) @ m[:, :2].T + m[:, 2]
        ph, pw = self.alpha.shape
        x0, y0 = np.clip(np.floor(corners.min(axis=0)).astype(int) - 2, 0, [pw, ph])
        x1, y1 = np.clip(np.ceil(corners.max(axis=0)).astype(int) + 2, 0, [pw, ph])
        shifted = m.astype(np.float64) - np.array([[0, 0, x0], [0, 0, y0]], np.float64)
        src = np.dstack([rgb * alpha[..., None], alpha]).astype(np.float32)
        warped = cv2.warpAffine(
            src, shifted, (int(x1 - x0), int(y1 - y0)), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0)
        )
        region = self.rgba[y0:y1, x0:x1]
        region *= 1 - warped[..., 3:4]
        region += warped
        for name, (bx0, by0, bx1, by1) in {**boxes, "label": (0, 0, lw, lh)}.items():
            quad = np.array([[bx0, by0], [bx1, by0], [bx1, by1], [bx0, by1]], np.float32)
            self.quads[prefix + name] = quad @ m[:, :2].T.astype(np.float32) + m[:, 2].astype(np.float32)

    def coverage(self, mask: np.ndarray, name: str) -> float:
        """The share of a named box that mask (plane-sized, 0..1) hides."""
        region = np.zeros(mask.shape, np.uint8)
        cv2.fillConvexPoly(region, np.round(self.quads[name]).astype(np.int32), 1)
        inside = region > 0
        return float((mask[inside] > 0.5).mean()) if inside.any() else 0.0

    def overlay(self, color: np.ndarray, mask: np.ndarray) -> None:
        """Paint something lying on top (tape, skin): color (h,w,3) with opacity mask (h,w)."""
        self.rgba *= (1 - mask)[..., None]
        self.rgba[..., :3] += color * mask[..., None]
        self.rgba[..., 3] += mask

    def darken(self, mask: np.ndarray, strength: float) -> None:
        """A shadow or dark tape: darkens labels, and the box around them once composited."""
        self.rgba *= (1 - strength * mask)[..., None]
        self.rgba[..., 3] += strength * mask


def wrinkle(rgb: np.ndarray, rng: Rng, ppm: float) -> tuple[np.ndarray, np.ndarray, str]:
    """A label stuck on a crumpled mailer: displaced by a few mm along wrinkles, shaded, with gloss on ridges."""
    h, w = rgb.shape[:2]
    sh, sw = max(8, h // 6), max(8, w // 6)
    height = wrinkle_field(rng, sh, sw, rng.integers(3, 7), 0.05 * max(sh, sw))
    bulk = cv2.GaussianBlur(height, (0, 0), max(sh, sw) / 18)  # displacement stays smooth: no rubbery glyphs
    by, bx = np.gradient(bulk)
    peak_bulk = float(np.abs(np.stack([bx, by])).max()) + 1e-6
    shift_mm = float(rng.uniform(1.0, 2.5))
    dx = cv2.resize((bx / peak_bulk * shift_mm * ppm).astype(np.float32), (w, h))
    dy = cv2.resize((by / peak_bulk * shift_mm * ppm).astype(np.float32), (w, h))
    gy, gx = np.gradient(cv2.GaussianBlur(height, (0, 0), 1.2))
    peak = float(np.abs(np.stack([gx, gy])).max()) + 1e-6
    xx, yy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    warped = cv2.remap(rgb, xx + dx, yy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    alpha = cv2.remap(np.ones((h, w), np.float32), xx + dx, yy + dy, cv2.INTER_LINEAR, borderValue=0)
    light = rng.uniform(-1, 1, size=2)
    light /= np.linalg.norm(light) + 1e-6
    slope = cv2.resize(((gx * light[0] + gy * light[1]) / peak).astype(np.float32), (w, h))
    shade = 1 + slope * rng.uniform(0.18, 0.32)
    gloss = np.clip(slope - 0.55, 0, None) * rng.uniform(0.6, 1.2)
    out = warped * shade[..., None] + gloss[..., None]
    return np.clip(out, 0, 1), alpha, f"wrinkle:{shift_mm:.1f}mm"


def tape_on_plane(plane: Plane, rng: Rng, mask: np.ndarray, style: str) -> np.ndarray:
    """A strip of tape (mask from tape_mask) on the plane: clear (glossy, see-through), tan, brown or black."""
    h, w = plane.alpha.shape
    color, opacity = {
        "clear": ([0.96, 0.96, 0.93], rng.uniform(0.15, 0.28)),
        "tan": ([0.80, 0.60, 0.36], rng.uniform(0.5, 0.7)),
        "brown": ([0.45, 0.30, 0.16], rng.uniform(0.86, 0.95)),
        "black": ([0.08, 0.08, 0.08], rng.uniform(0.8, 0.92)),
    }[style]
    gloss = smooth_noise(rng, max(2, h // 8), max(2, w // 8), 10)
    gloss = cv2.resize(gloss, (w, h)) * mask
    tint = np.broadcast_to(np.array(color, np.float32), (h, w, 3)) + (0.25 * gloss**3)[..., None]
    plane.overlay(np.clip(tint, 0, 1).astype(np.float32), mask * opacity)
    return mask * opacity


def homography(
    plane_wh: tuple[int, int], anchor: tuple[float, float], frame_wh: tuple[int, int], center: tuple[float, float],
    scale: float, rot: float, tilt: tuple[float, float],
) -> np.ndarray:  # fmt: skip
    """Plane -> frame: scale about anchor, rotate in plane, tilt about x and y, pinhole-project at center."""
    pw, ph = plane_wh
    corners = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float64)
    pts = np.hstack([(corners - anchor) * scale, np.zeros((4, 1))])
    a, b, c = np.radians(tilt[0]), np.radians(tilt[1]), np.radians(rot)
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    focal = 0.85 * max(frame_wh)
    cam = pts @ (rx @ ry @ rz).T
    cam[:, 2] += focal
    proj = focal * cam[:, :2] / cam[:, 2:3] + np.array(center)
    return cv2.getPerspectiveTransform(corners.astype(np.float32), proj.astype(np.float32))


def project(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(pts.reshape(-1, 1, 2).astype(np.float32), h).reshape(-1, 2)


def composite(frame: np.ndarray, plane: Plane, h: np.ndarray) -> None:
    """Warp the plane into the frame (only over what is drawn on it) and lay it on with a faint contact shadow."""
    fh, fw = frame.shape[:2]
    ys, xs = np.nonzero(cv2.resize(plane.alpha, None, fx=0.125, fy=0.125, interpolation=cv2.INTER_AREA) > 0)
    if not len(xs):
        return
    ph, pw = plane.alpha.shape
    cx0, cy0 = max(0, int(xs.min()) * 8 - 16), max(0, int(ys.min()) * 8 - 16)
    cx1, cy1 = min(pw, int(xs.max()) * 8 + 24), min(ph, int(ys.max()) * 8 + 24)
    crop = np.array([[1, 0, cx0], [0, 1, cy0], [0, 0, 1]], np.float64)
    foot = project(h @ crop, np.array([[0, 0], [cx1 - cx0, 0], [cx1 - cx0, cy1 - cy0], [0, cy1 - cy0]], np.float32))
    x0, y0 = np.clip(np.floor(foot.min(axis=0)).astype(int) - 8, 0, [fw, fh])
    x1, y1 = np.clip(np.ceil(foot.max(axis=0)).astype(int) + 8, 0, [fw, fh])
    if x1 <= x0 or y1 <= y0:
        return
    shifted = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64) @ h @ crop
    src = plane.rgba[cy0:cy1, cx0:cx1]
    out = cv2.warpPerspective(
        src, shifted, (int(x1 - x0), int(y1 - y0)), flags=cv2.INTER_CUBIC, borderValue=(0, 0, 0, 0)
    )
    a = np.clip(out[..., 3], 0, 1)
    rgb = np.ascontiguousarray(out[..., :3])  # premultiplied by alpha
    np.clip(rgb, 0, 1, out=rgb)
    roi = frame[y0:y1, x0:x1]  # a view: the frame changes in place
    halo = np.clip(cv2.GaussianBlur(a, (0, 0), 4) - a, 0, 1)
    keep = 1 - 0.25 * halo
    keep *= 1 - a
    roi *= keep[..., None]
    roi += rgb
