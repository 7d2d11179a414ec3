"""`waybill scan` and `waybill decode`: read photos given on the command line."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import TextIO

from capture import api, views
from capture.cli.common import Commands, Parents, load_settings, print_json
from capture.cli.render import SCAN_HEADER, scan_row
from capture.errors import CaptureError
from capture.sources.names import shown
from capture.types import Status

STATUS_ORDER = (Status.QUEUED, Status.REVIEW, Status.REJECTED, Status.NO_WAYBILL, Status.ERROR)
# `scan`'s exit statuses, as OCRmyPDF defines its own (README lists them):
# 0 every photo was decided; these when one was not.
EXIT_PHOTO_UNREAD = 4  # at least one photo could not be read (recorded as `error`; the rest were decided)
EXIT_INTERRUPTED = 130  # Ctrl-C: the photos so far were recorded, the summary says how many


def register(commands: Commands, parents: Parents) -> None:
    """Add scan and decode to the `waybill` parser."""
    scan = commands.add_parser(
        "scan",
        parents=[parents.common, parents.engines],
        help="read photos, match them to open orders, queue the safe ones",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="photos (JPEG, PNG, WebP, HEIC, GIF) or folders of them")
    scan.add_argument("--json", action="store_true", help="one JSON object per photo on stdout")
    scan.set_defaults(run=cmd_scan)

    decode = commands.add_parser(
        "decode", parents=[parents.common, parents.engines], help="show every barcode and OCR line the engines see"
    )
    decode.add_argument("paths", nargs="+", metavar="PATH")
    decode.add_argument("--json", action="store_true", help="one JSON object per photo on stdout")
    decode.set_defaults(run=cmd_decode)


def cmd_scan(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    skipped = api.files_not_photos(args.paths)
    if skipped:
        print(f"not read, not named as photos: {', '.join(skipped)}", file=sys.stderr)
    if api.order_count(settings) == 0:
        print(NO_ORDERS_WARNING, file=sys.stderr)
    if not args.json:
        print(SCAN_HEADER, file=out)
    interrupted = False
    try:
        for result in api.scan_paths(args.paths, settings):
            counts[result.outcome.status.value] += 1
            reasons.update(str(r) for r in result.outcome.reasons)
            if args.json:
                print_json(views.scan_json(result), out, flush=True)
            else:
                print(scan_row(result), file=out, flush=True)
    except KeyboardInterrupt:
        interrupted = True  # the photos so far are recorded; say how many, then stop
    summary = format_summary(counts, reasons) + ("\ninterrupted: the photos not listed were not read" * interrupted)
    print(summary, file=sys.stderr if args.json else out, flush=True)
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_PHOTO_UNREAD if counts[Status.ERROR.value] else 0


NO_ORDERS_WARNING = (
    "waybill: warning: no orders are loaded in this database, so every label goes to review\n"
    "  -> import them first (waybill orders import FILE, or orders pull), or check --db / WAYBILL_DB_URL"
)


def format_summary(counts: Counter[str], reasons: Counter[str]) -> str:
    total = sum(counts.values())
    captured = total - counts[Status.NO_WAYBILL.value] - counts[Status.ERROR.value]
    parts = [f"photos {total}", f"captured {captured}"] + [f"{s.value} {counts[s.value]}" for s in STATUS_ORDER]
    lines = ["summary: " + ", ".join(parts)]
    lines += [f"  {reason}: {n}" for reason, n in reasons.most_common()]
    return "\n".join(lines)


def cmd_decode(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)
    for path, decoded in api.decode_paths(args.paths, settings):
        if isinstance(decoded, CaptureError):
            body = views.decode_error_json(shown(path), decoded)
        else:
            body = views.decode_json(shown(path), decoded)
        if args.json:
            print_json(body, out, flush=True)
        else:
            _print_decoded(body, out)
    return 0


def _print_decoded(body: views.JSON, out: TextIO) -> None:
    print(body["path"], file=out)
    if "error" in body:
        print(f"  error: {body['error']}", file=out)
    for b in body["barcodes"]:
        print(f"  barcode {b['format']:<10} {b['text']}  ({b['engine']})", file=out)
    for line in body["ocr"]:
        print(f"  ocr {line['score']:.2f}  {line['text']}", file=out)
