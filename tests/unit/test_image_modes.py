"""imaging.as_rgb8: depth scaled (not clipped), transparency laid on white paper, plain RGB left as it is."""

from __future__ import annotations

import numpy as np
from PIL import Image

from capture.sources.imaging import as_rgb8


def test_sixteen_bit_gray_is_scaled_not_clipped_white() -> None:
    levels = np.array([[0, 32896, 65535]], np.uint16)  # black, mid grey, white
    out = np.asarray(as_rgb8(Image.fromarray(levels)))
    assert out.dtype == np.uint8 and out[0, :, 0].tolist() == [0, 128, 255]


def test_ink_on_transparent_paper_is_ink_on_white() -> None:
    rgba = np.zeros((1, 2, 4), np.uint8)  # both pixels black underneath
    rgba[0, 1, 3] = 255  # only the second is ink
    out = np.asarray(as_rgb8(Image.fromarray(rgba)))
    assert out[0, 0].tolist() == [255, 255, 255] and out[0, 1].tolist() == [0, 0, 0]


def test_a_palette_image_with_a_transparent_colour_is_on_white() -> None:
    im = Image.new("P", (1, 1), 0)
    im.putpalette([0, 0, 0] * 256)
    im.info["transparency"] = 0
    assert np.asarray(as_rgb8(im))[0, 0].tolist() == [255, 255, 255]


def test_rgb_is_returned_as_it_is() -> None:
    im = Image.new("RGB", (2, 2), (1, 2, 3))
    assert as_rgb8(im) is im
