# Every command README.md names.  `make demo` and `make test` work on a fresh
# Debian/Ubuntu machine: they install what the project needs first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
WAYBILL := $(VENV)/bin/waybill
# Debian packages: zbar for the pyzbar engine, CJK fonts for the sample
# generator, PostgreSQL for the storage tests, Chromium for the desk pages'
# browser tests (Playwright drives it; it cannot download a browser here),
# espeak-ng for the desk's offline spoken prompts (语音播报, Mandarin voice).
DEB_PACKAGES := libzbar0 fonts-wqy-microhei fonts-wqy-zenhei fonts-dejavu-core postgresql chromium espeak-ng
# The stamp's name carries a hash of the list: a package added to it makes a
# new stamp, so a machine that installed the old list installs again.
SYSTEM_PACKAGES_STAMP := .tmp/.system-packages-$(shell echo '$(DEB_PACKAGES)' | sha256sum | cut -c1-12)
DEMO_DB := .tmp/demo.db
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup setup-test system-packages lock lock-upgrade migration check demo test bench bench-standard bench-match bench-upload bench-sources bench-orders bench-desk bench-soak bench-video samples screenshots clean

system-packages: $(SYSTEM_PACKAGES_STAMP)
$(SYSTEM_PACKAGES_STAMP):
	@mkdir -p .tmp
	@if ! dpkg -s $(DEB_PACKAGES) >/dev/null 2>&1; then \
		echo "installing Debian packages: $(DEB_PACKAGES)"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $(DEB_PACKAGES); \
	fi
	@touch $@

# uv installs the environment from uv.lock and nothing else: `--locked` fails
# when pyproject.toml and the lock disagree, instead of resolving afresh.  uv
# itself comes pinned by hash (scripts/uv-requirements.txt).
TOOLS := .tmp/tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

$(UV): scripts/uv-requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --require-hashes -r scripts/uv-requirements.txt
	@touch $@

# The demo needs the base install only; --inexact keeps extras a test run
# installed.  The tests need every extra and the check tools.
setup: $(UV) | system-packages
	$(UV) sync --locked --inexact --extra postgres
setup-test: $(UV) | system-packages
	$(UV) sync --locked --all-extras --group check

# Refresh the lock on purpose: `make lock` after editing pyproject.toml keeps
# every other pin; `make lock-upgrade` takes the newest release each range allows.
lock: $(UV)
	$(UV) lock
lock-upgrade: $(UV)
	$(UV) lock --upgrade

# A new schema revision from what changed in capture/store/tables.py (README: Database upgrades).
migration: setup
	$(PY) scripts/new_migration.py "$(MESSAGE)"

demo: setup
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(WAYBILL) orders import samples/orders.csv --db sqlite:///$(DEMO_DB)
	$(WAYBILL) scan samples/photos --db sqlite:///$(DEMO_DB) || [ $$? -eq 4 ]  # 4: the samples hold a corrupt photo on purpose
	$(WAYBILL) queue list --db sqlite:///$(DEMO_DB)

# Lint, format and types; and the lock must match pyproject.toml.
CHECKED := capture tests bench samples scripts
check: setup-test
	$(UV) lock --check
	$(VENV)/bin/ruff check $(CHECKED)
	$(VENV)/bin/ruff format --check $(CHECKED)
	$(VENV)/bin/mypy $(CHECKED)
	$(PY) scripts/check_imports.py
	$(PY) scripts/check_sizes.py

test: setup-test
	$(PY) -m pytest -q

bench: setup-test
	$(PY) bench/run.py
	$(PY) bench/independent_labels.py
	$(PY) bench/barcodes.py
	$(PY) bench/upload.py
	$(PY) bench/match.py
	$(PY) bench/sources.py
	$(PY) bench/desk.py
	$(PY) bench/desk_camera.py
	$(PY) bench/soak.py
	$(PY) bench/video.py

# Drop folder photos/s with 1 and 2 workers over 200 photos; camera fps at
# 720p and time from a steady label to its event (median, p95).
bench-sources: setup
	$(PY) bench/sources.py

# Soak: `waybill watch --workers 2` taking 2,000 photos dropped in bursts with slow writers,
# duplicates and corrupt files; lost and handled twice must be 0; peak memory and photos/s.
bench-soak: setup
	$(PY) bench/soak.py

# Packing videos: MB per recorded minute at 720p, CPU per recorded hour, camera fps with and
# without recording in the same run, and steady label to event with recording on.
bench-video: setup
	$(PY) bench/video.py

# The independent label family (samples/standard_labels): tune and held-out
# splits, this pipeline beside raw zxing-cpp, one row each.
bench-standard: setup
	$(PY) bench/independent_labels.py

# Matching alone: right order, wrong-order queues, review rate, ms per match at
# 2,000 and 50,000 open orders (reads the photos once, then reuses their facts).
bench-match: setup
	$(PY) bench/match.py

# Upload throughput to the loopback Taobao fake: 1, 2, 4 workers on a
# throwaway PostgreSQL, 1 on SQLite; duplicate sends must be 0.
bench-upload: setup
	$(PY) bench/upload.py

# Gun reads through the HTTP API, 4 stations at once on SQLite and PostgreSQL: reads/s, median and p95;
# then gun read to screen in Debian chromium.  Needs the web and test extras, hence setup-test.
# Order import: a 200,000-row order report as CSV and .xlsx against the baseline ref (main), seconds and peak MB.
bench-orders: setup
	$(PY) bench/orders_import.py

bench-desk: setup-test
	$(PY) bench/desk.py
	$(PY) bench/desk_camera.py

# The README's two pictures of `waybill serve` (Playwright on Debian chromium).
screenshots: setup-test
	$(PY) scripts/desk_screenshots.py docs

samples: setup
	$(PY) samples/generate.py --out samples --count 40 --seed 7

clean:
	rm -rf .tmp bench/out .pytest_cache
