"""`waybill` command line: parse arguments, call capture.api, print.  The only place that exits."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from capture import __version__, api, db_commands, report, review_commands
from capture import settings as settings_mod
from capture.errors import BadArguments, CaptureError
from capture.settings import BARCODE_ENGINES, OCR_ENGINES, Settings
from capture.sources.commands import add_source_commands
from capture.types import ScanResult, Status
from capture.upload import commands as upload_commands

EXIT_INTERRUPTED = 130
STATUS_ORDER = (Status.QUEUED, Status.REVIEW, Status.REJECTED, Status.NO_WAYBILL, Status.ERROR)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", help="database URL (default: SQLite in the user data dir; env WAYBILL_DB_URL)"
    )
    common.add_argument("--config", metavar="FILE", help="TOML settings file (env WAYBILL_CONFIG)")
    common.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")

    parser = argparse.ArgumentParser(
        prog="waybill", description="Read waybill numbers off parcel-label photos and queue them for upload."
    )
    parser.add_argument("--version", action="version", version=f"waybill {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    engines = argparse.ArgumentParser(add_help=False)
    engines.add_argument("--barcode-engine", choices=BARCODE_ENGINES, help="default zxing (env WAYBILL_BARCODE_ENGINE)")
    engines.add_argument("--ocr-engine", choices=OCR_ENGINES, help="default rapidocr (env WAYBILL_OCR_ENGINE)")

    scan = commands.add_parser(
        "scan", parents=[common, engines], help="read photos, match them to open orders, queue the safe ones"
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="photos (JPEG, PNG, WebP) or folders of them")
    scan.add_argument("--json", action="store_true", help="one JSON object per photo on stdout")
    scan.set_defaults(run=cmd_scan)

    decode = commands.add_parser(
        "decode", parents=[common, engines], help="show every barcode and OCR line the engines see"
    )
    decode.add_argument("paths", nargs="+", metavar="PATH")
    decode.add_argument("--json", action="store_true", help="one JSON object per photo on stdout")
    decode.set_defaults(run=cmd_decode)

    orders = commands.add_parser("orders", help="open orders").add_subparsers(
        dest="orders_command", required=True, metavar="ACTION"
    )
    imp = orders.add_parser("import", parents=[common], help="load a Taobao/Qianniu order export (CSV, GBK or UTF-8)")
    imp.add_argument("file", type=Path)
    imp.set_defaults(run=cmd_orders_import)

    upload_commands.register(commands, common, orders)  # upload; queue list|retry|cancel|export; orders pull
    add_source_commands(commands, common, engines)  # watch, camera
    review_commands.register(commands, common)  # review, history, pair
    db_commands.register(commands, common)  # db current, db upgrade
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    return settings_mod.load(
        config=args.config,
        db_url=args.db,
        barcode_engine=getattr(args, "barcode_engine", None),
        ocr_engine=getattr(args, "ocr_engine", None),
    )


def cmd_scan(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    if not args.json:
        print(
            f"{'status':<10} {'waybill':<18} {'carrier':<8} {'via':<12} {'conf':>5} {'order':<20} {'ms':>7}  photo / reasons",
            file=out,
        )
    for result in api.scan_paths(args.paths, settings):
        counts[result.outcome.status.value] += 1
        reasons.update(str(r) for r in result.outcome.reasons)
        if args.json:
            print(json.dumps(report.scan_contract(result), ensure_ascii=False), file=out, flush=True)
        else:
            print(_scan_row(result), file=out, flush=True)
    summary = format_summary(counts, reasons)
    print(summary, file=sys.stderr if args.json else out)
    return 0


def _scan_row(result: ScanResult) -> str:
    c = result.outcome.candidate
    order = result.outcome.order.tid if result.outcome.order else "-"
    why = ", ".join(str(r) for r in result.outcome.reasons)
    detail = f"  [{why}: {result.outcome.detail}]" if why else ""
    return (
        f"{result.outcome.status.value:<10} {(c.number if c else '-'):<18} {(c.carrier if c else '-'):<8} "
        f"{(c.via.value if c else '-'):<12} {result.outcome.confidence:>5.2f} {order:<20} {result.ms:>7.0f}  {result.path}{detail}"
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
            body = {"path": str(path), "error": decoded.message, "barcodes": [], "ocr": []}
        else:
            body = report.decode_contract(str(path), decoded)
        if args.json:
            print(json.dumps(body, ensure_ascii=False), file=out, flush=True)
        else:
            _print_decoded(body, out)
    return 0


def _print_decoded(body: dict, out: TextIO) -> None:
    print(body["path"], file=out)
    if "error" in body:
        print(f"  error: {body['error']}", file=out)
    for b in body["barcodes"]:
        print(f"  barcode {b['format']:<10} {b['text']}  ({b['engine']})", file=out)
    for line in body["ocr"]:
        print(f"  ocr {line['score']:.2f}  {line['text']}", file=out)


def cmd_orders_import(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)
    result = api.import_orders(args.file, settings)
    print(
        f"imported {args.file}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, {len(result.problems)} rows not read",
        file=out,
    )
    for problem in result.problems:
        print(f"  line {problem.line}: {problem.reason}", file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return args.run(args, sys.stdout)
    except BadArguments as exc:
        parser.error(str(exc))
    except CaptureError as exc:
        print(f"waybill: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return 0


if __name__ == "__main__":
    sys.exit(main())
