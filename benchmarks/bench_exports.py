"""Exports benchmark: ego networks in every format, whole-store exports streamed, /paths.

Starts ``policykg serve`` on an existing store in a child process (read-only: no update
token; its resident memory, with its query workers', sampled every 20 ms from /proc) and
prints:

1. the ego network ``/export?entity=STATE&depth=1`` of the state mentioned by the number
   of documents nearest ``--documents`` (counted in the store, unless ``--entity`` names
   one), in every format: time to first byte, total, size, peak server RSS; twice (the
   second call shows what the first paid for the catalogue, already warm here);
2. whole-store exports (``--whole``, default TriG and GraphML), streamed: first byte,
   total, size, peak server RSS;
3. with ``--before REV``: the same ego network (and with ``--before-whole`` the whole-store
   exports) from a server running the code of commit REV (``git archive`` into a temporary
   folder, same store, same machine, minutes apart);
4. with ``--paths``: ``/paths`` between pairs of entities, first and cached, then 16
   clients at once.

    .venv/bin/python benchmarks/bench_exports.py --store data/bench/store-ungdc --before 9380fc0

The store is only read (the server opens it read-only; the counting opens it read-only
before the server starts).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PAIRS = [("France", "Germany"), ("China", "Brazil"), ("Paris Agreement", "Ukraine"), ("Nauru", "Monaco")]
SERVE = [str(ROOT / ".venv" / "bin" / "python"), "-c", "from policykg.cli import main; main()", "serve"]
FORMATS = ("graphml", "gexf", "cytoscape", "nodelink", "jsonld", "trig", "timelinejs")

COUNT_STATES = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE {
  GRAPH ?g { ?d schema:mentions ?e } GRAPH ?h { ?e a pkg:State }
} GROUP BY ?e
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (query workers), in MB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


@contextmanager
def peak_rss(pid: int) -> Iterator[list[float]]:
    """Samples the server's RSS every 20 ms while the block runs; yields [peak]."""
    peak = [rss_mb(pid)]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def stream(
    client: httpx.Client, params: dict[str, Any], keep: bool = False, limit_s: float | None = None
) -> tuple[float, float, int, bytes]:
    """Time to first byte, total time (s), bytes of one /export (and the body if ``keep``);
    gzip-compressed as the server sends it to clients that accept it, sizes uncompressed."""
    started = time.perf_counter()
    first = None
    size = 0
    body: list[bytes] = []
    with client.stream("GET", "/export", params=params) as response:
        response.raise_for_status()
        for piece in response.iter_bytes():
            if first is None:
                first = time.perf_counter() - started
            size += len(piece)
            if keep:
                body.append(piece)
            if limit_s is not None and time.perf_counter() - started > limit_s:
                break  # closing the response cancels the export
    return first or 0.0, time.perf_counter() - started, size, b"".join(body)


