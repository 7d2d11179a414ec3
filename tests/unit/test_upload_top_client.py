"""Taobao request signing, timestamps and reply parsing, checked against the published rules."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from capture.upload.credentials import Secret, TaobaoCredentials
from capture.upload.http import HttpReply
from capture.upload.top_client import (
    BadReply,
    TopClient,
    TopError,
    TopReply,
    parse_reply,
    reply_key,
    sign,
    signing_string,
    top_timestamp,
)

SECRET = "helloworld"
PARAMS = {
    "method": "taobao.logistics.offline.send",
    "app_key": "12345678",
    "session": "test-session",
    "timestamp": "2026-01-02 11:04:05",
    "v": "2.0",
    "format": "json",
    "sign_method": "md5",
    "tid": "2751925651837878487",
    "out_sid": "SF1234567890123",
    "company_code": "SF",
    "memo": "",  # empty: left out of the signature
    "sign": "WHATEVER",  # never part of its own input
}
# Written out by hand from the rule: names sorted, each followed by its value.
EXPECTED_STRING = (
    "app_key12345678"
    "company_codeSF"
    "formatjson"
    "methodtaobao.logistics.offline.send"
    "out_sidSF1234567890123"
    "sessiontest-session"
    "sign_methodmd5"
    "tid2751925651837878487"
    "timestamp2026-01-02 11:04:05"
    "v2.0"
)
# md5("helloworld" + EXPECTED_STRING + "helloworld"), computed once outside the product.
EXPECTED_MD5 = "0AEFA68BEF416B647FB49B4B11AA3F05"
EXPECTED_HMAC_SHA256 = "512FD30F2B1339B028C0CBD4B99DE1223040F06B15B5A4674C4CF5DEA0184C9C"


def test_the_signing_string_sorts_names_and_drops_sign_and_empty_values() -> None:
    assert signing_string(PARAMS) == EXPECTED_STRING


def test_md5_signature_wraps_the_string_in_the_secret_and_is_upper_case_hex() -> None:
    expected = hashlib.md5((SECRET + EXPECTED_STRING + SECRET).encode()).hexdigest().upper()
    assert sign(PARAMS, SECRET, "md5") == expected == EXPECTED_MD5


def test_hmac_sha256_signature_is_keyed_with_the_secret() -> None:
    params = {**PARAMS, "sign_method": "hmac-sha256"}
    text = EXPECTED_STRING.replace("sign_methodmd5", "sign_methodhmac-sha256")
    expected = hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).hexdigest().upper()
    assert sign(params, SECRET, "hmac-sha256") == expected == EXPECTED_HMAC_SHA256


def test_chinese_values_are_signed_as_utf8() -> None:
    params = {"b": "顺丰", "a": "1"}
    expected = hashlib.md5(("s" + "a1b顺丰" + "s").encode("utf-8")).hexdigest().upper()
    assert sign(params, "s", "md5") == expected


def test_an_unknown_sign_method_is_refused() -> None:
    with pytest.raises(ValueError):
        sign(PARAMS, SECRET, "sha1")


def test_timestamp_is_beijing_time_to_the_second() -> None:
    utc = datetime(2026, 1, 2, 3, 4, 5, 999_000, tzinfo=UTC)
    assert top_timestamp(utc) == "2026-01-02 11:04:05"
    # Past 16:00 UTC it is already tomorrow in Beijing.
    assert top_timestamp(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == "2027-01-01 00:30:00"
    # Any aware time gives the same wall clock in GMT+8.
    new_york = timezone(timedelta(hours=-5))
    assert top_timestamp(datetime(2026, 1, 1, 22, 4, 5, tzinfo=new_york)) == "2026-01-02 11:04:05"


def test_a_naive_time_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError):
        top_timestamp(datetime(2026, 1, 2, 3, 4, 5))


def test_the_client_sends_system_parameters_and_a_valid_signature() -> None:
    creds = TaobaoCredentials(
        "http://127.0.0.1:1/router/rest", Secret("12345678"), Secret(SECRET), Secret("test-session")
    )
    client = TopClient(creds, timeout_s=1)
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    params = client.signed_params(
        "taobao.logistics.offline.send",
        {"tid": "2751925651837878487", "out_sid": "SF1234567890123", "company_code": "SF"},
        when,
    )
    assert params["v"] == "2.0" and params["format"] == "json" and params["sign_method"] == "md5"
    assert params["timestamp"] == "2026-01-02 11:04:05"
    assert params["sign"] == EXPECTED_MD5
    assert SECRET not in params.values()  # the secret signs, it is never sent
    assert "helloworld" not in repr(client)


def test_reply_key_drops_the_taobao_prefix() -> None:
    assert reply_key("taobao.logistics.offline.send") == "logistics_offline_send_response"
    assert reply_key("taobao.trades.sold.get") == "trades_sold_get_response"


def reply(body: object, status: int = 200) -> HttpReply:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpReply(status, raw, {})


def test_parse_reply_reads_success_errors_and_junk() -> None:
    ok = parse_reply(
        "taobao.logistics.offline.send",
        reply({"logistics_offline_send_response": {"shipping": {"is_success": True}, "request_id": "r1"}}),
    )
    assert isinstance(ok, TopReply) and ok.request_id == "r1" and ok.body["shipping"]["is_success"] is True

    error = parse_reply(
        "taobao.logistics.offline.send",
        reply(
            {
                "error_response": {
                    "code": 15,
                    "msg": "Remote service error",
                    "sub_code": "isv.logistics-offline-service-error:B60",
                    "sub_msg": "运单号不符合规则或已经被使用",
                }
            }
        ),
    )
    assert error == TopError(
        15, "Remote service error", "isv.logistics-offline-service-error:B60", "运单号不符合规则或已经被使用"
    )
    assert "B60" in error.describe() and "运单号" in error.describe()

    page = parse_reply("taobao.logistics.offline.send", reply(b"<html>502 Bad Gateway</html>", 502))
    assert isinstance(page, BadReply) and page.http_status == 502
    assert isinstance(parse_reply("taobao.logistics.offline.send", reply({"something_else": {}})), BadReply)
