"""Order import speed and memory: a 200,000-row order report as CSV (GBK) and .xlsx, against a baseline.

    python bench/orders_import.py [--rows 200000] [--baseline-ref main] [--keep]

1. An order report (订单报表) with the columns the back office writes is
   generated (fixed seed): receiver, masked-looking mobile, address, status,
   buyer message with a phone in it, seller note, 宝贝标题 and 宝贝总数量.
   Written once as GBK CSV and once as .xlsx (openpyxl, write-only), under
   bench/out/orders-import-<rows>/ (kept for the next run).
2. Each import runs in a fresh process against a fresh SQLite file: this
   branch's `import_orders` on the CSV and on the .xlsx, and the baseline
   (the code at --baseline-ref, exported with `git archive` to a temporary
   folder and run from there with the same interpreter) on the CSV; the
   baseline cannot read .xlsx.
3. Figures per run: wall seconds of import + commit, and the process's peak
   resident memory (ru_maxrss, which includes the interpreter and libraries).

The machine is shared; compare each figure with the baseline of the same run.
Targets (issue 14): at most 10 s and 400 MB for 200,000 rows.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
HEADER = (
    "订单编号",
    "买家会员名",
    "订单状态",
    "买家留言",
    "收货人姓名",
    "收货地址",
    "联系手机",
    "宝贝标题",
    "宝贝总数量",
    "物流单号",
    "物流公司",
    "订单备注",
)
STATUSES = ("买家已付款，等待卖家发货", "卖家已发货，等待买家确认", "交易成功", "交易关闭")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
CITIES = ("浙江省 杭州市 西湖区", "江苏省 苏州市 吴中区", "广东省 深圳市 南山区", "四川省 成都市 武侯区")
BASE_TID = 2751925651800000000
TARGET_S = 10.0
TARGET_MB = 400.0

# Runs in the child: import one file into a new SQLite database, print seconds and peak MB.
CHILD = """
import json, resource, sys, time
from pathlib import Path
from capture.store.db import open_engine, session_scope
from capture.store.orders_import import import_orders
engine = open_engine("sqlite:///" + sys.argv[2])
start = time.perf_counter()
with session_scope(engine) as session:
    report = import_orders(session, Path(sys.argv[1]))
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "added": report.added, "problems": len(report.problems)}))
"""


def rows(count: int, seed: int = 14) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    made: list[tuple[str, ...]] = []
    for n in range(count):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        mobile = f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}"
        made.append(
            (
                str(BASE_TID + n),
                f"tb_{rng.randint(0, 10**8)}",
                rng.choice(STATUSES),
                rng.choice(("", "", "请尽快发货", f"到了打{mobile}")),
                name,
                f"{rng.choice(CITIES)} 文{rng.randint(1, 999)}路{rng.randint(1, 99)}号",
                mobile,
                rng.choice(("纯棉T恤", "帆布包", "保温杯", "数据线")),
                str(rng.randint(1, 3)),
                "",
                "",
                rng.choice(("", "", "送小样")),
            )
        )
    return made


def write_files(count: int) -> tuple[Path, Path]:
    folder = OUT / f"orders-import-{count}"
    csv_path, xlsx_path = folder / "orders.csv", folder / "orders.xlsx"
    if csv_path.exists() and xlsx_path.exists():
        return csv_path, xlsx_path
    folder.mkdir(parents=True, exist_ok=True)
    data = rows(count)
    text = "\r\n".join(",".join(row) for row in [HEADER, *data]) + "\r\n"
    csv_path.write_bytes(text.encode("gbk"))
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("订单报表")
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    book.save(xlsx_path)
    return csv_path, xlsx_path


def run_import(code_root: Path, path: Path, db_folder: Path, label: str) -> dict:
    db = db_folder / f"{label}.db"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(db)],
        capture_output=True,
        text=True,
        cwd=code_root,
        env={"PYTHONPATH": str(code_root), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{label} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_baseline(ref: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "capture"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--baseline-ref", default="main")
    args = parser.parse_args()
    csv_path, xlsx_path = write_files(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        baseline_root = export_baseline(args.baseline_ref, work / "baseline")
        results = [
            (f"baseline ({args.baseline_ref}), CSV", run_import(baseline_root, csv_path, work, "baseline-csv")),
            ("this branch, CSV (GBK)", run_import(ROOT, csv_path, work, "csv")),
            ("this branch, .xlsx", run_import(ROOT, xlsx_path, work, "xlsx")),
        ]
    base_s = results[0][1]["seconds"]
    print(f"{args.rows:,} rows; targets: <= {TARGET_S:g} s, <= {TARGET_MB:g} MB")
    print(f"{'run':<28} {'seconds':>8} {'x baseline':>10} {'peak MB':>8} {'added':>8} {'problems':>8}")
    for label, r in results:
        ratio = r["seconds"] / base_s
        print(f"{label:<28} {r['seconds']:8.1f} {ratio:10.2f} {r['peak_mb']:8.0f} {r['added']:8,} {r['problems']:8}")


if __name__ == "__main__":
    main()
