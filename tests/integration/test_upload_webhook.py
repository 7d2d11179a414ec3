"""The webhook connector against a loopback receiver that checks the HMAC and idempotency key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capture import api
from capture.errors import CredentialsError
from capture.settings import Settings
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.integration.upload_helpers import queue_jobs, sf, tid, upload_settings

SECRET = "WEBHOOKSECRET-14142135"


@pytest.fixture
def settings(tmp_path: Path, upload_home: Path) -> Settings:
    return upload_settings(f"sqlite:///{tmp_path / 'waybill.db'}", tmp_path / "cache", upload_connector="webhook")


def run(settings: Settings, receiver: WebhookReceiver, secret: str = SECRET) -> None:
    env = {"WAYBILL_WEBHOOK_URL": receiver.url, "WAYBILL_WEBHOOK_SECRET": secret}
    api.run_upload(settings, until_empty=True, env=env, handle_signals=False)


def test_each_shipment_is_posted_signed_with_an_idempotency_key(settings: Settings) -> None:
    queue_jobs(api.database(settings), [(tid(1), sf(1), "SF"), (tid(2), "73123456789012", "ZTO")])
    with WebhookReceiver(SECRET) as receiver:
        run(settings, receiver)

    assert receiver.received.bad_signatures == 0
    assert len(receiver.received.shipments) == 2
    payloads = {p["order"]: p for p in receiver.received.shipments.values()}
    assert payloads[tid(2)] == {
        "order": tid(2),
        "waybill": "73123456789012",
        "carrier": "ZTO",
        "carrier_name": "中通快递",
        "job_id": payloads[tid(2)]["job_id"],
        "queued_at": payloads[tid(2)]["queued_at"],
    }
    jobs = {j.order_tid: j for j in api.list_jobs(settings)}
    assert jobs[tid(1)].status == "sent" and jobs[tid(1)].response_id.startswith("ship-")
    assert jobs[tid(1)].connector == "webhook"


def test_a_retry_after_a_lost_reply_carries_the_same_key_and_ships_once(settings: Settings) -> None:
    queue_jobs(api.database(settings), [(tid(1), sf(1), "SF")])
    with WebhookReceiver(SECRET) as receiver:
        receiver.hang_after_apply_s = 1.5  # recorded, then the reply misses the 0.5 s timeout
        run(settings, receiver)

    requests = receiver.received.requests
    assert len(requests) == 2
    keys = {r["headers"]["idempotency-key"] for r in requests}
    assert len(keys) == 1 and next(iter(keys)).startswith("wb-")
    assert len(receiver.received.shipments) == 1
    assert json.loads(requests[0]["body"]) == json.loads(requests[1]["body"])
    job = api.list_jobs(settings)[0]
    assert (job.status, job.attempts) == ("sent", 2)


def test_a_wrong_secret_is_refused_by_the_receiver_and_stops_the_worker(settings: Settings) -> None:
    queue_jobs(api.database(settings), [(tid(1), sf(1), "SF")])
    with WebhookReceiver(SECRET) as receiver, pytest.raises(CredentialsError, match="WAYBILL_WEBHOOK_SECRET") as caught:
        run(settings, receiver, secret="not-the-secret")
    assert receiver.received.bad_signatures == 1 and not receiver.received.shipments
    assert "HOOKTOKEN" not in str(caught.value)
    assert api.list_jobs(settings)[0].status == "pending"
