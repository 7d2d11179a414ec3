"""Soak: `waybill watch --workers 2` taking photos dropped in bursts, with slow writers, duplicates and corrupt files.

    python bench/soak.py [--photos 2000] [--seed 23] [--burst 50] [--out bench/out]

The drops (--photos in all): generated labels (samples/generate.py), each
dropped once; about 1 in 10 dropped again under another name (a duplicate:
same bytes); about 1 in 20 a truncated copy nobody finishes (corrupt); about
1 in 20 written by a slow writer (half, a pause longer than the stability
wait, the rest).  They arrive in bursts of --burst with a short gap.  The
watcher is the real console command; its --json lines are the record.

Reported: photos lost (dropped, never reported, or not in processed/ or
failed/ whole) must be 0; handled twice (a drop reported twice, or one
photo's bytes recorded as two scans) must be 0; peak memory (the watcher and
its worker processes together, RSS sampled every 0.5 s); photos/s from the
first report to the last.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from photo_set import ensure_set

from capture import api
from capture import settings as settings_mod

DEFAULT_PHOTOS = 2000
DEFAULT_SEED = 23
DEFAULT_BURST = 50
BURST_GAP_S = 1.0
DUPLICATE_EVERY, CORRUPT_EVERY, SLOW_EVERY = 10, 20, 20
SLOW_PAUSE_S = 2.0  # longer than the stability wait below: only the unfinished-photo rule keeps it
STABLE_S = 0.5
UNFINISHED_WAIT_S = 8.0  # a corrupt drop is failed after this; a slow one is finished well before
SAMPLE_S = 0.5
WAIT_PER_PHOTO_S = 5.0


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan(photos: int, seed: int, out: Path) -> tuple[Path, list[tuple[str, str, bytes]]]:
    """(orders file, [(kind, name, bytes)]): what to drop, in order."""
    unique = photos - photos // DUPLICATE_EVERY - photos // CORRUPT_EVERY
    set_dir, truth = ensure_set(out, unique, seed, prefix="soak-set")
    rng = random.Random(seed)
    drops: list[tuple[str, str, bytes]] = []
    originals = [(Path(t["file"]).name, (set_dir / t["file"]).read_bytes()) for t in truth]
    for n, (name, data) in enumerate(originals):
        kind = "slow" if n % SLOW_EVERY == SLOW_EVERY - 1 else "photo"
        drops.append((kind, name, data))
    for n in range(photos // DUPLICATE_EVERY):
        name, data = rng.choice(originals)
        drops.append(("duplicate", f"again-{n}-{name}", data))
    for n in range(photos // CORRUPT_EVERY):
        name, data = rng.choice(originals)
        drops.append(("corrupt", f"cut-{n}-{name}", data[: len(data) // 2]))
    rng.shuffle(drops)
    return set_dir / "orders.csv", drops


def write_slowly(path: Path, data: bytes) -> None:
    with path.open("wb") as fh:
        fh.write(data[: len(data) // 2])
        fh.flush()
        time.sleep(SLOW_PAUSE_S)
        fh.write(data[len(data) // 2 :])


def rss_bytes(pid: int) -> int:
    """RSS of pid and every descendant, from /proc."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS"))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


def drop_all(inbox: Path, drops: list[tuple[str, str, bytes]], burst: int) -> list[threading.Thread]:
    writers = []
    for start in range(0, len(drops), burst):
        for kind, name, data in drops[start : start + burst]:
            if kind == "slow":
                writer = threading.Thread(target=write_slowly, args=(inbox / name, data))
                writer.start()
                writers.append(writer)
            else:
                partial = inbox / f".{name}.part"  # junk the watcher ignores, renamed whole: a normal copy
                partial.write_bytes(data)
                os.replace(partial, inbox / name)
        time.sleep(BURST_GAP_S)
    return writers


