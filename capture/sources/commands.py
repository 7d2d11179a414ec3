"""`waybill watch` and `waybill camera`: their arguments, and the live line per photo or parcel.

Kept out of cli.py so the command line stays one page; cli.build_parser
calls add_source_commands.  Like the rest of the CLI, these only parse,
call capture.api and print.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from capture import api, report
from capture import settings as settings_mod
from capture.settings import Settings
from capture.sources.camera import CameraEvent
from capture.sources.handled import Handled
from capture.types import ScanResult, Status

GREEN, YELLOW, RED, RESET = "\033[32m", "\033[33m", "\033[31m", "\033[0m"
BELL = "\a"
COLOURS = {Status.QUEUED: GREEN, Status.REVIEW: YELLOW, Status.REJECTED: RED, Status.NO_WAYBILL: RED, Status.ERROR: RED}
# Statuses a packer must act on now: the photo gave nothing that can ship.
RED_STATUSES = frozenset({Status.REJECTED, Status.NO_WAYBILL, Status.ERROR})


def add_source_commands(commands: Any, common: argparse.ArgumentParser, engines: argparse.ArgumentParser) -> None:
    watch = commands.add_parser(
        "watch", parents=[common, engines], help="read photos dropped into a folder, as they arrive"
    )
    watch.add_argument(
        "folder", metavar="DIR", help="the drop folder; photos are filed into DIR/processed and DIR/failed"
    )
    watch.add_argument("--json", action="store_true", help="one scan JSON object per photo on stdout")
    watch.add_argument(
        "--workers", type=int, metavar="N", help="processes reading photos (default 1; env WAYBILL_WATCH_WORKERS)"
    )
    watch.add_argument(
        "--polling",
        action="store_true",
        default=None,
        help="poll the folder instead of filesystem events (network drives)",
    )
    watch.add_argument("--processed", metavar="DIR", help="file handled photos here instead of DIR/processed")
    watch.add_argument("--failed", metavar="DIR", help="file unreadable photos here instead of DIR/failed")
    watch.add_argument("--no-bell", action="store_true", help="no terminal bell on rejected or unreadable photos")
    watch.set_defaults(run=cmd_watch)

    camera = commands.add_parser("camera", parents=[common, engines], help="read parcels passing a camera, once each")
    camera.add_argument(
        "source", metavar="SOURCE", help="a device index (0), an rtsp:// or http:// stream URL, or a video file"
    )
    camera.add_argument("--json", action="store_true", help="one scan JSON object per parcel on stdout")
    camera.add_argument("--evidence-dir", metavar="DIR", help="where the frame that decided each capture is saved")
    camera.add_argument(
        "--cooldown", type=float, metavar="S", help="seconds a reported number stays quiet after it leaves view"
    )
    camera.add_argument(
        "--realtime",
        action="store_true",
        help="play a video file at its frame rate, dropping frames like a live camera",
    )
    camera.set_defaults(run=cmd_camera)


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    return settings_mod.load(
        config=args.config,
        db_url=args.db,
        barcode_engine=args.barcode_engine,
        ocr_engine=args.ocr_engine,
        **overrides,
    )


def cmd_watch(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(
        args,
        watch_workers=args.workers,
        watch_polling=args.polling,
        watch_processed_dir=args.processed,
        watch_failed_dir=args.failed,
        bell_on_red=False if args.no_bell else None,
    )
    live = LiveLines(out, as_json=args.json, bell=settings.bell_on_red)
    if not args.json and os.path.isdir(args.folder):
        print(f"watching {os.path.abspath(args.folder)} (Ctrl-C to stop)", file=sys.stderr)

    def on_result(handled: Handled) -> None:
        extra = {
            "dropped_as": str(handled.dropped),
            "filed_as": str(handled.filed),
            "sidecar": str(handled.sidecar),
            "duplicate_of": handled.duplicate_of,
            "recovered": handled.recovered,
        }
        live.show(handled.result, handled.filed.name, extra)

    with _stop_on_sigterm() as stop:
        api.run_folder(args.folder, settings, on_result, stop)
    return 0


def cmd_camera(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args, evidence_dir=args.evidence_dir, camera_cooldown_s=args.cooldown)
    live = LiveLines(out, as_json=args.json, bell=settings.bell_on_red)

    def on_event(event: CameraEvent) -> None:
        extra = {
            "source": args.source,
            "evidence": str(event.evidence),
            "frames": event.frames,
            "stream_s": round(event.stream_s, 3),
        }
        live.show(event.result, event.evidence.name, extra)

    with _stop_on_sigterm() as stop:
        summary = api.run_camera(args.source, settings, on_event, stop, realtime=args.realtime)
    print(
        f"summary: frames {summary.frames_read}, processed {summary.frames_processed} "
        f"({summary.fps:.1f} fps), parcels {summary.events}, reopened {summary.reopens}",
        file=sys.stderr,
    )
    return 0


@contextmanager
def _stop_on_sigterm() -> Iterator[threading.Event]:
    """`systemctl stop` (SIGTERM) lets the photo being read finish; Ctrl-C stops at once."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _sig, _frame: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


class LiveLines:
    """One line per photo or parcel: coloured by status on a terminal, JSON objects with --json."""

    def __init__(self, out: TextIO, as_json: bool, bell: bool) -> None:
        self._out = out
        self._json = as_json
        tty = out.isatty()
        # https://no-color.org: any non-empty NO_COLOR turns colours off.
        self._colour = tty and not os.environ.get("NO_COLOR")
        self._bell = bell and tty

    def show(self, result: ScanResult, name: str, extra: dict[str, Any]) -> None:
        if self._json:
            print(json.dumps({**report.scan_contract(result), **extra}, ensure_ascii=False), file=self._out, flush=True)
            return
        self._out.write(self.line(result, name) + "\n")
        self._out.flush()

    def line(self, result: ScanResult, name: str) -> str:
        outcome = result.outcome
        status = outcome.status
        number = outcome.candidate.number if outcome.candidate else "-"
        order = f"order {outcome.order.tid}" if outcome.order else "-"
        why = ", ".join(str(r) for r in outcome.reasons)
        text = f"{time.strftime('%H:%M:%S')}  {status.value:<10} {number:<18} {order:<26} {name}" + (
            f"  [{why}]" if why else ""
        )
        if self._colour:
            text = COLOURS[status] + text + RESET
        if self._bell and status in RED_STATUSES:
            text += BELL
        return text
