"""The real PaddleOCR engine reads a rendered Chinese label, offline, from the manifest's models.

Skipped only where the paddle extra is not installed.  `make test` (and so
CI) installs it, so there this runs for real.  The network is blocked for the
whole module: PaddleOCR downloads any model directory it cannot find, and
that must never happen.
"""

from __future__ import annotations

import importlib.util
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from capture.errors import ModelFilesError
from capture.settings import load
from capture.types import TextLine

pytestmark = pytest.mark.paddle

MANIFEST = Path(__file__).resolve().parents[2] / "models" / "manifest.toml"
# Debian fonts-wqy-microhei, installed by `make test` (Makefile DEB_PACKAGES).
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
IMAGE_SIZE = (1000, 1400)  # width, height: a label photo after the pipeline's resize
FONT_PX = 44
WAYBILL = "SF1234567890123"
NAME = "张三"
CARD_LINES = ((f"运单号: {WAYBILL}", 260), (f"收件人: {NAME}", 380))
TEXT_LEFT = 100
TEST_THREADS = 2  # the size of a CI machine
MIN_SCORE = 0.8  # settings.ocr_min_score's default: reads below it are not evidence


def _skip_without_paddle_extra() -> None:
    # find_spec, not pytest.importorskip: importorskip would also turn a
    # broken install (say cv2 gone after an OpenCV uninstall, a
    # ModuleNotFoundError) into a skip, and CI must fail on that instead.
    if importlib.util.find_spec("paddleocr") is None:
        pytest.skip("the paddle extra is not installed: make setup-test (uv sync --locked --all-extras)")


class NetworkBlocked(AssertionError):
    pass


def _refuse_connection(*args, **kwargs):
    raise NetworkBlocked(f"the paddle engine tried to reach the network: {args[1:]!r}")


@pytest.fixture(scope="module")
def no_network() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _refuse_connection)
        patch.setattr(socket.socket, "connect_ex", _refuse_connection)
        patch.setattr(socket, "getaddrinfo", _refuse_connection)
        yield


@pytest.fixture(scope="module")
def engine(no_network):
    _skip_without_paddle_extra()
    from capture.engines.paddle import PaddleOcrEngine

    return PaddleOcrEngine(load(env={}, ocr_engine="paddle", ocr_threads=TEST_THREADS))


def render_card(lines=CARD_LINES) -> np.ndarray:
    """A white label card with the given (text, y) lines, as a BGR array."""
    assert CJK_FONT.exists(), f"{CJK_FONT} is missing: apt-get install fonts-wqy-microhei (make test does)"
    image = Image.new("RGB", IMAGE_SIZE, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(CJK_FONT), FONT_PX)
    for text, top in lines:
        draw.text((TEXT_LEFT, top), text, font=font, fill="black")
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


def compact(text: str) -> str:
    """Text without spaces and with full-width colons made ASCII, as the pipeline compares it."""
    return re.sub(r"\s+", "", text).replace("：", ":")


def line_with(lines: list[TextLine], needle: str) -> TextLine:
    found = [line for line in lines if needle in compact(line.text)]
    assert found, f"{needle!r} not read; lines: {[line.text for line in lines]}"
    return found[0]


def test_reads_the_waybill_number_and_the_recipient(engine):
    lines = engine.read(render_card())
    number = line_with(lines, WAYBILL)
    name = line_with(lines, NAME)
    assert number.score >= MIN_SCORE and name.score >= MIN_SCORE
    assert compact(number.text).endswith(f"运单号:{WAYBILL}")


def test_boxes_are_in_the_given_image_pixels(engine):
    lines = engine.read(render_card())
    width, height = IMAGE_SIZE
    for line in lines:
        assert len(line.box) == 4
        for x, y in line.box:
            assert isinstance(x, float) and isinstance(y, float)
            assert 0 <= x <= width and 0 <= y <= height
    # The number's box sits where it was drawn: the line's top is at y=260.
    ys = [y for _, y in line_with(lines, WAYBILL).box]
    assert min(ys) - 20 <= CARD_LINES[0][1] + FONT_PX / 2 <= max(ys) + 20
    assert min(x for x, _ in line_with(lines, WAYBILL).box) == pytest.approx(TEXT_LEFT, abs=20)


def test_reading_twice_gives_the_same_lines(engine):
    image = render_card()
    assert engine.read(image) == engine.read(image)


def test_reading_leaves_the_image_untouched(engine):
    image = render_card()
    before = image.copy()
    engine.read(image)
    assert np.array_equal(image, before)


def test_a_blank_image_reads_nothing(engine):
    assert engine.read(render_card(lines=())) == []


def test_reading_prints_nothing_on_stdout(engine, capfd):
    # `waybill scan --json` writes its results on stdout; PaddleOCR must not add to it.
    engine.read(render_card())
    assert capfd.readouterr().out == ""


def test_engine_is_named_paddle(engine):
    assert engine.name == "paddle"


def test_a_changed_model_file_stops_the_engine_before_paddle_can_download(engine, tmp_path):
    """A model directory that fails its check never reaches PaddleOCR (which would fetch one)."""
    from capture.engines.paddle import PaddleOcrEngine

    text = MANIFEST.read_text(encoding="utf-8")
    bad = tmp_path / "manifest.toml"
    bad.write_text(
        text.replace("ch_PP-OCRv4_det_infer/inference.pdmodel", "ch_PP-OCRv4_det_infer/missing.pdmodel"),
        encoding="utf-8",
    )
    settings = load(env={}, ocr_engine="paddle", models_manifest=str(bad))
    with pytest.raises(ModelFilesError, match=r"missing\.pdmodel"):
        PaddleOcrEngine(settings)
