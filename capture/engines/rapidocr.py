"""RapidOCR engine: the default OCR, PP-OCRv6 det/rec + cls ONNX models on ONNX Runtime.

The models ship inside the rapidocr wheel; models/manifest.toml pins them by
hash, so a changed wheel is noticed instead of silently reading differently.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from capture.engines.cpu import cpu_threads
from capture.errors import EngineUnavailable
from capture.settings import Settings
from capture.types import Quad, TextLine

if TYPE_CHECKING:
    from rapidocr.utils.output import RapidOCROutput

log = logging.getLogger(__name__)

DET_MAX_SIDE = 960
UPSIDE_DOWN = "180"  # the angle classifier's label for a line turned half round


class RapidOcrEngine:
    name = "rapidocr"
    # Label text 12-15 px high: plenty for PP-OCRv6 detection, at a quarter of the pixels.
    view_detect_scale = 0.5

    def __init__(self, settings: Settings) -> None:
        try:
            from rapidocr import RapidOCR
            from rapidocr.ch_ppocr_rec.typings import TextRecInput
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise EngineUnavailable("rapidocr is not installed", "reinstall the project: pip install .") from exc
        params: dict[str, object] = {
            "Global.log_level": "error",
            # Detect text at most DET_MAX_SIDE px on the long side: label text is
            # large enough there, and detection cost grows with pixels (rapidocr's
            # default "min 736" upsamples every photo).  Recognition still crops
            # from the full-resolution image.
            "Det.limit_type": "max",
            "Det.limit_side_len": DET_MAX_SIDE,
            # One line per recognition call: a batch is padded to its widest
            # line, and on CPU batching saves nothing to make up for it.
            "Rec.rec_batch_num": 1,
        }
        params.update(_model_params(settings))
        if settings.ocr_threads > 0:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = settings.ocr_threads
        # Recognition runs one line per core, each on one thread: a text line
        # is too small an input for two threads to share well (three lines:
        # 108 ms this way, 148 ms one after another on two threads).  A second
        # RapidOCR, used only for recognition, holds the single-threaded
        # session; ONNX Runtime sessions take concurrent calls.  The first one's
        # own recogniser is then loaded only if `read` (a whole image at once,
        # for the benchmark's baseline) is ever called.
        lanes = cpu_threads(settings.ocr_threads)
        with _threads_sleep_when_idle():
            self._ocr = RapidOCR(params=params)
            # Loaded now, not at first use, so the sessions get the options above.
            self._ocr._load_det_model()
            self._ocr._load_cls_model()
            if lanes > 1:
                single = RapidOCR(params={**params, "EngineConfig.onnxruntime.intra_op_num_threads": 1})
                self._recognizer = single._load_rec_model()
            else:
                self._recognizer = self._ocr._load_rec_model()
        self._rec_input = TextRecInput
        self._lanes = ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="ocr-rec") if lanes > 1 else None

    # RapidOCR keeps per-call flags as state (a known flaw), so every call
    # below passes all three: a detect() must not leave recognition off.
    def read(self, image: np.ndarray, upright: bool = False) -> list[TextLine]:
        # With detection and recognition both on, RapidOCR answers with a
        # RapidOCROutput (an empty one when it finds no text); the partial
        # outputs in its return type are for runs with a step turned off.
        out = cast("RapidOCROutput", self._ocr(image, use_det=True, use_cls=not upright, use_rec=True))
        if out.txts is None or out.boxes is None:
            return []
        assert out.scores is not None  # RapidOCR sets the scores along with the texts
        return [
            TextLine(text=str(text), score=float(score), box=_quad(box))
            for text, score, box in zip(out.txts, out.scores, out.boxes, strict=True)
        ]

    def detect(self, image: np.ndarray) -> list[Quad]:
        out = self._ocr(image, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(out, "boxes", None)
        return [] if boxes is None else [_quad(box) for box in boxes]

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if self._lanes is None or len(crops) < 2:
            return [self._recognize_one(crop) for crop in crops]
        # Longest first, so the lanes finish together.
        order = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1] / max(1, crops[i].shape[0]))
        results = dict(zip(order, self._lanes.map(lambda i: self._recognize_one(crops[i]), order), strict=True))
        return [results[i] for i in range(len(crops))]

    def _recognize_one(self, crop: np.ndarray) -> tuple[str, float]:
        # RapidOCR's public call cannot take a crop without detecting again;
        # its recogniser can.  rapidocr is pinned (pyproject.toml), so this use
        # of its attributes cannot drift.
        out = self._recognizer(self._rec_input(img=[crop]))
        (text,), (score,) = out.txts or ("",), out.scores or (0.0,)
        return str(text), float(score)

    def upside_down(self, crops: list[np.ndarray]) -> bool:
        votes = 0
        for crop in crops:
            out = self._ocr(crop, use_det=False, use_cls=True, use_rec=False)
            results = getattr(out, "cls_res", None) or []
            votes += sum(1 if label == UPSIDE_DOWN else -1 for label, _score in results)
        return votes > 0


@contextmanager
def _threads_sleep_when_idle() -> Iterator[None]:
    """Sessions built inside sleep their worker threads between runs instead of spinning.

    ONNX Runtime's intra-op threads spin for a while after each run, and the
    detector's two spinning threads slowed the recognition that follows it
    (three lines: 126 ms right after a detection, 110 ms alone).  rapidocr
    has no setting for it, so its session options are extended while our
    sessions are built (rapidocr is pinned, see pyproject.toml).
    """
    from rapidocr.inference_engine.onnxruntime.main import OrtInferSession

    original = OrtInferSession._init_sess_opts

    def without_spinning(cfg: Any) -> Any:
        options = original(cfg)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return options

    OrtInferSession._init_sess_opts = staticmethod(without_spinning)  # type: ignore[method-assign]
    try:
        yield
    finally:
        OrtInferSession._init_sess_opts = staticmethod(original)  # type: ignore[method-assign]


def _model_params(settings: Settings) -> dict[str, object]:
    """Point RapidOCR at the exact files the manifest pins (verified by hash)."""
    from capture.engines.models import resolve_models

    models = resolve_models(settings.models_manifest, "rapidocr")
    return {
        "Det.model_path": str(models["det"]),
        "Rec.model_path": str(models["rec"]),
        "Cls.model_path": str(models["cls"]),
    }


def _quad(box: np.ndarray) -> Quad:
    return tuple((float(x), float(y)) for x, y in box)  # type: ignore[return-value]
