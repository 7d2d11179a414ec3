"""Find the OCR model files inside their wheels and make sure they are the right ones.

models/manifest.toml lists every model file an OCR engine loads: which
installed package ships it, its path inside that package, its size and its
sha256.  An engine asks `resolve_models(manifest, engine)` for absolute paths
before it loads anything, so a missing or changed file stops the engine with
a message naming the file and the reinstall that fixes it, instead of an
obscure runtime error -- or, for PaddleOCR, a silent attempt to download a
replacement (it fetches any model directory it cannot find).

Only the standard library is used here: packages are located with
importlib.util.find_spec, which finds a package without importing it, so
checking the models never pays for importing paddle or onnxruntime.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from capture.errors import ModelFilesError

# Roles each engine needs; a manifest missing one is refused up front.
REQUIRED_ROLES: dict[str, tuple[str, ...]] = {
    "rapidocr": ("det", "rec", "cls"),
    "paddle": ("det", "rec", "cls", "keys"),
}
# PaddleOCR is given one directory per model (inference.pdmodel +
# inference.pdiparams), not a file, so these roles resolve to the directory.
DIRECTORY_ROLES: dict[str, frozenset[str]] = {
    "paddle": frozenset({"det", "rec", "cls"}),
}
ENTRY_KEYS = ("engine", "role", "package", "path", "size", "sha256")
HASH_CHUNK_BYTES = 1 << 20
MANIFEST_HINT = "set models_manifest / WAYBILL_MODELS_MANIFEST to the project's models/manifest.toml"


@dataclass(frozen=True)
class ModelFile:
    """One manifest entry: a file inside an installed package."""

    engine: str
    role: str
    package: str
    path: str  # relative to the package directory, '/'-separated
    size: int
    sha256: str

    @property
    def label(self) -> str:
        return f"{self.package}/{self.path} ({self.engine} {self.role} model)"


@dataclass(frozen=True)
class PackagePin:
    """The wheel version the manifest's hashes were taken from, and how to reinstall it."""

    distribution: str
    version: str
    install: str


@dataclass(frozen=True)
class Manifest:
    files: tuple[ModelFile, ...]
    pins: dict[str, PackagePin]


def resolve_models(manifest_path: str, engine: str) -> dict[str, Path]:
    """Role -> absolute path of `engine`'s verified model files.

    For rapidocr every role is an .onnx file.  For paddle det/rec/cls are the
    model directories PaddleOCR wants and keys is the dictionary file.
    Raises ModelFilesError naming the first file that is missing or changed.
    """
    manifest = load_manifest(manifest_path)
    entries = [entry for entry in manifest.files if entry.engine == engine]
    _check_roles(manifest_path, engine, entries)
    verified = [(entry, _verified_file(entry, manifest.pins)) for entry in entries]
    return _paths_by_role(engine, verified)


