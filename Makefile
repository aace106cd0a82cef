# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint system-deps bench clean

$(STAMP): pyproject.toml package.json package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	@bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error  # the UI's graph, charts and map (served by the app)
	@touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

demo: $(STAMP)
	$(BIN)/tessera demo --output demo-output

lint: $(STAMP)
	$(BIN)/ruff check tessera tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: $(STAMP) system-deps lint
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_hashing.py
	$(BIN)/python benchmarks/bench_index.py --sizes 1000000

clean:
	rm -rf $(VENV) node_modules demo-output .pytest_cache .ruff_cache .mypy_cache
