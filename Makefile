# Two entry points: `make run` serves the help center, `make test` checks everything.
# `make run` serves through the production server (granian); `make dev` through Werkzeug's
# development server, which restarts when a Python file changes.
# Each sets up what it needs first, and only what changed: the virtual environment when the
# requirements change, the knowledge base when docs/, mkdocs.yml or the facts it renders change.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_VENV := $(VENV)/.installed
STAMP_SITE := site/.built

# The site also renders facts defined in the portal package (contact details, rules, scenarios),
# and portal/site.py compresses it.
SITE_SOURCES := mkdocs.yml $(shell find docs -type f -not -path '*/__pycache__/*') \
	$(wildcard portal/knowledge.py portal/sources.py portal/orders/rules.py portal/requests/scenarios.py \
	portal/gelato/assumptions.py portal/site.py) $(wildcard portal/api/*.py)

.PHONY: run dev test lint site bench clean

run: $(STAMP_VENV) $(STAMP_SITE)
	$(BIN)/python app.py

dev: $(STAMP_VENV) $(STAMP_SITE)
	$(BIN)/python app.py --reload

test: $(STAMP_VENV) $(STAMP_SITE) lint
	$(BIN)/pytest --numprocesses auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder

lint: $(STAMP_VENV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

site: $(STAMP_SITE)

$(STAMP_VENV): requirements.txt requirements-test.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

# mkdocs build also compresses what it wrote (docs/compress.py), reusing the compressed copies
# in .cache/ of every file that did not change.
$(STAMP_SITE): $(STAMP_VENV) $(SITE_SOURCES)
	$(BIN)/mkdocs build --strict
	touch $@

bench: $(STAMP_VENV) $(STAMP_SITE)
	$(BIN)/python benchmarks/static_throughput.py

clean:
	rm -rf site .cache $(VENV)
