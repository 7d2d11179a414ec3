"""The evidence keeps no full phone number: mobiles in any spacing, and landlines (the shop's own, as sender)."""

from __future__ import annotations

import pytest

from capture.evidence import mask_phones


@pytest.mark.parametrize(
    ("seen", "kept"),
    [
        ("收件人 张三 13812345678", "收件人 张三 *******5678"),
        ("电话 138 1234 5678", "电话 *******5678"),
        ("+86-138-1234-5678", "*******5678"),
        ("寄件人 某某店 0755-86012345", "寄件人 某某店 *******2345"),
        ("寄 021 1234 5678", "寄 *******5678"),
        ("(010)62345678", "*******5678"),
    ],
)
def test_full_numbers_are_cut_to_their_last_four_digits(seen: str, kept: str) -> None:
    assert mask_phones(seen) == kept


@pytest.mark.parametrize("number", ["SF1234567890123", "75462889751402", "JT7210141561836", "3245040008838737167"])
def test_waybills_and_order_numbers_are_left_as_they_are(number: str) -> None:
    assert mask_phones(f"运单号 {number}") == f"运单号 {number}"
