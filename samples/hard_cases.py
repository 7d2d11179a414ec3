"""Drawing for the generator's hard kinds (HARD_KINDS in generate.py).

generate.py decides which photos are hard and how they are photographed; this
module changes the label itself:

    misprint       the number printed under the barcode and on the stub is not the barcode's
    ocr_lookalike  the printed number has one digit replaced by a letter OCR confuses with it
    jd_multi       an order-number barcode (商家订单号) beside the QR code, under JD's waybill
    stub_only      the main barcode torn off or scratched through; the stub's still reads
    thermal_fade   the print faded, low and uneven (applied per shot, so retries can be milder)

It imports nothing from generate.py (which may be running as __main__): the
functions take a label as pixels and its barcode boxes, or generate's Sheet.
"""

from __future__ import annotations

import random

import cv2
import numpy as np
import zxingcpp
from PIL import Image

from capture.pipeline.carriers import identify, s10_check_digit

PX_PER_MM = 8  # as generate.py renders labels

# --- printed numbers ------------------------------------------------------------------

# digit -> the letter OCR most often reads it as (and a carrier format can undo)
LOOKALIKES = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}
# RapidOCR reads a mono "O" among digits as "0" anyway, which skips the correction
# path this kind is for; S, B, Z and I it reads as letters.  So O is picked less often.
LOOKALIKE_WEIGHT = {"0": 1, "1": 3, "5": 3, "8": 3, "2": 3}
CARRIER_PREFIX_MAX = 4  # the longest fixed prefix (JDVA): characters past it are free digits
S10_SERIAL = slice(2, 10)  # EA|12345678|5|CN
MISPRINT_MAX_DIGITS = 2


def lookalike_spots(number: str) -> list[int]:
    """Where a look-alike letter can stand: digits with a twin, past the carrier prefix."""
    return [i for i, ch in enumerate(number) if i >= CARRIER_PREFIX_MAX and ch in LOOKALIKES]


def lookalike_of(number: str, rng: random.Random) -> str:
    """The number with one digit past the carrier prefix swapped for its look-alike letter.

    One letter, and only letters with one digit twin, so the carrier format
    makes the correction unique: the printed text no longer identifies as a
    waybill, and only the barcode and the corrected OCR read agree.
    """
    spots = lookalike_spots(number)  # the caller picks a number that has one
    i = rng.choices(spots, [LOOKALIKE_WEIGHT[number[i]] for i in spots])[0]
    return number[:i] + LOOKALIKES[number[i]] + number[i + 1 :]


def misprint_of(number: str, rng: random.Random) -> str:
    """Another valid number of the same carrier, one or two digits away.

    S10 numbers keep a valid check digit (the serial changes, the check digit
    follows), so no check-digit rule can tell which of the two is right: a
    person must.
    """
    carrier = identify(number)
    while True:
        if number[0].isalpha() and number[-2:].isalpha():  # S10
            serial = list(number[S10_SERIAL])
            i = rng.randrange(len(serial))
            serial[i] = rng.choice([d for d in "0123456789" if d != serial[i]])
            other = f"{number[:2]}{''.join(serial)}{s10_check_digit(''.join(serial))}{number[-2:]}"
        else:
            chars = list(number)
            for i in rng.sample(range(CARRIER_PREFIX_MAX, len(chars)), rng.randint(1, MISPRINT_MAX_DIGITS)):
                chars[i] = rng.choice([d for d in "0123456789" if d != chars[i]])
            other = "".join(chars)
        if (
            identify(other) is carrier
            and 0 < sum(a != b for a, b in zip(other, number, strict=True)) <= MISPRINT_MAX_DIGITS
        ):
            return other


def overprint(grouped: str, shown: str) -> str:
    """`grouped` (the barcode's number, maybe in groups) with its characters taken from `shown`."""
    chars = iter(shown)
    return "".join(ch if ch == " " else next(chars) for ch in grouped)


# --- a second, non-waybill barcode (jd_multi) ----------------------------------------------

ORDER_BAR_MM = 7  # bar height of the order-number barcode
ORDER_BAR_X_MM = 4  # from the label's left edge; the QR code sits on the right


