"""Live updates benchmark: documents posted to and removed from a running server.

Serves an existing store for writing (an update token set) with uvicorn in this process,
then, ``--rounds`` times: posts one document file (``POST /documents``) while reader
threads keep asking ``/sparql`` and ``/documents``, and prints

1. how long the write takes until its answer (extraction, commit, incremental links
   refresh): from then on the document is visible in every route;
2. the first answers after the write (the caches of the new generation are rebuilt:
   ``/documents`` needs the networkx view, ``/search`` the index);
3. reader latencies (p50 / max) before and during the write, and the document counts they
   saw: ``/sparql`` reads the store itself, so it sees the document from the moment its
   graph is committed (while the links are refreshed); ``/documents`` answers from the
   caches of the generation before the write until the write has answered;
4. the removal (``DELETE /documents/{id}``).

The store is left as it was (the document is removed again each round).

    uv run python benchmarks/bench_live_updates.py --store data/bench/store \
        --file ../shared/corpus/003_d8f2aa88fe600d0c.txt
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

TOKEN = "bench-live-updates"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?d a <https://w3id.org/policykg/ontology#Document> } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(store: Path) -> tuple[str, Any]:
    import uvicorn

    settings = get_settings(store=str(store), update_token=TOKEN, workers=1, query_timeout_s=120)
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def timed(call: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def count_documents(client: httpx.Client) -> int:
    answer = client.get(
        "/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
    )
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


class Readers:
    """Threads asking a small SPARQL count and a page of ``/documents`` in a loop."""

    def __init__(self, base: str, threads: int) -> None:
        self.base = base
        #: (start, latency, documents /sparql counted, documents /documents listed)
        self.samples: list[tuple[float, float, int, int]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=300) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    n = count_documents(client)
                    listed = client.get("/documents", params={"limit": 1})
                    listed.raise_for_status()
                except httpx.HTTPError as exc:
                    self.errors.append(str(exc))
                    continue
                self.samples.append((started, time.perf_counter() - started, n, listed.json()["total"]))

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def between(self, start: float, end: float) -> list[tuple[float, float, int, int]]:
        return [s for s in self.samples if start <= s[0] <= end]


def stats(samples: list[tuple[float, float, int, int]]) -> str:
    if not samples:
        return "no samples"
    latencies = [s[1] for s in samples]
    return f"{len(latencies)} reads, p50 {ms(statistics.median(latencies))}, max {ms(max(latencies))}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store", type=Path, required=True, help="an existing store folder (written, then restored)"
    )
    parser.add_argument("--file", type=Path, required=True, help="the document to post")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--readers", type=int, default=2, help="reader threads")
    args = parser.parse_args()

    base, server = serve(args.store)
    client = httpx.Client(base_url=base, timeout=600)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    before = count_documents(client)
    seconds, _ = timed(lambda: client.get("/documents", params={"limit": 1}).raise_for_status())
    print(f"store {args.store}: {before} documents; first /documents (catalogue) {ms(seconds)}")
    data = args.file.read_bytes()
    print(f"document: {args.file.name}, {len(data) / 1024:.0f} KB; {args.readers} reader threads")

    for round_number in range(1, args.rounds + 1):
        readers = Readers(base, args.readers)
        readers.start()
        time.sleep(2.0)
        write_start = time.perf_counter()
        post = client.post("/documents", files={"file": ("bench-live-update.txt", data)}, headers=headers)
        write_end = time.perf_counter()
        post.raise_for_status()
        body = post.json()
        readers.stop()
        visible = count_documents(client)
        first = {
            route: timed(lambda r=route, p=p: client.get(r, params=p).raise_for_status())[0]
            for route, p in (("/documents", {"limit": 1}), ("/search", {"q": "security"}))
        }
        during = readers.between(write_start, write_end)
        seen = sorted({(s[2], s[3]) for s in during})
        early = [s[0] for s in during if s[2] > before]
        window = f"{ms(write_end - min(early))} before the answer" if early else "not before the answer"
        print(
            f"round {round_number}: POST {post.status_code} {body['status']} "
            f"in {ms(write_end - write_start)} "
            f"({body['entities']} entities, {body['events']} events, {body['stances']} stances, "
            f"{body['triples']} triples); documents right after: {visible} (was {before})"
        )
        print(
            "  first answers after the write: "
            + ", ".join(f"{route} {ms(seconds)}" for route, seconds in first.items())
        )
        print(f"  readers before the write: {stats(readers.between(0, write_start))}")
        print(f"  readers during the write: {stats(during)}; errors {len(readers.errors)}")
        print(f"  (documents in /sparql, in /documents) seen during the write: {seen}")
        print(f"  first seen in /sparql (the graph committed, links being refreshed): {window}")
        doc_path = f"/documents/{body['id']}"
        seconds, removed = timed(lambda p=doc_path: client.delete(p, headers=headers))
        removed.raise_for_status()
        print(f"  DELETE {removed.status_code} in {ms(seconds)}; documents after: {count_documents(client)}")
    server.should_exit = True


if __name__ == "__main__":
    main()
