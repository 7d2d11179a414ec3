"""End to end: `waybill review`, `waybill history` and desk pairing with the real CLI on generated photos.

The sample photos come from samples/generate.py; the pick list is a Code128
of an order number, made here the way a pick-list printer makes it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
WAYBILL = [sys.executable, "-m", "capture.cli"]
EXIT_REVIEW_ERROR = 13
PICK_LIST_MODULE_PX = 3
PICK_LIST_MARGIN_PX = 60


def waybill(
    *args: str, db: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WAYBILL, *args, "--db", db],
        capture_output=True,
        text=True,
        check=check,
        cwd=ROOT,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def truth() -> dict[str, dict]:
    rows = [
        json.loads(line) for line in (SAMPLES / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return {r["kind"] + ":" + r["file"]: r for r in rows}


def sample(truth: dict[str, dict], kind: str, nth: int = 0) -> tuple[Path, dict]:
    rows = sorted((r for r in truth.values() if r["kind"] == kind), key=lambda r: r["file"])
    return SAMPLES / rows[nth]["file"], rows[nth]


def pick_list_photo(tid: str, path: Path) -> Path:
    bars = np.asarray(
        zxingcpp.create_barcode(tid, zxingcpp.BarcodeFormat.Code128).to_image(
            scale=PICK_LIST_MODULE_PX, add_quiet_zones=True
        )
    )
    bars = cv2.resize(bars, (bars.shape[1], 120), interpolation=cv2.INTER_NEAREST) if bars.shape[0] < 120 else bars
    page = cv2.copyMakeBorder(
        bars,
        PICK_LIST_MARGIN_PX,
        PICK_LIST_MARGIN_PX,
        PICK_LIST_MARGIN_PX,
        PICK_LIST_MARGIN_PX,
        cv2.BORDER_CONSTANT,
        value=255,
    )
    cv2.imwrite(str(path), page)
    return path


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory, truth):
    """Three photos that need a person, scanned into a fresh database."""
    db = f"sqlite:///{tmp_path_factory.mktemp('review') / 'r.db'}"
    waybill("orders", "import", str(SAMPLES / "orders.csv"), db=db)
    photos = [sample(truth, "ambiguous")[0], sample(truth, "reused_box")[0], sample(truth, "no_order")[0]]
    scanned = json_lines(waybill("scan", *map(str, photos), "--json", db=db).stdout)
    assert [r["status"] for r in scanned] == ["review"] * 3
    return db, {Path(r["path"]).stem.split("_", 1)[1]: r for r in scanned}


def test_review_lists_what_waits_with_its_evidence(reviewed):
    db, _scanned = reviewed
    items = {Path(i["path"]).stem.split("_", 1)[1]: i for i in json_lines(waybill("review", "--json", db=db).stdout)}
    assert set(items) == {"ambiguous", "reused_box", "no_order"}
    ambiguous = items["ambiguous"]
    assert ambiguous["reasons"] == ["ambiguous_order"] and len(ambiguous["numbers"]) == 1
    assert len(ambiguous["orders"]) >= 2 and all(o["score"] >= 0.8 for o in ambiguous["orders"][:2])
    assert ambiguous["suggested_order"] is None
    assert len(items["reused_box"]["numbers"]) == 2 and items["reused_box"]["suggested_waybill"] is None
    table = waybill("review", db=db).stdout
    assert "3 waiting for review" in table and "waybill review accept" in table


def test_a_person_settles_each_item_from_the_command_line(reviewed, truth):
    db, _scanned = reviewed
    items = {Path(i["path"]).stem.split("_", 1)[1]: i for i in json_lines(waybill("review", "--json", db=db).stdout)}

    ambiguous = items["ambiguous"]
    chosen = ambiguous["orders"][1]["tid"]
    done = waybill("review", "accept", str(ambiguous["id"]), "--order", chosen, "--by", "alice", db=db)
    assert f"queued {ambiguous['numbers'][0]['number']}" in done.stdout and chosen in done.stdout

    reused = items["reused_box"]
    _photo, reused_truth = sample(truth, "reused_box")
    refused = waybill("review", "accept", str(reused["id"]), db=db, check=False)
    assert refused.returncode == EXIT_REVIEW_ERROR and "--waybill" in refused.stderr
    done = waybill("review", "accept", str(reused["id"]), "--waybill", reused_truth["waybill"], "--by", "alice", db=db)
    assert reused_truth["order"] in done.stdout  # the recipient named the order; the person named the number

    lost = items["no_order"]
    bad = waybill("review", "correct", str(lost["id"]), "SF123", "--order", chosen, db=db, check=False)
    assert bad.returncode == EXIT_REVIEW_ERROR and "not a waybill number" in bad.stderr
    assert waybill("review", "reject", str(lost["id"]), "--note", "not ours", "--by", "bob", db=db).returncode == 0
    assert "0 waiting for review" in waybill("review", db=db).stdout

    queue = {(e["order"], e["waybill"]) for e in json_lines(waybill("queue", "list", "--json", db=db).stdout)}
    assert queue == {(chosen, ambiguous["numbers"][0]["number"]), (reused_truth["order"], reused_truth["waybill"])}

    story = json_lines(waybill("history", ambiguous["numbers"][0]["number"], "--json", db=db).stdout)
    assert [(e["actor"], e["action"], e["status"]) for e in story] == [
        ("auto:pipeline", "scan", "review"),
        ("person:alice", "review_accept", "queued"),
    ]
    assert story[0]["evidence"]["path"].endswith(Path(ambiguous["path"]).name)
    text = waybill("history", chosen, db=db).stdout
    assert "person:alice" in text and "upload job" in text
    rejected = json_lines(waybill("history", lost["numbers"][0]["number"], "--json", db=db).stdout)
    assert [(e["actor"], e["action"], e["detail"]) for e in rejected][-1] == ("person:bob", "review_reject", "not ours")


def test_desk_pairing_with_a_pick_list_photo_and_with_the_pair_command(tmp_path, truth):
    db = f"sqlite:///{tmp_path / 'desk.db'}"
    waybill("orders", "import", str(SAMPLES / "orders.csv"), db=db)
    first, second = sample(truth, "ambiguous", 1)[0], sample(truth, "ambiguous", 2)[0]
    desk = {"WAYBILL_DESK_STATION": "desk1"}

    def fitting(photo: Path) -> list[str]:
        (item,) = [
            i for i in json_lines(waybill("review", "--json", db=db).stdout) if Path(i["path"]).name == photo.name
        ]
        return [o["tid"] for o in item["orders"][:2]]

    # Without a desk the photo fits two orders of one buyer: review.
    assert json_lines(waybill("scan", str(first), "--json", db=db).stdout)[0]["status"] == "review"
    chosen = fitting(first)[1]

    # Pick list, then label: the label goes to the pick list's order.
    pick = pick_list_photo(chosen, tmp_path / "pick.png")
    pick_result, label_result = json_lines(waybill("scan", str(pick), str(first), "--json", db=db, env=desk).stdout)
    assert (
        pick_result["status"] == "no_waybill"
        and pick_result["reasons"] == ["pick_list"]
        and pick_result["order"] == chosen
    )
    assert label_result["status"] == "queued" and label_result["order"] == chosen

    # Label, then the pick list typed or scanned into `waybill pair`: the held label is settled.
    (held,) = json_lines(waybill("scan", str(second), "--json", db=db, env=desk).stdout)
    assert held["status"] == "review"
    order = fitting(second)[0]
    paired = json.loads(waybill("pair", order, "--station", "desk1", "--json", db=db).stdout)
    assert (paired["state"], paired["status"], paired["label_scan_id"]) == ("paired", "queued", held["scan_id"])
    story = json_lines(waybill("history", order, "--json", db=db).stdout)
    assert [(e["actor"], e["action"], e["status"]) for e in story] == [
        ("auto:pipeline", "scan", "review"),
        ("auto:desk:desk1", "desk_pair", "queued"),
    ]
