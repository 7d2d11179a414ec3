"""The carrier table accepts real waybill shapes and refuses every decoy a label carries."""

import pytest

from capture.pipeline.carriers import by_name, canonical, identify, s10_check_digit, s10_valid

GOOD = [
    ("SF1234567890123", "SF"),
    ("73100012345678", "ZTO"),
    ("YT1234567890123", "YTO"),
    ("773112233445566", "STO"),
    ("4312345678901", "YUNDA"),
    ("JT0001234567890", "JT"),
    ("JDVA12345678901", "JD"),
    ("9812345678901", "EMS"),
    ("EA123456785CN", "EMS"),
    ("DPK123456789012", "DEPPON"),
    ("CN0123456789012", "CAINIAO"),
]


@pytest.mark.parametrize(("number", "carrier"), GOOD)
def test_real_waybill_shapes_identify_their_carrier(number, carrier):
    found = identify(number)
    assert found is not None and found.code == carrier


@pytest.mark.parametrize(
    "decoy",
    [
        "13812345678",  # mobile phone
        "2751925651837878487",  # Taobao order number (19 digits)
        "571-D01 02",  # sorting code
        "2026-11-20",  # date
        "20261120",
        "1.25KG",  # weight
        "https://m.sf-express.com/waybill/SF1234567890123",  # URL inside a QR code
        "057188886666",  # landline
        "SF123456789012",  # one digit short
        "SF12345678901234",  # one digit long
        "EA123456784CN",  # S10 with a wrong check digit
    ],
)
def test_decoys_are_refused(decoy):
    assert identify(decoy) is None


def test_s10_check_digit_follows_the_upu_weights():
    # 1*8+2*6+3*4+4*2+5*3+6*5+7*9+8*7 = 204; 11 - 204 % 11 = 5
    assert s10_check_digit("12345678") == 5
    assert s10_valid("RR123456785CN")
    assert not s10_valid("RR123456780CN")


def test_jd_package_suffix_is_stripped_and_spaces_ignored():
    assert canonical("JDVA12345678901-1-1-") == "JDVA12345678901"
    found = identify("JDVA12345678901-1-1-")
    assert found is not None and found.code == "JD"
    assert canonical(" sf 1234 5678 9012 3 ") == "SF1234567890123"


def test_carriers_are_found_by_export_names():
    for name, code in (("顺丰速运", "SF"), ("中通快递", "ZTO"), ("极兔速递", "JT"), ("邮政快递包裹", "EMS")):
        found = by_name(name)
        assert found is not None and found.code == code, name
    assert by_name("无此快递") is None
