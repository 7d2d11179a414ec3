"""Render a label spec with its template, then print it the way a thermal printer does."""

from __future__ import annotations

import random
from collections.abc import Callable

import cv2
import numpy as np

from standard_labels.draw import Rendered
from standard_labels.scenario import LabelSpec
from standard_labels.tpl_cainiao import cainiao_76x130, cainiao_100x180, jt_76x130
from standard_labels.tpl_post_dp import deppon_100x150, ems_100x150
from standard_labels.tpl_sf_jd import jd_100x113, sf_100x150
from standard_labels.tpl_slip import packing_slip

TEMPLATE_FUNCS: dict[str, Callable[[LabelSpec, random.Random], Rendered]] = {
    "cainiao_76x130": cainiao_76x130,
    "cainiao_100x180": cainiao_100x180,
    "jt_76x130": jt_76x130,
    "sf_100x150": sf_100x150,
    "jd_100x113": jd_100x113,
    "ems_100x150": ems_100x150,
    "deppon_100x150": deppon_100x150,
    "packing_slip": packing_slip,
}


def render_label(spec: LabelSpec) -> Rendered:
    """The un-degraded label, deterministic in the spec (its seed drives every layout choice)."""
    return TEMPLATE_FUNCS[spec.template](spec, random.Random(spec.seed))


def thermal_print(label: Rendered, rng: random.Random, aged: bool = False) -> np.ndarray:
    """Paper tone, ink density, faint print-head streaks; an aged label is yellowed, faded and scuffed.

    Returns float32 RGB in [0, 1] at the label's own resolution."""
    ink = label.img.astype(np.float32) / 255.0
    h, w = ink.shape
    if rng.random() < 0.5:  # slight dot gain: thermal bars come out a touch wider
        ink = cv2.erode(ink, np.ones((2, 2), np.uint8)) * 0.35 + ink * 0.65
    density = rng.uniform(0.05, 0.16) if not aged else rng.uniform(0.25, 0.45)
    if rng.random() < 0.3:  # a worn print-head dot leaves a light vertical streak
        for _ in range(rng.randint(1, 3)):
            x, width = rng.randrange(w), rng.randint(1, 2)
            ink[:, x : x + width] = np.maximum(ink[:, x : x + width], 0.55)
    paper = np.array([0.97, 0.97, 0.95], np.float32) if not aged else np.array([0.90, 0.86, 0.74], np.float32)
    grey = density + (1 - density) * ink
    rgb = grey[..., None] * paper[None, None, :]
    if aged:
        blotch = cv2.resize(np.random.default_rng(rng.randrange(1 << 30)).random((8, 5)).astype(np.float32), (w, h))
        rgb *= (0.88 + 0.12 * blotch)[..., None]
    return np.clip(rgb, 0, 1)
