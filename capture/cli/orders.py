"""`waybill orders import` and `waybill orders pull`: load the open orders that labels are matched to."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from capture import api
from capture.cli.common import Commands, Parents, load_settings


def register(commands: Commands, parents: Parents) -> None:
    """Add the `orders` group (import, pull) to the `waybill` parser."""
    orders = commands.add_parser("orders", help="open orders").add_subparsers(
        dest="orders_command", required=True, metavar="ACTION"
    )
    imp = orders.add_parser(
        "import", parents=[parents.common], help="load a Taobao/Qianniu order export (CSV, GBK or UTF-8)"
    )
    imp.add_argument("file", type=Path)
    imp.set_defaults(run=cmd_orders_import)

    pull = orders.add_parser("pull", parents=[parents.common], help="fetch the orders awaiting shipment from Taobao")
    pull.set_defaults(run=cmd_orders_pull)


def cmd_orders_import(args: argparse.Namespace, out: TextIO) -> int:
    result = api.import_orders(args.file, load_settings(args))
    print(
        f"imported {args.file}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
        f"{len(result.problems)} rows not read",
        file=out,
    )
    for problem in result.problems:
        print(f"  line {problem.line}: {problem.reason}", file=out)
    return 0


def cmd_orders_pull(args: argparse.Namespace, out: TextIO) -> int:
    report = api.pull_orders(load_settings(args))
    print(
        f"pulled {report.pages} page(s) from Taobao: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.skipped} not stored",
        file=out,
    )
    return 0
