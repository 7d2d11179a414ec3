"""Accuracy and speed on the independent label family (samples/standard_labels), tune and held-out splits.

    python bench/independent_labels.py [--count 120] [--split tune|holdout|both] [--examples]

That family was made by a generator written from label standards alone,
without the pipeline's code; its `holdout` split is never looked at photo by
photo, so its row measures what the pipeline was not tuned to.  --examples
lists the misses of the tune split only.

Per split, in one process: this pipeline, and raw zxing-cpp on the whole
photo (the issue's yardstick: our median is to stay within 2x of its median).
Columns as in bench/run.py; "unsafe" counts queues of a wrong number or
order and queues of photos that must go to review or rejection (a second,
older label among them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import zxingcpp
from run import BANDS, P95, Tally, _pct, run_pipeline

from capture import api
from capture import settings as settings_mod
from capture.errors import UnreadableImage
from capture.pipeline.carriers import canonical
from capture.sources.files import load_frame

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

from standard_labels.generate import generate_set

DEFAULT_COUNT = 120
SPLITS = ("tune", "holdout")  # what `both` runs; "tune2" is extra tuning data, on request
TUNING_SPLITS = ("tune", "tune2")


def ensure_split(out: Path, split: str, count: int) -> tuple[Path, list[dict]]:
    set_dir = out / f"standard-{split}-{count}"
    truth_file = set_dir / "truth.jsonl"
    if not truth_file.exists():
        started = time.perf_counter()
        generate_set(set_dir, split, count, jobs=2)
        print(f"generated {split} ({count} photos) in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    lines = truth_file.read_text(encoding="utf-8").splitlines()
    return set_dir, [json.loads(line) for line in lines if line.strip()]


def run_raw_zxing(set_dir: Path, truth: list[dict], settings: settings_mod.Settings) -> Tally:
    """zxing-cpp on the whole photo, nothing else: captured when the label's number is among what it decodes."""
    tally = Tally("raw zxing-cpp (whole photo)")
    for t in truth:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            image = load_frame(set_dir / t["file"], settings.max_image_pixels).image
            numbers = [canonical(r.text) for r in zxingcpp.read_barcodes(image) if r.text]
        except UnreadableImage:
            numbers = []
        on_label = {n for n in (t.get("waybill"), t.get("old_waybill")) if n}
        ms, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000
        # Only numbers that are waybills count: a QR code's URL is not a misread.
        tally.add(t, [n for n in numbers if n in on_label], False, None, None, ms, cpu_ms)
    return tally


def _decoder_row(tally: Tally) -> str:
    """A reader that only decodes: no order, so no queue columns."""
    ms = sorted(tally.ms)
    p95 = ms[max(0, round(P95 * len(ms)) - 1)]
    return (
        f"| {tally.name} | {tally.photos} | {tally.captured}/{tally.legible} ({_pct(tally.captured, tally.legible)}) "
        f"| {tally.wrong} | - | - | {statistics.median(ms):.0f} | {p95:.0f} | {statistics.median(tally.cpu_ms):.0f} |"
    )


def bench_split(out: Path, split: str, count: int, examples: bool) -> None:
    set_dir, truth = ensure_split(out, split, count)
    db_file = out / f"standard-{split}-{count}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    settings = settings_mod.load(db_url=f"sqlite:///{db_file}")
    ours = run_pipeline(set_dir, truth, settings)
    raw = run_raw_zxing(set_dir, truth, settings)
    print(f"\n### standard labels, {split} split: {len(truth)} photos ({set_dir.name})\n")
    print("| reader | photos | captured (right number) | wrong numbers | right order, queued | unsafe queues |", end="")
    print(" median ms | p95 ms | median CPU ms |\n|---|---|---|---|---|---|---|---|---|")
    print(ours.row())
    print(_decoder_row(raw))
    if ours.unsafe_kinds:
        print("\nunsafe queues by kind: " + ", ".join(f"{n} {kind}" for kind, n in sorted(ours.unsafe_kinds.items())))
    ratio = statistics.median(ours.ms) / statistics.median(raw.ms)
    print(f"\nmedian, ours / raw zxing-cpp: {ratio:.2f}x (target <= 2x)")
    print("\n| confidence | photos with one number | right | fraction right |\n|---|---|---|---|")
    for _low, name in BANDS:
        n, right = ours.bands.get(name, [0, 0])
        print(f"| {name} | {n} | {right} | {_pct(right, n)} |")
    if examples and split in TUNING_SPLITS:
        for line in ours.wrong_examples + ours.unsafe_examples + ours.missed_examples:
            print(f"  {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--split", choices=(*SPLITS, "tune2", "both"), default="both")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--examples", action="store_true", help="list a tuning split's misses (never the holdout's)")
    args = parser.parse_args()
    cv2.setNumThreads(0)
    for split in SPLITS if args.split == "both" else (args.split,):
        bench_split(args.out, split, args.count, args.examples)
    api.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
