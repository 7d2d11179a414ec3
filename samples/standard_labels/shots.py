"""Per-kind camera and scene settings: frame size, background, scale, angle, light, noise, sharpening, JPEG."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Rng = np.random.Generator

LOOKS = ("clean", "jpeg", "rotated", "perspective_mild", "low_light_mild")  # for the order-decision kinds


@dataclass
class Shot:
    frame: tuple[int, int]  # width, height
    background: str
    fill: float  # the label's long side over the frame's short side (0 = use far scale)
    rot: float
    tilt: tuple[float, float]
    level: float
    noise: float
    quality: int
    sharpen: tuple[float, float]
    softness: float
    look: str


def _frame(rng: Rng, kind: str, png: bool) -> tuple[int, int]:
    if png:
        sizes = [(1600, 1200), (1280, 960), (2000, 1500), (1200, 1600)]
        return sizes[int(rng.integers(len(sizes)))]
    if kind in ("far", "illegible"):
        return (4000, 3000) if rng.random() < 0.65 else (3000, 4000)
    sizes = [(4000, 3000), (3000, 4000), (4032, 3024), (3024, 4032), (1920, 1440), (2048, 1536), (1440, 1920)]
    weights = np.array([0.42, 0.3, 0.1, 0.06, 0.05, 0.04, 0.03])
    return sizes[int(rng.choice(len(sizes), p=weights / weights.sum()))]


def _background(rng: Rng, kind: str) -> str:
    if kind == "wrinkled":
        return "poly_mailer"
    if kind == "packing_slip":
        return "desk" if rng.random() < 0.5 else "cardboard"
    if kind in ("no_label", "second_label"):
        return "cardboard"
    return str(rng.choice(["cardboard", "poly_mailer", "desk"], p=[0.6, 0.25, 0.15]))


def _rotation(rng: Rng, look: str) -> float:
    if look == "rotated":
        if rng.random() < 0.45:
            return float(rng.choice([90, 180, 270]) + rng.normal(0, 2))
        return float(rng.uniform(0, 360))
    base = 90.0 if rng.random() < 0.12 else 0.0
    return base + float(np.clip(rng.normal(0, 5), -12, 12))


def _tilt(rng: Rng, look: str) -> tuple[float, float]:
    if look == "perspective":
        strong = float(rng.uniform(35, 52) * rng.choice([-1, 1]))
        other = float(rng.normal(0, 10))
        return (strong, other) if rng.random() < 0.5 else (other, strong)
    spread = 16.0 if look == "perspective_mild" else 7.0
    return float(np.clip(rng.normal(0, spread), -25, 25)), float(np.clip(rng.normal(0, spread), -25, 25))


def make_shot(rng: Rng, kind: str, png: bool) -> Shot:
    look = str(rng.choice(LOOKS)) if kind in ("no_order", "ambiguous", "closed_order", "shipped_order") else kind
    level, noise = float(rng.uniform(0.85, 1.08)), float(rng.uniform(0.006, 0.014))
    quality = int(rng.integers(84, 96))
    sharpen = (float(rng.uniform(1.0, 2.0)), float(rng.uniform(0.2, 0.7)))
    if look == "clean":
        noise, quality, sharpen = 0.004, int(rng.integers(90, 97)), (1.2, 0.3)
    elif look == "jpeg":
        quality, sharpen = int(rng.integers(60, 86)), (float(rng.uniform(1.5, 3.0)), float(rng.uniform(0.8, 1.6)))
    elif look in ("low_light", "low_light_mild"):
        level = float(rng.uniform(0.16, 0.32) if look == "low_light" else rng.uniform(0.4, 0.6))
        noise = float(rng.uniform(0.025, 0.045) if look == "low_light" else rng.uniform(0.015, 0.025))
        quality = int(rng.integers(70, 90))
    fill = float(rng.uniform(0.55, 0.85))
    if look in ("far", "illegible"):
        fill = 0.0
    elif look == "second_label":
        fill = float(rng.uniform(0.8, 0.95))
    elif look == "perspective":
        fill = float(rng.uniform(0.75, 0.95))
    return Shot(
        frame=_frame(rng, kind, png),
        background=_background(rng, kind),
        fill=fill,
        rot=_rotation(rng, look) if look != "far" else float(rng.uniform(0, 360)),
        tilt=_tilt(rng, look),
        level=level,
        noise=noise,
        quality=quality,
        sharpen=sharpen,
        softness=float(rng.uniform(0.3, 0.9)),
        look=look,
    )
