"""A desk page's camera frame: what is not a whole JPEG is refused with words saying what to do."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from capture.errors import UnreadableImage
from capture.sources import camera_frames

LIMIT = 4_000_000


def jpeg(width: int = 640, height: int = 360) -> bytes:
    picture = np.zeros((height, width, 3), np.uint8)
    cv2.rectangle(picture, (100, 100), (300, 250), (255, 255, 255), -1)
    return cv2.imencode(".jpg", picture)[1].tobytes()


def test_a_frame_is_decoded_at_half_size_grey_for_the_look_and_whole_in_colour_for_reading():
    data = jpeg()
    assert camera_frames.reduced(data, LIMIT).shape == (180, 320)
    assert camera_frames.full(data).shape == (360, 640, 3)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"<html>not a picture</html>", "not an image"),
        (jpeg()[:300], "not an image"),
        (jpeg()[: len(jpeg()) // 2], "damaged"),
    ],
)
def test_a_frame_that_is_not_a_whole_image_is_refused_with_what_to_do(data, says):
    with pytest.raises(UnreadableImage) as refused:
        camera_frames.reduced(data, LIMIT)
    assert says in refused.value.message and refused.value.hint


def test_a_frame_over_the_pixel_limit_is_refused_before_it_is_decoded():
    with pytest.raises(UnreadableImage) as refused:
        camera_frames.reduced(jpeg(4000, 3000), LIMIT)
    assert "4000x3000" in refused.value.message
