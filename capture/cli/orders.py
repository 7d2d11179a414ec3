"""`waybill orders import` and `waybill orders pull`: load the open orders that labels are matched to."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from capture import api
from capture.cli.common import Commands, Parents, load_settings
from capture.errors import InputFileError
from capture.orders.columns import ReportKind
from capture.rematch import RematchReport
from capture.shops import DEFAULT_SHOP
from capture.store.order_source import StatusKept

SHOP_HELP = "the shop the orders belong to ([shops.NAME] in the settings; default: default, the WAYBILL_TAOBAO_* shop)"
ROWS_NOT_READ = InputFileError.exit_code  # some rows were not stored; the others were


def register(commands: Commands, parents: Parents) -> None:
    """Add the `orders` group (import, pull) to the `waybill` parser."""
    orders = commands.add_parser("orders", help="open orders").add_subparsers(
        dest="orders_command", required=True, metavar="ACTION"
    )
    imp = orders.add_parser(
        "import",
        parents=[parents.common],
        help="load a Taobao/Qianniu order report or item report (CSV in GBK, UTF-8 or UTF-16; .xlsx; .xls)",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--shop", default=DEFAULT_SHOP, metavar="NAME", help=SHOP_HELP)
    imp.set_defaults(run=cmd_orders_import)

    pull = orders.add_parser(
        "pull",
        parents=[parents.common],
        help="fetch a shop's orders from its marketplace: what changed since the last pull (the first time: every order awaiting shipment)",
    )
    pull.add_argument("--shop", default=DEFAULT_SHOP, metavar="NAME", help=SHOP_HELP)
    pull.add_argument("--full", action="store_true", help="fetch every order awaiting shipment, not only changes")
    pull.set_defaults(run=cmd_orders_pull)


REPORT_NAMES = {ReportKind.ORDERS: "order report", ReportKind.ITEMS: "item report"}


def _into_shop(shop: str) -> str:
    return "" if shop == DEFAULT_SHOP else f" into shop {shop}"


def _of_shop(shop: str) -> str:
    return "" if shop == DEFAULT_SHOP else f" for shop {shop}"


def cmd_orders_import(args: argparse.Namespace, out: TextIO) -> int:
    result = api.import_orders(args.file, load_settings(args), shop=args.shop)
    if result.kind is ReportKind.ITEMS:
        counts = f"item lines for {result.item_orders} order(s)"
    else:
        counts = f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged"
    print(
        f"imported {args.file} ({REPORT_NAMES[result.kind]}){_into_shop(args.shop)}: {counts}, "
        f"{len(result.problems)} rows not read",
        file=out,
    )
    for problem in result.problems:
        print(f"  line {problem.line}: {problem.reason}", file=out)
    _print_status_kept(result.status_kept, out)
    if result.masked_receivers:
        print(
            f"{result.masked_receivers} order(s) have their receiver masked by the marketplace (张**): their labels "
            "match only by the order number printed on them or by desk pairing",
            file=out,
        )
    print(_rematch_line(result.rematch), file=out)
    # A script must be able to tell that rows were left out (the rest are stored).
    return ROWS_NOT_READ if result.problems else 0


def _rematch_line(rematch: RematchReport) -> str:
    return (
        f"waiting for their order: {rematch.looked_at} label(s) matched again, {rematch.queued} now queued, "
        f"{rematch.looked_at - rematch.queued} still waiting for review"
    )


def _print_status_kept(kept: tuple[StatusKept, ...], out: TextIO) -> None:
    if not kept:
        return
    print(f"{len(kept)} order(s) kept the status they had, since an order never goes back:", file=out)
    for k in kept:
        where = f"line {k.line}: " if k.line else ""
        print(f"  {where}order {k.tid} is {k.offered_raw or k.offered} here, kept {k.stored}", file=out)


def cmd_orders_pull(args: argparse.Namespace, out: TextIO) -> int:
    report = api.pull_orders(load_settings(args), shop=args.shop, full=args.full)
    since = report.changes_since
    what = f" (changes since {since.isoformat(timespec='seconds')})" if since else " (every order awaiting shipment)"
    taken = f", {report.elsewhere} belong to another shop" if report.elsewhere else ""
    print(
        f"pulled {report.pages} page(s) from {report.marketplace}{_of_shop(report.shop)}: {report.added} added, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.skipped} not stored{taken}{what}",
        file=out,
    )
    if report.status_kept:
        print(f"{report.status_kept} order(s) kept the status they had, since an order never goes back", file=out)
    print(_rematch_line(report.rematch), file=out)
    return ROWS_NOT_READ if report.skipped or report.elsewhere else 0
