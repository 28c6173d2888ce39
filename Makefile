# dynimg developer commands. `make serve` and `make test` are the two a newcomer needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
# Two stamps: RUNTIME says `pip install -e .` (what `make serve` needs) is done, STAMP that the
# test and development extras are too. STAMP depends on RUNTIME, so a venv made by `make serve`
# gets the extras at the next `make test`, and a changed pyproject.toml renews both.
RUNTIME := $(VENV)/.runtime
STAMP   := $(VENV)/.installed
# Not --quiet: pip's lines and progress bars (downloads, then installs) show what it is doing;
# a silent pip looked hung for up to two minutes.
PIP     := $(BIN)/python -m pip install

.PHONY: serve test check lint typecheck layers unit bench clean browser screenshots console-font

serve: $(RUNTIME)
	$(BIN)/dynimg serve

test: $(STAMP) check browser
	$(BIN)/python -m pytest

# The console's browser tests drive Debian's chromium through Playwright (which never downloads a
# browser here). Installed when missing and we are root (as CI is); otherwise say what is missing.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium for the console's browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      || echo "warning: could not install chromium; its tests will be skipped (fail with CI=true)"; \
	  else \
	    echo "warning: /usr/bin/chromium is missing; the console's browser tests will be skipped"; \
	    echo "         (install it: sudo apt-get install chromium)"; \
	  fi; }

check: lint typecheck layers

# The console's pages at 390 px and 1280 px into docs/console (a throwaway server; see the script).
screenshots: $(STAMP) browser
	$(BIN)/python tools/console_screenshots.py docs/console

# The console's small CJK face, after its Chinese text changed (tests/unit/test_console_font.py).
console-font: $(STAMP)
	$(BIN)/python tools/console_font.py

# The fast lane: tests that start no server, broker or browser (tests/unit), minus any marked
# slow; seconds, for the edit-test loop. `make test` still runs everything.
unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" tests/unit

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/ruff check src tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

# dynimg's bytecode is compiled first, as installing a package does: with PYTHONDONTWRITEBYTECODE
# set (as on this project's machines), an editable checkout otherwise compiles every module it
# imports on every start, about 0.15 s of a `dynimg render` (timed against a compiled binary).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m compileall -q src
	$(BIN)/python bench/run.py $(BENCH_ARGS)

$(BIN)/python:
	@$(PYTHON) -c "import sys; assert sys.version_info[:2] == (3, 11), sys.version" || { echo "error: dynimg needs Python 3.11 (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setup.py and the C source too: `pip install -e` compiles the lossy LZW encoder, and a venv
# holding an older build would call it with arguments it does not know.
$(RUNTIME): pyproject.toml setup.py src/dynimg/adapters/media/_lzw.c | $(BIN)/python
	@echo "installing dynimg and what it needs to serve into $(VENV)"
	$(PIP) -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	@echo "installing the test and development tools into $(VENV)"
	$(PIP) -e '.[test,dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
