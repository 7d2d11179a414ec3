"""What every `waybill` command shares: the parent parsers, the one settings loader, JSON printing."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO, TypeAlias

from capture import api, logs
from capture import settings as settings_mod
from capture.settings import BARCODE_ENGINES, OCR_ENGINES, Settings

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Run: TypeAlias = Callable[[argparse.Namespace, TextIO], int]

# Flags that override a setting: argparse dest -> Settings field.  A command
# without one of these flags leaves that setting to the file and the environment.
SETTING_FLAGS = {
    "db": "db_url",
    "barcode_engine": "barcode_engine",
    "ocr_engine": "ocr_engine",
    "connector": "upload_connector",
    "workers": "watch_workers",
    "polling": "watch_polling",
    "processed": "watch_processed_dir",
    "failed": "watch_failed_dir",
    "evidence_dir": "evidence_dir",
    "cooldown": "camera_cooldown_s",
    "metrics_port": "metrics_port",
    "record": "video_record",
}


@dataclass(frozen=True)
class Parents:
    """Argument groups several commands take, as argparse parent parsers."""

    common: argparse.ArgumentParser  # --db, --config, --verbose: every command that opens the database
    engines: argparse.ArgumentParser  # --barcode-engine, --ocr-engine: every command that reads photos


def make_parents() -> Parents:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", help="database URL (default: SQLite in the user data dir; env WAYBILL_DB_URL)"
    )
    common.add_argument("--config", metavar="FILE", help="TOML settings file (env WAYBILL_CONFIG)")
    common.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")

    engines = argparse.ArgumentParser(add_help=False)
    engines.add_argument("--barcode-engine", choices=BARCODE_ENGINES, help="default zxing (env WAYBILL_BARCODE_ENGINE)")
    engines.add_argument("--ocr-engine", choices=OCR_ENGINES, help="default rapidocr (env WAYBILL_OCR_ENGINE)")
    return Parents(common, engines)


def load_settings(args: argparse.Namespace) -> Settings:
    """The settings for this command: every settings flag it defines overrides the file and the environment."""
    overrides: dict[str, Any] = {field: getattr(args, flag, None) for flag, field in SETTING_FLAGS.items()}
    # --no-bell can only turn the bell off; without it the file or the environment decides.
    overrides["bell_on_red"] = False if getattr(args, "no_bell", False) else None
    if getattr(args, "db", None):
        api.refuse_missing_db_folder(args.db)
    settings = settings_mod.load(config=getattr(args, "config", None), **overrides)
    logs.configure(settings)  # JSON lines, a rotated file: the settings say
    return settings


def print_json(body: dict[str, Any], out: TextIO, flush: bool = False) -> None:
    """One JSON object on one line, Chinese text as itself (not \\u escapes)."""
    print(json.dumps(body, ensure_ascii=False), file=out, flush=flush)
