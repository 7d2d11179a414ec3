"""A hand holding the parcel: fingers reach onto the label from one side; drawn in the photo, planned on the plane."""

from __future__ import annotations

import cv2
import numpy as np

from standard_labels.backgrounds import smooth_noise
from standard_labels.compose import Plane, project

Rng = np.random.Generator
SKINS = ([0.86, 0.66, 0.55], [0.78, 0.57, 0.45], [0.66, 0.46, 0.34], [0.90, 0.74, 0.64])


def _ellipse(center: np.ndarray, axes: tuple[float, float], angle: float) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    pts = np.stack([axes[0] * np.cos(t), axes[1] * np.sin(t)], axis=1)
    c, s = np.cos(angle), np.sin(angle)
    return pts @ np.array([[c, s], [-s, c]]) + center


def _capsule(p0: np.ndarray, p1: np.ndarray, width: float) -> np.ndarray:
    """A finger: slightly tapering from root p0 to a rounded tip at p1."""
    d = (p1 - p0) / (np.linalg.norm(p1 - p0) + 1e-6)
    n = np.array([-d[1], d[0]])
    tip_w = width * 0.86
    t = np.linspace(-np.pi / 2, np.pi / 2, 14)
    tip = [p1 + tip_w / 2 * (np.cos(a) * d + np.sin(a) * n) for a in t]
    return np.array([p0 - n * width / 2, *tip, p0 + n * width / 2])


def hand_polygons(plane: Plane, rng: Rng, side: str, depth: float, offset: float) -> list[np.ndarray]:
    """Palm off the label beyond `side`, 3-4 fingers reaching `depth` px in, `offset` (-1..1) along the side."""
    quad = plane.quads["label"]
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    mm = plane.ppm
    n = np.array({"left": (1, 0), "right": (-1, 0), "top": (0, 1), "bottom": (0, -1)}[side], np.float64)
    t = np.array([-n[1], n[0]])
    center = (lo + hi) / 2
    edge = np.where(n > 0, lo, np.where(n < 0, hi, center))
    along = float(np.abs(t) @ (hi - lo))
    base = center * np.abs(t) + edge * np.abs(n) + t * offset * along / 2
    finger = rng.uniform(15, 19) * mm
    count = int(rng.integers(3, 5))
    palm = base - n * rng.uniform(34, 42) * mm
    polys = [_ellipse(palm, (40 * mm, (count * 0.5 + 0.6) * finger), float(np.arctan2(n[1], n[0])))]
    for i in range(count):
        k = i - (count - 1) / 2
        reach = depth * (1 - 0.18 * abs(k)) * rng.uniform(0.85, 1.05)
        root = base - n * 20 * mm + t * k * finger * 0.9
        polys.append(_capsule(root, base + t * k * finger * 0.96 + n * reach, finger))
    return polys


def plane_mask(plane: Plane, polys: list[np.ndarray]) -> np.ndarray:
    mask = np.zeros(plane.alpha.shape, np.uint8)
    cv2.fillPoly(mask, [np.round(p).astype(np.int32) for p in polys], 1)
    return mask.astype(np.float32)


def choose_hand(plane: Plane, rng: Rng) -> tuple[list[np.ndarray], str]:
    """A hand placement that leaves the waybill readable: the printed number or the whole barcode untouched."""
    label_w, label_h = np.ptp(plane.quads["label"], axis=0)
    for _ in range(40):
        side = str(rng.choice(["left", "right", "top", "bottom"]))
        extent = label_w if side in ("left", "right") else label_h
        depth = float(rng.uniform(0.15, 0.4) * extent)
        polys = hand_polygons(plane, rng, side, depth, float(rng.uniform(-0.7, 0.7)))
        mask = plane_mask(plane, polys)
        if plane.coverage(mask, "number") < 0.01 or plane.coverage(mask, "barcode") < 0.01:
            return polys, f"hand:{side}:{depth / plane.ppm:.0f}mm"
    return hand_polygons(plane, rng, "bottom", 0.12 * label_h, 0.0), "hand:bottom:fallback"


def paint_hand(frame: np.ndarray, rng: Rng, polys: list[np.ndarray], hmat: np.ndarray, mm_px: float) -> None:
    """Draw the projected hand into the frame with rounded shading and a soft shadow beside it."""
    fh, fw = frame.shape[:2]
    pts = [np.round(project(hmat, p)).astype(np.int32) for p in polys]
    allp = np.concatenate(pts)
    pad = int(12 * mm_px)
    x0, y0 = np.clip(allp.min(axis=0) - pad, 0, [fw, fh])
    x1, y1 = np.clip(allp.max(axis=0) + pad, 0, [fw, fh])
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    shade = np.zeros(mask.shape, np.float32)
    for p in pts:  # each finger rounded on its own, so the fingers read as separate
        part = np.zeros(mask.shape, np.uint8)
        cv2.fillPoly(part, [p - [x0, y0]], 255, cv2.LINE_AA)
        inner = cv2.distanceTransform((part > 127).astype(np.uint8), cv2.DIST_L2, 5)
        shade = np.maximum(shade, (0.7 + 0.35 * np.sqrt(np.clip(inner / (5 * mm_px), 0, 1))) * (part > 127))
        mask = np.maximum(mask, part)
    m = mask.astype(np.float32) / 255
    shift = (rng.uniform(2, 6, size=2) * mm_px).astype(np.float32)
    moved = cv2.warpAffine(m, np.array([[1, 0, shift[0]], [0, 1, shift[1]]], np.float32), (m.shape[1], m.shape[0]))
    shadow = np.clip(cv2.GaussianBlur(moved, (0, 0), 3 * mm_px) - m, 0, 1) * rng.uniform(0.35, 0.55)
    roi = frame[y0:y1, x0:x1]
    roi *= (1 - shadow)[..., None]
    shade = np.where(mask > 0, np.maximum(shade, 0.7), 0)
    texture = cv2.resize(smooth_noise(rng, 32, 32, 16), mask.shape[::-1]) * 0.06 + 0.97
    skin = np.array(SKINS[int(rng.integers(len(SKINS)))], np.float32)
    color = (shade * texture)[..., None] * skin[None, None, :]
    soft = cv2.GaussianBlur(m, (0, 0), max(1.0, 0.3 * mm_px))
    frame[y0:y1, x0:x1] = roi * (1 - soft[..., None]) + color * soft[..., None]
