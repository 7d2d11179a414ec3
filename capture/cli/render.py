"""A scan result in one line: the `waybill scan` table row and the `watch`/`camera` live line, from one core.

The two lines differ on purpose and are kept as they were: the scan table
has carrier, via, confidence, time and the reasons' detail; the live line
has the clock, "order TID" and only the reasons, short enough to read at a
packing desk, and is coloured by status on a terminal.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, TextIO

from capture.cli.common import print_json
from capture.types import ScanResult, Status

NONE = "-"  # a column with nothing in it
SCAN_HEADER = (
    f"{'status':<10} {'waybill':<18} {'carrier':<8} {'via':<12} {'conf':>5} {'order':<20} {'ms':>7}  photo / reasons"
)
GREEN, YELLOW, RED, RESET = "\033[32m", "\033[33m", "\033[31m", "\033[0m"
BELL = "\a"
COLOURS = {Status.QUEUED: GREEN, Status.REVIEW: YELLOW, Status.REJECTED: RED, Status.NO_WAYBILL: RED, Status.ERROR: RED}
# Statuses a packer must act on now: the photo gave nothing that can ship.
RED_STATUSES = frozenset({Status.REJECTED, Status.NO_WAYBILL, Status.ERROR})


@dataclass(frozen=True)
class ScanCells:
    """The columns both lines show, as text."""

    status: Status
    number: str
    carrier: str
    via: str
    order: str | None  # the order's tid; None without an order
    reasons: str  # comma-separated; empty for none


def scan_cells(result: ScanResult) -> ScanCells:
    outcome = result.outcome
    candidate = outcome.candidate
    return ScanCells(
        status=outcome.status,
        number=candidate.number if candidate else NONE,
        carrier=candidate.carrier if candidate else NONE,
        via=candidate.via.value if candidate else NONE,
        order=outcome.order.tid if outcome.order else None,
        reasons=", ".join(str(r) for r in outcome.reasons),
    )


def scan_row(result: ScanResult) -> str:
    """One row of the `waybill scan` table (columns as in SCAN_HEADER)."""
    cells = scan_cells(result)
    order = NONE if cells.order is None else cells.order
    detail = f"  [{cells.reasons}: {result.outcome.detail}]" if cells.reasons else ""
    return (
        f"{cells.status.value:<10} {cells.number:<18} {cells.carrier:<8} {cells.via:<12} "
        f"{result.outcome.confidence:>5.2f} {order:<20} {result.ms:>7.0f}  {result.path}{detail}"
    )


def live_line(result: ScanResult, name: str, clock: str) -> str:
    """One `watch`/`camera` line, uncoloured: the clock, status, number, order, the file's name, the reasons."""
    cells = scan_cells(result)
    order = NONE if cells.order is None else f"order {cells.order}"
    why = f"  [{cells.reasons}]" if cells.reasons else ""
    return f"{clock}  {cells.status.value:<10} {cells.number:<18} {order:<26} {name}{why}"


class LiveLines:
    """One line per photo or parcel: coloured by status on a terminal, JSON objects with --json."""

    def __init__(self, out: TextIO, as_json: bool, bell: bool) -> None:
        self._out = out
        self._json = as_json
        tty = out.isatty()
        # https://no-color.org: any non-empty NO_COLOR turns colours off.
        self._colour = tty and not os.environ.get("NO_COLOR")
        self._bell = bell and tty

    def show(self, result: ScanResult, name: str, body: dict[str, Any]) -> None:
        """Print `body` (the result's JSON object) with --json, else the result's line."""
        if self._json:
            print_json(body, self._out, flush=True)
            return
        self._out.write(self.line(result, name) + "\n")
        self._out.flush()

    def line(self, result: ScanResult, name: str) -> str:
        status = result.outcome.status
        text = live_line(result, name, time.strftime("%H:%M:%S"))
        if self._colour:
            text = COLOURS[status] + text + RESET
        if self._bell and status in RED_STATUSES:
            text += BELL
        return text
