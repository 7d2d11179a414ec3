"""Real barcode photos with ground truth: our barcode stage beside raw zxing-cpp and raw pyzbar.

    python bench/barcodes.py [--data ../shared/data/barcodes/zxing-java]

Each image is read at 0 and 180 degrees.  "decoded" counts reads whose text
equals the ground truth; "misreads" counts any other text reported.  Our
column is the barcode stage `waybill decode` runs (capture.pipeline.decode
with the configured engine), in this same process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "barcodes" / "zxing-java"
ROTATIONS = {0: None, 180: cv2.ROTATE_180}
# Second barcodes really printed in the photo (checked by eye: the text is
# printed under them), so reading them is not a misread.
EXTRA_BARCODES = {"code39-3/02.png": {"001EC947D49B"}, "code39-3/08.png": {"001EC9476B0A"}}
# zxing-cpp and zbar report Codabar with its start/stop characters; the Java
# ground truth leaves them out.
CODABAR_GUARDS = "ABCD"

Reader = Callable[[np.ndarray], list[str]]


@dataclass
class Count:
    decoded: int = 0
    misreads: int = 0
    ms: list[float] = field(default_factory=list)


def readers() -> dict[str, Reader]:
    import zxingcpp
    from pyzbar import pyzbar

    from capture import settings as settings_mod
    from capture.engines import registry
    from capture.pipeline.decode import read_barcodes

    engine = registry.barcode_engine(settings_mod.load().barcode_engine)

    def ours(image: np.ndarray) -> list[str]:
        return [b.text for b in read_barcodes(image, engine)]

    def raw_zxing(image: np.ndarray) -> list[str]:
        return [r.text for r in zxingcpp.read_barcodes(image)]

    def raw_zbar(image: np.ndarray) -> list[str]:
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        return [r.data.decode("utf-8", "replace") for r in pyzbar.decode(gray)]

    return {"waybill decode": ours, "raw zxing-cpp": raw_zxing, "raw pyzbar": raw_zbar}


def _comparable(text: str, folder: str) -> str:
    if folder.startswith("codabar") and len(text) > 2 and text[0] in CODABAR_GUARDS and text[-1] in CODABAR_GUARDS:
        return text[1:-1]
    return text


def samples(folder: Path) -> list[tuple[Path, str]]:
    out = []
    for image in sorted(folder.glob("*.png")):
        truth = image.with_suffix(".txt")
        if truth.exists():
            out.append((image, truth.read_text(encoding="utf-8").strip("\n")))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"no barcode data at {args.data}: pass --data DIR (the zxing-java blackbox folders)", file=sys.stderr)
        return 2

    chosen = readers()
    folders = sorted(p for p in args.data.iterdir() if p.is_dir())
    print(f"\nzxing-java blackbox photos at {args.data}, each at 0 and 180 degrees\n")
    print("| folder | reads | " + " | ".join(f"{name} decoded / misreads" for name in chosen) + " |")
    print("|---|---|" + "---|" * len(chosen))
    totals = {name: Count() for name in chosen}
    for folder in folders:
        counts = {name: Count() for name in chosen}
        items = samples(folder)
        for path, truth in items:
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                raise SystemExit(f"cannot read {path}")
            for rotation in ROTATIONS.values():
                rotated = image if rotation is None else cv2.rotate(image, rotation)
                for name, read in chosen.items():
                    started = time.perf_counter()
                    texts = [_comparable(t, folder.name) for t in read(rotated)]
                    extra = EXTRA_BARCODES.get(f"{folder.name}/{path.name}", set())
                    elapsed = (time.perf_counter() - started) * 1000
                    for c in (counts[name], totals[name]):
                        c.decoded += truth in texts
                        c.misreads += sum(t != truth and t not in extra for t in texts)
                        c.ms.append(elapsed)
        cells = " | ".join(f"{c.decoded} / {c.misreads}" for c in counts.values())
        print(f"| {folder.name} | {len(items) * len(ROTATIONS)} | {cells} |")
    cells = " | ".join(f"**{c.decoded} / {c.misreads}**" for c in totals.values())
    print(f"| all | {sum(len(samples(f)) for f in folders) * len(ROTATIONS)} | {cells} |")
    print("\nmedian ms per image: " + ", ".join(f"{n} {statistics.median(c.ms):.1f}" for n, c in totals.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
