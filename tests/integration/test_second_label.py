"""A reused box: an older label beside the new one, its barcode under brown tape where no engine decodes it.

The new label alone queues; with the old label beside it the photo goes to
review (`multiple_labels`), because a courier's scanner may still read the
old barcode.  Both photos are made here from two real sample photos.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from capture import api
from capture import settings as settings_mod
from capture.types import Reason, Status

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CARDBOARD = (96, 128, 160)
CANVAS = (1800, 2600)  # height x width
NEW_AT = (150, 1000)  # top-left (y, x) of the new label's photo on the canvas
OLD_TURN_DEG = 24
# Brown packing tape over the old label: mostly opaque, so its bars are faint.
TAPE_BGR = (40, 75, 120)
TAPE_OPACITY = 0.82
OLD_BLUR_PX = 9


def _clean_cases() -> list[dict]:
    rows = [json.loads(line) for line in (SAMPLES / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if r["kind"] == "clean" and r["expect_status"] == "queued"]


def _old_label(photo: np.ndarray) -> np.ndarray:
    """Another label's photo turned, blurred and under tape: a person sees bars, no engine decodes them."""
    height, width = photo.shape[:2]
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), OLD_TURN_DEG, 1.0)
    turned = cv2.warpAffine(photo, turn, (width, height), borderValue=CARDBOARD)
    blurred = cv2.GaussianBlur(turned, (0, 0), OLD_BLUR_PX / 3)
    tape = np.full_like(blurred, TAPE_BGR)
    return cv2.addWeighted(blurred, 1 - TAPE_OPACITY, tape, TAPE_OPACITY, 0)


