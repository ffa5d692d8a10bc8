# Scopecast: `make demo` and `make test` are all a newcomer needs (see README.md).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
NPX    := node_modules/.bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install demo serve test lint format bench clean protocol-types

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py make_demo_slides
	SITE_ROOT="$${SITE_ROOT:-http://$(HOST):$(PORT)}" $(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

# The browser client's unit tests (node's test runner, tests/js), then pytest.
test: install
	node --test tests/js/*.test.js
	$(BIN)/pytest

# Python (ruff, mypy), then JavaScript: tsc on the browser code and on the
# Node.js code (tests, tools), then eslint (docs/frontend.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(NPX)/tsc -p tsconfig.json
	$(NPX)/tsc -p tsconfig.node.json
	$(NPX)/eslint .

# The client's frame types from the server's models (docs/frontend.md):
# manage.py protocol_schema -> frontend/types/generate.js -> protocol.d.ts,
# and manage.py page_schema -> pages.d.ts (the pages' json_script data).
protocol-types: install
	@tmp=$$(mktemp) && trap 'rm -f "$$tmp"' EXIT && \
	$(PY) manage.py protocol_schema --output "$$tmp" && \
	node frontend/types/generate.js "$$tmp" frontend/types/protocol.d.ts && \
	$(PY) manage.py page_schema --output "$$tmp" && \
	node frontend/types/generate.js "$$tmp" frontend/types/pages.d.ts Pages && \
	echo "wrote frontend/types/protocol.d.ts and frontend/types/pages.d.ts"

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py make_demo_slides
	$(PY) bench/tiles.py
	$(PY) bench/fanout.py
	$(PY) bench/quiz_burst.py

clean:
	rm -rf $(VENV) node_modules var/static .pytest_cache .mypy_cache .ruff_cache
