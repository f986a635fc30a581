"""/sparql under runaway queries: is the memory back, do quick queries still answer?

Starts ``policykg serve`` on an existing store (a separate process, read-only: no update
token), then prints:

1. the resident memory of the server's process tree (server + query workers) before a
   runaway sorted cartesian product, when its 503 comes, and every 100 ms for 3 s after:
   how long until it is back within 100 MB of before;
2. p50 / max latency of ``ASK {}`` on the idle server, and while ``--runaways`` such
   queries run at once.

    uv run python benchmarks/bench_sparql_safety.py --store /tmp/h1store --timeout 3
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 5"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total / 2**20


def sparql(base: str, query: str, timeout: float = 300) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = httpx.get(base + "/sparql", params={"query": query}, timeout=timeout)
    return (time.perf_counter() - started) * 1000, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--timeout", type=float, default=3.0, help="per-query time limit (s)")
    parser.add_argument("--runaways", type=int, default=4)
    args = parser.parse_args()

    port = free_port()
    env = {**os.environ, "POLICYKG_QUERY_TIMEOUT_S": str(args.timeout)}
    env.pop("POLICYKG_UPDATE_TOKEN", None)
    cli = Path(sys.executable).parent / "policykg"
    server = subprocess.Popen(
        [str(cli), "--store", args.store, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                ms, first = sparql(base, "ASK {}")
                if first.status_code == 200:
                    print(f"first ASK answered in {ms:.0f} ms (worker start and store open)")
                    break
                print(f"first ASK: HTTP {first.status_code} {first.text[:200]}")
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        time.sleep(3)  # let the other workers start and the warm-up settle
        idle = sorted(sparql(base, "ASK {}")[0] for _ in range(20))
        print(f"ASK {{}} on an idle server: p50 {statistics.median(idle):.0f} ms, max {idle[-1]:.0f} ms")

        # 1. memory after a runaway's 503
        before = tree_rss_mb(server.pid)
        peak = before
        done = threading.Event()

        def watch() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss_mb(server.pid))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        elapsed, response = sparql(base, RUNAWAY)
        done.set()
        watcher.join()
        at_answer = tree_rss_mb(server.pid)
        print(f"tree RSS before: {before:.0f} MB")
        detail = response.json().get("detail", "")[:90]
        print(f"runaway: HTTP {response.status_code} after {elapsed:.0f} ms ({detail}); peak {peak:.0f} MB")
        print(f"tree RSS at the 503: {at_answer:.0f} MB")
        back_after = None
        started = time.perf_counter()
        samples = []
        while time.perf_counter() - started < 3.0:
            now = tree_rss_mb(server.pid)
            samples.append(now)
            if back_after is None and now <= before + 100:
                back_after = (time.perf_counter() - started) * 1000
            time.sleep(0.1)
        print(f"tree RSS after the 503, every 100 ms: {' '.join(f'{s:.0f}' for s in samples)}")
        shown = f"{back_after:.0f} ms" if back_after is not None else "not within 3 s"
        print(f"back within 100 MB of before: {shown}")

        # 2. quick queries while runaways run
        outcomes: list[int] = []
        threads = [
            threading.Thread(target=lambda: outcomes.append(sparql(base, RUNAWAY)[1].status_code))
            for _ in range(args.runaways)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        latencies = []
        while any(t.is_alive() for t in threads) and len(latencies) < 40:
            ms, answer = sparql(base, "ASK {}")
            assert answer.status_code == 200, answer.text
            latencies.append(ms)
            time.sleep(0.05)
        for thread in threads:
            thread.join()
        print(
            f"ASK {{}} while {args.runaways} runaways ran: p50 {statistics.median(latencies):.0f} ms, "
            f"max {max(latencies):.0f} ms over {len(latencies)} calls; runaways answered {sorted(outcomes)}"
        )
        time.sleep(2)
        print(f"tree RSS 2 s after: {tree_rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