def load_manifest(manifest_path: str) -> Manifest:
    """Parse and shape-check the manifest; no file it names is touched."""
    data = _read_toml(Path(manifest_path))
    raw_entries = data.get("model", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ModelFilesError(f"model manifest {manifest_path} lists no [[model]] entries", MANIFEST_HINT)
    files = tuple(_parse_entry(manifest_path, index, raw) for index, raw in enumerate(raw_entries))
    pins = {name: _parse_pin(manifest_path, name, raw) for name, raw in data.get("packages", {}).items()}
    return Manifest(files=files, pins=pins)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelFilesError(f"model manifest {path} does not exist", MANIFEST_HINT) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ModelFilesError(f"model manifest {path} is not valid TOML: {exc}", "fix the syntax") from exc


def _parse_entry(manifest_path: str, index: int, raw: Any) -> ModelFile:
    where = f"model manifest {manifest_path}, [[model]] entry {index + 1}"
    if not isinstance(raw, dict) or any(key not in raw for key in ENTRY_KEYS):
        raise ModelFilesError(f"{where} needs the keys {', '.join(ENTRY_KEYS)}", "fix the entry")
    rel = PurePosixPath(str(raw["path"]))
    # The path must stay inside the package: the manifest names files in a
    # wheel, never arbitrary files on the machine.
    if rel.is_absolute() or ".." in rel.parts:
        raise ModelFilesError(f"{where}: path {rel} must be relative to the package directory", "fix the entry")
    try:
        size = int(raw["size"])
    except (TypeError, ValueError) as exc:
        raise ModelFilesError(f"{where}: size {raw['size']!r} is not a number of bytes", "fix the entry") from exc
    return ModelFile(
        engine=str(raw["engine"]),
        role=str(raw["role"]),
        package=str(raw["package"]),
        path=str(rel),
        size=size,
        sha256=str(raw["sha256"]).lower(),
    )


def _parse_pin(manifest_path: str, name: str, raw: Any) -> PackagePin:
    if not isinstance(raw, dict) or "version" not in raw:
        raise ModelFilesError(f"model manifest {manifest_path}: [packages.{name}] needs a version", "fix the entry")
    version = str(raw["version"])
    distribution = str(raw.get("distribution", name))
    install = str(raw.get("install", f"pip install --force-reinstall --no-deps '{distribution}=={version}'"))
    return PackagePin(distribution=distribution, version=version, install=install)


def _check_roles(manifest_path: str, engine: str, entries: list[ModelFile]) -> None:
    if engine not in REQUIRED_ROLES:
        raise ModelFilesError(
            f"no model files are known for OCR engine {engine!r}", f"use one of {', '.join(REQUIRED_ROLES)}"
        )
    missing = [role for role in REQUIRED_ROLES[engine] if role not in {entry.role for entry in entries}]
    if missing:
        raise ModelFilesError(
            f"model manifest {manifest_path} has no {engine} entry for role(s) {', '.join(missing)}",
            "restore the entries from the project's models/manifest.toml",
        )


def _verified_file(entry: ModelFile, pins: dict[str, PackagePin]) -> Path:
    """Absolute path of the entry's file, after checking it is there and unchanged."""
    path = _package_dir(entry, pins) / entry.path
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ModelFilesError(f"model file {entry.label} is missing: {path}", _reinstall_hint(entry, pins)) from None
    if stat.st_size != entry.size:
        raise ModelFilesError(
            f"model file {entry.label} has changed: {path} is {stat.st_size} bytes, the manifest says {entry.size}",
            _reinstall_hint(entry, pins),
        )
    actual = file_sha256(str(path), stat.st_size, stat.st_mtime_ns)
    if actual != entry.sha256:
        raise ModelFilesError(
            f"model file {entry.label} has changed: {path} has sha256 {actual}, the manifest says {entry.sha256}",
            _reinstall_hint(entry, pins),
        )
    return path


def _package_dir(entry: ModelFile, pins: dict[str, PackagePin]) -> Path:
    """The installed package's directory, found without importing the package."""
    try:
        spec = importlib.util.find_spec(entry.package)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise ModelFilesError(
            f"package {entry.package}, which ships the {entry.engine} {entry.role} model, is not installed",
            _reinstall_hint(entry, pins),
        )
    # A namespace package may span several directories: use the one that has the file.
    for location in locations:
        if (Path(location) / entry.path).exists():
            return Path(location).resolve()
    return Path(locations[0]).resolve()


def _reinstall_hint(entry: ModelFile, pins: dict[str, PackagePin]) -> str:
    pin = pins.get(entry.package)
    if pin is None:
        return f"install (or reinstall) the package {entry.package}"
    hint = f"install the version the manifest was made from: {pin.install}"
    installed = _installed_version(pin.distribution)
    if installed and installed != pin.version:
        hint += (
            f" (installed: {pin.distribution} {installed}; if that upgrade is wanted,"
            " update models/manifest.toml as models/README.md says)"
        )
    return hint


def _installed_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


@lru_cache(maxsize=64)
def file_sha256(path: str, size: int, mtime_ns: int) -> str:
    """sha256 of a file, computed once per process.

    size and mtime are part of the cache key so a file replaced while the
    process runs is hashed again rather than trusted from the cache.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _paths_by_role(engine: str, verified: list[tuple[ModelFile, Path]]) -> dict[str, Path]:
    directory_roles = DIRECTORY_ROLES.get(engine, frozenset())
    by_role: dict[str, Path] = {}
    for entry, path in verified:
        target = path.parent if entry.role in directory_roles else path
        if by_role.setdefault(entry.role, target) != target:
            # Two files for one role only make sense as parts of one model directory.
            raise ModelFilesError(
                f"the manifest's {engine} {entry.role} files are not in one model directory: "
                f"{by_role[entry.role]} and {target}",
                "restore the entries from the project's models/manifest.toml",
            )
    return by_role
