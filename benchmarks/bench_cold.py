"""Cold-start benchmark: server start, the FIRST answer of every REST route on a fresh
server, warm and 16-client latencies, and the server's memory.

Serves an existing store read-only (``policykg --store STORE serve --port P`` without an
update token, in a child process, as a user starts it) and measures:

1. start: from spawning the server to its first ``200`` of ``/healthz``, and to its first
   ``200`` of a REST route (``/documents?limit=5``), over ``--starts`` starts;
2. cold: for each REST route, ``--questions`` different questions, each asked as the
   FIRST request of its own freshly started server (right after ``/healthz`` answers):
   p50 and max of those first answers. The questions are chosen by asking the store
   (states by their number of speeches, initiatives and instruments by their number of
   mentioning documents, documents by id), evenly spread over the ranking, never written
   in here;
3. warm: one server; every route answered once (its first question), the resident memory
   of the server's process tree (the server and its query workers) read; then each
   route's first question and the REST questions of ``bench_queries.py`` with one client
   and with 16 concurrent clients (p50, p99, requests per second).

``--baseline DIR`` runs the same measurements against the code in ``DIR`` first (a git
worktree of an earlier commit: ``git worktree add --detach /tmp/base HEAD``), with the
same questions, and prints both side by side.

    uv run python benchmarks/bench_cold.py --store data/bench/store-ungdc
    uv run python benchmarks/bench_cold.py --store STORE --baseline /tmp/base --baseline-questions 2
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_queries import CLIENTS, free_port, http_call, measure  # noqa: E402
from bench_queries import questions as analyst_questions  # noqa: E402

from ontology.namespace import ENTITY, sparql_prefixes  # noqa: E402

DEFAULT_STORE = ROOT / "data" / "bench" / "store-ungdc"
ENTITY_BASE = str(ENTITY)

# -- choosing the questions from the store -------------------------------------------------------

_STATES = """
SELECT ?a (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?d a pkg:Document ; pkg:actor ?a } }
GROUP BY ?a ORDER BY DESC(?n) ?a
"""
_INITIATIVES = """
SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE {
  VALUES ?t { pkg:Initiative pkg:Instrument }
  GRAPH ?h { ?e a ?t }
  GRAPH ?g { ?d schema:mentions ?e }
} GROUP BY ?e ORDER BY DESC(?n) ?e
"""
_LABEL = "SELECT ?l WHERE { GRAPH ?g { <%s> skos:prefLabel ?l } } ORDER BY ?l LIMIT 1"
_DOCUMENTS = "SELECT ?id WHERE { GRAPH ?g { ?d a pkg:Document ; dcterms:identifier ?id } } ORDER BY ?id"


def spread(items: list[Any], n: int) -> list[Any]:
    """``n`` items evenly spread over ``items`` (the first always kept), cycling when few."""
    if not items:
        return []
    if len(items) <= n:
        return [items[i % len(items)] for i in range(n)]
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


@dataclass
class Subjects:
    states: list[tuple[str, str, int]]  # (key, label, speeches)
    initiatives: list[tuple[str, str, int]]  # (key, label, mentioning documents)
    documents: list[str]


def choose_subjects(store_path: Path, n: int, top_initiatives: int = 50) -> Subjects:
    """States (ranked by speeches), initiatives and instruments (ranked by mentioning
    documents, the ``top_initiatives`` most mentioned) and documents (by id), ``n`` each,
    evenly spread over their ranking."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    prefixes = sparql_prefixes()

    def rows(sparql: str) -> list[Any]:
        return list(store.query(prefixes + sparql))

    def labelled(ranked: list[Any], var: str) -> list[tuple[str, str, int]]:
        out = []
        for row in ranked:
            iri = row[var].value
            found = rows(_LABEL % iri)
            label = found[0]["l"].value if found else iri.removeprefix(ENTITY_BASE)
            out.append((iri.removeprefix(ENTITY_BASE), label, int(row["n"].value)))
        return out

    states = [r for r in rows(_STATES) if r["a"].value.startswith(ENTITY_BASE)]
    initiatives = rows(_INITIATIVES)[:top_initiatives]
    documents = [r["id"].value for r in rows(_DOCUMENTS)]
    # (the read-only store is closed when this function returns)
    subjects = Subjects(
        labelled(spread(states, n), "a"), labelled(spread(initiatives, n), "e"), spread(documents, n)
    )
    return subjects


