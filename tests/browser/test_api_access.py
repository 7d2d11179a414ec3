"""The HTTP API against a real server: who may call what (401/403), CSRF, tokens, and errors as JSON."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from capture.api import users
from tests.browser.desk_server import PASSWORDS, DeskServer, open_order_tids

SCRIPTS_ROUTES = [
    ("GET", "/api/review"),
    ("GET", "/api/events"),
    ("POST", "/api/code"),
    ("POST", "/api/scan"),
    ("POST", "/api/review/1/accept"),
    ("GET", "/api/queue"),
    ("GET", "/metrics"),
    ("GET", "/desk"),
    ("GET", "/review"),
    ("GET", "/audio/tone/queued.wav"),
]


def token_for(desk: DeskServer, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {users.issue_token(role, desk.settings)}"}


def cookie_client(desk: DeskServer, role: str) -> httpx.Client:
    client = httpx.Client(base_url=desk.url, timeout=10)
    signed = client.post("/login", data={"name": role, "password": PASSWORDS[role], "next": "/desk"})
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    return client


@pytest.mark.parametrize(("method", "path"), SCRIPTS_ROUTES)
def test_every_route_but_healthz_refuses_a_caller_without_credentials(desk: DeskServer, method: str, path: str) -> None:
    answer = httpx.request(method, f"{desk.url}{path}", timeout=10)
    assert answer.status_code == 401
    if path.startswith("/api"):
        assert "sign in" in answer.json()["error"]


def test_healthz_answers_anyone(desk: DeskServer) -> None:
    answer = httpx.get(f"{desk.url}/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_a_packer_may_scan_but_not_review(desk: DeskServer) -> None:
    packer = token_for(desk, "packer")
    assert httpx.get(f"{desk.url}/api/review", headers=packer).status_code == 403
    assert httpx.post(f"{desk.url}/api/review/1/reject", json={}, headers=packer).status_code == 403
    assert httpx.get(f"{desk.url}/api/queue", headers=packer).status_code == 403
    read = httpx.post(f"{desk.url}/api/code", json={"text": "SF1111111111111", "station": "A"}, headers=packer)
    assert read.status_code == 200 and read.json()["via"] == "gun"


def test_a_wrong_or_disabled_token_is_refused(desk: DeskServer) -> None:
    assert httpx.get(f"{desk.url}/api/review", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    supervisor = token_for(desk, "supervisor")
    assert httpx.get(f"{desk.url}/api/review", headers=supervisor).status_code == 200
    users.disable_user("supervisor", desk.settings)
    assert httpx.get(f"{desk.url}/api/review", headers=supervisor).status_code == 401


def test_a_cookie_request_that_changes_state_needs_the_csrf_token(desk: DeskServer) -> None:
    with closing(cookie_client(desk, "packer")) as client:
        body = {"text": "SF2222222222222", "station": "A"}
        refused = client.post("/api/code", json=body)
        assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
        forged = client.post("/api/code", json=body, headers={"X-CSRF-Token": "0" * 64})
        assert forged.status_code == 403
        csrf = client.get("/api/me").json()["csrf"]
        taken = client.post("/api/code", json=body, headers={"X-CSRF-Token": csrf})
        assert taken.status_code == 200 and taken.json()["status"] == "review"


def test_signing_out_ends_the_session(desk: DeskServer) -> None:
    with closing(cookie_client(desk, "packer")) as client:
        csrf = client.get("/api/me").json()["csrf"]
        assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
        assert client.get("/api/me").status_code == 401


def test_a_wrong_password_is_refused_with_the_login_form(desk: DeskServer) -> None:
    answer = httpx.post(f"{desk.url}/login", data={"name": "packer", "password": "wrong-password"})
    assert answer.status_code == 401 and "用户名或密码不对" in answer.text
    assert "set-cookie" not in answer.headers


def test_bad_input_gets_a_json_error_not_a_traceback(desk: DeskServer) -> None:
    packer = token_for(desk, "packer")
    empty = httpx.post(f"{desk.url}/api/code", json={"text": "  ", "station": "A"}, headers=packer)
    assert empty.status_code == 400 and "gun read" in empty.json()["error"]
    station = httpx.post(f"{desk.url}/api/code", json={"text": "SF1", "station": "A B/.."}, headers=packer)
    assert station.status_code == 400 and "station" in station.json()["error"]
    shape = httpx.post(f"{desk.url}/api/code", content=b"{not json", headers=packer)
    assert shape.status_code == 422 and shape.json()["error"].startswith("bad request")
    photo = httpx.post(f"{desk.url}/api/scan", files={"photo": ("x.jpg", b"not an image")}, headers=packer)
    assert photo.status_code == 200 and photo.json()["status"] == "error"
    supervisor = token_for(desk, "supervisor")
    missing = httpx.post(f"{desk.url}/api/review/999/accept", json={}, headers=supervisor)
    assert missing.status_code in (404, 409) and missing.json()["error"]
    for answer in (empty, station, shape, missing):
        assert "Traceback" not in answer.text


def test_a_script_settles_a_review_item_through_the_same_checks(desk: DeskServer) -> None:
    first, second = open_order_tids(desk.settings, 2)
    packer, supervisor = token_for(desk, "packer"), token_for(desk, "supervisor")
    for text in (first, "SF3333333333333"):  # queued for the first order
        httpx.post(f"{desk.url}/api/code", json={"text": text, "station": "A"}, headers=packer)
    httpx.post(f"{desk.url}/api/code", json={"text": "SF4444444444444", "station": "A"}, headers=packer)
    (item,) = httpx.get(f"{desk.url}/api/review", headers=supervisor).json()
    assert item["numbers"][0]["number"] == "SF4444444444444" and item["photo_url"].startswith("/api/scans/")
    assert "path" not in item  # no file path of the server's disk in what a browser gets

    # The first order has its waybill queued already: the same check as the pipeline refuses it.
    refused = httpx.post(f"{desk.url}/api/review/{item['id']}/accept", json={"orders": [first]}, headers=supervisor)
    assert refused.status_code == 409 and refused.json()["refusal"]["reason"] == "order_has_other_waybill"
    taken = httpx.post(f"{desk.url}/api/review/{item['id']}/accept", json={"orders": [second]}, headers=supervisor)
    assert taken.status_code == 200 and taken.json()["status"] == "queued"
    assert httpx.get(f"{desk.url}/api/review", headers=supervisor).json() == []
    queued = {j["waybill"] for j in httpx.get(f"{desk.url}/api/queue", headers=supervisor).json()}
    assert queued == {"SF3333333333333", "SF4444444444444"}


def test_metrics_count_outcomes_in_prometheus_text(desk: DeskServer) -> None:
    packer = token_for(desk, "packer")
    httpx.post(f"{desk.url}/api/code", json={"text": "SF1111111111111", "station": "A"}, headers=packer)
    text = httpx.get(f"{desk.url}/metrics", headers=packer).text
    assert 'waybill_desk_outcomes_total{source="gun",status="review"} 1.0' in text
    assert "waybill_http_request_seconds_bucket" in text


def test_users_cli_reads_the_password_from_stdin_and_keeps_only_hashes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'u.db'}"
    waybill = [sys.executable, "-m", "capture.cli", "users"]
    added = subprocess.run(
        [*waybill, "add", "lin", "--role", "packer", "--db", db],
        input="long-secret-pw\n",
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    assert "long-secret-pw" not in added.stdout + added.stderr
    token = subprocess.run([*waybill, "token", "lin", "--db", db], capture_output=True, text=True)
    printed = token.stdout.strip()
    assert token.returncode == 0 and re.fullmatch(r"[\w-]{40,}", printed)
    listing = subprocess.run([*waybill, "list", "--db", db], capture_output=True, text=True).stdout
    assert "lin" in listing and "packer" in listing and printed not in listing
    with sqlite3.connect(tmp_path / "u.db") as conn:
        stored = " ".join(str(v) for row in conn.execute("select * from users") for v in row)
    assert "long-secret-pw" not in stored and printed not in stored and "$argon2" in stored
    weak = subprocess.run(
        [*waybill, "add", "x", "--role", "packer", "--db", db], input="short\n", capture_output=True, text=True
    )
    assert weak.returncode == 16 and "too short" in weak.stderr and "Traceback" not in weak.stderr
