"""`waybill review`, `waybill history`, `waybill pair`: the photos that wait for a person, and what was decided."""

from __future__ import annotations

import argparse
import getpass
from datetime import datetime
from typing import TextIO

from capture import api, views
from capture.cli import video
from capture.cli.common import Commands, Parents, load_settings, print_json
from capture.desk_pairing import PairResult
from capture.outcome_words import in_words
from capture.review import Choice, OrderChoice, Resolution, Resolved, ReviewEntry
from capture.store.audit import HistoryEntry
from capture.store.job_views import JobView

# Exit status when the checks before queueing refused a person's choice: the
# item stays open and nothing was queued.  Scripts can tell it from success.
EXIT_REFUSED = 1
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"
ADDRESS_COLUMN_CHARS = 40
NOTES_INDENT = " " * 32  # under the order number column


def register(commands: Commands, parents: Parents) -> None:
    """Add review, history and pair to the `waybill` parser."""
    _register_review(commands, parents.common)
    hist = commands.add_parser(
        "history", parents=[parents.common], help="every decision about a waybill or an order: who, when, why"
    )
    hist.add_argument("key", metavar="WAYBILL_OR_ORDER")
    hist.add_argument("--json", action="store_true")
    hist.set_defaults(run=cmd_history)

    pair = commands.add_parser(
        "pair",
        parents=[parents.common],
        help="desk pairing: hold an order (its pick list) for the station's next label",
    )
    pair.add_argument("tid", metavar="ORDER")
    pair.add_argument(
        "--station", required=True, help="the packing desk (the scanner there sets desk_station to the same name)"
    )
    pair.add_argument("--json", action="store_true")
    pair.set_defaults(run=cmd_pair)


def _register_review(commands: Commands, common: argparse.ArgumentParser) -> None:
    rev = commands.add_parser(
        "review", parents=[common], help="photos waiting for a person: list them, accept, correct or reject"
    )
    rev.add_argument("--json", action="store_true", help="one JSON object per item on stdout")
    rev.set_defaults(run=cmd_review_list)
    actions = rev.add_subparsers(dest="review_action", metavar="ACTION")

    listing = actions.add_parser("list", parents=[common], help="what waits, with its evidence (the default)")
    listing.add_argument("--json", action="store_true", help="one JSON object per item on stdout")
    listing.set_defaults(run=cmd_review_list)

    person = argparse.ArgumentParser(add_help=False)
    person.add_argument("--by", metavar="NAME", help="who decides (default: the login name); recorded as person:NAME")
    person.add_argument("--note", default="", help="why, for the audit trail")
    orders = argparse.ArgumentParser(add_help=False)
    orders.add_argument(
        "--order",
        action="append",
        default=[],
        metavar="TID",
        help="the order (default: the suggested one); repeat to ship several orders in this parcel",
    )
    orders.add_argument(
        "--another-parcel",
        action="store_true",
        help="this number is a further parcel of an order that already has one (split shipment, 拆单发货)",
    )

    accept = actions.add_parser(
        "accept", parents=[common, person, orders], help="take a candidate: a number as read and an order"
    )
    accept.add_argument("id", type=int, metavar="ID")
    accept.add_argument("--waybill", metavar="NUMBER", help="which number read, when the photo shows several")
    accept.set_defaults(run=cmd_review_resolve, choice=Choice.ACCEPT)

    correct = actions.add_parser(
        "correct", parents=[common, person, orders], help="type the right number off the label"
    )
    correct.add_argument("id", type=int, metavar="ID")
    correct.add_argument("waybill", metavar="NUMBER")
    correct.set_defaults(run=cmd_review_resolve, choice=Choice.CORRECT)

    reject = actions.add_parser("reject", parents=[common, person], help="do not send this photo's number")
    reject.add_argument("id", type=int, metavar="ID")
    reject.set_defaults(run=cmd_review_resolve, choice=Choice.REJECT, order=[], waybill=None)


def _local(at: datetime) -> str:
    return at.astimezone().strftime(TIME_FORMAT)


# --- review ----------------------------------------------------------------------------


def cmd_review_list(args: argparse.Namespace, out: TextIO) -> int:
    items = api.review_entries(load_settings(args))
    if args.json:
        for item in items:
            print_json(views.review_entry_json(item), out)
        return 0
    for item in items:
        _print_entry(item, out)
    print(f"{len(items)} waiting for review", file=out)
    return 0


