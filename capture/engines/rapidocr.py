"""RapidOCR engine: the default OCR, PP-OCRv6 det/rec + cls ONNX models on ONNX Runtime.

The models ship inside the rapidocr wheel; models/manifest.toml pins them by
hash, so a changed wheel is noticed instead of silently reading differently.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from capture.engines.base import EngineClosed, OcrEngineSettings
from capture.engines.cpu import cpu_threads
from capture.engines.models import resolve_models
from capture.engines.ocr_results import mostly_upside_down, quad
from capture.errors import EngineUnavailable
from capture.types import Quad, TextLine

if TYPE_CHECKING:
    from rapidocr import RapidOCR
    from rapidocr.utils.output import RapidOCROutput

DET_MAX_SIDE = 960
INTRA_OP_THREADS = "EngineConfig.onnxruntime.intra_op_num_threads"
# ONNX Runtime's intra-op threads spin for a while after each run, and the
# detector's two spinning threads slowed the recognition that follows it
# (three lines: 126 ms right after a detection, 110 ms alone).
NO_SPINNING = ("session.intra_op.allow_spinning", "0")


class RapidOcrEngine:
    name = "rapidocr"
    # Label text 12-15 px high: plenty for PP-OCRv6 detection, at a quarter of the pixels.
    view_detect_scale = 0.5

    def __init__(self, settings: OcrEngineSettings) -> None:
        try:
            from rapidocr import RapidOCR
            from rapidocr.ch_ppocr_rec.typings import TextRecInput
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise EngineUnavailable("rapidocr is not installed", "reinstall the project: pip install .") from exc
        models = resolve_models(settings.models_manifest, "rapidocr")
        params = _rapidocr_params(models, settings.ocr_threads)
        # Recognition runs one line per core, each on one thread: a text line
        # is too small an input for two threads to share well (three lines:
        # 108 ms this way, 148 ms one after another on two threads).  A second
        # RapidOCR, used only for recognition, holds the single-threaded
        # session; ONNX Runtime sessions take concurrent calls.  The first one's
        # own recogniser is then loaded only if `read` (a whole image at once,
        # for the benchmark's baseline) is ever called, by rapidocr itself:
        # on a session with rapidocr's options, spinning included.
        lanes = cpu_threads(settings.ocr_threads)
        self._ocr = RapidOCR(params=params)
        _hand_quiet_session(self._ocr, "Det", models["det"])
        _hand_quiet_session(self._ocr, "Cls", models["cls"])
        self._ocr._load_det_model()
        self._ocr._load_cls_model()
        recognizing = RapidOCR(params={**params, INTRA_OP_THREADS: 1}) if lanes > 1 else self._ocr
        _hand_quiet_session(recognizing, "Rec", models["rec"])
        self._recognizer = recognizing._load_rec_model()
        self._rec_input = TextRecInput
        self._lanes = ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="ocr-rec") if lanes > 1 else None
        self._closed = False

    # RapidOCR keeps per-call flags as state (a known flaw), so every call
    # below passes all three: a detect() must not leave recognition off.
    def read(self, image: np.ndarray, upright: bool = False) -> list[TextLine]:
        self._refuse_if_closed()
        # With detection and recognition both on, RapidOCR answers with a
        # RapidOCROutput (an empty one when it finds no text); the partial
        # outputs in its return type are for runs with a step turned off.
        out = cast("RapidOCROutput", self._ocr(image, use_det=True, use_cls=not upright, use_rec=True))
        if out.txts is None or out.boxes is None:
            return []
        assert out.scores is not None  # RapidOCR sets the scores along with the texts
        return [
            TextLine(text=str(text), score=float(score), box=quad(box))
            for text, score, box in zip(out.txts, out.scores, out.boxes, strict=True)
        ]

    def detect(self, image: np.ndarray) -> list[Quad]:
        self._refuse_if_closed()
        out = self._ocr(image, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(out, "boxes", None)
        return [] if boxes is None else [quad(box) for box in boxes]

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        self._refuse_if_closed()
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
        self._refuse_if_closed()
        labels = []
        for crop in crops:
            out = self._ocr(crop, use_det=False, use_cls=True, use_rec=False)
            labels += [label for label, _score in getattr(out, "cls_res", None) or []]
        return mostly_upside_down(labels)

    def close(self) -> None:
        """Shut the recognition lanes (waiting for lines being read); calls after this raise EngineClosed."""
        self._closed = True
        if self._lanes is not None:
            self._lanes.shutdown(wait=True)

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise EngineClosed("the rapidocr engine is closed")


def _rapidocr_params(models: dict[str, Path], ocr_threads: int) -> dict[str, object]:
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
        # The exact files the manifest pins (verified by hash).
        "Det.model_path": str(models["det"]),
        "Rec.model_path": str(models["rec"]),
        "Cls.model_path": str(models["cls"]),
    }
    if ocr_threads > 0:
        params[INTRA_OP_THREADS] = ocr_threads
    return params


def _hand_quiet_session(ocr: RapidOCR, task: str, model: Path) -> None:
    """Give `ocr`'s task ("Det", "Cls" or "Rec") an ONNX session whose threads sleep when idle.

    rapidocr has no setting for spinning, but takes a ready InferenceSession
    in a task's "session" entry.  This one is built with the options rapidocr
    would use (its own _init_sess_opts and providers for this RapidOCR's
    engine config) plus NO_SPINNING, so only our sessions change.  The entry
    holds an object, which the config allows only when asked (allow_objects).
    """
    from omegaconf import flag_override
    from onnxruntime import InferenceSession
    from rapidocr.inference_engine.onnxruntime.main import OrtInferSession
    from rapidocr.inference_engine.onnxruntime.provider_config import ProviderConfig

    engine_cfg = ocr.cfg.EngineConfig.onnxruntime
    options = OrtInferSession._init_sess_opts(engine_cfg)
    options.add_session_config_entry(*NO_SPINNING)
    providers = ProviderConfig(engine_cfg=engine_cfg)
    session = InferenceSession(str(model), sess_options=options, providers=providers.get_ep_list())
    providers.verify_providers(session.get_providers())
    with flag_override(ocr.cfg[task], "allow_objects", True):
        ocr.cfg[task].session = session
