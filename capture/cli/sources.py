"""`waybill watch` and `waybill camera`: read photos from a drop folder, parcels from a camera, until stopped."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from capture import api, views
from capture.api.backups import backups_while_running
from capture.cli.common import Commands, Parents, load_settings
from capture.cli.metrics import METRICS_PORT_HELP, serving_metrics
from capture.cli.render import LiveLines
from capture.monitoring.pulse import EnginePulse
from capture.sources.camera import CameraEvent, CameraSummary
from capture.sources.handled import Handled


def register(commands: Commands, parents: Parents) -> None:
    """Add watch and camera to the `waybill` parser."""
    watch = commands.add_parser(
        "watch", parents=[parents.common, parents.engines], help="read photos dropped into a folder, as they arrive"
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
    watch.add_argument("--metrics-port", type=int, metavar="PORT", help=METRICS_PORT_HELP)
    watch.set_defaults(run=cmd_watch)

    camera = commands.add_parser(
        "camera", parents=[parents.common, parents.engines], help="read parcels passing a camera, once each"
    )
    camera.add_argument(
        "source", metavar="SOURCE", help="a device index (0), an rtsp:// or http:// stream URL, or a video file"
    )
    camera.add_argument("--json", action="store_true", help="one scan JSON object per parcel on stdout")
    camera.add_argument("--evidence-dir", metavar="DIR", help="where the frame that decided each capture is saved")
    camera.add_argument(
        "--cooldown", type=float, metavar="S", help="seconds a reported number stays quiet after it leaves view"
    )
    camera.add_argument(
        "--record",
        action="store_true",
        default=None,
        help="a packing video per parcel under the evidence folder (setting video_record)",
    )
    camera.add_argument(
        "--realtime",
        action="store_true",
        help="play a video file at its frame rate, dropping frames like a live camera",
    )
    camera.set_defaults(run=cmd_camera)


def cmd_watch(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)
    live = LiveLines(out, as_json=args.json, bell=settings.bell_on_red)
    if not args.json and os.path.isdir(args.folder):
        print(f"watching {os.path.abspath(args.folder)} (Ctrl-C to stop)", file=sys.stderr)

    pulse = EnginePulse()

    def on_result(handled: Handled) -> None:
        pulse.note(handled.result)
        live.show(handled.result, handled.filed.name, views.watch_json(handled))

    with _stop_on_sigterm() as stop, backups_while_running(settings), serving_metrics(settings, pulse.check):
        api.run_folder(args.folder, settings, on_result, stop)
    return 0


def cmd_camera(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)
    live = LiveLines(out, as_json=args.json, bell=settings.bell_on_red)

    def on_event(event: CameraEvent) -> None:
        live.show(event.result, event.evidence.name, views.camera_json(event, args.source))

    with _stop_on_sigterm() as stop:
        summary = api.run_camera(args.source, settings, on_event, stop, realtime=args.realtime)
    print(camera_summary(summary), file=sys.stderr)
    return 0


def camera_summary(summary: CameraSummary) -> str:
    return (
        f"summary: frames {summary.frames_read}, processed {summary.frames_processed} "
        f"({summary.fps:.1f} fps), parcels {summary.events}, reopened {summary.reopens}"
    )


@contextmanager
def _stop_on_sigterm() -> Iterator[threading.Event]:
    """`systemctl stop` (SIGTERM) lets the photo being read finish; Ctrl-C stops at once."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _sig, _frame: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)
