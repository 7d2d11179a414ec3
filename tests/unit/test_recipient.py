"""Recipient scoring on its own: the traps OCR and real exports set, one by one."""

import pytest

from capture.pipeline.recipient import (
    ACCEPT_MIN_SCORE,
    address_similarity,
    fits,
    name_similarity,
    normalize_address,
    phone_similarity,
    same_recipient,
    score,
)
from capture.types import OrderRef, Person

EXPORT_ADDRESS = "浙江省 杭州市 西湖区 文三路123号阳光花园5幢302室(310012)"


def order(name="蒋志勇", tail="7084", address=EXPORT_ADDRESS, tid="1", status="awaiting_shipment"):
    return OrderRef(tid=tid, status=status, receiver_name=name, phone_tail=tail, address=address, waybill=None)


@pytest.mark.parametrize(
    "label",
    [
        "浙江省杭州市西湖区文三路123号阳光花园5幢302室",  # as labels print it
        "浙江杭州西湖区文三路123号阳光花园5幢302室",  # suffixes left out
        "杭州市西湖区文三路 123 号阳光花园 5 幢 302 室",  # province left out, digits set apart
        "西湖区文三路123号阳光花园5幢302室",  # province and city left out
        "浙江省杭州市西湖区文三路１２３号阳光花园５幢３０２室",  # full-width digits
        "浙江省杭州市西湖区文三路123号阳光花园5幢",  # the last line cut off
        "阳光花园5幢302室浙江省杭州市西湖区文三路123号",  # wrapped lines read back in the wrong order
        "浙江省杭州市西湖区文三路123号阳光花园5幢30",  # cut off inside the room number
    ],
)
def test_the_same_address_written_another_way_fits(label):
    assert address_similarity(label, EXPORT_ADDRESS) >= 0.8


@pytest.mark.parametrize(
    "label",
    [
        "浙江省杭州市滨江区江南大道888号",  # another street in the same city
        "广东省深圳市南山区文三路853号绿城桂花园5幢2101室",  # same street name, another city
        "西湖区",  # too little to tell
    ],
)
def test_another_address_does_not_fit(label):
    assert address_similarity(label, EXPORT_ADDRESS) < 0.6


def test_a_neighbour_in_the_same_estate_scores_below_the_right_flat():
    right = address_similarity("文三路123号阳光花园5幢302室", EXPORT_ADDRESS)
    neighbour = address_similarity("文三路123号阳光花园5幢302室", "浙江省 杭州市 西湖区 文三路123号阳光花园5幢303室")
    assert right > neighbour and right >= 0.9


def test_municipalities_written_twice_by_the_export_match_the_label():
    assert normalize_address("上海 上海市 浦东新区 世纪大道100号") == normalize_address("上海市浦东新区世纪大道100号")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("蒋志勇", 1.0),
        ("薄志勇", 0.667),
        ("蒋勇", 0.667),
        ("蒋 志 勇", 1.0),
        ("蒋**", 0.667),
        ("***", 0.5),
        ("王芳", 0.0),
    ],
)
def test_name_similarity_counts_wrong_missing_and_masked_characters(label, expected):
    assert name_similarity(label, "蒋志勇") == pytest.approx(expected, abs=0.001)


def test_phone_tail_one_digit_off_counts_half():
    assert phone_similarity("7084", "7084") == 1.0
    assert phone_similarity("7034", "7084") == 0.5
    assert phone_similarity("1234", "7084") == 0.0
    assert phone_similarity("", "7084") == 0.0


def test_one_flaw_at_a_time_still_fits_but_two_do_not():
    good = "杭州市西湖区文三路123号阳光花园5幢302室"
    assert fits(score(Person("蒋志勇", "7084", good), order()))
    assert fits(score(Person("薄志勇", "7084", good), order()))  # a wrong name character
    assert fits(score(Person("蒋志勇", "7034", good), order()))  # a wrong phone digit
    assert fits(score(Person("蒋**", "7084", good), order()))  # a masked name (隐私面单)
    two_flaws = score(Person("薄志勇", "7034", good), order())
    assert two_flaws.score < ACCEPT_MIN_SCORE and not fits(two_flaws)


