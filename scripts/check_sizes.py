"""Keep capture/ in small pieces: no file over 400 lines, no function over 60.

usage: .venv/bin/python scripts/check_sizes.py      (make check runs it)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    where = path.relative_to(ROOT)
    found = []
    if text.count("\n") > MAX_FILE_LINES:
        found.append(f"{where}: {text.count(chr(10))} lines (at most {MAX_FILE_LINES})")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{where}:{node.lineno}: {node.name} is {length} lines (at most {MAX_FUNCTION_LINES})")
    return found


def main() -> int:
    paths = sorted((ROOT / "capture").rglob("*.py"))
    found = [p for path in paths for p in problems(path)]
    for problem in found:
        print(problem, file=sys.stderr)
    print(f"{len(paths)} files: {len(found)} too long")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
