"""Query benchmark: analyst questions on an ingested corpus, through REST and ``/sparql``.

Needs a store made by ``benchmarks/bench_ingest.py`` (the UN General Debate Corpus). In one
run it measures, for a fixed set of questions:

1. the same SPARQL text on raw pyoxigraph (the floor: evaluation plus writing the
   SPARQL JSON results, no HTTP), single thread and 16 threads;
2. the product's HTTP server (``policykg serve``, uvicorn, in a child process): each
   question through its REST route and through ``/sparql``, with one client and with 16
   concurrent clients: p50 and p99 latency, requests per second;
3. the same SPARQL on rdflib's own in-memory engine, on a subset of the documents (the
   whole corpus does not fit rdflib's memory store: about 1 KB per triple) next to
   pyoxigraph on the same subset; a query that runs past ``--rdflib-timeout`` is stopped
   and reported as a lower bound.

Ratios are printed: ``/sparql`` over raw pyoxigraph (target <= 1.5 on every query) and
rdflib over pyoxigraph. REST targets (16 clients): timeline and lineage p50 < 20 ms,
p99 < 100 ms.

    uv run python benchmarks/bench_queries.py --store data/bench/store-ungdc
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ontology.namespace import GRAPH, sparql_prefixes  # noqa: E402

DEFAULT_STORE = ROOT / "data" / "bench" / "store-ungdc"
CLI = [sys.executable, "-c", "from policykg.cli import main; main()"]
CLIENTS = 16


@dataclass(frozen=True)
class Question:
    """One analyst question: its SPARQL text and, when the API has one, its REST route.

    The SPARQL is written as a user who knows the model would: Oxigraph evaluates triple
    patterns in the order it estimates best, and a leading ``?s a pkg:Stance`` makes it
    start from every stance of the store (5x slower on the timeline question)."""

    name: str
    sparql: str
    rest: str | None


def questions(args: argparse.Namespace) -> list[Question]:
    entity, topic, state, words = args.entity, args.topic, args.state, args.search
    return [
        Question(
            "lineage",
            f"""SELECT ?kind ?date ?doc ?type ?actor WHERE {{
  {{ GRAPH ?g {{ ?e pkg:subject entity:{entity} ; pkg:eventType ?type ; prov:wasDerivedFrom ?doc .
      OPTIONAL {{ ?e pkg:sortDate ?date }} OPTIONAL {{ ?e sem:hasActor ?actor }} }} BIND("event" AS ?kind) }}
  UNION
  {{ GRAPH ?g {{ ?doc schema:mentions entity:{entity} . OPTIONAL {{ ?doc pkg:sortDate ?date }} }}
     BIND("mention" AS ?kind) }}
}} ORDER BY ?date ?doc""",
            f"/lineage/{entity}",
        ),
        Question(
            "topic timeline 1946-2024",
            f"""SELECT ?date ?holder ?polarity ?target ?doc WHERE {{ GRAPH ?g {{
  ?s dcterms:subject topic:{topic} ; prov:wasAttributedTo ?holder ;
     pkg:polarity ?polarity ; pkg:target ?target ; pkg:sortDate ?date ; prov:wasDerivedFrom ?doc }}
  FILTER(?date >= "1946-01-01"^^xsd:date && ?date <= "2024-12-31"^^xsd:date)
}} ORDER BY ?date ?s LIMIT 500""",
            f"/timeline?topic={topic}&from=1946&to=2024&limit=500",
        ),
        Question(
            "stances of a state on a topic",
            f"""SELECT ?date ?polarity ?target ?quote ?doc WHERE {{ GRAPH ?g {{
  ?s prov:wasAttributedTo entity:{state} ; dcterms:subject topic:{topic} ; pkg:polarity ?polarity ;
     pkg:target ?target ; pkg:sortDate ?date ; prov:wasDerivedFrom ?doc ; pkg:evidence ?ev .
  ?ev oa:hasTarget ?t . ?t oa:hasSelector ?sel . ?sel a oa:TextQuoteSelector ; oa:exact ?quote }}
}} ORDER BY ?date ?s""",
            f"/stances?holder={state}&topic={topic}&limit=500",
        ),
        Question(
            "co-mention neighbourhood",
            f"""SELECT ?other (COUNT(DISTINCT ?doc) AS ?documents) WHERE {{ GRAPH ?g {{
  ?doc schema:mentions entity:{entity}, ?other }} FILTER(?other != entity:{entity})
}} GROUP BY ?other ORDER BY DESC(?documents) ?other LIMIT 50""",
            f"/entities/{entity}/co-mentions?limit=50",
        ),
        Question(
            "full-text search",
            f"""SELECT ?doc ?title WHERE {{ GRAPH ?g {{ ?doc pkg:text ?text ; dcterms:title ?title }}
  FILTER(CONTAINS(LCASE(?text), "{words.lower()}"))
}} ORDER BY ?doc LIMIT 20""",
            f"/search?q={quote(chr(34) + words + chr(34))}&limit=20",
        ),
        Question(
            "aggregation by year",
            """SELECT ?year (COUNT(DISTINCT ?doc) AS ?documents) (COUNT(?s) AS ?stances) WHERE { GRAPH ?g {
  ?doc a pkg:Document ; pkg:sortDate ?date . OPTIONAL { ?s a pkg:Stance ; prov:wasDerivedFrom ?doc } }
  BIND(YEAR(?date) AS ?year)
} GROUP BY ?year ORDER BY ?year""",
            None,
        ),
    ]


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Timing:
    """Latencies (seconds) of a series of calls and the wall time they took."""

    latencies: list[float]
    wall_s: float
    errors: int = 0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p99_ms(self) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.wall_s if self.wall_s else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "n": len(self.latencies),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "rps": round(self.rps, 1),
            "errors": self.errors,
        }


def measure(call: Callable[[], None], *, clients: int, per_client: int, budget_s: float) -> Timing:
    """Run ``call`` from ``clients`` threads, ``per_client`` times each (fewer when the
    time budget runs out)."""
    deadline = time.perf_counter() + budget_s
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client() -> None:
        nonlocal errors
        for _ in range(per_client):
            if time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            try:
                call()
            except Exception:
                with lock:
                    errors += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
    return Timing(latencies, time.perf_counter() - started, errors)


def raw_call(store: Any, sparql: str) -> Callable[[], None]:
    import pyoxigraph as ox

    def call() -> None:
        result = store.query(sparql, use_default_graph_as_union=True)
        sink = io.BytesIO()
        result.serialize(sink, ox.QueryResultsFormat.JSON)

    return call


def http_call(
    clients: dict[int, httpx.Client], base: str, path: str, sparql: str | None
) -> Callable[[], None]:
    def call() -> None:
        # One client per thread, made once: making an httpx.Client costs ~35 ms (its SSL
        # context), which an eager setdefault(..., httpx.Client()) paid on every call.
        client = clients.get(threading.get_ident())
        if client is None:
            client = clients[threading.get_ident()] = httpx.Client(timeout=120)
        if sparql is None:
            response = client.get(base + path)
        else:
            response = client.post(
                base + "/sparql",
                data={"query": sparql},
                headers={"Accept": "application/sparql-results+json"},
            )
        if response.status_code != 200:
            raise RuntimeError(f"{path or '/sparql'}: HTTP {response.status_code} {response.text[:200]}")
        _ = response.content

    return call


def rows_of(store: Any, sparql: str) -> int:
    return sum(1 for _ in store.query(sparql, use_default_graph_as_union=True))


# -- the server ------------------------------------------------------------------------------


def start_server(store: Path, port: int) -> subprocess.Popen[bytes]:
    # The server's log (one access line per request) goes to a file: a pipe nobody reads
    # would fill and stall the server.
    log = store.with_name(store.name + ".server.log").open("wb")
    # The aggregation question runs 5 s alone: past the default 10 s limit under load.
    env = {**os.environ, "POLICYKG_QUERY_TIMEOUT_S": "300"}
    server = subprocess.Popen(
        [*CLI, "--store", str(store), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited; see {log.name}")
        with contextlib.suppress(httpx.HTTPError):
            if (
                httpx.get(
                    f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=2
                ).status_code
                == 200
            ):
                return server
        time.sleep(0.3)
    server.kill()
    sys.exit("the server did not start within 120 s")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- rdflib on a subset -----------------------------------------------------------------------


def _rdflib_worker(nquads: bytes, connection: Any) -> None:
    import rdflib

    dataset = rdflib.Dataset(default_union=True)
    started = time.perf_counter()
    dataset.parse(data=nquads, format="nquads")
    connection.send((0, time.perf_counter() - started))
    while True:
        sparql = connection.recv()
        if sparql is None:
            return
        started = time.perf_counter()
        rows = len(list(dataset.query(sparql)))
        connection.send((rows, time.perf_counter() - started))


class RdflibRunner:
    """rdflib's in-memory store and SPARQL engine in a child process that can be stopped."""

    def __init__(self, nquads: bytes) -> None:
        self.nquads = nquads
        self.process: Any = None
        self.load_s = 0.0

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_rdflib_worker, args=(self.nquads, child_end), daemon=True)
        self.process.start()
        self.load_s = self.connection.recv()[1]

    def run(self, sparql: str, timeout_s: float) -> tuple[int, float] | None:
        """(rows, seconds), or None when the query ran past ``timeout_s`` (then stopped)."""
        if self.process is None or not self.process.is_alive():
            self._start()
        self.connection.send(sparql)
        if not self.connection.poll(timeout_s):
            self.process.kill()
            self.process.join()
            self.process = None
            return None
        rows, seconds = self.connection.recv()
        return int(rows), float(seconds)

    def close(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.connection.send(None)
            self.process.join(10)


def subset_nquads(store: Any, documents: int) -> tuple[bytes, int]:
    """The named graphs of the first ``documents`` documents, as N-Quads."""
    import pyoxigraph as ox

    prefix = str(GRAPH["doc/"])
    graphs = sorted(g.value for g in store.named_graphs() if g.value.startswith(prefix))[:documents]
    quads: list[Any] = []
    for graph in graphs:
        quads.extend(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None
    return data, len(quads)


# -- the run ----------------------------------------------------------------------------------


def fmt(ms: float) -> str:
    return f"{ms:8.1f}" if ms == ms else "     n/a"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument(
        "--entity",
        default="npt",
        help="entity key for the lineage and co-mention questions",
    )
    parser.add_argument("--topic", default="nuclear", help="topic for the timeline and stance questions")
    parser.add_argument("--state", default="united-states", help="state key for the stance question")
    parser.add_argument("--search", default="outer space", help="phrase for the full-text question")
    parser.add_argument("--requests", type=int, default=60, help="requests per client and series")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds at most per series")
    parser.add_argument("--subset", type=int, default=100, help="documents in the rdflib comparison")
    parser.add_argument("--rdflib-timeout", type=float, default=120.0)
    parser.add_argument("--output", type=Path, help="JSON figures (default: STORE.queries.json)")
    args = parser.parse_args()
    if not args.store.is_dir():
        sys.exit(f"{args.store}: no store; run benchmarks/bench_ingest.py first")
    import pyoxigraph as ox

    prefixes = sparql_prefixes()
    asked = questions(args)
    results: dict[str, Any] = {
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "ram_gib": round(psutil.virtual_memory().total / 2**30),
            "python": platform.python_version(),
            "pyoxigraph": ox.__version__,
        },
        "questions": {},
    }
    print(f"store {args.store}; {os.cpu_count()} cores; pyoxigraph {ox.__version__}")

    # 1. raw pyoxigraph, the floor
    raw = ox.Store.read_only(str(args.store))
    print("\n== raw pyoxigraph (query + SPARQL JSON results, no HTTP) ==")
    print(f"{'question':<32}{'rows':>7}{'p50 ms':>9}{'p99 ms':>9}{'16 thr p50':>11}{'p99':>9}{'req/s':>8}")
    for q in asked:
        sparql = prefixes + q.sparql
        rows = rows_of(raw, sparql)
        call = raw_call(raw, sparql)
        call()
        one = measure(call, clients=1, per_client=args.requests, budget_s=args.budget)
        many = measure(call, clients=CLIENTS, per_client=max(2, args.requests // 4), budget_s=args.budget)
        results["questions"][q.name] = {"rows": rows, "raw": one.to_json(), "raw_16": many.to_json()}
        print(
            f"{q.name:<32}{rows:>7}{fmt(one.p50_ms)} {fmt(one.p99_ms)}{fmt(many.p50_ms)}   {fmt(many.p99_ms)}"
            f"{many.rps:>8.1f}"
        )
    raw_subset, subset_quads = subset_nquads(raw, args.subset)
    del raw

    # 2. the HTTP server
    port = free_port()
    server = start_server(args.store, port)
    base = f"http://127.0.0.1:{port}"
    sessions: dict[int, httpx.Client] = {}
    try:
        server_proc = psutil.Process(server.pid)
        warm: dict[str, float] = {}
        for q in asked:
            if q.rest:
                started = time.perf_counter()
                http_call(sessions, base, q.rest, None)()
                warm[q.name] = time.perf_counter() - started
        results["first_rest_call_s"] = {k: round(v, 2) for k, v in warm.items()}
        print("\n== first REST calls (build the network view / the full-text index) ==")
        for name, seconds in warm.items():
            print(f"{name:<32}{seconds:8.2f} s")
        print(f"server RSS after warm-up: {server_proc.memory_info().rss / 2**30:.2f} GiB")
        results["server_rss_bytes"] = server_proc.memory_info().rss

        print(f"\n== HTTP (policykg serve): 1 client, then {CLIENTS} concurrent clients ==")
        print(f"{'question':<32}{'via':<9}{'p50 ms':>9}{'p99 ms':>9}{'16c p50':>9}{'16c p99':>9}{'req/s':>8}")
        for q in asked:
            entry = results["questions"][q.name]
            series: list[tuple[str, str | None, str | None]] = [
                ("REST", q.rest, None),
                ("/sparql", "", prefixes + q.sparql),
            ]
            for via, path, text in series:
                if via == "REST" and path is None:
                    print(f"{q.name:<32}{via:<9}     (no REST route)")
                    continue
                call = http_call(sessions, base, path or "", text)
                call()
                one = measure(call, clients=1, per_client=args.requests, budget_s=args.budget)
                many = measure(
                    call, clients=CLIENTS, per_client=max(2, args.requests // 4), budget_s=args.budget
                )
                entry[via] = one.to_json()
                entry[via + "_16"] = many.to_json()
                print(
                    f"{q.name:<32}{via:<9}{fmt(one.p50_ms)} {fmt(one.p99_ms)}{fmt(many.p50_ms)} "
                    f"{fmt(many.p99_ms)}{many.rps:>8.1f}"
                    + (f"  ({one.errors + many.errors} errors)" if one.errors + many.errors else "")
                )
        results["server_rss_after_bytes"] = server_proc.memory_info().rss
    finally:
        for client in sessions.values():
            client.close()
        server.terminate()
        server.wait(30)

    print("\n== /sparql over raw pyoxigraph (p50, 1 client; target <= 1.5) ==")
    for q in asked:
        entry = results["questions"][q.name]
        ratio = entry["/sparql"]["p50_ms"] / entry["raw"]["p50_ms"]
        entry["sparql_over_raw"] = round(ratio, 2)
        gap = entry["/sparql"]["p50_ms"] - entry["raw"]["p50_ms"]
        print(f"{q.name:<32}{ratio:6.2f}x  (+{gap:.1f} ms)")

    # 3. rdflib's engine on a subset, next to pyoxigraph on the same subset
    print(
        f"\n== rdflib in-memory engine vs pyoxigraph, same {args.subset} documents "
        f"({subset_quads:,} quads) =="
    )
    small = ox.Store()
    small.bulk_load(raw_subset, ox.RdfFormat.N_QUADS)
    runner = RdflibRunner(raw_subset)
    results["rdflib"] = {"documents": args.subset, "quads": subset_quads, "questions": {}}
    try:
        for q in asked:
            sparql = prefixes + q.sparql
            call = raw_call(small, sparql)
            call()
            floor = measure(call, clients=1, per_client=10, budget_s=args.budget)
            answer = runner.run(sparql, args.rdflib_timeout)
            oxi_rows = rows_of(small, sparql)
            if answer is None:
                line = f"> {args.rdflib_timeout:.0f} s (stopped)"
                ratio = args.rdflib_timeout * 1000 / floor.p50_ms
                results["rdflib"]["questions"][q.name] = {
                    "pyoxigraph_ms": round(floor.p50_ms, 2),
                    "rdflib_ms": None,
                    "ratio_at_least": round(ratio),
                }
                print(
                    f"{q.name:<32} pyoxigraph {floor.p50_ms:8.1f} ms   rdflib {line}  ratio > {ratio:,.0f}x"
                )
            else:
                rows, seconds = answer
                ratio = seconds * 1000 / floor.p50_ms
                results["rdflib"]["questions"][q.name] = {
                    "pyoxigraph_ms": round(floor.p50_ms, 2),
                    "rdflib_ms": round(seconds * 1000, 1),
                    "ratio": round(ratio, 1),
                    "rows": rows,
                    "pyoxigraph_rows": oxi_rows,
                }
                same = "" if rows == oxi_rows else f"  (rows differ: rdflib {rows}, pyoxigraph {oxi_rows})"
                print(
                    f"{q.name:<32} pyoxigraph {floor.p50_ms:8.1f} ms   rdflib {seconds * 1000:10.1f} ms"
                    f"   ratio {ratio:8.1f}x{same}"
                )
        results["rdflib"]["load_s"] = round(runner.load_s, 1)
        print(f"(rdflib parsed the subset in {runner.load_s:.1f} s)")
    finally:
        runner.close()

    out = args.output or args.store.with_name(args.store.name + ".queries.json")
    out.write_text(json.dumps(results, indent=2))
    print(f"\nfigures written to {out}")


if __name__ == "__main__":
    main()
