"""names.fileable_name and names.shown: every name can be filed, stored and printed, and stays told apart."""

from __future__ import annotations

import os

from capture.sources.names import LONGEST_FILED_NAME, fileable_name, shown


def test_a_name_that_is_not_utf8_is_filed_with_its_bytes_spelled_out() -> None:
    odd = os.fsdecode("面单".encode("gbk") + b".jpg")
    # 面 is C3 E6 in GBK; E6 B5 A5 happen to be UTF-8 for 浥: only C3 is undecodable
    assert fileable_name(odd) == "%C3浥.jpg"
    assert shown(odd) == "\\xc3浥.jpg"
    assert fileable_name("面单.jpg") == "面单.jpg" and shown("面单.jpg") == "面单.jpg"


def test_long_names_are_shortened_apart_keeping_their_suffix() -> None:
    one, two = fileable_name("a" * 250 + "1.jpg"), fileable_name("a" * 250 + "2.jpg")
    assert one != two and one.endswith(".jpg") and two.startswith("a" * 100)
    assert len(one.encode()) <= LONGEST_FILED_NAME
    chinese = fileable_name("面" * 84 + ".png")  # 252 bytes: cut on a character boundary
    assert len(chinese.encode()) <= LONGEST_FILED_NAME and chinese.endswith(".png")
