"""The pieces both OCR engines share: text boxes, the up/down vote, the CPU count."""

from __future__ import annotations

import os

import numpy as np
import pytest

from capture.engines.cpu import cpu_threads, usable_cores
from capture.engines.ocr_results import UPSIDE_DOWN, mostly_upside_down, quad


def test_a_box_array_becomes_four_float_corners():
    box = np.array([[1, 2], [3, 4], [5, 6], [7, 8]], dtype=np.int32)
    corners = quad(box)
    assert corners == ((1.0, 2.0), (3.0, 4.0), (5.0, 6.0), (7.0, 8.0))
    assert all(isinstance(v, float) for corner in corners for v in corner)


def test_a_list_of_points_becomes_the_same_corners():
    assert quad([[1.5, 2], [3, 4], [5, 6], [7, 8]]) == ((1.5, 2.0), (3.0, 4.0), (5.0, 6.0), (7.0, 8.0))


def test_a_box_without_four_corners_is_refused():
    with pytest.raises(ValueError, match="4-point"):
        quad([[0, 0], [1, 0], [1, 1]])


def test_most_labels_decide_the_way_up():
    assert mostly_upside_down([UPSIDE_DOWN, UPSIDE_DOWN, "0"])
    assert not mostly_upside_down(["0", "0", UPSIDE_DOWN])


def test_a_tie_or_no_label_is_upright():
    assert not mostly_upside_down([UPSIDE_DOWN, "0"])
    assert not mostly_upside_down([])


def test_usable_cores_are_the_cores_this_process_may_run_on():
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert usable_cores() == expected >= 1


def test_zero_threads_means_every_usable_core():
    assert cpu_threads(0) == usable_cores()
    assert cpu_threads(3) == 3
