"""A label small and turned in a 12-megapixel photo: whole-photo decoding misses its barcode, the bars crop reads it."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from capture import api
from capture import settings as settings_mod
from capture.types import Status, Via

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
PHONE_PHOTO = (3024, 4032)  # height x width
CARDBOARD = (96, 128, 160)


def _case() -> dict:
    rows = [json.loads(line) for line in (SAMPLES / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return next(r for r in rows if r["kind"] == "clean" and r["expect_status"] == "queued")


def _far_and_turned(label: np.ndarray, scale: float, turn_deg: float) -> np.ndarray:
    small = cv2.resize(label, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    height, width = small.shape[:2]
    side = int(np.hypot(height, width))
    square = np.full((side, side, 3), CARDBOARD, np.uint8)
    y, x = (side - height) // 2, (side - width) // 2
    square[y : y + height, x : x + width] = small
    turned = cv2.warpAffine(
        square, cv2.getRotationMatrix2D((side / 2, side / 2), turn_deg, 1.0), (side, side), borderValue=CARDBOARD
    )
    photo = np.full((*PHONE_PHOTO, 3), CARDBOARD, np.uint8)
    top, left = 900, 1700
    photo[top : top + side, left : left + side] = turned
    return photo


@pytest.mark.parametrize(("scale", "turn_deg"), [(0.9, 35.0), (1.0, 60.0)])
def test_small_turned_label_is_decoded_from_its_bars_and_queued(tmp_path, scale, turn_deg):
    case = _case()
    label = cv2.imread(str(SAMPLES / case["file"]))
    assert label is not None
    photo = _far_and_turned(label, scale, turn_deg)
    assert case["waybill"] not in {r.text for r in zxingcpp.read_barcodes(photo)}, "whole-photo decoding must miss it"
    path = tmp_path / "far.jpg"
    cv2.imwrite(str(path), photo, [cv2.IMWRITE_JPEG_QUALITY, 92])
    settings = settings_mod.load(db_url=f"sqlite:///{tmp_path / 'far.db'}")
    api.import_orders(SAMPLES / "orders.csv", settings)
    result = api.scan_one(path, api.engines(settings), settings, api.database(settings))
    candidate = result.outcome.candidate
    assert candidate is not None and candidate.number == case["waybill"]
    assert candidate.via in (Via.BARCODE, Via.BOTH), candidate
    assert result.outcome.status is Status.QUEUED, result.outcome


def _shadow_band(photo: np.ndarray, left_fraction: float) -> np.ndarray:
    """A dark band (a box edge's shadow) down the photo, its edges parallel to the bars and crossing them."""
    width = photo.shape[1]
    x = np.arange(width, dtype=np.float32)
    left, right = width * left_fraction, width * (left_fraction + SHADOW_WIDTH_FRACTION)
    # Logistic edges, clipped so far from an edge they are exactly 0 or 1 (no overflow in exp).
    rise = np.exp(np.clip(-(x - left) / SHADOW_EDGE_PX, -50, 50))
    fall = np.exp(np.clip((x - right) / SHADOW_EDGE_PX, -50, 50))
    inside = 1 / (1 + rise) / (1 + fall)
    gain = 1 - (1 - SHADOW_LIGHT) * inside
    return np.clip(photo.astype(np.float32) * gain[None, :, None], 0, 255).astype(np.uint8)


SHADOW_LIGHT = 0.3  # the light left in the band
SHADOW_WIDTH_FRACTION = 0.12
SHADOW_EDGE_PX = 3.0


@pytest.mark.parametrize("left_fraction", [0.4, 0.5])
def test_a_shadow_band_across_the_bars_is_evened_out_and_the_barcode_read(tmp_path, left_fraction):
    case = _case()
    label = cv2.imread(str(SAMPLES / case["file"]))
    assert label is not None
    photo = _shadow_band(label, left_fraction)
    assert case["waybill"] not in {r.text for r in zxingcpp.read_barcodes(photo)}, "whole-photo decoding must miss it"
    path = tmp_path / "shadow.jpg"
    cv2.imwrite(str(path), photo, [cv2.IMWRITE_JPEG_QUALITY, 92])
    settings = settings_mod.load(db_url=f"sqlite:///{tmp_path / 'shadow.db'}")
    api.import_orders(SAMPLES / "orders.csv", settings)
    result = api.scan_one(path, api.engines(settings), settings, api.database(settings))
    candidate = result.outcome.candidate
    assert candidate is not None and candidate.number == case["waybill"]
    assert candidate.via in (Via.BARCODE, Via.BOTH), candidate
    assert result.outcome.status is Status.QUEUED, result.outcome
