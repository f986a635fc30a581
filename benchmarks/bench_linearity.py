"""Is extraction linear in input size? Seconds per MB from 10 KB to 10 MB.

    uv run python benchmarks/bench_linearity.py [--sizes 10k,100k,1m,10m] [--one-line]
                                                [--timeout 300]

Inputs are real speeches of the UN General Debate corpus (its archive beside the
checkout), concatenated until the size is reached; ``--one-line`` joins them into a
single line (no newline at all), the worst case for line-based stages. Each size runs in
a fresh process (read + every extraction stage + the RDF conversion, what an ingest
worker does), killed after ``--timeout`` seconds. The last column divides each rate by
the 10 KB rate of the same run: 1.0 everywhere means linear.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = ROOT / ".." / "shared" / "datasets" / "ungdc-1946-2024.tar.gz"
_UNITS = {"k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * _UNITS[text[-1]]) if text[-1] in _UNITS else int(text)


def speeches_text(size: int) -> str:
    """At least ``size`` characters of speeches (read from the archive in its order)."""
    parts: list[str] = []
    total = 0
    with tarfile.open(ARCHIVE) as tar:
        for member in tar:
            if total >= size:
                break
            if not member.isfile() or not member.name.endswith(".txt"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            text = handle.read().decode("utf-8", errors="replace").replace("\r\n", "\n")
            parts.append(text)
            total += len(text) + 2
    return "\n\n".join(parts)


def _run_one(data: bytes, answer: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from graph.rdf import document_quads
    from loaders.gazetteer import load_gazetteer
    from loaders.pipeline import extract
    from loaders.readers import read_bytes

    gazetteer = load_gazetteer()
    # Warm up: lexicons and patterns are compiled on first use, once per process.
    extract(read_bytes(b"China supports the Charter of the United Nations.", "warm.txt"), gazetteer)
    started = time.perf_counter()
    document = read_bytes(data, "bench.txt")
    result = extract(document, gazetteer)
    extracted = time.perf_counter()
    quads = document_quads(result, gazetteer=gazetteer)
    answer.put((extracted - started, time.perf_counter() - extracted, len(quads)))


def measure(text: str, timeout: float) -> tuple[float, float, int] | None:
    """(extraction seconds, RDF seconds, quads), or None when past ``timeout``."""
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    process = context.Process(target=_run_one, args=(text.encode("utf-8"), answer))
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()
        return None
    return answer.get() if not answer.empty() else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10k,100k,1m,10m")
    parser.add_argument("--one-line", action="store_true", help="join the text into one line")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per size")
    args = parser.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    source = speeches_text(max(sizes))
    if args.one_line:
        source = " ".join(source.split("\n"))
    print(f"input: UN General Debate speeches{' joined into one line' if args.one_line else ''}")
    print(f"{'size':>10} {'chars':>10} {'extract s':>10} {'rdf s':>8} {'quads':>8} {'s/MB':>8} {'x 10KB':>7}")
    baseline: float | None = None
    for size in sizes:
        text = source[:size]
        found = measure(text, args.timeout)
        if found is None:
            print(f"{size:>10,} {len(text):>10,} {'> ' + format(args.timeout, 'g'):>10}  (killed)")
            continue
        seconds, rdf_seconds, quads = found
        rate = (seconds + rdf_seconds) / (len(text) / 1_000_000)
        if baseline is None:
            baseline = rate
        print(
            f"{size:>10,} {len(text):>10,} {seconds:>10.2f} {rdf_seconds:>8.2f} {quads:>8,}"
            f" {rate:>8.2f} {rate / baseline:>7.2f}"
        )


if __name__ == "__main__":
    main()
