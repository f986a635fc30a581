"""Extraction speed on real UN General Assembly speeches: documents per second, per stage.

Reads speeches from the UN General Debate Corpus tarball (every ``--every``-th one, so
every decade is represented), then:

1. times each extraction stage (metadata, entities, dates, events, stances) in this
   process, against the reader stage (decoding and boilerplate removal) as the baseline
   measured in the same run;
2. runs the whole extraction over the same speeches in ``--workers`` processes (one per
   core by default), as ingest does, and prints documents per second, MB per second and
   the time the full corpus would take at that rate.

    uv run python benchmarks/bench_extract.py                  # every 5th speech (~2,200)
    uv run python benchmarks/bench_extract.py --every 1        # the whole corpus
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loaders import dates, entities, events, metadata, stances  # noqa: E402
from loaders.gazetteer import load_gazetteer  # noqa: E402
from loaders.pipeline import extract  # noqa: E402
from loaders.records import Document  # noqa: E402
from loaders.ungdc import UngdcCorpus  # noqa: E402

DEFAULT_ARCHIVE = ROOT / ".." / "shared" / "datasets" / "ungdc-1946-2024.tar.gz"
FULL_CORPUS = 10_953


def sample(archive: Path, every: int) -> tuple[list[Document], float, int]:
    """Every ``every``-th speech, the seconds spent reading them all, and how many were read."""
    started = time.perf_counter()
    kept, seen = [], 0
    for number, document in enumerate(UngdcCorpus(archive)):
        seen += 1
        if number % every == 0:
            kept.append(document)
    return kept, time.perf_counter() - started, seen


def stage_times(documents: list[Document]) -> dict[str, list[float]]:
    """Milliseconds per document of each stage, run in order as the pipeline runs them."""
    gaz = load_gazetteer()
    stages = ("metadata", "entities", "dates", "events", "stances")
    times: dict[str, list[float]] = {name: [] for name in stages}
    for document in documents:
        t0 = time.perf_counter()
        meta = metadata.extract_metadata(document, gaz)
        t1 = time.perf_counter()
        found = entities.extract_entities(document, meta, gaz)
        t2 = time.perf_counter()
        found_dates = dates.find_dates(document.body, meta.date)
        t3 = time.perf_counter()
        events.extract_events(document, meta, found, found_dates)
        t4 = time.perf_counter()
        stances.extract_stances(document, meta, found)
        t5 = time.perf_counter()
        for name, seconds in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            times[name].append(seconds * 1000)
    return times


def _warm() -> None:
    load_gazetteer()


def _extract_counts(document: Document) -> tuple[int, int, int]:
    result = extract(document)
    return len(result.entities), len(result.events), len(result.stances)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--every", type=int, default=5, help="keep every N-th speech (1: all)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if not args.archive.exists():
        sys.exit(f"{args.archive}: not found (the shared datasets folder must sit beside the checkout)")

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    documents, read_s, seen = sample(args.archive, args.every)
    megabytes = sum(len(d.text.encode()) for d in documents) / 1e6
    print(f"speeches: {len(documents):,} of {seen:,} (every {args.every}), {megabytes:.1f} MB of text")
    print(
        f"reader (baseline): {read_s / seen * 1000:6.2f} ms per speech "
        f"(decode + boilerplate, all {seen:,})"
    )

    load_gazetteer()  # built once per process; not a per-document cost
    times = stage_times(documents)
    total = [sum(parts) for parts in zip(*times.values(), strict=True)]
    print("\n== one process, per stage (ms per speech: mean / p50 / p99) ==")
    for name, values in (*times.items(), ("all stages", total)):
        ordered = sorted(values)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"{name:<12} {statistics.fmean(values):7.2f} {statistics.median(values):7.2f} {p99:8.2f}")
    single_rate = 1000 / statistics.fmean(total)
    print(f"one process: {single_rate:.1f} speeches/s "
          f"(extraction is {statistics.fmean(total) / (read_s / seen * 1000):.0f}x the reader's cost)")

    print(f"\n== {args.workers} worker processes (as ingest runs it) ==")
    with ProcessPoolExecutor(args.workers, initializer=_warm) as pool:
        list(pool.map(_warm_noop, range(args.workers)))
        started = time.perf_counter()
        counts = list(pool.map(_extract_counts, documents, chunksize=8))
        wall = time.perf_counter() - started
    rate = len(documents) / wall
    found = [sum(c[i] for c in counts) for i in range(3)]
    print(f"wall {wall:.1f} s: {rate:.1f} speeches/s, {megabytes / wall:.2f} MB/s "
          f"({rate / single_rate:.2f}x one process)")
    print(f"found {found[0]:,} entities, {found[1]:,} events, {found[2]:,} stances "
          f"({' / '.join(f'{n / len(documents):.1f}' for n in found)} per speech)")
    print(f"full corpus ({FULL_CORPUS:,} speeches) at this rate: {FULL_CORPUS / rate / 60:.1f} min")


def _warm_noop(_: int) -> None:
    """Makes every worker start (and load the gazetteer) before the clock starts."""


if __name__ == "__main__":
    main()
