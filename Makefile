# policykg: the two everyday commands are `make serve` and `make test` (see README.md).
SHELL := /bin/bash
STORE ?= data/store
CORPUS ?= ../shared/corpus
HOST ?= 127.0.0.1
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: setup serve ingest test lint bench

# Environment from the lock file (uv.lock), front-end packages from package-lock.json.
setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet 'uv>=0.5,<1'
	$(UV) sync --frozen
	@if [ -f api/static/package-lock.json ]; then npm ci --prefix api/static --no-audit --no-fund --loglevel=error; fi

ingest: setup
	$(UV) run policykg --store $(STORE) ingest $(CORPUS)

serve: ingest
	$(UV) run policykg --store $(STORE) serve --host $(HOST) --port $(PORT)

test: setup
	$(UV) run pytest

lint: setup
	$(UV) run ruff check .
	$(UV) run mypy loaders ontology graph api policykg

bench: setup
	$(UV) run python benchmarks/bench_ingest.py
	$(UV) run python benchmarks/bench_queries.py