def _print_entry(item: ReviewEntry, out: TextIO) -> None:
    print(
        f"#{item.id}  {', '.join(item.reasons)}  scan {item.scan_id}  {_local(item.created_at)}  {item.path}", file=out
    )
    if item.detail:
        print(f"    {item.detail}", file=out)
    for n in item.numbers:
        print(f"    number read: {n.number}  {n.carrier}  via {n.via}  confidence {n.confidence:.2f}", file=out)
    if not item.numbers:
        print("    number read: none", file=out)
    for conflict in item.conflicts:
        print(f"    conflict: {conflict}", file=out)
    if item.orders:
        print("    orders:  score  name phone addr  order                status              receiver", file=out)
    for o in item.orders:
        print(_order_row(o), file=out)
        for line in _notes_lines(o):
            print(f"{NOTES_INDENT}{line}", file=out)
    order = f" --order {item.suggested_order}" if item.suggested_order else " --order TID"
    number = "" if item.suggested_waybill or not item.numbers else " --waybill NUMBER"
    print(
        f"    -> waybill review accept {item.id}{order}{number} | correct {item.id} NUMBER | reject {item.id}", file=out
    )


def _notes_lines(o: OrderChoice) -> list[str]:
    """The order's items, buyer message and seller note, one a line (phones were masked on import)."""
    lines = [
        f"item: {i.title}" + (f" [{i.properties}]" if i.properties else "") + (f" x{i.quantity}" if i.quantity else "")
        for i in o.notes.items
    ]
    if o.notes.buyer_message:
        lines.append(f"buyer message: {o.notes.buyer_message}")
    if o.notes.seller_note:
        lines.append(f"seller note: {o.notes.seller_note}")
    return lines


def _order_row(o: OrderChoice) -> str:
    parts = "  ".join(f"{v:4.2f}" if v is not None else "   -" for v in (o.score, o.name, o.phone, o.address_fit))
    address = o.address if len(o.address) <= ADDRESS_COLUMN_CHARS else o.address[: ADDRESS_COLUMN_CHARS - 1] + "…"
    return f"      {parts}  {o.tid:<20} {o.status:<19} {o.receiver_name} *{o.phone_tail} {address}"


def cmd_review_resolve(args: argparse.Namespace, out: TextIO) -> int:
    resolution = Resolution(
        choice=args.choice,
        orders=tuple(args.order),
        waybill=args.waybill,
        note=args.note,
        another_parcel=getattr(args, "another_parcel", False),
    )
    by = args.by or getpass.getuser()
    done = api.resolve_review(args.id, resolution, load_settings(args), by)
    print(_resolved_text(done, by), file=out)
    return EXIT_REFUSED if done.refusal is not None else 0


def _resolved_text(done: Resolved, by: str) -> str:
    if done.refusal is not None:
        r = done.refusal
        return f"review {done.item_id} stays open: {r.status.value} {r.reason.value}: {r.detail}"
    if not done.orders:
        return f"review {done.item_id}: {done.state} by {by}; nothing queued"
    return (
        f"review {done.item_id}: {done.state} by {by}; "
        f"queued {done.waybill} ({done.carrier}) for order {', '.join(done.orders)}"
    )


# --- history ---------------------------------------------------------------------------


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)
    found = api.history(args.key, settings)
    if args.json:
        for e in found.decisions:
            print_json(views.history_entry_json(e), out)
        return 0
    print(f"history of {found.key}: {len(found.decisions)} decisions", file=out)
    for e in found.decisions:
        _print_decision(e, out)
    for j in found.jobs:
        print(_job_line(j), file=out)
    for line in video.clip_lines(found.key, settings):
        print(line, file=out)
    return 0


def _print_decision(e: HistoryEntry, out: TextIO) -> None:
    where = "  ".join(
        x for x in (f"scan {e.scan_id}" if e.scan_id else "", f"review {e.review_id}" if e.review_id else "") if x
    )
    why = f"  [{', '.join(e.reasons)}]" if e.reasons else ""
    print(
        f"{_local(e.at)}  {e.actor:<22} {e.action:<15} {e.status:<10} {e.waybill or '-':<18} "
        f"{e.order_tid or '-':<23} {e.shop or '-':<12} {where}{why}",
        file=out,
    )
    if e.detail:
        print(f"    {e.detail}", file=out)
    path = e.evidence.get("path")
    if path:
        print(f"    photo: {path}", file=out)


def _job_line(j: JobView) -> str:
    error = f", {j.last_error}" if j.last_error else ""
    return (
        f"upload job {j.id}: order {j.order_tid} (shop {j.shop}) {j.waybill} ({j.carrier}) {j.status}, "
        f"{j.attempts} attempts{error}"
    )


# --- pair ------------------------------------------------------------------------------


def cmd_pair(args: argparse.Namespace, out: TextIO) -> int:
    result = api.pair_order(args.tid, args.station, load_settings(args))
    if args.json:
        print_json(views.pair_json(result), out)
    else:
        print(_pair_text(result), file=out)
    return 0


def _pair_text(result: PairResult) -> str:
    if result.state == "waiting":
        until = f" until {_local(result.expires_at)}" if result.expires_at else ""
        return f"order {result.order_tid} held at {result.station}{until}: scan its label"
    assert result.outcome is not None
    # The held label's outcome, worded as the desk's audit detail words it.
    return f"order {result.order_tid} paired with the label of scan {result.label_scan_id}: {in_words(result.outcome)}"
