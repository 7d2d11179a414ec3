#!/usr/bin/env bash
# Collapse the OpenCV distributions in a venv to exactly one.
#
# usage: scripts/one_opencv.sh VENV_PYTHON      e.g. scripts/one_opencv.sh .venv/bin/python
#
# Why: rapidocr and albumentations ask for opencv-python-headless, paddleocr
# for opencv-python *and* opencv-contrib-python, rapidocr_paddle for
# opencv-python.  All of them install the same `cv2` package directory, so
# with several installed the last one written wins file by file, and
# uninstalling or upgrading any one of them deletes files the others need
# (`import cv2` then fails).  opencv-contrib-python-headless is a superset of
# every cv2 API those packages call, with no GUI and so no libGL dependency,
# which a packing-desk server does not have.
#
# Run it after every `pip install` that may pull an OpenCV back in (the paddle
# extra does).  `pip check` will then list paddleocr, rapidocr, rapidocr_paddle
# and albumentations as wanting a distribution by another name: expected, the
# module they import is the same cv2.
#
# The version kept is the one that was installed (override: OPENCV_VERSION=x.y.z.n).
set -euo pipefail

PY="${1:?usage: $0 VENV_PYTHON}"
KEEP="opencv-contrib-python-headless"
ALL_DISTS=(opencv-python opencv-contrib-python opencv-python-headless opencv-contrib-python-headless)

# Installed OpenCV distributions as "name version" lines (names normalized).
installed_opencv() {
    "$PY" - "${ALL_DISTS[@]}" <<'EOF'
import importlib.metadata as md
import sys

wanted = set(sys.argv[1:])
for dist in md.distributions():
    name = (dist.metadata["Name"] or "").lower().replace("_", "-")
    if name in wanted:
        print(name, dist.version)
EOF
}

# True when the venv already holds only $KEEP and cv2 imports: nothing to do.
already_single() {
    local lines
    lines="$(installed_opencv)"
    [[ "$(wc -l <<<"$lines")" -eq 1 && "$lines" == "$KEEP "* ]] && "$PY" -c "import cv2" 2>/dev/null
}

# The version to keep: OPENCV_VERSION, else the installed one (the highest, if
# they differ: cv2 then holds a mix of files and the newest is the safest guess).
version_to_keep() {
    if [[ -n "${OPENCV_VERSION:-}" ]]; then
        echo "$OPENCV_VERSION"
        return
    fi
    installed_opencv | awk '{print $2}' | sort -V | tail -n 1
}

if already_single; then
    echo "one_opencv: only $KEEP is installed and cv2 imports; nothing to do"
    exit 0
fi

VERSION="$(version_to_keep)"
if [[ -z "$VERSION" ]]; then
    echo "one_opencv: no OpenCV distribution is installed in $PY's environment; install the project first" >&2
    exit 1
fi
echo "one_opencv: found: $(installed_opencv | tr '\n' ' ')"
echo "one_opencv: keeping $KEEP==$VERSION"

# Remove every one (including $KEEP) so no half-overwritten cv2 files remain.
"$PY" -m pip uninstall --yes "${ALL_DISTS[@]}"
# --no-deps: its only dependency is numpy, already pinned by the rest of the stack.
"$PY" -m pip install --no-deps "$KEEP==$VERSION"

"$PY" -c "import cv2; print('one_opencv: cv2', cv2.__version__, 'from', cv2.__file__)"
count="$(installed_opencv | wc -l)"
if [[ "$count" -ne 1 ]]; then
    echo "one_opencv: expected one OpenCV distribution, found $count" >&2
    exit 1
fi
