"""Accuracy and speed on a generated label set: this pipeline beside the naive baseline.

    python bench/run.py [--count 120] [--seed 2026] [--out bench/out]

Generates (or reuses) a photo set with ground truth, runs both readers over
every photo in this one process, and prints one table.  Figures:
  captured     photos whose right number was read / photos with a legible waybill
  wrong        photos where a number was reported that is not on the label
  right order  photos queued with the right number to the right order / photos that should queue
  unsafe       queued with a wrong number or order, or queued when it must not be
  ms           median and p95 per photo, reading + matching (wall clock), and median CPU ms
               (all threads), which stays meaningful when the machine is shared
A second table gives, for this pipeline, the fraction right in each confidence band.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent

from baseline import NaiveReader
from photo_set import ensure_set
from sqlmodel import select

from capture import api
from capture import settings as settings_mod
from capture.errors import UnreadableImage
from capture.sources.files import load_frame
from capture.store.db import session_scope
from capture.store.tables import Order
from capture.types import Status

DEFAULT_COUNT = 200
DEFAULT_SEED = 2026
P95 = 0.95


@dataclass
class Tally:
    name: str
    photos: int = 0
    legible: int = 0
    captured: int = 0
    wrong: int = 0
    should_queue: int = 0
    right_order: int = 0
    unsafe: int = 0
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    # confidence band -> [photos with one number reported, of which right]
    bands: dict[str, list[int]] = field(default_factory=dict)
    wrong_examples: list[str] = field(default_factory=list)
    unsafe_examples: list[str] = field(default_factory=list)
    missed_examples: list[str] = field(default_factory=list)
    # why each unsafe queue was unsafe, by the photo's kind: counts only, so a
    # held-out split can say what went wrong without showing a photo
    unsafe_kinds: Counter[str] = field(default_factory=Counter)

    def add(
        self,
        truth: dict,
        numbers: list[str],
        queued: bool,
        waybill: str | None,
        order: str | None,
        ms: float,
        cpu_ms: float,
        confidence: float | None = None,
    ) -> None:
        self.photos += 1
        self.ms.append(ms)
        self.cpu_ms.append(cpu_ms)
        if confidence is not None and waybill:
            band = self.bands.setdefault(_band(confidence), [0, 0])
            band[0] += 1
            band[1] += waybill == truth.get("waybill")
        right = truth.get("waybill")
        on_label = {n for n in (right, truth.get("old_waybill")) if n}
        if right and truth.get("legible", True):
            self.legible += 1
            self.captured += right in numbers
        if any(n not in on_label for n in numbers):
            self.wrong += 1
            self.wrong_examples.append(f"{truth['file']}: read {numbers}, label has {sorted(on_label)}")
        if truth["expect_status"] == Status.QUEUED.value:
            self.should_queue += 1
            hit = queued and waybill == right and order == truth.get("order")
            self.right_order += hit
            if not hit:
                self.missed_examples.append(f"{truth['file']} ({truth['kind']}): not queued to {truth.get('order')}")
        if queued and (
            truth["expect_status"] != Status.QUEUED.value or waybill != right or order != truth.get("order")
        ):
            self.unsafe += 1
            why = (
                "wrong number"
                if waybill != right
                else "wrong order"
                if truth["expect_status"] == Status.QUEUED.value
                else f"should be {truth['expect_status']}"
            )
            self.unsafe_kinds[f"{truth['kind']}: {why}"] += 1
            self.unsafe_examples.append(
                f"{truth['file']}: queued {waybill} -> {order}, truth {truth['expect_status']} {right} -> {truth.get('order')}"
            )

    def row(self) -> str:
        median = statistics.median(self.ms) if self.ms else 0.0
        p95 = sorted(self.ms)[max(0, round(P95 * len(self.ms)) - 1)] if self.ms else 0.0
        cpu = statistics.median(self.cpu_ms) if self.cpu_ms else 0.0
        return (
            f"| {self.name} | {self.photos} | {self.captured}/{self.legible} ({_pct(self.captured, self.legible)}) | {self.wrong} "
            f"| {self.right_order}/{self.should_queue} ({_pct(self.right_order, self.should_queue)}) | {self.unsafe} | {median:.0f} | {p95:.0f} | {cpu:.0f} |"
        )


BANDS = ((0.95, "0.95-1.00"), (0.85, "0.85-0.95 (queue threshold 0.85)"), (0.5, "0.50-0.85"), (0.0, "0.00-0.50"))


def _band(confidence: float) -> str:
    return next(name for low, name in BANDS if confidence >= low)


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f}%" if b else "-"


def run_pipeline(set_dir: Path, truth: list[dict], settings: settings_mod.Settings) -> Tally:
    db = api.database(settings)
    api.import_orders(set_dir / "orders.csv", settings)
    chosen = api.engines(settings)
    tally = Tally("this pipeline (zxing + rapidocr)")
    for t in truth:
        cpu_started = time.process_time()
        result = api.scan_one(set_dir / t["file"], chosen, settings, db)
        cpu_ms = (time.process_time() - cpu_started) * 1000
        outcome = result.outcome
        numbers = [c.number for c in outcome.candidates] or ([outcome.candidate.number] if outcome.candidate else [])
        queued = outcome.status is Status.QUEUED
        waybill = outcome.candidate.number if outcome.candidate else None
        tally.add(
            t,
            numbers,
            queued,
            waybill,
            outcome.order.tid if outcome.order else None,
            result.ms,
            cpu_ms,
            outcome.confidence,
        )
    return tally


def run_baseline(set_dir: Path, truth: list[dict], settings: settings_mod.Settings) -> Tally:
    db = api.database(settings)
    with session_scope(db) as session:
        orders = list(session.exec(select(Order).order_by(Order.tid)))
        session.expunge_all()
    reader = NaiveReader(api.engines(settings).ocr, orders)
    tally = Tally("naive baseline (pyzbar, then first OCR token)")
    for t in truth:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            image = load_frame(set_dir / t["file"], settings.max_image_pixels).image
        except UnreadableImage:
            tally.add(
                t,
                [],
                False,
                None,
                None,
                (time.perf_counter() - started) * 1000,
                (time.process_time() - cpu_started) * 1000,
            )
            continue
        result = reader.read(image)
        numbers = [result.number] if result.number else []
        elapsed, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000
        tally.add(t, numbers, result.queued, result.number, result.order, elapsed, cpu_ms)
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--examples", action="store_true", help="list every wrong number and unsafe queue")
    args = parser.parse_args()
    cv2.setNumThreads(0)

    set_dir, truth = ensure_set(args.out, args.count, args.seed)
    db_file = args.out / f"bench-{args.count}-{args.seed}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    settings = settings_mod.load(db_url=f"sqlite:///{db_file}")

    ours = run_pipeline(set_dir, truth, settings)
    naive = run_baseline(set_dir, truth, settings)

    print(
        f"\n{len(truth)} generated photos ({set_dir.name}), one process, {Path('/proc/cpuinfo').read_text().count('processor')} cores\n"
    )
    print(
        "| reader | photos | captured (right number) | wrong numbers | right order, queued | unsafe queues | median ms | p95 ms | median CPU ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(ours.row())
    print(naive.row())
    print(
        f"\nspeed ratio, baseline median / ours: {statistics.median(naive.ms) / statistics.median(ours.ms):.2f}x wall, "
        f"{statistics.median(naive.cpu_ms) / statistics.median(ours.cpu_ms):.2f}x CPU"
    )
    print("\n| confidence | photos with one number | right | fraction right |\n|---|---|---|---|")
    for _low, name in BANDS:
        n, right = ours.bands.get(name, [0, 0])
        print(f"| {name} | {n} | {right} | {_pct(right, n)} |")
    for tally in (ours, naive):
        if args.examples or tally is ours:
            for line in tally.wrong_examples + tally.unsafe_examples + (tally.missed_examples if tally is ours else []):
                print(f"  {tally.name}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
