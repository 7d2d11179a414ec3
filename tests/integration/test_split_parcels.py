"""One order in two parcels, a repeat scan, and a sent number changed: the real CLI, SQLite and the loopback Taobao.

Order 2848537153542910686 of samples/orders.csv holds 2 pieces; its label
is samples/photos/020_clean.jpg (YT2579747566125).  The second parcel's
label is typed by the supervisor on a review item (`review correct ...
--order ... --another-parcel`), as a person does for a label the camera
could not match.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.taobao_server import FakeTaobao
from tests.integration.upload_helpers import waybill, worker_env

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "samples" / "photos"
ORDER = "2848537153542910686"
FIRST = "YT2579747566125"
SECOND = "YT2579747566132"
THIRD = "YT2579747566149"
REPRINTED = "YT2579747566156"
TIMEOUT_S = 600
EXIT_CHECKS_REFUSED = 1  # `review` when the checks say no: the item stays open
EXIT_RESEND_ERROR = 17


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = waybill(list(args), env)
    out, err = process.communicate(timeout=TIMEOUT_S)
    assert "Traceback" not in out + err, out + err
    return process.returncode, out, err


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def jobs_of(env: dict[str, str], tid: str) -> list[dict]:
    code, out, err = run(env, "queue", "list", "--json")
    assert code == 0, err
    return sorted((j for j in lines(out) if j["order"] == tid), key=lambda j: j["id"])


def review_id(env: dict[str, str], photo: str) -> int:
    code, out, err = run(env, "review", "--json")
    assert code == 0, err
    (item,) = [i for i in lines(out) if Path(i["path"]).name == photo]
    return int(item["id"])


def shipped_first_parcel(fake: FakeTaobao, tmp_path: Path) -> dict[str, str]:
    env = worker_env(fake, f"sqlite:///{tmp_path / 'shop.db'}", tmp_path)
    assert run(env, "orders", "import", str(ROOT / "samples" / "orders.csv"))[0] == 0
    fake.add_orders(ORDER)
    code, out, err = run(env, "scan", str(PHOTOS / "020_clean.jpg"), "--json")
    assert code == 0 and lines(out)[0]["status"] == "queued", out + err
    assert run(env, "upload", "--until-empty")[0] == 0
    assert fake.orders[ORDER].out_sid == FIRST
    return env


def test_a_second_parcel_gets_its_own_job_and_reaches_taobao_as_a_package(
    fake_taobao: FakeTaobao, tmp_path: Path
) -> None:
    env = shipped_first_parcel(fake_taobao, tmp_path)
    code, out, err = run(env, "scan", str(PHOTOS / "009_no_order.png"), "--json")
    assert lines(out)[0]["status"] == "review", out + err
    item = review_id(env, "009_no_order.png")

    # A different number for an order that has one is never taken without a person saying "another parcel".
    code, out, err = run(env, "review", "correct", str(item), SECOND, "--order", ORDER, "--by", "alice")
    assert code == EXIT_CHECKS_REFUSED and "already ships with " + FIRST in out + err, out + err
    assert [j["waybill"] for j in jobs_of(env, ORDER)] == [FIRST]

    code, out, err = run(
        env, "review", "correct", str(item), SECOND, "--order", ORDER, "--another-parcel", "--by", "alice"
    )
    assert code == 0, out + err
    jobs = jobs_of(env, ORDER)
    assert [(j["waybill"], j["status"]) for j in jobs] == [(FIRST, "sent"), (SECOND, "pending")]

    assert run(env, "upload", "--until-empty")[0] == 0
    assert [p.out_sid for p in fake_taobao.orders[ORDER].parcels()] == [FIRST, SECOND]
    assert fake_taobao.stats.ships[ORDER] == 1 and fake_taobao.stats.packages_added[ORDER] == 1
    assert [j["status"] for j in jobs_of(env, ORDER)] == ["sent", "sent"]

    # Two pieces, two parcels: a third number is a re-label, not a parcel, even when called one.
    code, out, err = run(env, "scan", str(PHOTOS / "026_ambiguous.jpg"), "--json")
    third = review_id(env, "026_ambiguous.jpg")
    code, out, err = run(env, "review", "correct", str(third), THIRD, "--order", ORDER, "--another-parcel")
    assert code == EXIT_CHECKS_REFUSED and "2 piece(s) and already 2 parcel(s)" in out + err, out + err

    # The first label scanned again is the same parcel: refused, nothing queued.
    code, out, err = run(env, "scan", str(PHOTOS / "020_clean.jpg"), "--json")
    assert lines(out)[0]["status"] == "rejected", out
    assert len(jobs_of(env, ORDER)) == 2

    # The second parcel's number changed: Taobao's package list keeps the first and takes the new one.
    second_job = jobs_of(env, ORDER)[1]["id"]
    code, out, err = run(
        env, "queue", "resend", str(second_job), "--waybill", REPRINTED, "--reason", "box 2 relabelled"
    )
    assert code == 0, out + err
    assert [p.out_sid for p in fake_taobao.orders[ORDER].parcels()] == [FIRST, REPRINTED]
    assert [j["waybill"] for j in jobs_of(env, ORDER)] == [FIRST, REPRINTED]


def test_resend_changes_the_number_at_taobao_and_in_history(fake_taobao: FakeTaobao, tmp_path: Path) -> None:
    env = shipped_first_parcel(fake_taobao, tmp_path)
    (job,) = jobs_of(env, ORDER)
    code, out, err = run(
        env, "queue", "resend", str(job["id"]), "--waybill", REPRINTED, "--reason", "label reprinted", "--by", "bob"
    )
    assert code == 0, out + err
    assert f"now ships with {REPRINTED}" in out and FIRST in out
    assert fake_taobao.orders[ORDER].out_sid == REPRINTED and fake_taobao.stats.resends[ORDER] == 1
    assert [j["waybill"] for j in jobs_of(env, ORDER)] == [REPRINTED]

    code, out, err = run(env, "history", ORDER, "--json")
    resend = [e for e in lines(out) if e["action"] == "resend"]
    assert len(resend) == 1 and resend[0]["actor"] == "person:bob", out
    assert FIRST in resend[0]["detail"] and "label reprinted" in resend[0]["detail"]

    # The new number went through the scan's checks: another carrier's format named with it is refused.
    code, out, err = run(
        env, "queue", "resend", str(job["id"]), "--waybill", "SF1234567890123", "--carrier", "YTO", "--reason", "x"
    )
    assert code == EXIT_RESEND_ERROR and "not a" in err and fake_taobao.stats.resends[ORDER] == 1


def test_a_resend_taobao_refuses_says_what_to_do_and_changes_nothing(fake_taobao: FakeTaobao, tmp_path: Path) -> None:
    env = shipped_first_parcel(fake_taobao, tmp_path)
    (job,) = jobs_of(env, ORDER)
    fake_taobao.age_shipment(ORDER, fake_taobao.resend_window * 2)
    code, out, err = run(
        env, "queue", "resend", str(job["id"]), "--waybill", REPRINTED, "--reason", "wrong label", "--by", "bob"
    )
    assert code == EXIT_RESEND_ERROR, out + err
    assert "已超过可修改运单号的时间" in err and "千牛卖家中心" in err and "淘宝客服" in err
    assert fake_taobao.orders[ORDER].out_sid == FIRST
    assert [j["waybill"] for j in jobs_of(env, ORDER)] == [FIRST]
    code, out, err = run(env, "history", ORDER, "--json")
    refused = [e for e in lines(out) if e["action"] == "resend_refused"]
    assert len(refused) == 1 and refused[0]["actor"] == "person:bob" and "wrong label" in refused[0]["detail"]
