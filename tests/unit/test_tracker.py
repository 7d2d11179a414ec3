"""The camera's merge rules, frame by frame on stream time (no engines, no video)."""

from __future__ import annotations

import numpy as np

from capture.sources.stream import StreamFrame
from capture.sources.tracker import LOST_AFTER_S, ParcelTracker, SightedNumber, Sighting
from capture.types import Via

FPS = 10
IMAGE = np.zeros((720, 1280, 3), np.uint8)
CENTRED = ((540.0, 300.0), (740.0, 300.0), (740.0, 420.0), (540.0, 420.0))
AT_EDGE = ((0.0, 300.0), (200.0, 300.0), (200.0, 420.0), (0.0, 420.0))
SF, ZTO = "SF1234567890123", "75462889751402"


def seen(index: int, *reads: SightedNumber, steady: bool = False) -> Sighting:
    return Sighting(StreamFrame(IMAGE, index, index / FPS, 0.0), reads, steady)


def barcode(number: str, box=CENTRED) -> SightedNumber:
    return SightedNumber(number, Via.BARCODE, box)


def ocr(number: str) -> SightedNumber:
    return SightedNumber(number, Via.OCR, None)


def run(tracker: ParcelTracker, sightings: list[Sighting], queues_at_first_look: bool = False) -> list[tuple[str, int]]:
    """(number, deciding frame index) for every decision kept, flush included.

    A first look is kept, as the camera keeps it, only when it would queue
    the parcel: here when `queues_at_first_look` says so.
    """
    out = []
    for s in sightings:
        for d in tracker.update(s):
            if d.first_look and not queues_at_first_look:
                continue
            if d.first_look:
                tracker.taken(d)
            out.append((d.number, d.sighting.frame.index))
    return out + [(d.number, d.sighting.frame.index) for d in tracker.flush()]


def test_a_parcel_held_still_is_decided_once_on_its_first_steady_frame():
    frames = [seen(i, barcode(SF), steady=i >= 3) for i in range(100)]  # 10 s in view
    assert run(ParcelTracker(cooldown_s=5, first_looks=False), frames) == [(SF, 3)]


def test_a_passing_label_is_decided_on_the_frame_where_it_was_furthest_inside():
    frames = [seen(0, barcode(SF, AT_EDGE)), seen(1, barcode(SF)), seen(2, barcode(SF, AT_EDGE))]
    frames += [seen(i) for i in range(3, 3 + int(LOST_AFTER_S * FPS) + 2)]
    assert run(ParcelTracker(cooldown_s=5, first_looks=False), frames) == [(SF, 1)]


def test_one_ocr_read_is_not_enough_two_frames_are():
    once = [seen(0, ocr(SF), steady=True)] + [seen(i, steady=True) for i in range(1, 20)]
    assert run(ParcelTracker(cooldown_s=5, first_looks=False), once) == []
    twice = [seen(0, ocr(SF), steady=True), seen(1, ocr(SF), steady=True)]
    assert run(ParcelTracker(cooldown_s=5, first_looks=False), twice) == [(SF, 1)]


def test_two_parcels_in_a_row_are_two_events():
    frames = [seen(i, barcode(SF), steady=i >= 2) for i in range(10)]
    frames += [seen(i) for i in range(10, 15)]
    frames += [seen(i, barcode(ZTO), steady=i >= 17) for i in range(15, 25)]
    assert run(ParcelTracker(cooldown_s=5, first_looks=False), frames) == [(SF, 2), (ZTO, 17)]


def test_back_within_the_cool_down_is_quiet_after_it_is_a_new_event():
    def visit(start: int) -> list[Sighting]:
        return [seen(i, barcode(SF), steady=i >= start + 2) for i in range(start, start + 5)]

    gap_short = visit(0) + [seen(i) for i in range(5, 25)] + visit(25)  # back after 2 s
    assert [n for n, _ in run(ParcelTracker(cooldown_s=5, first_looks=False), gap_short)] == [SF]
    gap_long = visit(0) + [seen(i) for i in range(5, 80)] + visit(80)  # back after 7.5 s
    assert [n for n, _ in run(ParcelTracker(cooldown_s=5, first_looks=False), gap_long)] == [SF, SF]


def test_kept_quiet_numbers_get_no_event_of_their_own():
    tracker = ParcelTracker(cooldown_s=5, first_looks=False)
    decided = tracker.update(seen(0, barcode(SF), barcode(ZTO), steady=True))
    assert sorted(d.number for d in decided) == sorted([SF, ZTO])  # two labels: each its own parcel
    tracker = ParcelTracker(cooldown_s=5, first_looks=False)
    tracker.update(seen(0, barcode(SF)))
    tracker.keep_quiet({SF}, 0.0)
    assert tracker.update(seen(1, barcode(SF), steady=True)) == []


# A label sliding in from the left, 40 px a frame, at rest from frame 14 (left = 540 px).
def sliding_in(number: str, frames: int, steady_from: int) -> list[Sighting]:
    out = []
    for i in range(frames):
        left = min(40.0 * i, 540.0)
        box = ((left, 300.0), (left + 200.0, 300.0), (left + 200.0, 420.0), (left, 420.0))
        out.append(seen(i, barcode(number, box), steady=i >= steady_from))
    return out


def test_a_label_moving_in_is_looked_at_once_before_it_settles_and_kept_when_it_queues():
    frames = sliding_in(SF, 40, steady_from=17)
    # Its barcode is in the same place in frames 14 and 15: the first look is
    # at 15, before the whole picture has been still for long (steady at 17).
    assert run(ParcelTracker(cooldown_s=5), frames, queues_at_first_look=True) == [(SF, 15)]


def test_a_first_look_that_does_not_queue_leaves_the_decision_to_the_steady_frame():
    tracker = ParcelTracker(cooldown_s=5)
    looks = [
        (d.number, d.sighting.frame.index, d.first_look)
        for s in sliding_in(SF, 40, steady_from=17)
        for d in tracker.update(s)
    ]
    assert looks == [(SF, 15, True), (SF, 17, False)]  # one first look only, then the steady frame


def test_no_first_look_while_the_label_is_cut_by_the_edge_or_at_a_desk_station():
    at_edge = [seen(i, barcode(SF, AT_EDGE)) for i in range(5)]  # at rest, but half out of the picture
    assert not any(d.first_look for s in at_edge for d in ParcelTracker(cooldown_s=5).update(s))
    desk = ParcelTracker(cooldown_s=5, first_looks=False)
    assert not any(d.first_look for s in sliding_in(SF, 40, steady_from=17) for d in desk.update(s))
