# Every command README.md names.  `make demo` and `make test` work on a fresh
# Debian/Ubuntu machine: they install what the project needs first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
WAYBILL := $(VENV)/bin/waybill
# Debian packages: zbar for the pyzbar engine, CJK fonts for the sample
# generator, PostgreSQL for the storage tests.
DEB_PACKAGES := libzbar0 fonts-wqy-microhei fonts-wqy-zenhei fonts-dejavu-core postgresql
DEMO_DB := .tmp/demo.db
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup setup-paddle system-packages demo test bench samples clean

system-packages: .tmp/.system-packages
.tmp/.system-packages:
	@mkdir -p .tmp
	@if ! dpkg -s $(DEB_PACKAGES) >/dev/null 2>&1; then \
		echo "installing Debian packages: $(DEB_PACKAGES)"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $(DEB_PACKAGES); \
	fi
	@touch $@

$(VENV)/.base: pyproject.toml | system-packages
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test,postgres]'
	@touch $@

# The paddle extra pulls opencv-python and opencv-contrib-python beside the
# headless build rapidocr uses; collapse them to one distribution so cv2 is
# one consistent library.
$(VENV)/.paddle: $(VENV)/.base
	$(PIP) install -q -e '.[test,postgres,paddle]'
	bash scripts/one_opencv.sh $(PY)
	@touch $@

setup: $(VENV)/.base
setup-paddle: $(VENV)/.paddle

demo: setup
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(WAYBILL) orders import samples/orders.csv --db sqlite:///$(DEMO_DB)
	$(WAYBILL) scan samples/photos --db sqlite:///$(DEMO_DB)
	$(WAYBILL) queue list --db sqlite:///$(DEMO_DB)

test: setup-paddle
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/run.py
	$(PY) bench/barcodes.py

samples: setup
	$(PY) samples/generate.py --out samples --count 40 --seed 7

clean:
	rm -rf .tmp bench/out .pytest_cache