def soak(photos: int, seed: int, burst: int, out: Path) -> dict:
    orders, drops = plan(photos, seed, out)
    work = out / "soak"
    shutil.rmtree(work, ignore_errors=True)
    inbox = work / "inbox"
    inbox.mkdir(parents=True)
    db_file = work / "waybill.db"
    db = f"sqlite:///{db_file}"
    api.import_orders(orders, settings_mod.load(db_url=db, env={}))
    api.close()
    env = {
        **os.environ,
        "WAYBILL_WATCH_STABLE_S": str(STABLE_S),
        "WAYBILL_WATCH_UNFINISHED_WAIT_S": str(UNFINISHED_WAIT_S),
    }
    log = (work / "watch.log").open("w")  # the watcher's own lines, for a look when a count is not 0
    watch = subprocess.Popen(
        [sys.executable, "-m", "capture.cli", "watch", str(inbox), "--db", db, "--json", "--workers", "2", "--no-bell"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert watch.stdout is not None
    reports: list[dict] = []
    times: list[float] = []

    def read() -> None:
        for line in watch.stdout:  # type: ignore[union-attr]
            reports.append(json.loads(line))
            times.append(time.monotonic())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    peak = 0
    started = time.monotonic()
    writers = drop_all(inbox, drops, burst)
    deadline = started + WAIT_PER_PHOTO_S * len(drops)
    while len(reports) < len(drops) and time.monotonic() < deadline:
        peak = max(peak, rss_bytes(watch.pid))
        time.sleep(SAMPLE_S)
    for writer in writers:
        writer.join()
    time.sleep(2 * STABLE_S)  # anything more would be a photo handled twice
    watch.send_signal(signal.SIGTERM)
    watch.wait(120)
    reader.join(10)
    log.close()
    return tally(drops, reports, times, peak, inbox, db_file)


def tally(drops: list, reports: list[dict], times: list[float], peak: int, inbox: Path, db_file: Path) -> dict:
    dropped = {name: data for _kind, name, data in drops}
    reported = Counter(r["dropped_as"].rsplit("/", 1)[-1] for r in reports)
    filed = {
        p.name: p.read_bytes() for d in ("processed", "failed") for p in (inbox / d).iterdir() if p.suffix != ".json"
    }
    whole = {sha(data) for data in filed.values()}
    lost = [n for n, data in dropped.items() if reported[n] == 0 or sha(data) not in whole]
    with closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)) as conn:
        twice_recorded = conn.execute(
            "SELECT count(*) FROM (SELECT sha256 FROM scans WHERE sha256 != '' GROUP BY sha256 HAVING count(*) > 1)"
        ).fetchone()[0]
    statuses = Counter(r["status"] for r in reports)
    kinds = Counter(kind for kind, _name, _data in drops)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return {
        "drops": len(drops),
        "kinds": dict(kinds),
        "reported": len(reports),
        "lost": len(lost),
        "lost_names": lost[:20],
        "handled_twice": sum(1 for c in reported.values() if c > 1) + twice_recorded,
        "statuses": dict(statuses),
        "duplicates_reported": sum(1 for r in reports if r.get("duplicate_of")),
        "peak_rss_mb": round(peak / 1e6, 1),
        "photos_per_s": round((len(times) - 1) / span, 2) if span else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=DEFAULT_PHOTOS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--burst", type=int, default=DEFAULT_BURST)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    result = soak(args.photos, args.seed, args.burst, args.out)
    (args.out / "soak.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"soak: {result['drops']} drops {result['kinds']}")
    print(f"  lost {result['lost']} (must be 0), handled twice {result['handled_twice']} (must be 0)")
    print(f"  statuses {result['statuses']}, duplicates reported {result['duplicates_reported']}")
    print(f"  peak memory {result['peak_rss_mb']} MB (watcher + 2 workers), {result['photos_per_s']} photos/s")
    return 0 if result["lost"] == 0 and result["handled_twice"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
