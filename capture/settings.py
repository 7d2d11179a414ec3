"""One typed settings object: defaults < TOML file < WAYBILL_* environment.

The TOML file is the one named by `--config`, else by WAYBILL_CONFIG, else
`config.toml` in the user's config directory if it exists.  Keys are the
field names below; environment variables are the same names upper-cased with
a WAYBILL_ prefix (db_url -> WAYBILL_DB_URL).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir

from capture.errors import SettingsError

APP_NAME = "waybill"
ENV_PREFIX = "WAYBILL_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
BARCODE_ENGINES = ("zxing", "zbar")
OCR_ENGINES = ("rapidocr", "paddle")


def default_db_url() -> str:
    return f"sqlite:///{Path(user_data_dir(APP_NAME)) / 'waybill.db'}"


@dataclass(frozen=True)
class Settings:
    db_url: str = ""  # empty means default_db_url(), resolved in load()
    barcode_engine: str = "zxing"
    ocr_engine: str = "rapidocr"
    # Longest side, in pixels, of the image handed to OCR.  Labels photographed
    # at the desk read well at this size; larger only costs time.
    ocr_max_side: int = 1600
    # OCR lines scoring below this are not used as evidence for a number.
    ocr_min_score: float = 0.80
    # Threads for the OCR runtime; 0 lets the runtime decide.
    ocr_threads: int = 0
    models_manifest: str = str(PROJECT_ROOT / "models" / "manifest.toml")
    # Refuse images larger than this many pixels (decompression bombs).
    max_image_pixels: int = 80_000_000

    def validate(self) -> Settings:
        if self.barcode_engine not in BARCODE_ENGINES:
            raise SettingsError(
                f"unknown barcode engine {self.barcode_engine!r}",
                f"set barcode_engine / WAYBILL_BARCODE_ENGINE to one of {', '.join(BARCODE_ENGINES)}",
            )
        if self.ocr_engine not in OCR_ENGINES:
            raise SettingsError(
                f"unknown OCR engine {self.ocr_engine!r}",
                f"set ocr_engine / WAYBILL_OCR_ENGINE to one of {', '.join(OCR_ENGINES)}",
            )
        if not 0.0 <= self.ocr_min_score <= 1.0:
            raise SettingsError("ocr_min_score must be between 0 and 1", "fix it in the TOML file or WAYBILL_OCR_MIN_SCORE")
        if self.ocr_max_side < 320:
            raise SettingsError("ocr_max_side below 320 pixels leaves labels unreadable", "use 1200-2000")
        return self


def _coerce(name: str, raw: Any, target: type) -> Any:
    try:
        if target is bool and isinstance(raw, str):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return target(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name}={raw!r} is not a valid {target.__name__}", "correct the value") from exc


def _config_file(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    if explicit:
        return Path(explicit)
    if env.get(ENV_PREFIX + "CONFIG"):
        return Path(env[ENV_PREFIX + "CONFIG"])
    default = Path(user_config_dir(APP_NAME)) / "config.toml"
    return default if default.exists() else None


def load(config: str | None = None, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings: defaults, then the TOML file, then WAYBILL_* env, then overrides."""
    env = os.environ if env is None else env
    types = {f.name: type(f.default) for f in fields(Settings)}
    values: dict[str, Any] = {}

    path = _config_file(config, env)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SettingsError(f"config file {path} does not exist", "create it or drop --config/WAYBILL_CONFIG") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {path} is not valid TOML: {exc}", "fix the syntax") from exc
        unknown = sorted(set(data) - set(types))
        if unknown:
            raise SettingsError(f"unknown settings in {path}: {', '.join(unknown)}", f"known: {', '.join(types)}")
        values.update({k: _coerce(k, v, types[k]) for k, v in data.items()})

    for name, target in types.items():
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = _coerce(name, raw, target)

    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = replace(Settings(), **values)
    if not settings.db_url:
        settings = replace(settings, db_url=default_db_url())
    return settings.validate()