def route_questions(s: Subjects, n: int) -> dict[str, list[str]]:
    """Ten (``n``) request paths per route, from the chosen subjects."""

    def q(text: str) -> str:
        return quote(text, safe="")

    out: dict[str, list[str]] = {name: [] for name in ROUTES}
    for i in range(n):
        state, state_label, _ = s.states[i]
        initiative, initiative_label, _ = s.initiatives[i]
        either = initiative if i % 2 == 0 else state
        word = next((w for w in state_label.split() if len(w) >= 4), state_label)
        out["documents list"].append(
            f"/documents?entity={q(initiative)}&limit=100"
            if i % 2 == 0
            else f"/documents?actor={q(state)}&limit=100"
        )
        out["one document"].append(f"/documents/{q(s.documents[i])}")
        out["entities list"].append("/entities?limit=100" if i == 0 else f"/entities?q={q(word)}&limit=100")
        out["one entity"].append(f"/entities/{q(either)}")
        out["co-mentions"].append(f"/entities/{q(either)}/co-mentions?limit=100")
        out["timeline"].append(
            f"/timeline?entity={q(initiative)}&limit=100"
            if i % 2 == 0
            else f"/timeline?actor={q(state)}&limit=100"
        )
        out["lineage"].append(f"/lineage/{q(initiative)}")
        out["stances"].append(f"/stances?holder={q(state)}&limit=100")
        out["paths"].append(f"/paths?from={q(state)}&to={q(initiative)}")
        out["search"].append(f"/search?q={q(initiative_label)}&limit=20")
        out["events table"].append(
            f"/events?subject={q(initiative)}&limit=1000"
            if i % 2 == 0
            else f"/events?actor={q(state)}&limit=1000"
        )
        out["stances table"].append(f"/stances?holder={q(state)}&format=csv&limit=1000")
    return out


ROUTES = (
    "documents list",
    "one document",
    "entities list",
    "one entity",
    "co-mentions",
    "timeline",
    "lineage",
    "stances",
    "paths",
    "search",
    "events table",
    "stances table",
)

# -- the server ----------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    spawned: float
    log: Any

    def tree_rss(self) -> int:
        """Resident memory of the server and every process it started (query workers)."""
        try:
            root = psutil.Process(self.process.pid)
            total = root.memory_info().rss
            for child in root.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            return total
        except psutil.Error:
            return 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()


def spawn(code: Path, store: Path, log_path: Path) -> Server:
    port = free_port()
    log = log_path.open("ab")
    # The code under test first on the import path (a worktree of another commit).
    env = {**os.environ, "PYTHONPATH": str(code)}
    env.pop("POLICYKG_UPDATE_TOKEN", None)  # read-only, as without a token
    spawned = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from policykg.cli import main; main()",
            "--store",
            str(store),
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        cwd=code,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return Server(process, f"http://127.0.0.1:{port}", spawned, log)


def wait_ready(server: Server, client: httpx.Client, limit_s: float = 300) -> float:
    """Seconds from spawn to the first 200 of /healthz."""
    deadline = time.perf_counter() + limit_s
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}; see {server.log.name}")
        with contextlib.suppress(httpx.HTTPError):
            if client.get(server.base + "/healthz", timeout=5).status_code == 200:
                return time.perf_counter() - server.spawned
        time.sleep(0.02)
    raise RuntimeError(f"the server did not answer /healthz within {limit_s:g} s")


def first_answer(client: httpx.Client, url: str, timeout: float) -> tuple[float | None, int]:
    """(seconds, status) of one GET; seconds None past ``timeout``."""
    started = time.perf_counter()
    try:
        response = client.get(url, timeout=timeout)
        _ = response.content
    except httpx.TimeoutException:
        return None, 0
    return time.perf_counter() - started, response.status_code


# -- the measurements ----------------------------------------------------------------------------


@dataclass
class Figures:
    starts: list[tuple[float, float]] = field(default_factory=list)  # (healthz s, first REST s)
    cold: dict[str, list[tuple[float | None, int, int]]] = field(default_factory=dict)  # (s, status, rss)
    warm_rss: int = 0
    warm_rss_after: int = 0
    warm: dict[str, dict[str, Any]] = field(default_factory=dict)