def draw_order_barcode(sheet, text: str, y_mm: float, module: int) -> float:
    """A Code128 of the shop's order number at the left of the info block; returns the y under it.

    JD labels carry the merchant's order number as a barcode too: a reader
    that takes the first, the biggest or any Code128 it finds as the waybill
    is wrong here.
    """
    assert identify(text) is None, text
    row = np.asarray(
        zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image(scale=1, add_quiet_zones=False)
    )[0]
    bars = np.repeat(row, module)[None, :].repeat(sheet.px(ORDER_BAR_MM * sheet.v), axis=0)
    x0, y0 = sheet.px(ORDER_BAR_X_MM), sheet.px(y_mm)
    sheet.img.paste(Image.fromarray(bars), (x0, y0))
    sheet.boxes["order_barcode"] = (x0, y0, x0 + bars.shape[1], y0 + bars.shape[0])
    return y_mm + ORDER_BAR_MM * sheet.v


# --- a destroyed main barcode (stub_only) ------------------------------------------------

TEAR_DEPTH = (0.3, 0.6)  # how far into the bars a tear from the label's side reaches, share of the width
TEAR_RISE_MM = (1, 6)  # how far above the bars the tear starts at the label's side
TEAR_FIBRE = np.array([214, 203, 186], np.float32)  # the backing left on the box: paper fibre and glue
SCRATCH_COUNT = 9  # scuffs across the bars (more on each pass that still reads)
DAMAGE_PASSES = 6
CHECK_SCALES = ((1.0, 0.0), (0.6, 0.8), (0.45, 1.2))  # (scale, blur sigma): as a photo may see the label


def damage_main_barcode(label: np.ndarray, boxes: dict, how: str, waybill: str, rng: random.Random) -> np.ndarray:
    """Tear or scratch through the main barcode until zxing cannot read it; the stub is untouched.

    Each pass adds damage; the check reads the label at a few scales with the
    stub blanked out, because a photo's blur could otherwise heal thin scratches.
    """
    out = label.copy()
    for attempt in range(DAMAGE_PASSES):
        if how == "tear" and attempt == 0:
            out = tear(out, boxes, rng)
        else:  # a tear that somehow left the symbol readable gets scratched as well
            out = scratch(out, boxes, SCRATCH_COUNT + 4 * attempt, rng)
        if not main_reads(out, boxes, waybill):
            return out
    raise RuntimeError(f"stub_only {waybill}: main barcode still reads after {DAMAGE_PASSES} passes")


def main_reads(label: np.ndarray, boxes: dict, waybill: str) -> bool:
    """Does zxing find `waybill` anywhere on the label but the stub?"""
    grey = cv2.cvtColor(label, cv2.COLOR_RGB2GRAY)
    x0, y0, x1, y1 = boxes["stub_barcode"]
    grey[max(0, y0 - 4) : y1 + 4, max(0, x0 - 40) : x1 + 40] = 245
    for scale, sigma in CHECK_SCALES:
        img = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale != 1 else grey
        img = cv2.GaussianBlur(img, (0, 0), sigma) if sigma else img
        if any(waybill in r.text for r in zxingcpp.read_barcodes(img)):
            return True
    return False


def _ragged(a: float, b: float, n: int, amp: float, rng: random.Random) -> np.ndarray:
    """n points from a to b with a random walk on top: a torn paper edge."""
    walk = np.cumsum([rng.uniform(-amp, amp) for _ in range(n)])
    walk -= np.linspace(0, walk[-1], n)  # end where asked
    return np.linspace(a, b, n) + walk


