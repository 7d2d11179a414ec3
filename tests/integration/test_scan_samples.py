"""End to end: the real `waybill` command on the bundled sample photos and orders export."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
WAYBILL = [sys.executable, "-m", "capture.cli"]


def waybill(*args: str, db: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WAYBILL, *args, "--db", db], capture_output=True, text=True, check=check, cwd=ROOT, timeout=900
    )


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def truth() -> dict[str, dict]:
    rows = [
        json.loads(line) for line in (SAMPLES / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return {str(SAMPLES / r["file"]): r for r in rows}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, truth) -> tuple[str, dict[str, dict], subprocess.CompletedProcess[str]]:
    db = f"sqlite:///{tmp_path_factory.mktemp('db') / 'scan.db'}"
    waybill("orders", "import", str(SAMPLES / "orders.csv"), db=db)
    proc = waybill("scan", str(SAMPLES / "photos"), "--json", db=db, check=False)
    assert proc.returncode == 4, proc.stderr  # the set has a corrupt photo on purpose: not every photo was read
    return db, {r["path"]: r for r in json_lines(proc.stdout)}, proc


def evidence_by_path(db: str) -> dict[str, dict]:
    import sqlite3

    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        return {path: json.loads(evidence) for path, evidence in conn.execute("SELECT path, evidence FROM scans")}


def test_a_clear_label_is_decided_without_reading_all_of_it_and_a_review_reads_it_all(scanned, truth):
    db, results, _proc = scanned
    evidence = evidence_by_path(db)
    queued = [p for p, r in results.items() if r["status"] == "queued"]
    reviewed = [p for p, r in results.items() if r["status"] == "review"]
    # Most queue decisions stop once the number, the recipient and the first address line settle them...
    early = [p for p in queued if evidence[p]["ocr_lines_unread"] > 0]
    assert len(early) >= len(queued) * 3 // 4, f"only {len(early)} of {len(queued)} queued photos stopped early"
    # ... having read the printed number and agreeing with the barcode.
    assert all(results[p]["via"] == "barcode+ocr" for p in early)
    # A photo waiting for a person has every line of its label read.
    assert reviewed and all(evidence[p]["ocr_lines_unread"] == 0 for p in reviewed)


def test_every_sample_photo_gets_one_contract_object(scanned, truth):
    _db, results, _proc = scanned
    assert set(results) == set(truth)
    keys = {"path", "status", "waybill", "carrier", "via", "confidence", "order", "reasons", "ms"}
    for r in results.values():
        assert keys <= set(r)
        assert r["status"] in {"queued", "review", "rejected", "no_waybill", "error"}
        assert 0.0 <= r["confidence"] <= 1.0


def test_no_wrong_number_and_no_unsafe_queue(scanned, truth):
    _db, results, _proc = scanned
    for path, r in results.items():
        t = truth[path]
        on_label = {t.get("waybill"), t.get("old_waybill")} - {None}
        assert set(r["candidates"]) <= on_label, f"{path}: read {r['candidates']}, label has {on_label}"
        if r["status"] == "queued":
            assert t["expect_status"] == "queued", f"{path} queued but should be {t['expect_status']}"
            assert (r["waybill"], r["order"]) == (t["waybill"], t["order"]), path


def test_each_kind_gets_its_expected_status_and_reason(scanned, truth):
    _db, results, _proc = scanned
    mismatches = []
    for path, r in results.items():
        t = truth[path]
        if r["status"] != t["expect_status"] or (t.get("expect_reason") and t["expect_reason"] not in r["reasons"]):
            mismatches.append(
                f"{t['kind']}: {path} -> {r['status']} {r['reasons']} {r.get('detail')}; expected {t['expect_status']} {t.get('expect_reason')}"
            )
    assert not mismatches, "\n".join(mismatches)


def test_corrupt_photo_is_reported_and_the_batch_goes_on(scanned, truth):
    _db, results, proc = scanned
    corrupt = [p for p, t in truth.items() if t["expect_status"] == "error"]
    assert corrupt, "the sample set must contain a corrupt photo"
    for path in corrupt:
        assert results[path]["status"] == "error"
        assert results[path]["reasons"] == ["unreadable_image"]
        assert Path(path).exists(), "a bad photo is never deleted"
    assert proc.returncode == 4  # not every photo could be read (README: scan's exit statuses)
    assert "summary: photos" in proc.stderr


def test_scanning_the_same_photos_again_queues_nothing_new(scanned, truth):
    db, results, _proc = scanned
    before = json_lines(waybill("queue", "list", "--json", db=db).stdout)
    queued = [p for p, r in results.items() if r["status"] == "queued"]
    assert len(before) == len(queued) > 0
    again = json_lines(waybill("scan", *queued[:3], "--json", db=db).stdout)
    assert [r["status"] for r in again] == ["rejected"] * len(again)
    assert all(r["reasons"] == ["already_queued"] for r in again)
    after = json_lines(waybill("queue", "list", "--json", db=db).stdout)
    assert len(after) == len(before)
    assert {(e["order"], e["waybill"]) for e in after} == {(results[p]["order"], results[p]["waybill"]) for p in queued}


def test_queue_list_shows_order_waybill_carrier_status_and_time(scanned):
    db, _results, _proc = scanned
    table = waybill("queue", "list", db=db).stdout
    assert "order" in table and "waybill" in table and "carrier" in table and "pending" in table
    assert "in queue" in table


def test_decode_prints_what_the_engines_saw(truth):
    clean = next(p for p, t in truth.items() if t["kind"] == "clean")
    proc = subprocess.run([*WAYBILL, "decode", clean, "--json"], capture_output=True, text=True, check=True, cwd=ROOT)
    (body,) = json_lines(proc.stdout)
    assert body["path"] == clean
    assert any(b["text"].startswith(truth[clean]["waybill"]) and b["engine"] == "zxing" for b in body["barcodes"])
    assert any(truth[clean]["waybill"] in line["text"].replace(" ", "") for line in body["ocr"])
    assert all(len(b["box"]) == 4 for b in body["barcodes"] + body["ocr"])


def test_zbar_engine_is_selectable(tmp_path, truth):
    clean = next(p for p, t in truth.items() if t["kind"] == "clean")
    proc = subprocess.run(
        [*WAYBILL, "decode", clean, "--json", "--barcode-engine", "zbar"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    (body,) = json_lines(proc.stdout)
    assert [b["engine"] for b in body["barcodes"]] and all(b["engine"] == "zbar" for b in body["barcodes"])
    assert any(b["text"].startswith(truth[clean]["waybill"]) for b in body["barcodes"])


@pytest.mark.paddle
def test_paddle_ocr_engine_reads_a_sample_label(tmp_path, truth):
    pytest.importorskip("paddleocr")
    clean = next(p for p, t in truth.items() if t["kind"] == "clean")
    proc = subprocess.run(
        [*WAYBILL, "decode", clean, "--json", "--ocr-engine", "paddle"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=600,
    )
    (body,) = json_lines(proc.stdout)
    assert any(truth[clean]["waybill"] in line["text"].replace(" ", "") for line in body["ocr"])


def test_a_folder_with_junk_files_scans_only_photos(tmp_path, truth):
    clean = next(p for p, t in truth.items() if t["kind"] == "clean")
    shutil.copy(clean, tmp_path / "label.jpg")
    (tmp_path / ".DS_Store").write_bytes(b"\0\0")
    (tmp_path / "upload.jpg.part").write_bytes(b"\xff\xd8")
    (tmp_path / "notes.txt").write_text("not a photo")
    proc = waybill("scan", str(tmp_path), "--json", db=f"sqlite:///{tmp_path / 'j.db'}")
    assert [Path(r["path"]).name for r in json_lines(proc.stdout)] == ["label.jpg"]
    assert f"not read, not named as photos: {tmp_path / 'notes.txt'}" in proc.stderr  # said, not skipped silently


def test_missing_path_is_a_clear_error(tmp_path):
    proc = waybill("scan", str(tmp_path / "nope.jpg"), db=f"sqlite:///{tmp_path / 'e.db'}", check=False)
    assert proc.returncode == 4
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_scan_on_postgresql_queues_the_same_as_on_sqlite(pg_engine, pg_url, scanned, truth):
    """`--db postgresql+psycopg://...` runs the whole path on a real server."""
    _db, sqlite_results, _proc = scanned
    queued = sorted(p for p, r in sqlite_results.items() if r["status"] == "queued")[:4]
    waybill("orders", "import", str(SAMPLES / "orders.csv"), db=pg_url)
    results = json_lines(waybill("scan", *queued, "--json", db=pg_url).stdout)
    assert [(r["status"], r["waybill"], r["order"]) for r in results] == [
        ("queued", sqlite_results[p]["waybill"], sqlite_results[p]["order"]) for p in queued
    ]
    listed = json_lines(waybill("queue", "list", "--json", db=pg_url).stdout)
    assert sorted(e["waybill"] for e in listed) == sorted(r["waybill"] for r in results)
