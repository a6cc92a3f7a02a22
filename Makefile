# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export GX_ANALYTICS_ENABLED := false
export PREFECT_HOME ?= $(CURDIR)/.greenmfg/prefect-home
export DO_NOT_TRACK := 1

.PHONY: run test lint venv clean browser

# The report test renders in Debian's Chromium, with CJK fonts for the screenshot.
CHROMIUM := /usr/bin/chromium

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@mkdir -p $(PREFECT_HOME)
	$(BIN)/greenmfg run

# Two test processes (pytest-xdist): most tests wait on servers and subprocesses, so two share 2 cores well
# (1,200 tests: 9.3 min instead of 14.5). A file's tests stay in one process, in order: they share module
# fixtures (a stack, a server) and some follow on from the one before. pytest's exit status passes through.
test: $(STAMP) $(CHROMIUM)
	@mkdir -p $(PREFECT_HOME)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadfile

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "make: the report test needs Debian's chromium: sudo apt-get install chromium fonts-noto-cjk"; exit 2; fi

browser: $(CHROMIUM)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .greenmfg