def measure_starts(code: Path, args: argparse.Namespace, figures: Figures) -> None:
    with httpx.Client() as client:
        for _ in range(args.starts):
            server = spawn(code, args.store, args.log)
            try:
                ready = wait_ready(server, client)
                seconds, status = first_answer(client, server.base + "/documents?limit=5", args.timeout)
                rest = (
                    time.perf_counter() - server.spawned
                    if seconds is not None and status == 200
                    else float("nan")
                )
                figures.starts.append((ready, rest))
                print(
                    f"  start: /healthz 200 after {ready:6.2f} s, "
                    f"first /documents?limit=5 200 after {rest:6.2f} s"
                )
            finally:
                server.stop()


def measure_cold(
    code: Path,
    args: argparse.Namespace,
    asked: dict[str, list[str]],
    routes: list[str],
    n: int,
    figures: Figures,
) -> None:
    with httpx.Client() as client:
        for route in routes:
            found = figures.cold.setdefault(route, [])
            for path in asked[route][:n]:
                server = spawn(code, args.store, args.log)
                try:
                    wait_ready(server, client)
                    seconds, status = first_answer(client, server.base + path, args.timeout)
                    found.append((seconds, status, server.tree_rss()))
                finally:
                    server.stop()
                shown = f"{seconds:7.2f} s" if seconds is not None else f"> {args.timeout:g} s"
                print(f"  {route:<15} {shown}  HTTP {status}  {path}", flush=True)


