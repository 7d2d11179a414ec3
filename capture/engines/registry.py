"""Pick engines by settings; import a backend only when it is chosen.

Engines load models and start threads, so each is built once per process and
kept here; callers ask again instead of holding globals of their own.  An OCR
engine is kept under the settings it is built from (OcrEngineSpec), so
settings that differ elsewhere (db_url, upload, ...) share it.  Nothing is
dropped from here unclosed: close_engines() closes and forgets them all, for
the application to call at shutdown (and registered with atexit as a backstop).
"""

from __future__ import annotations

import atexit
import importlib
import threading
from dataclasses import dataclass

from capture.engines.base import BarcodeEngine, ClosableOcrEngine, OcrEngine
from capture.errors import EngineUnavailable
from capture.settings import Settings


@dataclass(frozen=True)
class OcrEngineSpec:
    """Exactly the settings an OCR engine reads: which one, its model files, its threads."""

    ocr_engine: str
    models_manifest: str
    ocr_threads: int
    ocr_plugin: str = ""

    @classmethod
    def of(cls, settings: Settings) -> OcrEngineSpec:
        return cls(settings.ocr_engine, settings.models_manifest, settings.ocr_threads, settings.ocr_plugin)


# One lock for both: an engine is built under it, so two threads asking at
# once get one engine, and close_engines() never misses one being built.
_lock = threading.Lock()
_barcode_engines: dict[str, BarcodeEngine] = {}
_ocr_engines: dict[OcrEngineSpec, ClosableOcrEngine] = {}


def barcode_engine(name: str) -> BarcodeEngine:
    backend = "zbar" if name == "zbar" else "zxing"
    with _lock:
        if backend not in _barcode_engines:
            _barcode_engines[backend] = _build_barcode_engine(backend)
        return _barcode_engines[backend]


def ocr_engine(settings: Settings) -> OcrEngine:
    spec = OcrEngineSpec.of(settings)
    with _lock:
        if spec not in _ocr_engines:
            _ocr_engines[spec] = _build_ocr_engine(spec)
        return _ocr_engines[spec]


def engines_for(settings: Settings) -> tuple[BarcodeEngine, OcrEngine]:
    return barcode_engine(settings.barcode_engine), ocr_engine(settings)


def close_engines() -> None:
    """Close every engine built here and forget it: the next request builds a fresh one."""
    with _lock:
        closing = list(_ocr_engines.values())
        _ocr_engines.clear()
        _barcode_engines.clear()  # they hold no threads: forgetting them is enough
    for engine in closing:
        engine.close()


atexit.register(close_engines)


def _build_barcode_engine(backend: str) -> BarcodeEngine:
    if backend == "zbar":
        from capture.engines.zbar import ZbarEngine

        return ZbarEngine()
    from capture.engines.zxing import ZxingEngine

    return ZxingEngine()


def _build_ocr_engine(spec: OcrEngineSpec) -> ClosableOcrEngine:
    if spec.ocr_plugin:
        return _plugin_engine(spec)
    if spec.ocr_engine == "paddle":
        from capture.engines.paddle import PaddleOcrEngine

        return PaddleOcrEngine(spec)
    from capture.engines.rapidocr import RapidOcrEngine

    return RapidOcrEngine(spec)


def _plugin_engine(spec: OcrEngineSpec) -> ClosableOcrEngine:
    """`ocr_plugin`: a module whose `ocr_engine(spec)` builds the OCR engine (OCRmyPDF's --plugin, for
    the fault-injection tests: an engine that crashes, hangs or is killed mid-photo)."""
    try:
        module = importlib.import_module(spec.ocr_plugin)
        build = module.ocr_engine
    except (ImportError, AttributeError) as exc:
        raise EngineUnavailable(
            f"OCR plugin {spec.ocr_plugin!r} cannot be loaded: {exc}",
            "set ocr_plugin to an importable module with an ocr_engine(spec) function, or empty it",
        ) from exc
    engine: ClosableOcrEngine = build(spec)
    return engine
