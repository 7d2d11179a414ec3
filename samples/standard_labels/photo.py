"""One photo: build the scene, view it with a phone camera, degrade it by kind, save it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np

from standard_labels.backgrounds import cardboard, desk, poly_mailer
from standard_labels.compose import Plane, composite, homography, project
from standard_labels.effects import (
    defocus,
    glare,
    illumination,
    lens_softness,
    motion_blur,
    save,
    sensor_noise,
    shadow_band,
    unsharp,
)
from standard_labels.hands import choose_hand, paint_hand
from standard_labels.scenario import PhotoPlan
from standard_labels.scene import build_plane
from standard_labels.shots import Shot, make_shot

Rng = np.random.Generator
BACKGROUNDS = {"cardboard": cardboard, "poly_mailer": poly_mailer, "desk": desk}


def _label_quads(plane: Plane) -> np.ndarray:
    return np.concatenate([q for k, q in plane.quads.items() if k in ("label", "old_label")])


def fit_camera(plane: Plane, shot: Shot, rng: Rng, effects: list[str]) -> tuple[np.ndarray, float]:
    """A homography that shows every label whole inside the frame at the shot's scale, angle and tilt."""
    fw, fh = shot.frame
    pts = _label_quads(plane)
    extent = np.ptp(pts, axis=0) / plane.ppm  # mm
    if shot.fill:
        mm_px = shot.fill * min(fw, fh) / float(extent.max())
    else:  # far away: the label about a sixth of the frame width
        label_w = float(np.ptp(plane.quads["label"], axis=0).min()) / plane.ppm
        mm_px = fw / 6 / label_w * float(rng.uniform(0.9, 1.1))
    anchor = tuple(pts.mean(axis=0))
    spread = 0.32 if not shot.fill else 0.1
    margin = 0.03 * min(fw, fh)
    hmat = np.eye(3)
    for attempt in range(60):
        center = (fw * (0.5 + rng.uniform(-spread, spread)), fh * (0.5 + rng.uniform(-spread, spread)))
        hmat = homography(plane.alpha.shape[::-1], anchor, shot.frame, center, mm_px / plane.ppm, shot.rot, shot.tilt)
        seen = project(hmat, pts)
        if seen.min() > margin and (seen[:, 0] < fw - margin).all() and (seen[:, 1] < fh - margin).all():
            break
        if attempt % 3 == 2:
            mm_px *= 0.95
    effects.append(f"scale:{mm_px:.1f}px/mm")
    effects.append(f"rotate:{shot.rot % 360:.0f}deg")
    effects.append(f"tilt:{shot.tilt[0]:.0f}/{shot.tilt[1]:.0f}deg")
    return hmat, mm_px


