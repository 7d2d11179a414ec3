"""`waybill orders import` and `waybill orders pull`: load the open orders that labels are matched to."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from capture import api
from capture.cli.common import Commands, Parents, load_settings
from capture.errors import InputFileError
from capture.shops import DEFAULT_SHOP

SHOP_HELP = "the shop the orders belong to ([shops.NAME] in the settings; default: default, the WAYBILL_TAOBAO_* shop)"
ROWS_NOT_READ = InputFileError.exit_code  # some rows were not stored; the others were


def register(commands: Commands, parents: Parents) -> None:
    """Add the `orders` group (import, pull) to the `waybill` parser."""
    orders = commands.add_parser("orders", help="open orders").add_subparsers(
        dest="orders_command", required=True, metavar="ACTION"
    )
    imp = orders.add_parser(
        "import", parents=[parents.common], help="load a Taobao/Qianniu order export (CSV, GBK or UTF-8)"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--shop", default=DEFAULT_SHOP, metavar="NAME", help=SHOP_HELP)
    imp.set_defaults(run=cmd_orders_import)

    pull = orders.add_parser(
        "pull", parents=[parents.common], help="fetch a shop's orders awaiting shipment from its marketplace"
    )
    pull.add_argument("--shop", default=DEFAULT_SHOP, metavar="NAME", help=SHOP_HELP)
    pull.set_defaults(run=cmd_orders_pull)


def _into_shop(shop: str) -> str:
    return "" if shop == DEFAULT_SHOP else f" into shop {shop}"


def cmd_orders_import(args: argparse.Namespace, out: TextIO) -> int:
    result = api.import_orders(args.file, load_settings(args), shop=args.shop)
    print(
        f"imported {args.file}{_into_shop(args.shop)}: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.problems)} rows not read",
        file=out,
    )
    for problem in result.problems:
        print(f"  line {problem.line}: {problem.reason}", file=out)
    # A script must be able to tell that rows were left out (the rest are stored).
    return ROWS_NOT_READ if result.problems else 0


def _of_shop(shop: str) -> str:
    return "" if shop == DEFAULT_SHOP else f" for shop {shop}"


def cmd_orders_pull(args: argparse.Namespace, out: TextIO) -> int:
    report = api.pull_orders(load_settings(args), shop=args.shop)
    taken = f", {report.elsewhere} belong to another shop" if report.elsewhere else ""
    print(
        f"pulled {report.pages} page(s) from {report.marketplace}{_of_shop(report.shop)}: {report.added} added, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.skipped} not stored{taken}",
        file=out,
    )
    return ROWS_NOT_READ if report.skipped or report.elsewhere else 0