def _canvas_with(new: np.ndarray, old: np.ndarray | None) -> np.ndarray:
    canvas = np.full((*CANVAS, 3), CARDBOARD, np.uint8)
    if old is not None:
        small = cv2.resize(old, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
        h, w = min(small.shape[0], CANVAS[0] - 100), min(small.shape[1], NEW_AT[1] - 40)
        canvas[100 : 100 + h, 20 : 20 + w] = small[:h, small.shape[1] - w :]
    y, x = NEW_AT
    h, w = min(new.shape[0], CANVAS[0] - y), min(new.shape[1], CANVAS[1] - x)
    canvas[y : y + h, x : x + w] = new[:h, :w]
    return canvas


@pytest.fixture(scope="module")
def engines():
    return api.engines(settings_mod.load())


@pytest.fixture
def env(tmp_path, engines):
    settings = settings_mod.load(db_url=f"sqlite:///{tmp_path / 'reused.db'}")
    api.import_orders(SAMPLES / "orders.csv", settings)
    return tmp_path, settings, api.database(settings), engines


def _photos() -> tuple[dict, np.ndarray, dict, np.ndarray]:
    new_case, old_case = _clean_cases()[:2]
    new = cv2.imread(str(SAMPLES / new_case["file"]))
    old = cv2.imread(str(SAMPLES / old_case["file"]))
    assert new is not None and old is not None
    return new_case, cv2.resize(new, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA), old_case, old


def test_new_label_alone_queues(env):
    tmp, settings, db, engines = env
    new_case, new, _, _ = _photos()
    path = tmp / "alone.jpg"
    cv2.imwrite(str(path), _canvas_with(new, None))
    result = api.scan_one(path, engines, settings, db)
    assert result.outcome.status is Status.QUEUED, result.outcome
    assert result.outcome.candidate is not None and result.outcome.candidate.number == new_case["waybill"]


def test_old_label_whose_barcode_no_engine_decodes_sends_the_photo_to_review(env):
    tmp, settings, db, engines = env
    new_case, new, old_case, old = _photos()
    photo = _canvas_with(new, _old_label(old))
    decoded = {r.text for r in zxingcpp.read_barcodes(photo)}
    assert old_case["waybill"] not in decoded, "the old label's barcode must be unreadable for this case"
    path = tmp / "reused.jpg"
    cv2.imwrite(str(path), photo)
    result = api.scan_one(path, engines, settings, db)
    assert result.outcome.status is Status.REVIEW, result.outcome
    assert result.outcome.reasons == (Reason.MULTIPLE_LABELS,)
    # The new label was still read, for the person who decides.
    assert result.outcome.candidate is not None and result.outcome.candidate.number == new_case["waybill"]
    assert "old label" in result.outcome.detail


def _wood_desk() -> np.ndarray:
    """The parcel on cardboard, the desk's edge below it: a board of straight wood grain, faint stripes all one way."""
    height, width = WOOD_BOARD_HEIGHT_PX, CANVAS[1]
    x = np.arange(width, dtype=np.float32)
    rng = np.random.default_rng(5)
    grain = 150 + WOOD_GRAIN_GREY * np.sin(2 * np.pi * x / WOOD_GRAIN_PERIOD_PX + rng.uniform(0, 0.6, width))
    desk = np.repeat(grain[None, :], height, axis=0)
    desk += rng.normal(0, 2.0, desk.shape).astype(np.float32)
    photo = np.full((*CANVAS, 3), CARDBOARD, np.uint8)
    photo[-height:] = cv2.cvtColor(np.clip(desk, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    return photo


WOOD_GRAIN_GREY = 12.0  # grey levels either side of the desk's own: grain, not print
WOOD_GRAIN_PERIOD_PX = 14
WOOD_BOARD_HEIGHT_PX = 400  # below the label: the grain runs across the photo, longer than it is tall, as bars do


def test_wood_grain_beside_the_label_is_not_taken_for_another_label(env):
    tmp, settings, db, engines = env
    new_case, new, _, _ = _photos()
    photo = _wood_desk()
    y, x = NEW_AT
    h, w = min(new.shape[0], CANVAS[0] - y), min(new.shape[1], CANVAS[1] - x)
    photo[y : y + h, x : x + w] = new[:h, :w]
    path = tmp / "wood.jpg"
    cv2.imwrite(str(path), photo)
    result = api.scan_one(path, engines, settings, db)
    assert result.outcome.status is Status.QUEUED, result.outcome
    assert result.outcome.candidate is not None and result.outcome.candidate.number == new_case["waybill"]


TAPE_MARGIN_PX = 30  # opaque tape reaches this far past the old barcode's box
BRAND_QR_MODULE_PX = 24  # a carton's printed QR code: several times a label's


def _bars_taped_over(photo: np.ndarray) -> np.ndarray:
    """The label with every 1-D barcode under opaque tape: no bars left to find, its QR code still printed."""
    taped = photo.copy()
    for read in zxingcpp.read_barcodes(photo):
        if read.format == zxingcpp.BarcodeFormat.QRCode:
            continue
        p = read.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        height = max(ys) - min(ys)
        # zxing's box is a line across the bars; the tape covers their whole height.
        top, bottom = min(ys) - max(height, 80) - TAPE_MARGIN_PX, max(ys) + max(height, 80) + TAPE_MARGIN_PX
        cv2.rectangle(taped, (min(xs) - TAPE_MARGIN_PX, top), (max(xs) + TAPE_MARGIN_PX, bottom), TAPE_BGR, -1)
    return taped


def test_an_old_label_known_only_by_its_qr_code_sends_the_photo_to_review(env):
    tmp, settings, db, engines = env
    new_case, new, old_case, old = _photos()
    photo = _canvas_with(new, _bars_taped_over(old))
    decoded = zxingcpp.read_barcodes(photo)
    assert old_case["waybill"] not in {r.text for r in decoded}, "the old label's barcode must be hidden for this case"
    assert sum(r.format == zxingcpp.BarcodeFormat.QRCode for r in decoded) == 2, "both labels' QR codes must decode"
    path = tmp / "old-qr.jpg"
    cv2.imwrite(str(path), photo)
    result = api.scan_one(path, engines, settings, db)
    assert result.outcome.status is Status.REVIEW, result.outcome
    assert result.outcome.reasons == (Reason.MULTIPLE_LABELS,)
    assert result.outcome.candidate is not None and result.outcome.candidate.number == new_case["waybill"]
    assert "QR" in result.outcome.detail


def test_a_large_qr_code_printed_on_the_carton_is_not_another_label(env):
    tmp, settings, db, engines = env
    new_case, new, _, _ = _photos()
    photo = _canvas_with(new, None)
    brand = zxingcpp.create_barcode("https://brand.example/follow-us", zxingcpp.BarcodeFormat.QRCode)
    code = cv2.cvtColor(np.array(brand.to_image(scale=BRAND_QR_MODULE_PX)), cv2.COLOR_GRAY2BGR)
    photo[200 : 200 + code.shape[0], 60 : 60 + code.shape[1]] = code
    assert len({r.text for r in zxingcpp.read_barcodes(photo) if r.format == zxingcpp.BarcodeFormat.QRCode}) == 2
    path = tmp / "brand-qr.jpg"
    cv2.imwrite(str(path), photo)
    result = api.scan_one(path, engines, settings, db)
    assert result.outcome.status is Status.QUEUED, result.outcome
    assert result.outcome.candidate is not None and result.outcome.candidate.number == new_case["waybill"]
