"""Gun reads end to end through the HTTP API: reads per second and answer times, 4 stations at once.

    python bench/desk.py [--stations 4] [--reads 100]

A real `waybill serve` app (uvicorn on loopback, as tests/browser start it)
on a fresh SQLite file with the sample orders, then on a throwaway
PostgreSQL cluster (started as the tests start theirs).  Each station is a thread
posting its gun reads one after the other, as a desk does: a pick list and
its label while open orders last, then labels alone (review).  The time is
from the POST to its answer; what a browser adds to paint the screen is not
in it.  Target (issue 13): median <= 150 ms, p95 <= 300 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from capture.api import users
from tests.browser.desk_server import DeskServer, desk_settings, open_order_tids, prepared_database
from tests.integration import conftest as pg_fixtures

PERCENT = 100


def station_reads(station: int, stations: int, tids: list[str], count: int) -> list[str]:
    mine = tids[station::stations]
    reads: list[str] = []
    for n, tid in enumerate(mine):
        reads += [tid, f"SF{station:03d}{n:010d}"]
    n = len(mine)
    while len(reads) < count:
        reads.append(f"SF{station:03d}{n:010d}")
        n += 1
    return reads[:count]


def run(stations: int, reads: int, pg_url: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = desk_settings(Path(tmp))
        if pg_url:
            settings = replace(settings, db_url=pg_url)
        prepared_database(settings)
        headers = {"Authorization": f"Bearer {users.issue_token('packer', settings)}"}
        desk = DeskServer(settings).start()
        tids = open_order_tids(settings, 10_000)
        times: list[float] = []
        statuses: dict[str, int] = {}
        lock = threading.Lock()

        def desk_loop(station: int) -> None:
            with httpx.Client(base_url=desk.url, headers=headers, timeout=30) as client:
                for text in station_reads(station, stations, tids, reads):
                    started = time.perf_counter()
                    answer = client.post("/api/code", json={"text": text, "station": f"S{station}"})
                    took = time.perf_counter() - started
                    with lock:
                        times.append(took)
                        status = answer.json().get("status", str(answer.status_code))
                        statuses[status] = statuses.get(status, 0) + 1

        threads = [threading.Thread(target=desk_loop, args=(s,)) for s in range(stations)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        desk.stop()
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 95 / PERCENT))]
    print(
        f"gun reads, {'PostgreSQL' if pg_url else 'SQLite'}, {stations} stations x {reads} reads: {len(ms) / wall:.1f} reads/s"
    )
    print(f"  answer ms: median {statistics.median(ms):.1f}  p95 {p95:.1f}  max {ms[-1]:.1f}")
    print(f"  outcomes: {', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}")


def on_screen(reads: int) -> None:
    """From the gun's Enter to the outcome painted on the desk page, in Debian chromium (one station)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, signed_in

    with tempfile.TemporaryDirectory() as tmp:
        settings = desk_settings(Path(tmp))
        prepared_database(settings)
        desk = DeskServer(settings).start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = signed_in(browser, desk, "packer", "/desk?station=A")
            page.evaluate(SCREEN_WATCH)
            ms = []
            for n in range(reads):
                page.keyboard.type(f"SF900{n:010d}")
                page.evaluate("window.__pressed = performance.now()")
                page.keyboard.press("Enter")
                page.wait_for_function("n => window.__painted.length > n", arg=n)
                ms.append(page.evaluate(f"window.__painted[{n}]"))
            browser.close()
        desk.stop()
    ms.sort()
    p95 = ms[min(len(ms) - 1, int(len(ms) * 95 / PERCENT))]
    print(
        f"gun read to screen (chromium, 1 station, {reads} reads): median {statistics.median(ms):.1f} ms  p95 {p95:.1f}"
    )


# Each repaint of the outcome screen, in ms after the Enter that caused it.
SCREEN_WATCH = """() => {
  window.__painted = [];
  new MutationObserver(() => window.__painted.push(performance.now() - window.__pressed))
    .observe(document.getElementById('screen-time'), { childList: true, characterData: true, subtree: true });
}"""


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """An empty database on a PostgreSQL cluster started the way the tests start theirs."""
    user = pg_fixtures.server_user()
    server = pg_fixtures.PgServer(bin_dir=pg_fixtures.find_pg_bin(), user=user, base=pg_fixtures._make_base_dir(user))
    server.initdb()
    server.start()
    try:
        with server.connect_admin() as conn:
            pg_fixtures._create_database(conn, "waybill_bench_desk")
        yield server.url("waybill_bench_desk")
    finally:
        server.stop()
        server.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=4)
    parser.add_argument("--reads", type=int, default=100)
    parser.add_argument("--screen-reads", type=int, default=30, help="gun reads timed to the screen in chromium")
    args = parser.parse_args()
    run(args.stations, args.reads)
    with throwaway_postgres() as pg_url:
        run(args.stations, args.reads, pg_url)
    on_screen(args.screen_reads)


if __name__ == "__main__":
    main()
