# Two commands do everything on a fresh Debian/Ubuntu machine: `make site` and `make test`.
# Each installs what is missing first: a virtualenv in .venv/ with the pinned packages, and
# the system packages (poppler, a headless browser, fonts) through apt when it is present.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1

.PHONY: all site test validate serve system-deps clean reference bench webfonts

all: site

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $(STAMP)

# poppler-utils: pdftotext/pdffonts in tests; a browser for the browser tests; npm for
# axe-core; fonts-noto-core
# for Chromium's Arabic fallback. Pages, charts and PDFs use the fonts vendored in docs/assets/fonts.
system-deps:
	@missing=""; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  command -v google-chrome >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -q "Noto Naskh Arabic" || missing="$$missing fonts-noto-core"; \
	dpkg -s libpango-1.0-0 >/dev/null 2>&1 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "installing system packages:$$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing system packages:$$missing (install them with your package manager)"; exit 1; fi; \
	fi

validate: $(STAMP)
	$(BIN)/briefing validate data

site: $(STAMP) system-deps
	$(BIN)/briefing build --data data --out site

# A preview at http://127.0.0.1:8000/, rebuilt on every save of data/, templates/ or docs/
# (generator/preview.py); `make site` always builds everything, strictly.
serve: $(STAMP) system-deps
	$(BIN)/briefing serve --data data --port 8000

# Stage timings on synthetic data (benchmarks/README.md); e.g.
# make bench BENCH_ARGS="--sizes 300:10:2 --skip-serve"
bench: $(STAMP) system-deps
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# axe-core for the accessibility tests, pinned in tests/a11y/package-lock.json.
AXE := tests/a11y/node_modules/axe-core/axe.min.js
$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	cd tests/a11y && npm ci --no-audit --no-fund --silent
	touch $(AXE)

test: $(STAMP) system-deps $(AXE)
	$(BIN)/python -m pytest -q

clean:
	rm -rf site .cache

# The data-format reference is generated from the JSON Schemas (a test checks it is current).
reference: $(STAMP)
	$(BIN)/python -m generator.reference > docs/data-format.md

# The web fonts: WOFF2 subsets of the TTFs in docs/assets/fonts and the stylesheet declaring
# them (docs/assets/fonts/README.md; a test checks they are current).
webfonts: $(STAMP)
	$(BIN)/python docs/assets/fonts/webfonts.py
