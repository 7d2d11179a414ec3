"""A generated, labelled photo set for the benchmarks: made once, then reused from bench/out."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))


def ensure_set(out: Path, count: int, seed: int, prefix: str = "set") -> tuple[Path, list[dict]]:
    """The set `out/PREFIX-COUNT-SEED` and its truth lines, generating it if it is not there."""
    set_dir = out / f"{prefix}-{count}-{seed}"
    truth_file = set_dir / "truth.jsonl"
    if not truth_file.exists():
        from generate import generate_set

        started = time.perf_counter()
        generate_set(set_dir, count, seed)
        print(f"generated {count} photos in {time.perf_counter() - started:.1f} s -> {set_dir}", file=sys.stderr)
    truth = [json.loads(line) for line in truth_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return set_dir, truth