def digit_height(plane: Plane, hmat: np.ndarray) -> float:
    """How tall the printed waybill number is in the photo, in px."""
    q = project(hmat, plane.quads["number"])
    return float((np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2)


def photo_overlays(
    frame: np.ndarray, plan: PhotoPlan, plane: Plane, hmat: np.ndarray, rng: Rng, fx: list[str], late: bool = False
) -> None:
    """Shadow bands (before the light falls), or glare (late: a specular highlight saturates after lighting)."""
    quad = plane.quads["label"]
    label_px = float(np.linalg.norm(np.diff(project(hmat, quad[:2]), axis=0)))
    if plan.kind == "glare" and late:
        place_glare(frame, plane, hmat, label_px, rng, fx)
        return
    if late:
        return
    if plan.kind in ("shadow_band", "second_label") and (plan.kind == "shadow_band" or rng.random() < 0.35):
        target = plane.quads["old_barcode" if plan.old_label else "label"]
        through = tuple(project(hmat, target.mean(axis=0)[None])[0] + rng.normal(0, 0.12 * label_px, size=2))
        darkness = float(rng.uniform(0.4, 0.6) if plan.kind == "shadow_band" else rng.uniform(0.55, 0.72))
        frame[:] = shadow_band(frame, rng, through, float(rng.uniform(0.15, 0.35)) * label_px, darkness)
        fx.append(f"shadow_band:{darkness:.2f}")


def place_glare(frame: np.ndarray, plane: Plane, hmat: np.ndarray, label_px: float, rng: Rng, fx: list[str]) -> None:
    """A highlight on the label that leaves the printed number or the whole barcode out of its washed-out core."""
    number = project(hmat, plane.quads["number"]).reshape(-1, 1, 2)
    bars = project(hmat, plane.quads["barcode"]).reshape(-1, 1, 2)
    for _ in range(50):
        src = plane.quads["barcode"] if rng.random() < 0.5 else plane.quads["label"]
        w = rng.uniform(0.05, 0.95, size=2)
        point = (src[0] * (1 - w[0]) + src[1] * w[0]) * (1 - w[1]) + (src[3] * (1 - w[0]) + src[2] * w[0]) * w[1]
        seen = project(hmat, point[None])[0]
        center = (float(seen[0]), float(seen[1]))
        radius, stretch = float(rng.uniform(0.12, 0.24)) * label_px, float(rng.uniform(1.0, 1.8))
        reach = 1.3 * radius * stretch  # beyond this the text keeps its contrast
        clear_number = -cv2.pointPolygonTest(number, center, True) >= reach
        clear_bars = -cv2.pointPolygonTest(bars, center, True) >= reach
        if clear_number or clear_bars:
            glare(frame, center, radius, stretch, float(rng.uniform(0, np.pi)))
            fx.append(f"glare:r{radius:.0f}px:{'number_clear' if clear_number else 'bars_clear'}")
            return
    fx.append("glare:none_fitted")


def blur_by_kind(frame: np.ndarray, kind: str, digits: float, rng: Rng, fx: list[str]) -> np.ndarray:
    """Motion and defocus kept readable (sized from the digit height); illegible made far too strong."""
    if kind == "motion_blur":
        length = int(min(int(rng.integers(5, 16)), max(3, 0.6 * digits)))
        angle = float(rng.uniform(0, 180))
        fx.append(f"motion_blur:{length}px@{angle:.0f}deg")
        return motion_blur(frame, length, angle)
    if kind == "defocus":
        radius = float(np.clip(rng.uniform(0.1, 0.17) * digits, 3, 14))
        gaussian = bool(rng.random() < 0.4)
        fx.append(f"defocus:{'gaussian' if gaussian else 'disc'}:r{radius:.1f}px")
        return defocus(frame, radius, gaussian)
    if kind == "illegible":
        return _unreadable(frame, digits, rng, fx)
    return frame


def _unreadable(frame: np.ndarray, digits: float, rng: Rng, fx: list[str]) -> np.ndarray:
    """A blur wider than the digits are tall, done on a reduced copy (the result has no fine detail anyway)."""
    h, w = frame.shape[:2]
    motion = bool(rng.random() < 0.4)
    size = float(rng.uniform(2.8, 3.8) if motion else rng.uniform(0.9, 1.3)) * digits
    f = max(1.0, size / 12)
    small = cv2.resize(frame, (round(w / f), round(h / f)), interpolation=cv2.INTER_AREA)
    if motion:
        angle = float(rng.uniform(0, 180))
        small = motion_blur(small, max(3, round(size / f)), angle)
        fx.append(f"illegible:motion_blur:{size:.0f}px@{angle:.0f}deg")
    else:
        small = defocus(small, size / f, gaussian=False)
        fx.append(f"illegible:defocus:r{size:.0f}px")
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def make_photo(plan: PhotoPlan, out_dir: Path) -> dict[str, Any]:
    """Render plan's photo into out_dir / plan.file; returns the effects actually applied."""
    rng = np.random.default_rng(plan.seed)
    shot = make_shot(rng, plan.kind, plan.file.endswith(".png"))
    fw, fh = shot.frame
    fx = [f"frame:{fw}x{fh}", f"background:{shot.background}"]
    if shot.look != plan.kind:
        fx.append(f"look:{shot.look}")
    frame = BACKGROUNDS[shot.background](rng, fh, fw)
    digits, plane, hmat = 0.0, None, np.eye(3)
    if plan.label is not None:
        occluder = "hand" if rng.random() < 0.6 else "tape"
        plane, _ = build_plane(plan, rng, occluder if plan.kind == "occluded" else "", fx)
        hmat, mm_px = fit_camera(plane, shot, rng, fx)
        composite(frame, plane, hmat)
        photo_overlays(frame, plan, plane, hmat, rng, fx)
        if plan.kind == "occluded" and occluder == "hand":
            polys, desc = choose_hand(plane, rng)
            paint_hand(frame, rng, polys, hmat, mm_px)
            fx.append(desc)
        digits = digit_height(plane, hmat) if "number" in plane.quads else 0.0
    frame = illumination(frame, rng, shot.level)
    if shot.level < 0.7:
        fx.append(f"low_light:{shot.level:.2f}")
    if plan.kind == "glare" and plane is not None:
        photo_overlays(frame, plan, plane, hmat, rng, fx, late=True)
    frame = blur_by_kind(frame, plan.kind, digits, rng, fx)
    frame = sensor_noise(lens_softness(frame, shot.softness), rng, shot.noise)
    frame = unsharp(frame, *shot.sharpen)
    fx.append(f"noise:{shot.noise:.3f}")
    fx.append(f"sharpen:{shot.sharpen[0]:.1f}/{shot.sharpen[1]:.1f}")
    (out_dir / plan.file).parent.mkdir(parents=True, exist_ok=True)
    save(frame, out_dir / plan.file, shot.quality)
    fx.append("png" if plan.file.endswith(".png") else f"jpeg:q{shot.quality}")
    if digits:
        fx.append(f"digit_height:{digits:.0f}px")
    return {"file": plan.file, "effects": fx}
