"""A secret is redacted in every spelling a message may carry it in, not only as itself.

A platform error or a gateway page may quote the request back: the session
then appears URL-encoded (SESS%2BCANARY%2F456%3D), JSON-escaped or
base64-encoded, and the tester found it so in stdout, stderr and
upload_jobs.last_error.  A real `waybill upload` process against the
loopback Taobao fake, a real SQLite file.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from capture import api
from tests.fakes.taobao_server import FakeTaobao, Fault
from tests.integration.upload_helpers import queue_jobs, sf, tid, upload_settings, waybill, worker_env

SESSION = "SESS+CANARY/456="  # + / = : the characters every encoding spells differently
APP_SECRET = "APPSECRET+CANARY/789="
OFFLINE = "isv.logistics-offline-service-error"


def spellings(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        quote(secret, safe=""),
        quote_plus(secret),
        quote(secret, safe="").lower(),
        json.dumps(secret)[1:-1].replace("/", "\\/"),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    ]


@pytest.fixture
def fake() -> Iterator[FakeTaobao]:
    with FakeTaobao(app_key="KEY-CANARY-1234", app_secret=APP_SECRET, session=SESSION) as server:
        yield server


def test_every_spelling_of_a_secret_is_redacted(tmp_path: Path, upload_home: Path, fake: FakeTaobao) -> None:
    db = tmp_path / "waybill.db"
    engine = api.database(upload_settings(f"sqlite:///{db}", tmp_path / "cache"))
    fake.add_orders(tid(1), tid(2))
    queue_jobs(engine, [(tid(1), sf(1), "SF"), (tid(2), sf(2), "SF")])
    echoed = " ".join(f"session={s}" for s in [*spellings(SESSION), *spellings(APP_SECRET)])
    fake.fail(Fault.ERROR, tid=tid(1), sub_code=f"{OFFLINE}:B60", sub_msg=f"bad request {echoed}")
    fake.fail(Fault.ERROR, tid=tid(2), code=15, sub_code="isp.top-remote-unknown-error", sub_msg=f"gateway {echoed}")

    upload = waybill(["upload", "--until-empty", "--json", "-v"], worker_env(fake, f"sqlite:///{db}", tmp_path))
    out, err = upload.communicate(timeout=120)
    listing = waybill(["queue", "list", "-v"], worker_env(fake, f"sqlite:///{db}", tmp_path))
    listed, listed_err = listing.communicate(timeout=60)
    with sqlite3.connect(db) as conn:
        last_errors = [row[0] or "" for row in conn.execute("SELECT last_error FROM upload_jobs")]

    assert "bad request" in " ".join(last_errors) and "***" in " ".join(last_errors), last_errors
    for text in (out, err, listed, listed_err, *last_errors):
        for secret in (SESSION, APP_SECRET):
            for spelled in [secret, *spellings(secret)]:
                assert spelled not in text, (spelled, text)
