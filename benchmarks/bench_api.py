"""API benchmark: warm-up, REST latencies and the endpoint under a runaway query.

Serves an existing store (opened read-only, as ``policykg serve`` does without an update
token) with uvicorn in this process and prints:

1. how long the caches take: the networkx view (first REST call) and the full-text index
   (first ``/search``; later runs reuse ``search.sqlite3`` in the store folder);
2. p50 / max latency of REST calls (timeline, lineage, stances, search, entity, export)
   over ``--repeat`` calls each;
3. p50 / max latency of a small ASK while a runaway cross-product query runs, and the
   status and time of the runaway's answer (the per-query timeout, ``--timeout``).

    uv run python benchmarks/bench_api.py --store data/bench/store-ungdc
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from policykg.settings import get_settings  # noqa: E402

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = "ASK { GRAPH ?g { ?d a <https://w3id.org/policykg/ontology#Document> } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(app: Any) -> tuple[str, Any]:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def timed(client: httpx.Client, url: str, **params: Any) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(url, params=params)
    return (time.perf_counter() - started) * 1000, response


def figures(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):8.1f} ms   max {max(samples):8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", default="data/bench/store-ungdc", help="an ingested store folder")
    parser.add_argument("--timeout", type=float, default=3.0, help="per-query timeout of /sparql (s)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--entity", default="United Nations Security Council")
    parser.add_argument("--holder", default="China")
    parser.add_argument("--words", default="nuclear disarmament")
    args = parser.parse_args()

    settings = get_settings(store=args.store, query_timeout_s=args.timeout, query_workers=4)
    base, server = serve(create_app(settings))
    with httpx.Client(base_url=base, timeout=600) as client:
        print(f"store {args.store}")
        ms, response = timed(client, "/documents", limit=1)
        print(
            f"first REST call (networkx view built) {ms / 1000:8.1f} s   {response.json()['total']} documents"
        )
        ms, response = timed(client, "/search", q=args.words)
        print(f"first /search (index synced)          {ms / 1000:8.1f} s   {response.json()['total']} hits")

        calls = {
            "timeline entity": ("/timeline", {"entity": args.entity, "limit": 100}),
            "lineage": ("/lineage/" + args.entity, {}),
            "stances holder": ("/stances", {"holder": args.holder, "limit": 100}),
            "search": ("/search", {"q": args.words}),
            "entity": ("/entities/" + args.entity, {}),
            "export cytoscape": ("/export", {"format": "cytoscape", "entity": args.entity, "from": "2020"}),
            "sparql ASK": ("/sparql", {"query": ASK}),
        }
        print(f"\nREST and SPARQL, {args.repeat} calls each")
        for name, (url, params) in calls.items():
            samples = []
            for _ in range(args.repeat):
                ms, response = timed(client, url, **params)
                samples.append(ms)
            print(f"  {name:<18} HTTP {response.status_code}  {figures(samples)}")

        outcome: dict[str, Any] = {}

        def runaway() -> None:
            outcome["ms"], outcome["response"] = timed(client, "/sparql", query=RUNAWAY)

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.2)
        during: list[float] = []
        while thread.is_alive() and len(during) < 200:
            ms, _ = timed(client, "/sparql", query=ASK)
            during.append(ms)
        thread.join()
        print(
            f"\nrunaway cross product: HTTP {outcome['response'].status_code} "
            f"after {outcome['ms'] / 1000:.2f} s (timeout {args.timeout:g} s)"
        )
        print(f"  {len(during)} ASK queries meanwhile: {figures(during)}")
    server.should_exit = True


if __name__ == "__main__":
    main()
