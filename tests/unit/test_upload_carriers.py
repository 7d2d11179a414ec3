"""Our carriers as Taobao company codes, and numbers checked against reg_mail_no."""

from __future__ import annotations

import pytest

from capture.errors import SettingsError
from capture.upload.taobao_carriers import Company, match_companies, parse_overrides

COMPANIES = [
    Company("SF", "顺丰速运", r"^SF[0-9]{13}$"),
    Company("SFKY", "顺丰快运", r"^[0-9]{12}$"),  # another company whose name contains 顺丰
    Company("POST", "中国邮政", r"^[A-Z]{2}[0-9]{9}[A-Z]{2}$"),
    Company("EMS", "EMS", r"^([A-Z]{2}[0-9]{9}[A-Z]{2}|(10|11|50|51|95|97|98|99)[0-9]{11})$"),
    Company("JTSD", "极兔速递", r"^JT[0-9]{13}$"),
    Company("ZTO", "中通快递", r"^7[3-9][0-9]{12}$"),
    Company("HTKY", "百世快递", r"^[0-9]{12}$"),
    Company("ODD", "奇怪快递", r"^(?<!x)++bad["),  # not a valid Python pattern
]


def test_companies_are_matched_to_our_carriers_by_name() -> None:
    codes = match_companies(COMPANIES, {})
    assert codes["SF"].company_code == "SF"  # the exact name wins over 顺丰快运
    assert codes["EMS"].company_code == "EMS"  # EMS by its exact name, not 中国邮政 (an alias)
    assert codes["JT"].company_code == "JTSD"
    assert codes["ZTO"].company_code == "ZTO"
    assert "HTKY" not in {c.company_code for c in codes.values()}  # not a carrier we read


def test_settings_override_the_name_match() -> None:
    codes = match_companies(COMPANIES, parse_overrides("EMS=POST, JT=JTSD"))
    assert codes["EMS"].company_code == "POST"
    assert codes["EMS"].accepts("EA123456785CN")
    assert not codes["EMS"].accepts("1012345678901")  # POST's rule, not EMS's
    # An override to a code the list lacks still names it, without a rule.
    assert match_companies(COMPANIES, {"YUNDA": "YUNDA"})["YUNDA"].accepts("anything")


def test_numbers_are_checked_against_the_whole_rule() -> None:
    sf = match_companies(COMPANIES, {})["SF"]
    assert sf.accepts("SF1234567890123")
    assert not sf.accepts("SF12345678901234")  # one digit too many
    assert not sf.accepts("XSF1234567890123")


def test_a_rule_python_cannot_read_is_skipped_not_fatal() -> None:
    assert match_companies([Company("ZTO", "中通快递", r"^(?<!x)++bad[")], {})["ZTO"].rule is None


@pytest.mark.parametrize("text", ["SF", "SF=", "=SF", "NOPE=X"])
def test_bad_overrides_are_refused_with_the_entry(text: str) -> None:
    with pytest.raises(SettingsError):
        parse_overrides(text)


def test_overrides_parse() -> None:
    assert parse_overrides("") == {}
    assert parse_overrides(" jt = JTSD ,JD=JD,") == {"JT": "JTSD", "JD": "JD"}