def in_parallel(count: int, job: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        results[i] = job(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def pick_state(store: str, wanted: int) -> tuple[str, int]:
    """The state mentioned by the number of documents nearest ``wanted`` (read-only open)."""
    from graph.oxigraph_store import OxigraphStore

    opened = OxigraphStore(store, read_only=True)
    counts = {str(row["e"].value): int(row["n"].value) for row in opened.query(COUNT_STATES)}
    del opened
    iri = min(counts, key=lambda e: (abs(counts[e] - wanted), e))
    return iri, counts[iri]


@contextmanager
def server(store: str, tree: Path, label: str) -> Iterator[tuple[httpx.Client, int]]:
    """A read-only ``policykg serve`` of ``store`` running the code in ``tree``."""
    port = free_port()
    env = {**os.environ, "POLICYKG_STORE": store, "PYTHONPATH": str(tree)}
    env.pop("POLICYKG_UPDATE_TOKEN", None)
    started = time.perf_counter()
    process = subprocess.Popen(
        [*SERVE, "--port", str(port)],
        env=env,
        cwd=tree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=1800) as client:
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None:
                    raise RuntimeError(f"{label}: the server exited with status {process.returncode}")
                time.sleep(0.1)
            up = time.perf_counter() - started
            client.get("/documents", params={"limit": 1})  # the catalogue, as any first REST call
            client.get("/search", params={"q": "peace"})  # waits for the search index the warm-up builds
            print(f"[{label}] server up in {up:.1f} s, RSS after the first call {rss_mb(process.pid):.0f} MB")
            yield client, process.pid
    finally:
        process.terminate()
        process.wait(60)


def ego_networks(client: httpx.Client, pid: int, entity: str, formats: tuple[str, ...], repeat: int) -> None:
    for fmt in formats:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            try:
                with peak_rss(pid) as peak:
                    params = {"format": fmt, "entity": entity}
                    first, total, size, body = stream(client, params, keep=fmt == "nodelink")
            except httpx.HTTPStatusError as error:
                took = time.perf_counter() - started
                print(f"   {fmt:10} status {error.response.status_code} after {took:.1f} s")
                break
            runs.append((first, total, size, peak[0]))
        if not runs:
            continue
        shape = ""
        if fmt == "nodelink":
            data = json.loads(body)
            documents = sum(1 for n in data["nodes"] if n.get("kind") == "document")
            shape = f" ({documents} documents, {len(data['nodes'])} nodes, {len(data['edges'])} edges)"
        timings = " | ".join(f"first byte {f:.2f} s, total {t:.2f} s" for f, t, _, _ in runs)
        print(
            f"   {fmt:10} {timings}; {runs[0][2] / 2**20:.1f} MB, peak server RSS "
            f"{max(r[3] for r in runs):.0f} MB{shape}"
        )


def whole_store(client: httpx.Client, pid: int, formats: list[str], limit_s: float | None) -> None:
    for fmt in formats:
        with peak_rss(pid) as peak:
            first, total, size, _ = stream(client, {"format": fmt}, limit_s=limit_s)
        stopped = " (stopped there: --whole-seconds)" if limit_s is not None and total > limit_s else ""
        print(
            f"   {fmt:10} first byte {first:.2f} s, total {total:.1f} s{stopped}, {size / 2**20:.1f} MB, "
            f"peak server RSS {peak[0]:.0f} MB"
        )


def paths(client: httpx.Client, pid: int) -> None:
    for a, b in PAIRS:
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            response = client.get("/paths", params={"from": a, "to": b})
            timings.append(time.perf_counter() - started)
        hops = [len(p["hops"]) for p in response.json().get("paths", [])] if response.is_success else []
        print(
            f"   {a} -> {b}: {response.status_code} hops {hops}, first {timings[0]:.2f} s, "
            f"cached {timings[1] * 1000:.0f} ms"
        )
    distinct = [(a, b) for a, _ in PAIRS for _, b in PAIRS if a != b]
    health: list[float] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            started = time.perf_counter()
            client.get("/documents", params={"limit": 1})
            health.append(time.perf_counter() - started)
            time.sleep(0.05)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    started = time.perf_counter()
    statuses = in_parallel(
        16,
        lambda i: (
            client.get(
                "/paths",
                params={
                    "from": distinct[i % len(distinct)][0],
                    "to": distinct[i % len(distinct)][1],
                    "max_hops": 3 + i // len(distinct),
                },
            ).status_code
        ),
    )
    done.set()
    prober.join()
    print(
        f"   16 clients at once: statuses {sorted(statuses)}, all done in "
        f"{time.perf_counter() - started:.1f} s; /documents?limit=1 meanwhile p50 "
        f"{statistics.median(health) * 1000:.0f} ms, max {max(health) * 1000:.0f} ms"
    )
    print(f"   server RSS now {rss_mb(pid):.0f} MB")


@contextmanager
def code_of(rev: str) -> Iterator[Path]:
    """The repository's files at commit ``rev``, in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="policykg-before-") as folder:
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", default="data/bench/store-ungdc", help="an ingested store folder")
    parser.add_argument("--entity", help="the ego (a name or IRI); default: counted, see --documents")
    parser.add_argument("--documents", type=int, default=1500, help="the ego's documents (default 1500)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="ego network formats")
    parser.add_argument("--whole", default="trig,graphml", help="whole-store exports ('' for none)")
    parser.add_argument(
        "--whole-seconds", type=float, help="stop reading a whole-store export after this many seconds"
    )
    parser.add_argument("--before", metavar="REV", help="also run the code of this commit (ego network)")
    parser.add_argument("--before-formats", default="graphml", help="formats for --before")
    parser.add_argument("--before-whole", action="store_true", help="whole-store exports with --before too")
    parser.add_argument("--paths", action="store_true", help="also /paths")
    args = parser.parse_args()
    store = str(Path(args.store).resolve())

    if args.entity:
        entity, label = args.entity, args.entity
    else:
        started = time.perf_counter()
        entity, count = pick_state(store, args.documents)
        label = entity.rsplit("/", 1)[-1]
        took = time.perf_counter() - started
        print(f"ego: {label}, mentioned in {count} documents (counted in {took:.1f} s)")
    formats = tuple(f for f in args.formats.split(",") if f)
    whole = [f for f in args.whole.split(",") if f]

    with server(store, ROOT, "this code") as (client, pid):
        if formats:
            print(f"\n1. ego network of {label} (depth 1), two calls each")
            ego_networks(client, pid, label, formats, 2)
        if args.paths:
            print("\n4. /paths")
            paths(client, pid)
    if whole:
        print("\n2. whole-store exports (streamed), each on a fresh server")
    for fmt in whole:
        with server(store, ROOT, f"this code, {fmt}") as (client, pid):
            whole_store(client, pid, [fmt], args.whole_seconds)

    if args.before:
        with code_of(args.before) as tree, server(store, tree, f"before: {args.before}") as (client, pid):
            print(f"\n3. before ({args.before}): ego network of {label}, one call each")
            ego_networks(client, pid, label, tuple(f for f in args.before_formats.split(",") if f), 1)
            if args.before_whole and whole:
                print(f"   whole-store exports before ({args.before})")
                whole_store(client, pid, whole, args.whole_seconds)


if __name__ == "__main__":
    sys.exit(main())
