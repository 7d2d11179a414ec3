"""One typed settings object: defaults < TOML file < WAYBILL_* environment.

The TOML file is the one named by `--config`, else by WAYBILL_CONFIG, else
`config.toml` in the user's config directory if it exists.  Keys are the
field names below; environment variables are the same names upper-cased with
a WAYBILL_ prefix (db_url -> WAYBILL_DB_URL).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_config_dir, user_data_dir

from capture.errors import SettingsError
from capture.pipeline.carriers import CARRIERS, by_name
from capture.shops import ShopConfig, find_shop, parse_shops, with_default

APP_NAME = "waybill"
ENV_PREFIX = "WAYBILL_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
BARCODE_ENGINES = ("zxing", "zbar")
OCR_ENGINES = ("rapidocr", "paddle")
UPLOAD_CONNECTORS = ("taobao", "webhook")
LEASE_TIMEOUTS = 4  # HTTP timeouts one upload lease must cover (see _validate_upload)
MAX_WATCH_WORKERS = 8
SHOPS_KEY = "shops"
MIN_PREVIEW_WIDTH = 320  # narrower previews lose Code128 modules under one pixel
MIN_VIDEO_HEIGHT = 240  # a lower clip shows neither the goods nor its burned-in waybill
# A list in one setting (shop_carriers): commas (either width), semicolons,
# spaces; brackets and quotes too, so a TOML array works as well as a string.
SETTING_LIST_SEPARATORS = re.compile(r"[\s,，;；\[\]'\"]+")


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
    # A module whose ocr_engine(spec) builds the OCR engine instead (the fault-injection tests' engines).
    ocr_plugin: str = ""
    models_manifest: str = str(PROJECT_ROOT / "models" / "manifest.toml")
    # Refuse images larger than this many pixels (decompression bombs).
    max_image_pixels: int = 80_000_000
    # --- upload (capture/upload); secrets live in capture/upload/credentials.py, not here.
    upload_connector: str = "taobao"
    # How long a claimed job is a worker's alone.  A crashed worker's jobs are
    # claimed again after this; it must outlast the HTTP calls of one attempt.
    upload_lease_s: float = 120.0
    upload_timeout_s: float = 15.0  # per HTTP request to the marketplace
    upload_max_attempts: int = 12  # transient failures before a job is dead
    # Backoff: base * 2^(attempt-1), jittered, capped; 12 attempts span ~2 hours.
    upload_backoff_s: float = 5.0
    upload_backoff_max_s: float = 1800.0
    upload_idle_poll_s: float = 2.0  # how often an idle worker looks for work
    secrets_file: str = ""  # TOML with the marketplace secrets, mode 600
    cache_dir: str = ""  # empty means the user cache dir (Taobao carrier codes)
    # Our carrier code = Taobao company code, comma separated ("JT=JTSD,JD=JD"):
    # wins over matching the platform's company list by name.
    taobao_carrier_codes: str = ""
    taobao_companies_max_age_s: float = 86400.0  # refetch the company list daily
    taobao_page_size: int = 100  # orders per trades.sold.get page (the platform allows 100)
    # --- sources: the drop folder (`waybill watch`) and the camera (`waybill camera`)
    # A dropped file is taken once its size and mtime have not changed for this
    # long: phones and sync clients write a photo in pieces.
    watch_stable_s: float = 1.0
    # A JPEG or PNG cut short (no end marker) that was written to less than
    # this long ago is waited for, not failed: a sync client that stalls
    # mid-photo.  A failed photo that changes within this long is read again.
    watch_unfinished_wait_s: float = 30.0
    watch_rescan_s: float = 10.0  # full listing of the folder, for shares that miss events
    watch_polling: bool = False  # poll instead of inotify: network drives send no events
    watch_poll_interval_s: float = 2.0
    watch_workers: int = 1  # processes reading photos (engines are loaded once in each)
    # A photo still being read this long after it was given to a worker has
    # its worker process stopped and is read again (a hung reader); 0: never.
    watch_photo_deadline_s: float = 300.0
    watch_processed_dir: str = ""  # empty: DIR/processed
    watch_failed_dir: str = ""  # empty: DIR/failed
    bell_on_red: bool = True  # ring the terminal bell on rejected and unreadable photos
    camera_preview_width: int = 960  # barcodes are read on every frame at this width
    camera_cooldown_s: float = 10.0  # a reported number stays quiet this long after it leaves view
    evidence_dir: str = ""  # empty: the user data dir's evidence/ (camera frames that decided a capture)
    # --- matching (capture/pipeline/match.py)
    # 合并发货: a label that fits several open orders of one buyer to one address
    # ships them all (the waybill is queued for each); off, such a photo goes to review.
    merge_shipments: bool = False
    # Carriers the shop ships with, comma separated codes or names ("SF,ZTO" or
    # "顺丰,中通"); a number of another carrier is refused.  Empty: any carrier.
    shop_carriers: str = ""
    # Desk pairing: the station this process scans for ("" = no pairing), and
    # how long a scanned pick list (or a label waiting for one) stays paired.
    desk_station: str = ""
    pair_timeout_s: float = 60.0
    # --- the desk pages (`waybill serve`): the zone their times are shown in
    desk_timezone: str = "Asia/Shanghai"
    # --- keeping it safe (issue 15): scheduled backups, logs, how long data is kept
    backup_dir: str = ""  # scheduled backups go here while watch/upload/serve run; empty: none
    backup_interval_s: float = 3600.0
    backup_keep: int = 24  # the newest this many scheduled backups are kept, older ones removed
    # `watch` and `upload --metrics-port` answer /metrics and /healthz here (0: no server); no login,
    # so loopback unless a shop's Prometheus scrapes from another machine.
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"
    log_file: str = ""  # empty: stderr only; else also this file, rotated at log_max_bytes
    log_json: bool = False  # log lines as JSON objects (time, level, logger, message)
    log_max_bytes: int = 10_000_000
    log_backups: int = 5  # rotated log files kept beside log_file (.1 .. .N)
    # Retention for `waybill prune`, in days; 0 keeps forever.  Nothing still
    # waiting for review or upload is ever pruned, whatever its age.
    keep_photos_days: int = 0  # filed photos under processed/ and failed/
    keep_evidence_days: int = 0  # camera evidence frames, and the evidence JSON of old scans
    keep_audit_days: int = 0  # audit rows (and the scans they describe)
    # --- packing videos (打包视频, capture/sources/clip_recorder.py): one H.264 clip per parcel
    video_record: bool = False  # `waybill camera --record`; the desk page's camera too when serve has it on
    video_preroll_s: float = 3.0  # a clip starts this long before its label was first seen
    video_max_s: float = 300.0  # ... and ends at the next parcel's label, or after this long
    video_fps: float = 15.0  # frames recorded per second at most (a 30 fps camera is recorded at 15)
    video_height: int = 720  # taller frames are scaled down to this for the clip
    video_keep_days: float = 30.0  # retention by age (clips of an order with an open dispute are kept)
    video_quota_mb: float = 20000.0  # retention by size of all kept clips, oldest removed first
    # --- shops: the [shops.NAME] tables of the TOML file (capture/shops.py); not from the environment
    shops: tuple[ShopConfig, ...] = ()

    @property
    def all_shops(self) -> tuple[ShopConfig, ...]:
        """Every shop, the default Taobao shop included."""
        return with_default(self.shops)

    def shop(self, name: str) -> ShopConfig:
        """The shop called `name`; SettingsError naming the known ones if there is none."""
        return find_shop(self.shops, name)

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
            raise SettingsError(
                "ocr_min_score must be between 0 and 1", "fix it in the TOML file or WAYBILL_OCR_MIN_SCORE"
            )
        if self.ocr_max_side < 320:
            raise SettingsError("ocr_max_side below 320 pixels leaves labels unreadable", "use 1200-2000")
        self._validate_upload()
        self._validate_sources()
        self._validate_matching()
        self._validate_keeping()
        self._validate_video()
        return self

    def _validate_keeping(self) -> None:
        if self.backup_interval_s < 0 or self.backup_keep < 1:
            raise SettingsError(
                "backup_interval_s must be 0 or more and backup_keep at least 1",
                "e.g. 3600 and 24 (a day of hourly copies)",
            )
        if self.log_max_bytes < 1 or self.log_backups < 0:
            raise SettingsError("log_max_bytes must be positive, log_backups 0 or more", "e.g. 10000000 and 5")
        if min(self.keep_photos_days, self.keep_evidence_days, self.keep_audit_days) < 0:
            raise SettingsError("keep_*_days must be 0 (keep forever) or a number of days", "e.g. 90")

    def _validate_video(self) -> None:
        if self.video_preroll_s < 0 or self.video_max_s <= self.video_preroll_s or self.video_fps <= 0:
            raise SettingsError(
                "video_preroll_s must be 0 or more, video_max_s longer than it, video_fps positive",
                "use 3, 300 and 15",
            )
        if self.video_height < MIN_VIDEO_HEIGHT or self.video_keep_days <= 0 or self.video_quota_mb <= 0:
            raise SettingsError(
                f"video_height must be at least {MIN_VIDEO_HEIGHT}, video_keep_days and video_quota_mb positive",
                "use 720, 30 and 20000",
            )

    @property
    def shop_carrier_codes(self) -> frozenset[str]:
        """Carrier codes named by shop_carriers (validated in validate())."""
        return carrier_codes(self.shop_carriers)

    def carrier_codes_of_shop(self, name: str) -> frozenset[str]:
        """The carriers shop `name` ships with: its own shop_carriers, else the global one."""
        own = self.shop(name).shop_carriers
        return carrier_codes(own) if own else self.shop_carrier_codes

    def _validate_matching(self) -> None:
        named = [("shop_carriers", self.shop_carriers)]
        named += [(f"[shops.{s.name}] shop_carriers", s.shop_carriers) for s in self.shops]
        for where, value in named:
            unknown = [n for n in SETTING_LIST_SEPARATORS.split(value) if n and by_name(n) is None]
            if unknown:
                raise SettingsError(
                    f"unknown carrier in {where}: {', '.join(unknown)}",
                    f"use codes or names, comma separated: {', '.join(c.code for c in CARRIERS)}",
                )
        if self.pair_timeout_s <= 0:
            raise SettingsError("pair_timeout_s must be positive", "use 30-120 seconds")
        try:
            ZoneInfo(self.desk_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(
                f"unknown time zone {self.desk_timezone!r}", "set desk_timezone to an IANA name, e.g. Asia/Shanghai"
            ) from exc

    def _validate_sources(self) -> None:
        if not 1 <= self.watch_workers <= MAX_WATCH_WORKERS:
            raise SettingsError(
                f"watch_workers must be 1 to {MAX_WATCH_WORKERS}", "one per CPU core at most; 1 or 2 on a desk PC"
            )
        if (
            self.watch_stable_s < 0
            or self.watch_unfinished_wait_s < 0
            or self.watch_rescan_s <= 0
            or self.watch_poll_interval_s <= 0
            or self.watch_photo_deadline_s < 0
        ):
            raise SettingsError(
                "watch_stable_s, watch_unfinished_wait_s and watch_photo_deadline_s must be 0 or more, the rescan and poll intervals positive",
                "fix them in the TOML file or WAYBILL_WATCH_*",
            )
        if self.camera_preview_width < MIN_PREVIEW_WIDTH or self.camera_cooldown_s < 0:
            raise SettingsError(
                f"camera_preview_width must be at least {MIN_PREVIEW_WIDTH}, camera_cooldown_s 0 or more",
                "use 960 and 10",
            )

    def _validate_upload(self) -> None:
        if self.upload_connector not in UPLOAD_CONNECTORS:
            raise SettingsError(
                f"unknown upload connector {self.upload_connector!r}",
                f"set upload_connector / WAYBILL_UPLOAD_CONNECTOR to one of {', '.join(UPLOAD_CONNECTORS)}",
            )
        if self.upload_timeout_s <= 0 or self.upload_backoff_s <= 0 or self.upload_idle_poll_s <= 0:
            raise SettingsError(
                "upload timeouts, backoff and poll interval must be positive",
                "fix them in the TOML file or WAYBILL_UPLOAD_*",
            )
        # One attempt may make LEASE_TIMEOUTS requests (check, send, check again):
        # a lease shorter than that could run out mid-send and let a second worker in.
        if self.upload_lease_s < LEASE_TIMEOUTS * self.upload_timeout_s:
            raise SettingsError(
                f"upload_lease_s ({self.upload_lease_s:g}) must be at least {LEASE_TIMEOUTS} x upload_timeout_s ({self.upload_timeout_s:g})",
                "raise upload_lease_s or lower upload_timeout_s",
            )
        if self.upload_max_attempts < 1:
            raise SettingsError(
                "upload_max_attempts must be at least 1", "fix it in the TOML file or WAYBILL_UPLOAD_MAX_ATTEMPTS"
            )


def carrier_codes(value: str) -> frozenset[str]:
    names = [n for n in SETTING_LIST_SEPARATORS.split(value) if n]
    return frozenset(c.code for c in (by_name(n) for n in names) if c is not None)


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
            raise SettingsError(
                f"config file {path} does not exist", "create it or drop --config/WAYBILL_CONFIG"
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {path} is not valid TOML: {exc}", "fix the syntax") from exc
        unknown = sorted(set(data) - set(types))
        if unknown:
            raise SettingsError(f"unknown settings in {path}: {', '.join(unknown)}", f"known: {', '.join(types)}")
        if SHOPS_KEY in data:
            values[SHOPS_KEY] = parse_shops(data.pop(SHOPS_KEY), str(path))
        values.update({k: _coerce(k, v, types[k]) for k, v in data.items()})

    for name, target in types.items():
        if name == SHOPS_KEY:  # tables, not one value: the TOML file only
            continue
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = _coerce(name, raw, target)

    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = replace(Settings(), **values)
    if not settings.db_url:
        settings = replace(settings, db_url=default_db_url())
    return settings.validate()
