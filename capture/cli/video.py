"""`waybill video` and `waybill dispute`: a parcel's packing videos by waybill or order, a zip for a dispute, retention."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TextIO

from capture.api import video
from capture.cli.common import Commands, Parents, load_settings, print_json
from capture.errors import BadArguments
from capture.settings import Settings
from capture.store.clips import ClipView

TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"


def register(commands: Commands, parents: Parents) -> None:
    """Add video and dispute to the `waybill` parser."""
    clip = commands.add_parser(
        "video", parents=[parents.common], help="packing videos of a waybill or an order: paths, a dispute's zip"
    )
    clip.add_argument("key", metavar="WAYBILL_OR_ORDER", nargs="?")
    clip.add_argument("--json", action="store_true", help="one JSON object per clip")
    clip.add_argument("--export", metavar="ZIP", help="write the newest clip with its audit trail to this new zip")
    clip.add_argument("--clip", type=int, metavar="ID", help="with --export: this clip instead of the newest")
    clip.add_argument("--prune", action="store_true", help="apply retention now (age, then quota; disputes kept)")
    clip.set_defaults(run=cmd_video)

    dispute = commands.add_parser(
        "dispute", parents=[parents.common], help="mark an order disputed (its videos are kept) or close it"
    )
    dispute.add_argument("action", choices=("open", "close"))
    dispute.add_argument("order", metavar="ORDER")
    dispute.add_argument("--note", default="", help="what the buyer says")
    dispute.add_argument("--by", default=None, help="who (default: login name)")
    dispute.set_defaults(run=cmd_dispute)


def cmd_video(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)
    if args.prune:
        for gone in video.prune(settings):
            print(f"removed ({gone.reason}): {gone.path}", file=out)
        if not args.key:
            return 0
    if not args.key:
        raise BadArguments("give a waybill or order number (or --prune)", "waybill video SF1234567890123")
    found = video.clips(args.key, settings)
    if args.export:
        return _export(args, found, settings, out)
    if not found:
        raise video.ClipNotFound(f"of {args.key}")
    for c in found:
        if args.json:
            print_json(clip_json(c), out)
        elif c.removed_at is None:
            print(c.path, file=out)
        else:
            print(f"removed ({c.removed_reason}) {_local(c.removed_at)}: {c.path}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace, found: list[ClipView], settings: Settings, out: TextIO) -> int:
    kept = [c for c in found if c.removed_at is None]
    chosen = args.clip if args.clip is not None else (kept[-1].id if kept else None)
    if chosen is None or chosen not in {c.id for c in found}:
        raise video.ClipNotFound(f"of {args.key} to export")
    target = Path(args.export)
    if target.exists():
        raise BadArguments(f"{target} exists", "name a new file: an export never writes over one")
    print(video.export_clip(chosen, settings, target), file=out)
    return 0


def cmd_dispute(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)
    by = f"person:{args.by or getpass.getuser()}"
    if args.action == "open":
        opened = video.open_dispute(args.order, args.note, by, settings)
        print(f"order {opened.order_tid} disputed since {_local(opened.opened_at)}: its videos are kept", file=out)
    else:
        closed = video.close_dispute(args.order, by, settings)
        print(f"order {args.order}: {closed} open dispute(s) closed", file=out)
    return 0


def clip_lines(key: str, settings: Settings) -> list[str]:
    """The clips of a key as `waybill history` lists them."""
    return [
        f"video {c.id}: {_local(c.started_at)} - {_local(c.ended_at)}  {c.frames} frames  station {c.station}  "
        + (f"removed ({c.removed_reason})" if c.removed_at else c.path)
        + ("  [disputed: kept]" if c.disputed else "")
        for c in video.clips(key, settings)
    ]


def clip_json(c: ClipView) -> dict[str, object]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(c).items()}


def _local(at: datetime) -> str:
    return at.astimezone().strftime(TIME_FORMAT)
