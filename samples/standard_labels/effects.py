"""Photo-space effects on float32 RGB frames in [0, 1]: light, glare, shadow, blur, sensor noise, phone JPEG.

They may work in place on the frame they are given (frames are 12-megapixel; copies cost time)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from standard_labels.backgrounds import gauss, smooth_noise

Rng = np.random.Generator


def illumination(img: np.ndarray, rng: Rng, level: float = 1.0) -> np.ndarray:
    """Uneven room light: a gradient, a vignette and a white-balance cast, times an overall level."""
    h, w = img.shape[:2]
    sh, sw = h // 8, w // 8
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    gx, gy = rng.uniform(-0.25, 0.25, size=2)
    grad = 1 + gx * (xx / sw - 0.5) + gy * (yy / sh - 0.5)
    r2 = ((xx / sw - 0.5) ** 2 + (yy / sh - 0.5) ** 2) / 0.5
    vignette = 1 - rng.uniform(0.05, 0.3) * r2
    light = cv2.resize((grad * vignette * (0.9 + 0.2 * smooth_noise(rng, sh, sw, 3))).astype(np.float32), (w, h))
    cast = np.array([1 + rng.uniform(-0.06, 0.1), 1.0, 1 + rng.uniform(-0.1, 0.06)], np.float32)
    light *= level
    img *= light[..., None]
    img *= cast[None, None, :]
    return img


def sensor_noise(img: np.ndarray, rng: Rng, sigma: float) -> np.ndarray:
    """Shot-like luminance noise, stronger in the darks (a phone's pipeline removes most chroma noise)."""
    h, w = img.shape[:2]
    luma = gauss(rng, h, w, sigma)
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    np.maximum(grey, 0.02, out=grey)
    luma *= np.sqrt(grey, out=grey)
    img += luma[..., None]
    return img


def glare(img: np.ndarray, center: tuple[float, float], radius: float, stretch: float, theta: float) -> np.ndarray:
    """A specular highlight on glossy label stock: a saturated core in a wide soft halo, stretched along theta."""
    h, w = img.shape[:2]
    radius_u = radius * stretch
    x0, y0 = max(0, int(center[0] - 3 * radius_u)), max(0, int(center[1] - 3 * radius_u))
    x1, y1 = min(w, int(center[0] + 3 * radius_u)), min(h, int(center[1] + 3 * radius_u))
    if x1 <= x0 or y1 <= y0:
        return img
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    u = (xx - center[0]) * np.cos(theta) + (yy - center[1]) * np.sin(theta)
    v = -(xx - center[0]) * np.sin(theta) + (yy - center[1]) * np.cos(theta)
    r2 = (u / radius_u) ** 2 + (v / radius) ** 2
    blob = 1.8 * np.exp(-r2 * 2.0) + 0.45 * np.exp(-r2 * 0.3)
    tint = np.array([1.0, 0.98, 0.94], np.float32)
    patch = img[y0:y1, x0:x1]
    img[y0:y1, x0:x1] = 1 - (1 - patch) * np.exp(-blob[..., None] * 2.5 * tint)
    return img


def shadow_band(img: np.ndarray, rng: Rng, through: tuple[float, float], width: float, darkness: float) -> np.ndarray:
    """A soft dark band across the frame (the shadow of a shelf edge, a strap or an arm)."""
    h, w = img.shape[:2]
    sh, sw = h // 4, w // 4
    theta = rng.uniform(0, np.pi)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32) * 4
    d = np.abs((xx - through[0]) * np.sin(theta) - (yy - through[1]) * np.cos(theta))
    soft = width * rng.uniform(0.15, 0.4)
    band = np.clip((width / 2 - d) / soft + 0.5, 0, 1)
    band = cv2.resize(cv2.GaussianBlur(band, (0, 0), 2), (w, h))
    band *= -darkness
    band += 1
    img *= band[..., None]
    return img


def motion_blur(img: np.ndarray, length: int, angle: float) -> np.ndarray:
    """A straight camera-shake streak of length px."""
    k = np.zeros((length, length), np.float32)
    c = (length - 1) / 2
    dx, dy = np.cos(np.radians(angle)) * c, np.sin(np.radians(angle)) * c
    cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1, lineType=cv2.LINE_AA)
    return cv2.filter2D(img, -1, k / k.sum(), borderType=cv2.BORDER_REFLECT)


def defocus(img: np.ndarray, radius: float, gaussian: bool) -> np.ndarray:
    """Out of focus: a disc (bokeh-like) kernel or a Gaussian of that size."""
    if gaussian:
        return cv2.GaussianBlur(img, (0, 0), radius / 1.6)
    size = int(2 * np.ceil(radius) + 1)
    k = np.zeros((size, size), np.float32)
    cv2.circle(k, (size // 2, size // 2), round(radius), 1.0, -1, lineType=cv2.LINE_AA)
    return cv2.filter2D(img, -1, k / k.sum(), borderType=cv2.BORDER_REFLECT)


def lens_softness(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma) if sigma > 0.05 else img


def unsharp(img: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    """A phone's sharpening: leaves a light halo beside dark strokes."""
    return cv2.addWeighted(img, 1 + amount, cv2.GaussianBlur(img, (0, 0), sigma), -amount, 0, dst=img)


def save(img: np.ndarray, path: Path, quality: int) -> None:
    """JPEG at the given quality (4:2:0 like phones) or PNG by the path's suffix."""
    np.multiply(img, 255, out=img)  # in place: the frame is not needed after saving
    img += 0.5
    np.clip(img, 0, 255, out=img)
    bgr = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_RGB2BGR)
    if path.suffix == ".png":
        ok = cv2.imwrite(str(path), bgr, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    else:
        ok = cv2.imwrite(
            str(path),
            bgr,
            [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420],
        )
    if not ok:
        raise OSError(f"could not write {path}")
