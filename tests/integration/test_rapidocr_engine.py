"""The rapidocr engine's ONNX sessions sleep their threads when idle; nobody else's sessions change.

The options are read back from the sessions through onnxruntime.  An
OrtInferSession that rapidocr builds for anyone else keeps ONNX Runtime's
default (spinning on), even one built while our engine is being built.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from rapidocr import RapidOCR
from rapidocr.inference_engine.onnxruntime.main import OrtInferSession

from capture.engines.models import resolve_models
from capture.engines.rapidocr import RapidOcrEngine
from capture.settings import Settings, load

SPINNING_KEY = "session.intra_op.allow_spinning"


def spinning_entry(session: Any) -> str | None:
    """The session's allow_spinning entry, or None when unset (ONNX Runtime then spins)."""
    try:
        return session.get_session_options().get_session_config_entry(SPINNING_KEY)
    except RuntimeError:  # onnxruntime's answer for an entry never set
        return None


def engine_sessions(engine: RapidOcrEngine) -> dict[str, Any]:
    """The InferenceSessions of the models the engine loaded: det, cls and the recogniser."""
    ocr = engine._ocr
    assert ocr.text_det is not None and ocr.text_cls is not None  # loaded when the engine is built
    return {
        "det": ocr.text_det.session.session,
        "cls": ocr.text_cls.session.session,
        "rec": engine._recognizer.session.session,
    }


def foreign_session(settings: Settings) -> Any:
    """A detector session rapidocr builds the ordinary way, outside our engine."""
    det = resolve_models(settings.models_manifest, "rapidocr")["det"]
    ocr = RapidOCR(params={"Global.log_level": "error", "Det.model_path": str(det)})
    return ocr._load_det_model().session.session


@pytest.fixture(params=[1, 2], ids=["one-thread", "two-threads"])
def threads(request: pytest.FixtureRequest) -> int:
    return request.param


@pytest.fixture
def engine(threads: int) -> Iterator[RapidOcrEngine]:
    built = RapidOcrEngine(load(env={}, ocr_threads=threads))
    yield built
    built.close()


def test_every_session_of_the_engine_has_spinning_off(engine):
    assert {task: spinning_entry(session) for task, session in engine_sessions(engine).items()} == {
        "det": "0",
        "cls": "0",
        "rec": "0",
    }


def test_the_sessions_keep_the_options_rapidocr_gives(engine, threads):
    rapidocrs = foreign_session(load(env={})).get_session_options()
    for task, session in engine_sessions(engine).items():
        options = session.get_session_options()
        assert options.graph_optimization_level == rapidocrs.graph_optimization_level, task
        assert options.enable_cpu_mem_arena == rapidocrs.enable_cpu_mem_arena, task
        assert options.log_severity_level == rapidocrs.log_severity_level, task
        # The recogniser is single-threaded: with two threads there are two lanes, one line each.
        assert options.intra_op_num_threads == (1 if task == "rec" else threads), task


def test_a_session_built_after_the_engine_keeps_the_default(engine):
    assert spinning_entry(foreign_session(load(env={}))) is None


def test_the_engine_leaves_rapidocrs_session_class_alone():
    before = OrtInferSession.__dict__["_init_sess_opts"]
    swapped = threading.Event()
    building = threading.Event()

    def watch() -> None:
        while building.is_set():
            if OrtInferSession.__dict__["_init_sess_opts"] is not before:
                swapped.set()
            time.sleep(0.001)

    building.set()
    watcher = threading.Thread(target=watch, name="watch-session-class")
    watcher.start()
    try:
        RapidOcrEngine(load(env={}, ocr_threads=2)).close()
    finally:
        building.clear()
        watcher.join()
    assert not swapped.is_set(), "OrtInferSession's options were swapped while the engine was built"
    assert OrtInferSession.__dict__["_init_sess_opts"] is before
