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

# Benchmarks print figures (benchmarks/README.md records them). The corpus-scale ones take
# about half an hour on 2 cores; BENCH_STORE is the UN General Debate store they build and use.
BENCH_STORE ?= data/bench/store-ungdc
bench: setup
	$(UV) run python benchmarks/bench_readers.py
	$(UV) run python benchmarks/bench_extract.py
	$(UV) run python benchmarks/bench_ingest.py --store $(BENCH_STORE) --links none
	$(UV) run python benchmarks/bench_links.py --store $(BENCH_STORE) --in-place
	$(UV) run python benchmarks/bench_queries.py --store $(BENCH_STORE)
