"""The box-top scene before the camera: the label(s) on the plane, wrinkles, tape, an older label beside."""

from __future__ import annotations

import random

import cv2
import numpy as np

from standard_labels.backgrounds import tape_mask
from standard_labels.compose import Plane, tape_on_plane, wrinkle
from standard_labels.draw import Rendered
from standard_labels.labels import render_label, thermal_print
from standard_labels.scenario import PhotoPlan

Rng = np.random.Generator


def _translate(x: float, y: float, rot: float = 0.0, center: tuple[float, float] = (0, 0)) -> np.ndarray:
    m = cv2.getRotationMatrix2D(center, rot, 1.0)
    m[:, 2] += np.array([x, y])
    return m


def single_plane(label: Rendered, rgb: np.ndarray, alpha: np.ndarray) -> Plane:
    margin = int(35 * label.ppm)
    h, w = alpha.shape
    plane = Plane.empty(w + 2 * margin, h + 2 * margin, label.ppm)
    plane.place(rgb, alpha, _translate(margin, margin), label.boxes)
    return plane


def darken_old(old: Rendered, rgb: np.ndarray, rng: Rng, effects: list[str]) -> np.ndarray:
    """Dark tape across the old label's bars (someone tried to hide it), so they may no longer decode."""
    x0, y0, x1, y1 = old.boxes["barcode"]
    h, w = rgb.shape[:2]
    width = (y1 - y0) * rng.uniform(1.1, 1.7)
    mask = _near_horizontal(rng, h, w, width, ((x0 + x1) / 2, (y0 + y1) / 2))
    style = str(rng.choice(["black", "brown"]))
    color = np.array([0.08, 0.08, 0.08] if style == "black" else [0.42, 0.28, 0.15], np.float32)
    opacity = rng.uniform(0.78, 0.92)
    effects.append(f"old_label_dark_tape:{style}:{opacity:.2f}")
    return rgb * (1 - opacity * mask[..., None]) + color * opacity * mask[..., None]


def _near_horizontal(rng: Rng, h: int, w: int, width: float, through: tuple[float, float]) -> np.ndarray:
    theta = np.radians(rng.normal(0, 6))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d = np.abs((yy - through[1]) * np.cos(theta) - (xx - through[0]) * np.sin(theta))
    return np.clip((width / 2 - d) / 2 + 0.5, 0, 1).astype(np.float32)


def second_plane(plan: PhotoPlan, label: Rendered, rgb: np.ndarray, rng: Rng, effects: list[str]) -> Plane:
    """The new label on top, the older one beside it or partly under it, turned a little."""
    assert plan.old_label
    old = render_label(plan.old_label)
    old_rgb = thermal_print(old, random.Random(plan.seed + 1), aged=True)
    old_rgb = darken_old(old, old_rgb, rng, effects) if rng.random() < 0.7 else old_rgb
    f = label.ppm / old.ppm
    old_rgb = cv2.resize(old_rgb, (round(old_rgb.shape[1] * f), round(old_rgb.shape[0] * f)))
    boxes = {k: tuple(round(v * f) for v in b) for k, b in old.boxes.items()}
    nh, nw = rgb.shape[:2]
    oh, ow = old_rgb.shape[:2]
    angle = float(rng.uniform(-25, 25))
    side = rng.choice(["left", "right", "top", "bottom"])
    overlap = float(rng.uniform(0.0, 0.35))
    dx = {"left": -1, "right": 1}.get(side, 0) * (nw + ow) / 2 * (1 - overlap)
    dy = {"top": -1, "bottom": 1}.get(side, 0) * (nh + oh) / 2 * (1 - overlap)
    dx += rng.uniform(-0.2, 0.2) * nw if dy else 0
    dy += rng.uniform(-0.2, 0.2) * nh if dx else 0
    span = max(nw, nh, ow, oh) * 2 + abs(dx) + abs(dy)
    size = int(span + 40 * label.ppm)
    cx = cy = size / 2
    plane = Plane.empty(size, size, label.ppm)
    m_old = _translate(cx + dx - ow / 2, cy + dy - oh / 2, angle, (ow / 2, oh / 2))
    plane.place(old_rgb, np.ones((oh, ow), np.float32), m_old, boxes, prefix="old_")  # type: ignore[arg-type]
    plane.place(rgb, np.ones((nh, nw), np.float32), _translate(cx - nw / 2, cy - nh / 2), label.boxes)
    effects.append(f"old_label:{plan.old_label.template}:{side}:overlap{overlap:.2f}:rot{angle:.0f}")
    return _crop_plane(plane, 25 * label.ppm)


def _crop_plane(plane: Plane, margin: float) -> Plane:
    pts = np.concatenate([plane.quads["label"], plane.quads["old_label"]])
    x0, y0 = np.maximum(0, np.floor(pts.min(axis=0) - margin)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0) + margin).astype(int)
    out = Plane(plane.rgba[y0:y1, x0:x1].copy(), plane.ppm)
    out.quads = {k: q - np.array([x0, y0], np.float32) for k, q in plane.quads.items()}
    return out


def build_plane(plan: PhotoPlan, rng: Rng, occluder: str, effects: list[str]) -> tuple[Plane, Rendered]:
    assert plan.label
    label = render_label(plan.label)
    rgb = thermal_print(label, random.Random(plan.seed))
    alpha = np.ones(label.img.shape, np.float32)
    if plan.kind == "wrinkled":
        rgb, alpha, desc = wrinkle(rgb, rng, label.ppm)
        effects.append(desc)
    if plan.old_label:
        return second_plane(plan, label, rgb, rng, effects), label
    plane = single_plane(label, rgb, alpha)
    if plan.kind == "tape_band":
        width = rng.uniform(45, 60) * label.ppm
        plane_tape(plane, rng, width, "clear", effects, legible_rule=False)
    if plan.kind == "occluded" and occluder == "tape":
        plane_tape(plane, rng, rng.uniform(45, 60) * label.ppm, str(rng.choice(["tan", "brown", "black"])), effects)
    return plane, label


def plane_tape(plane: Plane, rng: Rng, width: float, style: str, effects: list[str], legible_rule: bool = True) -> None:
    """Tape across the label; opaque tape leaves the printed number or the whole barcode untouched."""
    quad = plane.quads["label"]
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    for _ in range(60):
        through = (float(rng.uniform(lo[0], hi[0])), float(rng.uniform(lo[1], hi[1])))
        mask, _ = tape_mask(rng, plane.alpha.shape[0], plane.alpha.shape[1], width=width, through=through)
        if not legible_rule or plane.coverage(mask, "number") < 0.01 or plane.coverage(mask, "barcode") < 0.01:
            tape_on_plane(plane, rng, mask, style)
            effects.append(f"tape:{style}:{width / plane.ppm:.0f}mm")
            return
    effects.append(f"tape:{style}:none_fitted")
