"""Exports and /paths benchmark: streaming RDF, ego networks, bounded path searches.

Starts ``policykg serve`` on an existing store in a child process (so that its resident
memory is the server's alone, sampled every 20 ms from /proc) and prints:

1. a whole-store TriG export: time to first byte, total time, bytes, peak server RSS;
   then four at once (peak RSS);
2. ego networks ``/export?entity=STATE&depth=1`` in graphml, gexf, cytoscape and trig;
3. ``/paths`` between pairs of entities: first call (computed) and second (cached), then
   16 clients at once with the latency of ``/documents?limit=1`` (a route served
   on the thread pool) meanwhile;
4. the baseline, the path every export and /paths took before: the networkx view of the
   whole store (:func:`graph.network.load_network`, built in a child process: time and
   peak RSS) and :func:`graph.connectivity.evidence_paths` over it for the same pairs.

    .venv/bin/python benchmarks/bench_exports.py --store /tmp/h9store --entity France

Build a store of a few hundred UN speeches with
``policykg --store /tmp/h9store ingest <folder of ISO3_SESSION_YEAR.txt files>``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PAIRS = [("France", "Germany"), ("China", "Brazil"), ("Paris Agreement", "Ukraine"), ("Nauru", "Monaco")]


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


def stream(client: httpx.Client, params: dict[str, Any]) -> tuple[float, float, int]:
    """Time to first byte, total time (s) and bytes of one /export."""
    started = time.perf_counter()
    first = None
    size = 0
    with client.stream("GET", "/export", params=params) as response:
        response.raise_for_status()
        for piece in response.iter_raw():
            if first is None:
                first = time.perf_counter() - started
            size += len(piece)
    return first or 0.0, time.perf_counter() - started, size


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


BASELINE = """
import json, resource, sys, time
from graph.oxigraph_store import OxigraphStore
from graph.connectivity import co_mention_graph, evidence_paths
from graph.entity_lookup import resolve_entity
from graph.network import load_network
store = OxigraphStore(sys.argv[1], read_only=True)
started = time.perf_counter()
graph = load_network(store)
built = time.perf_counter() - started
started = time.perf_counter()
co = co_mention_graph(graph)
projection = time.perf_counter() - started
paths = []
for a, b in json.loads(sys.argv[2]):
    started = time.perf_counter()
    found = evidence_paths(graph, resolve_entity(graph, a), resolve_entity(graph, b), co_graph=co)
    paths.append([a, b, time.perf_counter() - started, len(found)])
print(json.dumps({"network_s": built, "co_graph_s": projection, "paths": paths,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", default="/tmp/h9store", help="an ingested store folder")
    parser.add_argument("--entity", default="France", help="a state for the ego networks")
    parser.add_argument("--no-baseline", action="store_true", help="skip the whole-store networkx baseline")
    args = parser.parse_args()

    port = free_port()
    env = {**os.environ, "POLICYKG_STORE": args.store}
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "policykg"), "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=900) as client:
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            print(f"server up in {time.perf_counter() - started:.1f} s, RSS {rss_mb(server.pid):.0f} MB")
            client.get("/documents", params={"limit": 1})  # the catalogue, as any first REST call

            print("\n1. whole-store TriG export (streamed)")
            with peak_rss(server.pid) as peak:
                first, total, size = stream(client, {"format": "trig"})
            print(
                f"   first byte {first:.2f} s, total {total:.1f} s, {size / 2**20:.1f} MB, "
                f"peak server RSS {peak[0]:.0f} MB"
            )
            with peak_rss(server.pid) as peak:
                started = time.perf_counter()
                results = in_parallel(4, lambda i: stream(client, {"format": "trig"}))
            print(
                f"   4 at once: first bytes {max(r[0] for r in results):.2f} s (worst), all done in "
                f"{time.perf_counter() - started:.1f} s, peak server RSS {peak[0]:.0f} MB"
            )

            print(f"\n2. ego network of {args.entity} (depth 1)")
            for fmt in ("graphml", "gexf", "cytoscape", "trig"):
                with peak_rss(server.pid) as peak:
                    first, total, size = stream(client, {"format": fmt, "entity": args.entity})
                print(
                    f"   {fmt:9} first byte {first:.2f} s, total {total:.2f} s, {size / 2**20:.1f} MB, "
                    f"peak server RSS {peak[0]:.0f} MB"
                )

            print("\n3. /paths")
            for a, b in PAIRS:
                timings = []
                for _ in range(2):
                    started = time.perf_counter()
                    response = client.get("/paths", params={"from": a, "to": b})
                    timings.append(time.perf_counter() - started)
                hops = (
                    [len(p["hops"]) for p in response.json().get("paths", [])] if response.is_success else []
                )
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
            print(f"   server RSS now {rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait(30)

    if not args.no_baseline:
        print("\n4. baseline: the networkx view of the whole store (what /export and /paths built before)")
        out = subprocess.run(
            [sys.executable, "-c", BASELINE, args.store, json.dumps(PAIRS)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"   load_network {figures['network_s']:.1f} s, co-mention graph {figures['co_graph_s']:.1f} s, "
            f"peak RSS {figures['peak_rss_mb']:.0f} MB"
        )
        for a, b, seconds, found in figures["paths"]:
            print(f"   evidence_paths {a} -> {b}: {seconds:.2f} s ({found} paths) after the view is built")


if __name__ == "__main__":
    main()
