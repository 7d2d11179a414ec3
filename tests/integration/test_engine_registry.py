"""The registry builds each real OCR engine once for the settings it reads, and closes what it built.

rapidocr and paddle are the installed engines, loading the manifest's models
offline.  close_engines() runs before and after each test, so every test
starts from an empty registry.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from capture.engines import registry
from capture.engines.base import EngineClosed
from capture.settings import Settings, load

LANE_THREAD_PREFIX = "ocr-rec"  # RapidOcrEngine's recognition lanes


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    registry.close_engines()
    yield
    registry.close_engines()


def settings(**overrides: Any) -> Settings:
    return load(env={}, **{"db_url": "sqlite:///one.db", "ocr_threads": 2, **overrides})


def text_line(text: str) -> np.ndarray:
    """A level, black-on-white text-line crop, as the pipeline hands to recognize()."""
    crop = np.full((48, 24 * len(text) + 20), 255, dtype=np.uint8)
    cv2.putText(crop, text, (10, 36), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2, cv2.LINE_AA)
    return cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)


def lane_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith(LANE_THREAD_PREFIX)}


def test_settings_that_differ_outside_the_engine_share_one_engine():
    first = registry.ocr_engine(settings())
    others = [
        settings(db_url="sqlite:///two.db"),
        settings(ocr_min_score=0.9, ocr_max_side=2000),
        settings(barcode_engine="zbar", watch_workers=2, shop_carriers="SF"),
    ]
    assert all(registry.ocr_engine(other) is first for other in others)


def test_a_different_thread_count_builds_another_engine():
    two = registry.ocr_engine(settings(ocr_threads=2))
    one = registry.ocr_engine(settings(ocr_threads=1))
    assert one is not two
    assert registry.ocr_engine(settings(ocr_threads=2)) is two


def test_a_different_manifest_path_builds_another_engine(tmp_path):
    default = settings()
    copy = tmp_path / "manifest.toml"
    copy.write_bytes(Path(default.models_manifest).read_bytes())
    assert registry.ocr_engine(settings(models_manifest=str(copy))) is not registry.ocr_engine(default)


def test_the_paddle_setting_builds_the_paddle_engine():
    if importlib.util.find_spec("paddleocr") is None:
        pytest.skip("the paddle extra is not installed: pip install '.[paddle]'")
    rapid = registry.ocr_engine(settings())
    paddle = registry.ocr_engine(settings(ocr_engine="paddle"))
    assert (rapid.name, paddle.name) == ("rapidocr", "paddle")
    assert registry.ocr_engine(settings(ocr_engine="paddle", db_url="sqlite:///two.db")) is paddle


def test_close_engines_stops_the_rapidocr_lanes_and_the_next_request_builds_afresh():
    engine = registry.ocr_engine(settings(ocr_threads=2))
    crops = [text_line("SF1234567890"), text_line("ZTO 7546 2889")]
    before = lane_threads()
    read = engine.recognize(crops)
    assert len(read) == 2
    lanes = lane_threads() - before
    assert lanes, "two crops on two lanes should have started the lane threads"

    registry.close_engines()

    assert not any(thread.is_alive() for thread in lanes)
    with pytest.raises(EngineClosed):
        engine.recognize(crops)
    with pytest.raises(EngineClosed):
        engine.detect(crops[0])
    fresh = registry.ocr_engine(settings(ocr_threads=2))
    assert fresh is not engine
    assert fresh.recognize(crops) == read


def test_barcode_engines_are_shared_by_name_and_forgotten_on_close():
    zxing = registry.barcode_engine("zxing")
    assert registry.barcode_engine("zxing") is zxing
    registry.close_engines()
    assert registry.barcode_engine("zxing") is not zxing
