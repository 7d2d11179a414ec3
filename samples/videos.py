#!/usr/bin/env python
"""Packing-desk camera videos made from the sample labels, with their truth.

The camera tests and the bench need video of parcels passing under a
camera whose labels belong to orders in an export.  The labels are the
generator's own: a set's flat labels are drawn again from its seed (the
same plan, casting and rendering as generate_set, without the photo), so
they belong to the orders of that set's orders.csv.

A label lies sideways on the parcel (long side across the picture, as a
parcel is pushed under a desk camera), 640 px tall in a 1280x720 frame,
on cardboard, with sensor noise.  Scenes:

    slide     the label crosses the picture at a steady speed
    hold      it slides in, is held still, slides out
    smear     it crosses fast, smeared by motion blur along its travel: the
              bars, lying along the travel, still read; the small print not
    blur      it crosses fast and out of focus: nothing is legible
    empty     the desk with no parcel

    .venv/bin/python samples/videos.py --out /tmp/desk.avi   # a demo video
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

FRAME_SIZE = (1280, 720)
FPS = 12.0
LABEL_HEIGHT_PX = 640  # Code128 modules stay ~2 px at the camera's 960 px preview
NOISE_SIGMA = 2.0
SMEAR_PX = 41  # horizontal motion blur of a fast pass (about half a frame's travel)
DEFOCUS_SIGMA = 9.0  # out of focus: wider than a Code128 module and a character stroke
FOURCC = "MJPG"
COMMITTED_SEED, COMMITTED_COUNT = 7, 40  # samples/photos and samples/orders.csv


@dataclass(frozen=True, eq=False)
class Label:
    number: str
    kind: str  # the generator's kind: clean, order_number, recipient, ...
    image: np.ndarray  # BGR, lying sideways, LABEL_HEIGHT_PX tall


@dataclass(frozen=True)
class Scene:
    kind: str  # slide | hold | smear | blur | empty
    label: Label | None
    seconds: float  # hold: time held still; the others: the whole scene
    move_s: float = 1.0  # hold: time sliding in, and again sliding out


@dataclass(frozen=True)
class Parcel:
    """Truth for one label in a video."""

    number: str
    scene: str
    first_full_frame: int  # first frame with the whole label inside the picture (-1: never)
    legible: bool  # False for an out-of-focus pass
    first_still_frame: int = -1  # hold: first frame with the label at rest (-1: it never rests)


def labels(
    seed: int = COMMITTED_SEED,
    count: int = COMMITTED_COUNT,
    kinds: tuple[str, ...] = ("clean", "order_number", "recipient"),
    hide_barcodes: bool = False,
) -> list[Label]:
    """The set's flat labels of these kinds, in the set's order.

    `hide_barcodes` whites out both barcodes (a label under a strip of tape
    that glares): only OCR can read its number.
    """
    rng = random.Random(seed)
    world = generate.World(rng)
    shots = [generate.cast(kind, carrier, world, rng) for kind, carrier in generate.plan(count, rng)]
    found = []
    for shot in shots:
        if shot.kind in kinds and shot.spec is not None:
            rgb, boxes = generate.render_label(
                shot.spec, random.Random(shot.seed)
            )  # take() draws it first, so the same label
            if hide_barcodes:
                rgb = rgb.copy()
                for key in ("barcode", "stub_barcode"):
                    x0, y0, x1, y1 = boxes[key]
                    rgb[y0:y1, x0:x1] = rgb[0, 0] * 0 + 255
            sideways = cv2.rotate(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), cv2.ROTATE_90_CLOCKWISE)
            scale = LABEL_HEIGHT_PX / sideways.shape[0]
            size = (round(sideways.shape[1] * scale), LABEL_HEIGHT_PX)
            found.append(Label(shot.waybill or "", shot.kind, cv2.resize(sideways, size, interpolation=cv2.INTER_AREA)))
    return found


def write_video(path: Path, scenes: list[Scene], fps: float = FPS, seed: int = 1) -> list[Parcel]:
    """Write the scenes one after the other; return the truth for each label."""
    width, height = FRAME_SIZE
    nrng = np.random.default_rng(seed)
    kraft = np.clip(generate.background("cardboard", width, height, nrng), 0, 255).astype(np.uint8)
    desk = cv2.cvtColor(kraft, cv2.COLOR_RGB2BGR)  # the generator draws in RGB
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*FOURCC), fps, FRAME_SIZE)
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {FOURCC} video to {path}")
    truth, index = [], 0
    try:
        for scene in scenes:
            first_full = first_still = -1
            previous_x = None
            for x, look in _positions(scene, width, fps):
                frame = _frame(desk, scene.label, x, look, nrng)
                if (
                    scene.label is not None
                    and x is not None
                    and first_full < 0
                    and x >= 0
                    and x + scene.label.image.shape[1] <= width
                ):
                    first_full = index
                if scene.kind == "hold" and first_still < 0 and x == previous_x:
                    first_still = index - 1  # the frame it arrived in: it stays from there
                previous_x = x
                writer.write(frame)
                index += 1
            if scene.label is not None:
                truth.append(
                    Parcel(
                        scene.label.number,
                        scene.kind,
                        first_full,
                        legible=scene.kind != "blur",
                        first_still_frame=first_still,
                    )
                )
    finally:
        writer.release()
    return truth


def _positions(scene: Scene, width: int, fps: float) -> Iterator[tuple[int | None, str]]:
    """(label's left edge or None, how the frame is blurred) for each frame of the scene."""
    if scene.label is None:
        for _ in range(round(scene.seconds * fps)):
            yield None, ""
        return
    w = scene.label.image.shape[1]
    start, end, centre = -w, width, (width - w) // 2
    if scene.kind == "hold":
        steps = round(scene.move_s * fps)
        for i in range(steps):
            yield round(start + (centre - start) * (i + 1) / steps), ""
        for _ in range(round(scene.seconds * fps)):
            yield centre, ""
        for i in range(steps):
            yield round(centre + (end - centre) * (i + 1) / steps), ""
        return
    frames = round(scene.seconds * fps)
    for i in range(frames):
        yield round(start + (end - start) * (i + 0.5) / frames), scene.kind


def _frame(desk: np.ndarray, label: Label | None, x: int | None, kind: str, nrng: np.random.Generator) -> np.ndarray:
    frame = desk.copy()
    if label is not None and x is not None:
        h, w = label.image.shape[:2]
        y = (frame.shape[0] - h) // 2
        left, right = max(0, x), min(frame.shape[1], x + w)
        if right > left:
            frame[y : y + h, left:right] = label.image[:, left - x : right - x]
        if kind == "smear":
            frame = cv2.filter2D(frame, -1, np.full((1, SMEAR_PX), 1.0 / SMEAR_PX, np.float32))
        elif kind == "blur":
            frame = cv2.GaussianBlur(frame, (0, 0), DEFOCUS_SIGMA)
    noisy = frame.astype(np.float32) + nrng.standard_normal((*frame.shape[:2], 1), np.float32) * NOISE_SIGMA
    return np.clip(noisy, 0, 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="video file to write (.avi)")
    args = ap.parse_args()
    first, second = labels()[:2]
    scenes = [
        Scene("empty", None, 1.0),
        Scene("slide", first, 3.0),
        Scene("hold", second, 2.0),
        Scene("empty", None, 1.0),
    ]
    for parcel in write_video(args.out, scenes):
        print(json.dumps(parcel.__dict__))


if __name__ == "__main__":
    main()