def measure_warm(
    code: Path, args: argparse.Namespace, asked: dict[str, list[str]], routes: list[str], figures: Figures
) -> None:
    series = {route: asked[route][0] for route in routes}
    for q in analyst_questions(args):
        if q.rest:
            series["bench_queries: " + q.name] = q.rest
    server = spawn(code, args.store, args.log)
    sessions: dict[int, httpx.Client] = {}
    try:
        with httpx.Client() as client:
            wait_ready(server, client)
            for path in series.values():
                first_answer(client, server.base + path, args.timeout)
        figures.warm_rss = server.tree_rss()
        print(f"  server tree RSS after warm-up: {figures.warm_rss / 2**20:,.0f} MiB")
        for name, path in series.items():
            call = http_call(sessions, server.base, path, None)
            try:
                call()
            except RuntimeError as exc:
                print(f"  {name:<46} {exc}")
                continue
            one = measure(call, clients=1, per_client=args.requests, budget_s=args.budget)
            many = measure(call, clients=CLIENTS, per_client=max(2, args.requests // 4), budget_s=args.budget)
            figures.warm[name] = {"path": path, "1": one.to_json(), "16": many.to_json()}
            print(
                f"  {name:<46} 1 client p50 {one.p50_ms:7.1f} p99 {one.p99_ms:7.1f} ms   "
                f"{CLIENTS} clients p50 {many.p50_ms:7.1f} p99 {many.p99_ms:7.1f} ms  {many.rps:7.1f} req/s",
                flush=True,
            )
        figures.warm_rss_after = server.tree_rss()
    finally:
        for session in sessions.values():
            session.close()
        server.stop()


def run(
    code: Path, args: argparse.Namespace, asked: dict[str, list[str]], routes: list[str], n: int
) -> Figures:
    figures = Figures()
    print(f"\n== code {code} ==")
    measure_starts(code, args, figures)
    if n:
        print(f"-- first answers, each on a fresh server ({n} questions per route) --")
        measure_cold(code, args, asked, routes, n, figures)
    if args.warm:
        print("-- warm --")
        measure_warm(code, args, asked, routes, figures)
    return figures


# -- printing ------------------------------------------------------------------------------------


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cold_summary(figures: Figures, timeout: float) -> dict[str, tuple[float, float, int, int]]:
    """route -> (p50 s, max s, timeouts or errors, max RSS); a timeout counts as ``timeout``."""
    out = {}
    for route, found in figures.cold.items():
        seconds = [s if s is not None and status == 200 else timeout for s, status, _ in found]
        failed = sum(1 for s, status, _ in found if s is None or status != 200)
        out[route] = (p50(seconds), max(seconds), failed, max(r for _, _, r in found))
    return out


def report(results: dict[str, Figures], args: argparse.Namespace) -> None:
    names = list(results)
    print("\n== start (seconds from spawn; p50 / max) ==")
    for name, figures in results.items():
        ready = [r for r, _ in figures.starts]
        rest = [r for _, r in figures.starts]
        print(
            f"{name:<10} /healthz {p50(ready):6.2f} / {max(ready):6.2f}   "
            f"first REST {p50(rest):6.2f} / {max(rest):6.2f}   (target < 5 s)"
        )
    print("\n== first answer on a fresh server (seconds: p50 / max over the questions; target p50 < 1 s) ==")
    summaries = {name: cold_summary(f, args.timeout) for name, f in results.items()}
    print(f"{'route':<16}" + "".join(f"{name:>28}" for name in names))
    for route in args.routes:
        cells = []
        for name in names:
            found = summaries[name].get(route)
            if found is None:
                cells.append(f"{'-':>28}")
                continue
            mid, top, failed, _ = found
            note = f"{failed} failed" if failed else ""
            cells.append(f"{mid:9.2f} / {top:7.2f} {note:<8}")
        print(f"{route:<16}" + "".join(cells))
    print("\n== server tree RSS ==")
    for name, figures in results.items():
        cold = max((s[3] for s in summaries[name].values()), default=0)
        print(
            f"{name:<10} after warm-up {figures.warm_rss / 2**20:7,.0f} MiB, after the warm series "
            f"{figures.warm_rss_after / 2**20:7,.0f} MiB, "
            f"largest after a first answer {cold / 2**20:7,.0f} MiB "
            "(target < 1024 MiB)"
        )
    if all(f.warm for f in results.values()):
        print(f"\n== warm (ms; p50 / p99, 1 client and {CLIENTS} clients) ==")
        print(f"{'series':<46}" + "".join(f"{name + ' 1c':>20}{name + ' 16c':>20}" for name in names))
        for series in results[names[-1]].warm:
            cells = []
            for name in names:
                entry = results[name].warm.get(series)
                if entry is None:
                    cells.append(f"{'-':>20}{'-':>20}")
                    continue
                one, many = entry["1"], entry["16"]
                cells.append(
                    f"{one['p50_ms']:>10.1f}/{one['p99_ms']:<9.1f}{many['p50_ms']:>10.1f}/{many['p99_ms']:<9.1f}"
                )
            print(f"{series:<46}" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument(
        "--questions", type=int, default=10, help="questions per route, each on a fresh server"
    )
    parser.add_argument("--starts", type=int, default=3, help="server starts timed")
    parser.add_argument("--routes", nargs="*", default=list(ROUTES), choices=ROUTES, metavar="ROUTE")
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="the code to measure (default: this checkout)"
    )
    parser.add_argument("--baseline", type=Path, help="also measure the code of this folder (first)")
    parser.add_argument("--baseline-questions", type=int, help="questions per route for the baseline")
    parser.add_argument(
        "--baseline-skip",
        nargs="*",
        default=[],
        choices=ROUTES,
        metavar="ROUTE",
        help="routes not asked of the baseline (those that take minutes there)",
    )
    parser.add_argument("--no-warm", dest="warm", action="store_false", help="skip the warm series")
    parser.add_argument("--requests", type=int, default=40, help="warm requests per client and series")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds at most per warm series")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds at most per first answer")
    parser.add_argument(
        "--log", type=Path, default=Path("/tmp/bench_cold.server.log"), help="servers' output"
    )
    parser.add_argument("--output", type=Path, help="JSON figures")
    # the REST questions of bench_queries.py (warm series)
    parser.add_argument("--entity", default="npt")
    parser.add_argument("--topic", default="nuclear")
    parser.add_argument("--state", default="united-states")
    parser.add_argument("--search", default="outer space")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress as it comes
    if not args.store.is_dir():
        sys.exit(f"{args.store}: no store")
    args.store = args.store.resolve()

    started = time.perf_counter()
    subjects = choose_subjects(args.store, args.questions)
    asked = route_questions(subjects, args.questions)
    print(
        f"store {args.store}; {os.cpu_count()} cores; "
        f"questions chosen in {time.perf_counter() - started:.1f} s"
    )
    print("states:      " + ", ".join(f"{label} ({n})" for _, label, n in subjects.states))
    print("initiatives: " + ", ".join(f"{label} ({n})" for _, label, n in subjects.initiatives))
    print("documents:   " + ", ".join(subjects.documents))

    results: dict[str, Figures] = {}
    if args.baseline is not None:
        n = args.baseline_questions if args.baseline_questions is not None else args.questions
        routes = [r for r in args.routes if r not in args.baseline_skip]
        results["before"] = run(args.baseline.resolve(), args, asked, routes, n)
    results["now"] = run(args.code.resolve(), args, asked, args.routes, args.questions)
    report(results, args)
    if args.output:
        args.output.write_text(
            json.dumps({"questions": asked, **{k: v.__dict__ for k, v in results.items()}}, indent=1)
        )
        print(f"\nfigures written to {args.output}")


if __name__ == "__main__":
    main()
