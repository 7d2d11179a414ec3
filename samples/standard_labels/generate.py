"""Generate the standard-labels photo set: photos/, orders.csv, truth.jsonl (and manifest.json) in --out.

/work/main/.venv/bin/python samples/standard_labels/generate.py --out DIR --split tune|holdout [--count N] [--jobs J]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `standard_labels` importable from samples/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from standard_labels.orders import write_orders_csv
from standard_labels.photo import make_photo
from standard_labels.scenario import SPLIT_SEEDS, PhotoPlan, plan_set

DEFAULT_COUNT = 120
TRUTH_KEYS = (
    "file", "kind", "carrier", "waybill", "order", "expect_status", "expect_reason", "legible", "old_waybill",
    "template", "effects",
)  # fmt: skip


def _render(job: tuple[PhotoPlan, Path]) -> dict[str, Any]:
    return make_photo(*job)


def generate_set(out_dir: Path, split: str, count: int = DEFAULT_COUNT, jobs: int = 1) -> list[dict[str, Any]]:
    """Write the set for split into out_dir and return the truth records (one per photo, in file order)."""
    if split not in SPLIT_SEEDS:
        raise ValueError(f"split must be one of {sorted(SPLIT_SEEDS)}")
    out_dir = Path(out_dir)
    (out_dir / "photos").mkdir(parents=True, exist_ok=True)
    for stale in (out_dir / "photos").glob("*"):
        stale.unlink()
    plan = plan_set(split, count)
    work = [(photo, out_dir) for photo in plan.photos]
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_render, work, chunksize=1))
    else:
        results = [_render(job) for job in work]
    truths = []
    for photo, result in zip(plan.photos, results, strict=True):
        truth = {**photo.truth, "effects": result["effects"]}
        truths.append({key: truth[key] for key in TRUTH_KEYS})
    write_orders_csv(out_dir / "orders.csv", plan.orders, plan.shop.name)
    with (out_dir / "truth.jsonl").open("w", encoding="utf-8") as handle:
        for truth in truths:
            handle.write(json.dumps(truth, ensure_ascii=False) + "\n")
    manifest = {"split": split, "seed": plan.seed, "count": count, "generator": "samples/standard_labels"}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return truths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory to write photos/, orders.csv, truth.jsonl")
    parser.add_argument("--split", choices=sorted(SPLIT_SEEDS), required=True)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    args = parser.parse_args(argv)
    start = time.monotonic()
    truths = generate_set(args.out, args.split, args.count, args.jobs)
    kinds: dict[str, int] = {}
    for truth in truths:
        kinds[truth["kind"]] = kinds.get(truth["kind"], 0) + 1
    print(f"{len(truths)} photos in {args.out} ({args.split}, seed {SPLIT_SEEDS[args.split]}) "
          f"in {time.monotonic() - start:.0f}s")  # fmt: skip
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