def tear(label: np.ndarray, boxes: dict, rng: random.Random) -> np.ndarray:
    """A piece of the label ripped off from one side, through every bar row.

    The face paper goes and the glue keeps a layer of fibre on the box; the torn
    edge is a bright fringe of fibres.  It spans all bar rows from the side
    through the start (or stop) pattern, so no scanline can see a whole symbol,
    and it stops above the printed digits.
    """
    h, w = label.shape[:2]
    x0, y0, x1, y1 = boxes["barcode"]
    digits_top = boxes["number"][1]
    left = rng.random() < 0.5
    depth = x0 + rng.uniform(*TEAR_DEPTH) * (x1 - x0) if left else x1 - rng.uniform(*TEAR_DEPTH) * (x1 - x0)
    edge = 0 if left else w - 1
    top = y0 - rng.uniform(*TEAR_RISE_MM) * PX_PER_MM  # the tear starts higher at the side
    bottom = min(digits_top - 3, y1 + rng.uniform(3, 7))
    n = 40
    xs_top = np.linspace(edge, depth, n)
    ys_top = np.minimum(_ragged(top, y0 - rng.uniform(3, 10), n, 3, rng), y0 - 3)
    ys_in = np.linspace(ys_top[-1], bottom, n)
    xs_in = _ragged(depth, depth + rng.uniform(-25, 25), n, 4, rng)
    xs_bot = np.linspace(xs_in[-1], edge, n)
    ys_bot = np.clip(_ragged(bottom, y1 + rng.uniform(3, 6), n, 1.5, rng), y1 + 2, digits_top - 3)
    poly = np.stack([np.r_[xs_top, xs_in, xs_bot], np.r_[ys_top, ys_in, ys_bot]], 1).round().astype(np.int32)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [poly], 255)
    gone = mask.astype(np.float32)[..., None] / 255
    grain = cv2.GaussianBlur(
        np.random.default_rng(rng.getrandbits(32)).standard_normal((h, w)).astype(np.float32), (0, 0), 1.2, sigmaY=0.5
    )
    fibre = TEAR_FIBRE + 9 * grain[..., None]
    fringe = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((5, 5), np.uint8)).astype(np.float32)[..., None] / 255
    out = label.astype(np.float32) * (1 - gone) + fibre * gone
    out = out * (1 - 0.8 * fringe) + 250 * 0.8 * fringe  # white torn fibres along the edge
    return np.clip(out, 0, 255).astype(np.uint8)


def scratch(label: np.ndarray, boxes: dict, count: int, rng: random.Random) -> np.ndarray:
    """Scuffs and cutter slashes through the bars.

    Scraping thermal paper lifts the print (a pale stroke); rubbing it hard
    darkens the coating (a grey stroke).  Strokes run steeply across the bars,
    so every scanline crosses several.
    """
    out = label.copy()
    x0, y0, x1, y1 = boxes["barcode"]
    paper = tuple(int(c) for c in np.percentile(label.reshape(-1, 3), 98, axis=0))
    for i in range(count):
        x = x0 + (i + rng.uniform(0.1, 0.9)) * (x1 - x0) / count
        lean = rng.uniform(-0.45, 0.45) * (y1 - y0)
        pts = np.array(
            [
                [x - lean / 2 + rng.uniform(-3, 3), y0 - rng.uniform(6, 20)],
                [x + rng.uniform(-4, 4), (y0 + y1) / 2],
                [x + lean / 2 + rng.uniform(-3, 3), y1 + rng.uniform(0, 4)],
            ],
            np.int32,
        )
        dark = rng.random() < 0.25
        colour = (120, 118, 112) if dark else paper
        cv2.polylines(out, [pts], False, colour, rng.randint(2, 3) if dark else rng.randint(4, 7), cv2.LINE_AA)
    return out


# --- faded thermal print (thermal_fade) -------------------------------------------------------

FADE_KEEP = (0.32, 0.6)  # share of the print's contrast left, darkest and lightest patches at full fade
YELLOWED = np.array([1.0, 0.985, 0.95], np.float32)  # old thermal paper yellows a little


def fade_print(label: np.ndarray, severity: float, nrng: np.random.Generator) -> np.ndarray:
    """Fade the print toward the paper: patchy, lighter toward one end, with bands along the feed.

    `severity` 1 is the full fade, 0 leaves the label as it was (retries get milder).
    """
    h, w = label.shape[:2]
    paper = np.percentile(label.reshape(-1, 3), 98, axis=0).astype(np.float32)
    lo, hi = FADE_KEEP
    patches = cv2.resize(nrng.uniform(0, 1, (5, 4)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    ramp = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    ramp = ramp[::-1] if nrng.random() < 0.5 else ramp  # lighter toward the top or the bottom
    # A worn print head leaves lighter bands along the feed (the label's length).
    bands = cv2.resize(nrng.uniform(0, 1, (1, 24)).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    keep = lo + (hi - lo) * np.clip(0.5 * patches + 0.3 * ramp + 0.2 * bands, 0, 1)
    keep = 1 - (1 - keep) * severity
    faded = paper - (paper - label.astype(np.float32)) * keep[..., None]
    faded *= 1 - (1 - YELLOWED) * severity
    return np.clip(faded, 0, 255).astype(np.uint8)
