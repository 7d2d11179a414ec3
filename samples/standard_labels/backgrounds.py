"""What the label sits on: corrugated box tops (seam, tape, box print), poly mailers, desks."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from standard_labels.draw import CJK_CANDIDATES, cjk_families

Rng = np.random.Generator


def smooth_noise(rng: Rng, h: int, w: int, cells: int) -> np.ndarray:
    """Low-frequency noise in [0, 1]: a random grid of about cells x cells, upsampled."""
    gh, gw = max(2, round(cells * h / max(h, w))), max(2, round(cells * w / max(h, w)))
    grid = rng.random((gh, gw)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def gauss(rng: Rng, h: int, w: int, sigma: float) -> np.ndarray:
    """Fast normal noise (OpenCV's generator, seeded from rng so a photo is reproducible)."""
    cv2.setRNGSeed(int(rng.integers(1 << 31)))
    out = np.empty((h, w), np.float32)
    cv2.randn(out, np.array([0.0]), np.array([sigma]))
    return out


def _grain(rng: Rng, img: np.ndarray, amount: float) -> np.ndarray:
    """Fibre / surface texture, applied at the working (quarter) resolution before upscaling."""
    h, w = img.shape[:2]
    fine = cv2.GaussianBlur(gauss(rng, h, w, amount), (0, 0), 0.6)
    fine += 1
    img *= fine[..., None]
    return img


def cardboard(rng: Rng, h: int, w: int) -> np.ndarray:
    """Kraft board with mottling, corrugation show-through, a flap seam and maybe a strip of tape."""
    base = np.array(rng.choice([[0.66, 0.50, 0.33], [0.72, 0.57, 0.38], [0.58, 0.43, 0.28], [0.84, 0.80, 0.73]]))
    sh, sw = h // 4, w // 4
    mottle = 1 + 0.10 * (smooth_noise(rng, sh, sw, 8) - 0.5) + 0.05 * (smooth_noise(rng, sh, sw, 40) - 0.5)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    angle = rng.choice([0.0, np.pi / 2]) + rng.normal(0, 0.05)
    period = rng.uniform(0.006, 0.012) * max(sh, sw)
    flute = 1 + 0.018 * np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * 2 * np.pi / period)
    img = (mottle * flute)[..., None] * base[None, None, :].astype(np.float32)
    if rng.random() < 0.7:  # the gap where the two top flaps meet
        pos = rng.uniform(0.15, 0.85)
        dist = (xx - pos * sw) if angle < 0.5 else (yy - pos * sh)
        img *= (1 - 0.55 * np.exp(-((dist / 1.2) ** 2)) + 0.04 * np.tanh(dist / 6))[..., None]
    img = img.astype(np.float32)
    if rng.random() < 0.55:
        img = box_print(rng, img)
    if rng.random() < 0.6:
        img = tape_strip(rng, img)
    img = cv2.resize(_grain(rng, img, 0.035), (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(img, 0, 1, out=img)


def poly_mailer(rng: Rng, h: int, w: int) -> np.ndarray:
    """A glossy plastic mailer: crumpled height field, shaded, with specular ridges."""
    base = np.array(rng.choice([[0.72, 0.73, 0.75], [0.92, 0.92, 0.91], [0.13, 0.13, 0.14], [0.90, 0.74, 0.77]]))
    sh, sw = h // 4, w // 4
    height = wrinkle_field(rng, sh, sw, rng.integers(3, 7), 0.04 * max(sh, sw))
    height += 0.25 * wrinkle_field(rng, sh, sw, rng.integers(3, 8), 0.015 * max(sh, sw))
    height = cv2.GaussianBlur(height, (0, 0), 2)
    gy, gx = np.gradient(height)
    light = np.array([rng.uniform(-1, 1), rng.uniform(-1, 1)])
    light /= np.linalg.norm(light) + 1e-6
    shade = (gx * light[0] + gy * light[1]) * rng.uniform(2, 4)
    spec = np.clip(shade, 0, None) ** 2 * 0.3
    img = base[None, None, :] * (1 + np.clip(shade, -0.35, 0.35))[..., None] + spec[..., None] * 0.5
    img = cv2.resize(_grain(rng, img.astype(np.float32), 0.015), (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(img, 0, 1, out=img)


def wrinkle_field(rng: Rng, h: int, w: int, count: int | np.integer, width: float) -> np.ndarray:
    """A sum of soft ridges along wavy lines plus low-frequency bumps: the height of crumpled plastic."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    field = 0.6 * smooth_noise(rng, h, w, 5)
    for _ in range(int(count)):
        theta = rng.uniform(0, np.pi)
        c, s = np.cos(theta), np.sin(theta)
        offset = rng.uniform(-0.5, 0.5) * max(h, w)
        wobble = np.sin((xx * s - yy * c) / (max(h, w) * rng.uniform(0.1, 0.3))) * width
        d = xx * c + yy * s - (w / 2 * c + h / 2 * s) - offset + wobble
        field += rng.uniform(0.4, 1.0) * np.exp(-((d / (width * rng.uniform(0.5, 1.5))) ** 2))
    return field.astype(np.float32)


def desk(rng: Rng, h: int, w: int) -> np.ndarray:
    """A wooden or laminate desk top."""
    sh, sw = h // 4, w // 4
    if rng.random() < 0.5:
        base = np.array(rng.choice([[0.52, 0.40, 0.28], [0.62, 0.49, 0.35], [0.40, 0.29, 0.20], [0.70, 0.60, 0.47]]))
        streaks = cv2.GaussianBlur(rng.random((sh, sw)).astype(np.float32), (0, 0), sigmaX=sw / 25, sigmaY=0.7)
        streaks = (streaks - streaks.mean()) / (streaks.std() + 1e-6)
        planks = np.floor(np.mgrid[0:sh, 0:sw][0] / (sh / rng.uniform(2.5, 5))).astype(np.float32)
        tone = 1 + 0.06 * streaks + 0.05 * np.sin(planks * 2.3) + 0.06 * (smooth_noise(rng, sh, sw, 8) - 0.5)
    else:
        base = np.array(rng.choice([[0.86, 0.86, 0.84], [0.55, 0.56, 0.57], [0.93, 0.91, 0.86]]))
        tone = 1 + 0.05 * (smooth_noise(rng, sh, sw, 10) - 0.5)
    img = cv2.resize(_grain(rng, (tone[..., None] * base[None, None, :]).astype(np.float32), 0.02), (w, h))
    return np.clip(img, 0, 1, out=img)


BOX_PRINT = ("小心轻放", "防潮", "易碎物品", "向上", "纸箱 5号", "规格：290×170×190mm", "环保纸箱 可回收", "五层加硬")


def box_print(rng: Rng, img: np.ndarray) -> np.ndarray:
    """Flexo print on the box (blue, black or red ink): handling words, the box size in mm."""
    h, w = img.shape[:2]
    layer = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(layer)
    path, index = CJK_CANDIDATES[cjk_families()[int(rng.integers(0, 2))]]
    for _ in range(int(rng.integers(1, 4))):
        size = int(rng.uniform(0.02, 0.05) * max(w, h))
        font = ImageFont.truetype(path, size, index=index)
        x, y = int(rng.uniform(0, 0.8) * w), int(rng.choice([rng.uniform(0, 0.15), rng.uniform(0.8, 0.95)]) * h)
        draw.text((x, y), str(rng.choice(BOX_PRINT)), font=font, fill=int(rng.uniform(150, 230)))
    alpha = cv2.GaussianBlur(np.asarray(layer, np.float32) / 255.0, (0, 0), 0.6)
    ink = np.array(rng.choice([[0.15, 0.22, 0.45], [0.12, 0.12, 0.12], [0.55, 0.12, 0.10]]), np.float32)
    return img * (1 - alpha[..., None]) + (img * ink[None, None, :] * 1.2) * alpha[..., None]


def tape_strip(rng: Rng, img: np.ndarray) -> np.ndarray:
    """A strip of clear or tan packing tape across the frame (glossy, with visible edges)."""
    h, w = img.shape[:2]
    band, _ = tape_mask(rng, h, w, width=rng.uniform(0.05, 0.08) * max(h, w))
    tan = rng.random() < 0.5
    color = np.array([0.78, 0.58, 0.32] if tan else [0.95, 0.95, 0.92], np.float32)
    strength = 0.55 if tan else 0.18
    out = img * (1 - strength * band[..., None]) + color * strength * band[..., None]
    return out + (0.06 * band * smooth_noise(rng, h, w, 12))[..., None]


def tape_mask(
    rng: Rng, h: int, w: int, width: float, through: tuple[float, float] | None = None
) -> tuple[np.ndarray, float]:
    """A soft-edged straight band through a point (default: anywhere); returns the mask and its angle."""
    cx, cy = through or (rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h)
    theta = rng.uniform(0, np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d = np.abs((xx - cx) * np.sin(theta) - (yy - cy) * np.cos(theta))
    edge = max(1.5, width * 0.02)
    return np.clip((width / 2 - d) / edge + 0.5, 0, 1).astype(np.float32), float(theta)
