"""One parcel, one event: the camera's readings merged across frames.

A label under the camera is in view for dozens of frames and is read in
most of them; it must be captured once (Frigate's plate reader merges many
frames' reads of one plate the same way).  Rules, and why:

- A number read by a barcode is confirmed at once: Code128 carries a
  checksum.  A number only OCR read must be read in OCR_FRAMES_NEEDED
  frames, because one OCR read of one frame can be a misread that fits a
  carrier's format.
- The capture is decided on the best frame for reading the whole label:
  the first steady frame the number is seen in (a label held still), or,
  for a label that only passes by, the frame where its barcode was furthest
  inside the picture, once the number has left view or after
  DECIDE_WITHIN_S in view (a shaky hand never gets steady).
- Before that, a label gets one first look, on the first frame where its
  barcode stops moving (the same place as in the frame before) with the
  part of the label read first (see pipeline.reading) inside the picture.
  That decision counts only if it queues the parcel (see `taken`); anything
  less waits for the steady frame.  Without the first look every event
  would wait STEADY_FRAMES more frames for the whole picture to be still.
- A decided number stays quiet while it is in view, and for the cool-down
  after it was last seen: a parcel held for a minute, or lifted and put
  back, is one event.  After the cool-down it is a new event (the match
  then says it was already queued).

Pure logic on stream time (the video's clock), no I/O: the tests drive it
frame by frame and get the same answer on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from capture.pipeline.reading import near_band_in_view
from capture.pipeline.regions import bars_geometry
from capture.sources.stream import StreamFrame
from capture.types import BarcodeRead, Quad, Via

OCR_FRAMES_NEEDED = 2
# A number not read for this long has left view (or its label turned away).
LOST_AFTER_S = 0.6
# Decide a number in view this long even if the picture never settles.
DECIDE_WITHIN_S = 2.0
# A steady frame beats any moving one as the deciding frame: no motion blur.
STEADY_BONUS = 1.0
# A barcode has stopped moving when no corner moved more than this since the
# frame before: a share of its length, or a few pixels of decoder jitter.
AT_REST_SHARE = 0.02
AT_REST_MIN_PX = 3.0


@dataclass(frozen=True)
class SightedNumber:
    """A waybill number read in one frame, and where (frame pixels)."""

    number: str
    via: Via  # BARCODE or OCR
    box: Quad | None  # the barcode's corners; None for an OCR read

    def inside(self, width: int, height: int) -> float:
        """How far the barcode is inside the picture, 0 (touching an edge) to 0.5 (centred)."""
        if self.box is None:
            return 0.0
        margins = [min(x / width, 1 - x / width, y / height, 1 - y / height) for x, y in self.box]
        return max(0.0, min(margins))


@dataclass(frozen=True, eq=False)
class Sighting:
    """What one processed frame showed."""

    frame: StreamFrame
    reads: tuple[SightedNumber, ...]
    steady: bool
    barcodes: tuple[BarcodeRead, ...] = ()  # every barcode the frame's preview read, boxes in frame pixels

    def numbers(self) -> set[str]:
        return {r.number for r in self.reads}


@dataclass(frozen=True, eq=False)
class ParcelCapture:
    """A parcel to capture: its number and the frame to decide on."""

    number: str
    sighting: Sighting
    frames: int  # frames the number was read in
    first_seen_s: float
    # A first look at a label still moving in: to be kept only if it queues
    # the parcel (then `ParcelTracker.taken`); otherwise the number stays tracked.
    first_look: bool = False


@dataclass
class _Track:
    first_s: float
    last_s: float
    best: Sighting
    best_score: float
    barcode_frames: int = 0
    ocr_frames: int = 0
    looked: bool = False  # the first look was given
    bars: Quad | None = None  # where its barcode was in the last frame that decoded it
    at_rest: bool = False  # ... and it had not moved since the frame before

    @property
    def confirmed(self) -> bool:
        return self.barcode_frames > 0 or self.ocr_frames >= OCR_FRAMES_NEEDED


@dataclass
class ParcelTracker:
    cooldown_s: float
    first_looks: bool = True  # off at a desk station: pairing decides on the settled label
    _tracks: dict[str, _Track] = field(default_factory=dict)
    _quiet: dict[str, float] = field(default_factory=dict)  # decided number -> last seen (stream s)

    def update(self, sighting: Sighting) -> list[ParcelCapture]:
        now = sighting.frame.stream_s
        height, width = sighting.frame.image.shape[:2]
        for number in sighting.numbers():
            if number in self._quiet:
                self._quiet[number] = now  # still in view: the cool-down starts when it leaves
                continue
            reads = [r for r in sighting.reads if r.number == number]  # main barcode and stub: one frame
            score = max(r.inside(width, height) for r in reads) + (STEADY_BONUS if sighting.steady else 0.0)
            track = self._tracks.get(number)
            if track is None:
                track = self._tracks[number] = _Track(first_s=now, last_s=now, best=sighting, best_score=score)
            elif score > track.best_score:
                track.best, track.best_score = sighting, score
            bars = next((r.box for r in reads if r.via is Via.BARCODE and r.box is not None), None)
            if bars is not None:
                track.barcode_frames += 1
                track.at_rest = track.bars is not None and _at_rest(track.bars, bars)
                track.bars = bars
            else:
                track.ocr_frames += 1
            track.last_s = now
        decisions = [d for number in list(self._tracks) if (d := self._ready(number, sighting, now))]
        quiet_for = max(self.cooldown_s, LOST_AFTER_S)  # never less than "still in view"
        self._quiet = {n: seen for n, seen in self._quiet.items() if now - seen <= quiet_for}
        return decisions

    def flush(self) -> list[ParcelCapture]:
        """The stream ended: decide every confirmed number still in view."""
        decisions = [
            self._decide(number, track.best) for number, track in list(self._tracks.items()) if track.confirmed
        ]
        self._tracks.clear()
        return decisions

    def keep_quiet(self, numbers: set[str], now: float) -> None:
        """Numbers a decision also covered (another label in the same frame): no event of their own."""
        for number in numbers:
            self._tracks.pop(number, None)
            self._quiet[number] = max(now, self._quiet.get(number, now))

    def _ready(self, number: str, sighting: Sighting, now: float) -> ParcelCapture | None:
        track = self._tracks[number]
        gone = now - track.last_s > LOST_AFTER_S
        if not track.confirmed:
            if gone:
                del self._tracks[number]  # one OCR read that never came back: a misread
            return None
        if sighting.steady and number in sighting.numbers():
            return self._decide(number, sighting)
        if gone or now - track.first_s >= DECIDE_WITHIN_S:
            return self._decide(number, track.best)
        if self.first_looks and not track.looked and track.at_rest and _band_in_view(number, sighting):
            track.looked = True
            return ParcelCapture(
                number, sighting, track.barcode_frames + track.ocr_frames, track.first_s, first_look=True
            )
        return None

    def taken(self, decision: ParcelCapture) -> None:
        """A first look queued its parcel: the number is decided, no steady frame needed."""
        if decision.number in self._tracks:
            self._decide(decision.number, decision.sighting)

    def _decide(self, number: str, sighting: Sighting) -> ParcelCapture:
        track = self._tracks.pop(number)
        self._quiet[number] = track.last_s
        return ParcelCapture(number, sighting, track.barcode_frames + track.ocr_frames, track.first_s)


def _band_in_view(number: str, sighting: Sighting) -> bool:
    height, width = sighting.frame.image.shape[:2]
    return any(
        r.number == number and r.via is Via.BARCODE and r.box is not None and near_band_in_view(r.box, width, height)
        for r in sighting.reads
    )


def _at_rest(before: Quad, now: Quad) -> bool:
    allowed = max(AT_REST_MIN_PX, AT_REST_SHARE * bars_geometry(now)[2])
    return all(abs(a - c) <= allowed and abs(b - d) <= allowed for (a, b), (c, d) in zip(before, now, strict=True))
