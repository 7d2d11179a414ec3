"""Taobao errors sorted into: retry (and how long), review, already shipped, our credentials."""

from __future__ import annotations

import random
from typing import Any

import pytest

from capture import settings as settings_mod
from capture.errors import SettingsError
from capture.upload.connector import Retry
from capture.upload.queue import backoff_s, retry_delay_s
from capture.upload.taobao_errors import Meaning, ban_seconds, classify
from capture.upload.top_client import TopError

OFFLINE = "isv.logistics-offline-service-error"


@pytest.mark.parametrize(
    ("error", "meaning"),
    [
        (
            TopError(
                7,
                "App Call Limited",
                "accesscontrol.limited-by-app-access-count",
                "This ban will last for 31 more seconds",
            ),
            Meaning.RATE_LIMITED,
        ),
        (
            TopError(
                7,
                "App Call Limited",
                "accesscontrol.limited-by-api-access-count",
                "This ban will last for 1 more seconds",
            ),
            Meaning.RATE_LIMITED,
        ),
        (TopError(15, "Remote service error", "isv.access-limited-by-app-api-access-count"), Meaning.RATE_LIMITED),
        (TopError(15, "Remote service error", "isp.top-remote-connection-timeout"), Meaning.TRANSIENT),
        (TopError(15, "Remote service error", "isp.top-remote-service-unavailable"), Meaning.TRANSIENT),
        (TopError(520, "Remote service error", "isp.remote-service-timeout"), Meaning.TRANSIENT),
        (TopError(10, "Service Currently Unavailable"), Meaning.TRANSIENT),
        (TopError(15, "Remote service error", f"{OFFLINE}:B150", "发货异常，请稍等后重试"), Meaning.TRANSIENT),
        (TopError(15, "Remote service error", f"{OFFLINE}:B04", "订单状态不对"), Meaning.ALREADY_SHIPPED),
        (TopError(15, "Remote service error", f"{OFFLINE}:B60", "运单号不符合规则或已经被使用"), Meaning.PERMANENT),
        (TopError(15, "Remote service error", f"{OFFLINE}:B01", "订单不存在"), Meaning.PERMANENT),
        (TopError(15, "Remote service error", f"{OFFLINE}:P38", "拆单校验未通过"), Meaning.PERMANENT),
        (TopError(41, "Invalid Arguments", "isv.invalid-parameter:company_code"), Meaning.PERMANENT),
        (TopError(25, "Invalid Signature"), Meaning.CREDENTIALS),
        (TopError(27, "Invalid session", "invalid-sessionkey"), Meaning.CREDENTIALS),
        (TopError(29, "Invalid App Key"), Meaning.CREDENTIALS),
        (TopError(31, "Invalid Timestamp"), Meaning.CREDENTIALS),
        (TopError(11, "Insufficient ISV Permissions"), Meaning.CREDENTIALS),
    ],
)
def test_classification(error: TopError, meaning: Meaning) -> None:
    assert classify(error).meaning is meaning


def test_the_ban_time_is_read_from_sub_msg() -> None:
    error = TopError(
        7, "App Call Limited", "accesscontrol.limited-by-app-access-count", "This ban will last for 31062 more seconds"
    )
    assert ban_seconds(error) == 31062
    assert classify(error).ban_s == 31062
    assert ban_seconds(TopError(7, "App Call Limited")) is None


def settings(**overrides: Any) -> settings_mod.Settings:
    return settings_mod.load(env={}, db_url="sqlite://", **overrides)


def test_backoff_doubles_jitters_and_is_capped() -> None:
    s = settings(upload_backoff_s=2.0, upload_backoff_max_s=60.0)
    rng = random.Random(7)
    for attempt, ceiling in ((1, 2), (2, 4), (3, 8), (4, 16), (10, 60)):
        waits = [backoff_s(attempt, s, rng) for _ in range(200)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert max(waits) - min(waits) > ceiling / 10  # jittered, not one fixed value


def test_a_stated_ban_is_a_floor_and_a_rate_limit_does_not_add_backoff() -> None:
    s = settings(upload_backoff_s=2.0)
    rng = random.Random(1)
    assert retry_delay_s(Retry("limited", wait_s=30, counted=False), 5, s, rng) == 30
    assert retry_delay_s(Retry("limited", wait_s=0, counted=False), 5, s, rng) == 0.5  # never a hot loop
    assert 30 <= retry_delay_s(Retry("busy", wait_s=30), 1, s, rng) <= 30
    assert 8 <= retry_delay_s(Retry("timeout"), 4, s, rng) <= 16


def test_a_lease_shorter_than_four_timeouts_is_refused() -> None:
    with pytest.raises(SettingsError, match="upload_lease_s"):
        settings(upload_lease_s=10.0, upload_timeout_s=5.0)