def test_name_and_phone_right_but_another_address_is_not_a_fit():
    s = score(Person("蒋志勇", "7084", "广东省深圳市南山区科技园南路88号"), order())
    assert not fits(s)


def test_a_namesake_with_another_phone_and_address_scores_low():
    s = score(Person("蒋志勇", "1111", "北京市朝阳区建国路88号"), order())
    assert s.score < 0.5 and not fits(s)


def test_same_recipient_needs_name_phone_and_address():
    a = order(tid="1")
    assert same_recipient(a, order(tid="2", address="浙江省杭州市西湖区文三路123号阳光花园5幢302室"))
    assert not same_recipient(a, order(tid="3", tail="1111"))
    assert not same_recipient(a, order(tid="4", address="浙江省 杭州市 西湖区 文三路125号阳光花园5幢302室"))


GOOD_LABEL_ADDRESS = "杭州市西湖区文三路123号阳光花园5幢302室"


def test_a_part_not_read_neither_counts_for_nor_against_the_order():
    no_name = score(Person("", "7084", GOOD_LABEL_ADDRESS), order())
    no_address = score(Person("蒋志勇", "7084", ""), order())
    assert no_name.unread == ("name",) and fits(no_name)
    assert no_address.unread == ("address",) and fits(no_address)


def test_with_a_part_unread_the_other_two_must_be_nearly_certain():
    assert not fits(score(Person("", "7034", GOOD_LABEL_ADDRESS), order()))  # a phone digit off
    assert not fits(score(Person("", "7084", "杭州市西湖区文三路"), order()))  # the street only
    assert not fits(score(Person("薄志勇", "7084", ""), order()))  # a name character off
    assert not fits(score(Person("", "", GOOD_LABEL_ADDRESS), order()))  # one part is not enough


def test_a_name_read_in_part_is_not_another_name_but_one_read_wrong_is():
    part = score(Person("志勇", "7084", GOOD_LABEL_ADDRESS), order())
    assert part.unread == ("name",) and fits(part)
    wrong = score(Person("王", "7084", GOOD_LABEL_ADDRESS), order())
    assert wrong.unread == () and not fits(wrong)


def test_a_name_printed_wholly_masked_says_nothing_either_way():
    # 隐私面单: the label prints only the mask (*), or OCR keeps only that of 张*.
    masked = score(Person("*", "7084", GOOD_LABEL_ADDRESS), order())
    assert masked.unread == ("name",) and fits(masked)
    # Phone and address then decide alone, so each must be nearly certain.
    assert not fits(score(Person("**", "7034", GOOD_LABEL_ADDRESS), order()))


def test_a_house_number_one_digit_off_lowers_the_address_but_does_not_zero_it():
    right = address_similarity(GOOD_LABEL_ADDRESS, EXPORT_ADDRESS)
    one_off = address_similarity("杭州市西湖区文三路129号阳光花园5幢302室", EXPORT_ADDRESS)
    other = address_similarity("杭州市西湖区文三路987号阳光花园5幢302室", EXPORT_ADDRESS)
    assert right > one_off > other


def test_the_orders_address_inside_a_longer_line_still_fits():
    joined = GOOD_LABEL_ADDRESS + "福建省泉州市晋江市陈埭镇长江路53号4号仓"  # the sender's line joined on by OCR
    assert address_similarity(joined, EXPORT_ADDRESS) >= 0.85
    # The order's numbers must all be there: another flat in the same joined line does not.
    other_flat = joined.replace("302室", "702室").replace("5幢", "8幢")
    assert address_similarity(other_flat, EXPORT_ADDRESS) < 0.85


def test_the_boxed_receiver_marker_read_into_the_address_is_dropped():
    assert normalize_address("收" + GOOD_LABEL_ADDRESS) == normalize_address(GOOD_LABEL_ADDRESS)
