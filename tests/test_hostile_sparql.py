"""Hostile requests to /sparql against a started server: none may fetch a URL, crash or
starve the service.

Every probe of issue 15's /sparql part: SERVICE and LOAD in any spelling (against a
listener on loopback, which must receive nothing), deep nesting and huge queries (400 or
413, and the server answers the next request), a runaway query (its worker process is
killed and a new one answers), a query past its memory cap, the request body limit, the
bounded queue (503 with Retry-After), workers that die with their server, and settings
checked at startup.
"""

from __future__ import annotations

import http.server
import os
import platform
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from api.app import create_app
from api.query_pool import QueryPool
from graph.oxigraph_store import OxigraphStore
from policykg.settings import SettingsError, get_settings

TOKEN = "hostile-test-token"
EX = "http://example.org/"
#: Sums over a cartesian product of the store with itself: runs for minutes.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: Sorting a cartesian product: materialised, so its memory grows until it is stopped.
MEMORY_HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 5"


def _quads(graphs: int = 3, per_graph: int = 100) -> dict[str, list[ox.Quad]]:
    out = {}
    for g in range(graphs):
        graph = ox.NamedNode(f"{EX}graph/{g}")
        out[graph.value] = [
            ox.Quad(ox.NamedNode(f"{EX}s{g}-{i}"), ox.NamedNode(f"{EX}p{i % 7}"), ox.Literal(f"v{i}"), graph)
            for i in range(per_graph)
        ]
    return out


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "store"
    store = OxigraphStore(path)
    store.replace_graphs(_quads())
    store.close()
    return path


def _serve(live_server: Any, store_path: Path, **overrides: Any) -> tuple[str, Any]:
    settings = get_settings(store=str(store_path), **overrides)
    app = create_app(settings)
    return str(live_server(app)), app


@pytest.fixture
def server(live_server: Any, store_path: Path) -> str:
    base, _ = _serve(live_server, store_path, query_timeout_s=20)
    return base


def query(base: str, text: str, **params: str) -> httpx.Response:
    return httpx.post(
        base + "/sparql",
        content=text.encode(),
        params=params,
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=120,
    )


def answers(base: str) -> bool:
    response = query(base, "ASK {}")
    return response.status_code == 200 and response.json()["boolean"] is True


# -- SSRF ----------------------------------------------------------------------------------------


class Listener:
    """An HTTP server on loopback that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        received = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                received.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(b'{"head":{"vars":["s"]},"results":{"bindings":[]}}')

            do_GET = do_POST = _record

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


def test_the_listener_records_what_it_receives(listener: Listener) -> None:
    # Without this, "the listener received nothing" below would prove nothing.
    httpx.get(listener.url + "probe")
    assert listener.requests == ["GET /probe"]


def test_service_in_any_spelling_is_refused_and_fetches_nothing(server: str, listener: Listener) -> None:
    url = listener.url
    probes = [
        f"PREFIX : <{url}> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}> SELECT * WHERE {{ SERVICE SILENT:x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"BASE <{url}> SELECT * WHERE {{ SERVICE <x> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?x }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    ]
    for probe in probes:
        response = query(server, probe)
        assert response.status_code == 400, (probe, response.text)
        assert "SERVICE" in response.json()["detail"], probe
        get = httpx.get(server + "/sparql", params={"query": probe}, timeout=60)
        assert get.status_code == 400, probe
    assert listener.requests == []


def test_load_in_any_spelling_is_refused_and_fetches_nothing(
    live_server: Any, tmp_path: Path, listener: Listener
) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.close()
    base, _ = _serve(live_server, tmp_path / "store", update_token=TOKEN)
    url = listener.url
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    for probe in (
        f"PREFIX : <{url}> LOAD:x",
        f"PREFIX : <{url}> LOAD SILENT:x INTO GRAPH <{EX}g>",
        f"LOAD <{url}data.ttl> INTO GRAPH <{EX}g>",
        f"load <{url}data.ttl>",
        "LOAD <file:///etc/passwd> INTO GRAPH <http://example.org/g>",
        f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}b> 1 }} }} ; LOAD <{url}x>",
        f"INSERT {{ GRAPH <{EX}g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ):
        response = httpx.post(base + "/sparql", content=probe.encode(), headers=headers, timeout=60)
        assert response.status_code == 400, (probe, response.text)
    assert listener.requests == []
    # Nothing was written either, and a plain update still works.
    assert query(base, "ASK { GRAPH ?g { ?s ?p ?o } }").json()["boolean"] is False
    fine = f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}b> 1 }} }}"
    assert httpx.post(base + "/sparql", content=fine.encode(), headers=headers).status_code == 204
    assert query(base, "ASK { GRAPH ?g { ?s ?p ?o } }").json()["boolean"] is True


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.machine() not in ("x86_64", "aarch64"),
    reason="the workers' seccomp filter is for Linux x86-64 and arm64",
)
def test_a_query_worker_has_no_network_whatever_the_guard_lets_through(listener: Listener) -> None:
    """Defence in depth: in a process set up as a worker is, Oxigraph's own SERVICE call
    (the guard bypassed) cannot reach the listener."""
    script = textwrap.dedent(
        f"""
        import pyoxigraph as ox
        from api.query_worker import close_network
        assert close_network()
        try:
            list(ox.Store().query("SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
        except Exception as exc:
            print("refused:", type(exc).__name__)
        else:
            print("fetched")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "refused:" in done.stdout
    assert listener.requests == []


def test_from_names_only_graphs_of_the_store(server: str) -> None:
    for probe in (
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "PREFIX f: <file:///etc/> SELECT * FROM NAMED f:passwd WHERE { GRAPH ?g { ?s ?p ?o } }",
        "BASE <http://169.254.169.254/> SELECT * FROM <latest/meta-data> WHERE { ?s ?p ?o }",
    ):
        response = query(server, probe)
        assert response.status_code == 400, probe
        assert "not a graph of this store" in response.json()["detail"]
    own = query(server, f"PREFIX g: <{EX}graph/> SELECT (COUNT(*) AS ?n) FROM g:0 WHERE {{ ?s ?p ?o }}")
    assert own.status_code == 200
    assert own.json()["results"]["bindings"][0]["n"]["value"] == "100"


# -- nesting and size ----------------------------------------------------------------------------


def test_deep_nesting_and_huge_queries_are_refused_and_the_server_goes_on(server: str) -> None:
    probes = {
        "nested groups": "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000,
        "nested CONCAT": "SELECT (" + "CONCAT(" * 2000 + "'a'" + ")" * 2000 + " AS ?x) WHERE {}",
        "nested brackets": "SELECT * WHERE { ?s ?p " + "[ ?p " * 3000 + "1" + " ]" * 3000 + " }",
        "45k triple patterns": "SELECT * WHERE { "
        + " ".join(f"?s{i} ?p ?o{i} ." for i in range(45_000))
        + " }",
        "1 MB of ||": "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["?o"] * 200_000) + ") }",
    }
    for name, probe in probes.items():
        response = query(server, probe)
        assert response.status_code in (400, 413), (name, response.status_code, response.text[:300])
        assert answers(server), f"the server did not answer after {name}"
    nested = query(server, "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000)
    assert nested.status_code == 400 and "nests brackets" in nested.json()["detail"]
    # Nesting within the limit is evaluated as usual.
    fine = query(server, "SELECT (COUNT(*) AS ?n) WHERE " + "{" * 40 + "?s ?p ?o" + "}" * 40)
    assert fine.status_code == 200, fine.text
    assert fine.json()["results"]["bindings"][0]["n"]["value"] == "300"


def test_query_limits_are_settings(live_server: Any, store_path: Path) -> None:
    base, _ = _serve(live_server, store_path, max_query_depth=8, max_query_tokens=50, max_query_bytes=400)
    assert query(base, "SELECT * WHERE " + "{" * 9 + "}" * 9).status_code == 400
    assert query(base, "SELECT * WHERE " + "{" * 7 + "}" * 7).status_code == 200
    many = query(base, "SELECT * WHERE { VALUES ?x { " + "1 " * 60 + "} }")
    assert many.status_code == 400 and "POLICYKG_MAX_QUERY_TOKENS" in many.json()["detail"]
    long = query(base, "SELECT * WHERE { BIND('" + "x" * 500 + "' AS ?x) }")
    assert long.status_code == 413 and "POLICYKG_MAX_QUERY_BYTES" in long.json()["detail"]


def test_request_body_limit(live_server: Any, store_path: Path) -> None:
    base, _ = _serve(live_server, store_path, sparql_max_body_bytes=4096)
    large = "ASK { FILTER(" + " || ".join(["true"] * 1000) + ") }"
    announced = httpx.post(base + "/sparql", data={"query": large})
    assert announced.status_code == 413 and "POLICYKG_SPARQL_MAX_BODY_BYTES" in announced.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
        for _ in range(10):
            yield b"#" * 1000 + b"\n"

    streamed = httpx.post(
        base + "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}
    )
    assert streamed.status_code == 413
    assert answers(base)


# -- runaway queries -----------------------------------------------------------------------------


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers kill(0): read its state.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def _wait_for(condition: Any, limit_s: float = 30.0) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _start(base: str, text: str) -> tuple[threading.Thread, dict[str, httpx.Response]]:
    outcome: dict[str, httpx.Response] = {}

    def run() -> None:
        outcome["response"] = query(base, text)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_runaway_query_is_killed_and_a_new_worker_answers(live_server: Any, store_path: Path) -> None:
    base, app = _serve(live_server, store_path, query_timeout_s=3)
    assert answers(base)
    pool: QueryPool = app.state.query_pool
    thread, outcome = _start(base, RUNAWAY)
    assert _wait_for(lambda: pool.busy_pids), "the runaway never reached a worker"
    runaway_pid = pool.busy_pids[0]
    thread.join(timeout=120)
    response = outcome["response"]
    assert response.status_code == 503
    assert "timeout" in response.json()["detail"]
    assert _wait_for(lambda: _gone(runaway_pid)), "the runaway's worker process is still there"
    assert _wait_for(lambda: runaway_pid not in pool.pids), "the pool still counts the killed worker"
    assert answers(base)


def test_quick_queries_are_answered_while_runaways_run(live_server: Any, store_path: Path) -> None:
    base, app = _serve(live_server, store_path, query_timeout_s=20, query_workers=4)
    assert answers(base)
    pool: QueryPool = app.state.query_pool
    runaways = [_start(base, RUNAWAY) for _ in range(3)]
    assert _wait_for(lambda: len(pool.busy_pids) == 3), "the runaways never all ran"
    assert answers(base)
    assert all(thread.is_alive() for thread, _ in runaways), "a runaway ended before the quick query"
    for pid in pool.busy_pids:
        os.kill(pid, signal.SIGKILL)  # end the test quickly: a killed worker is a crash to the pool
    for thread, outcome in runaways:
        thread.join(timeout=60)
        assert outcome["response"].status_code == 400  # "the worker process ended with signal SIGKILL"
    assert answers(base)


def test_a_query_past_its_memory_is_killed(live_server: Any, store_path: Path) -> None:
    base, _ = _serve(live_server, store_path, query_timeout_s=120, query_memory_mb=200)
    assert answers(base)
    response = query(base, MEMORY_HOG)
    assert response.status_code == 503, response.text
    assert "POLICYKG_QUERY_MEMORY_MB" in response.json()["detail"]
    assert answers(base)


def test_the_queue_is_bounded(live_server: Any, store_path: Path) -> None:
    base, app = _serve(live_server, store_path, query_timeout_s=10, query_workers=1, query_queue=1)
    assert answers(base)
    pool: QueryPool = app.state.query_pool
    first = _start(base, RUNAWAY)
    assert _wait_for(lambda: pool.busy_pids)
    second = _start(base, RUNAWAY)
    assert _wait_for(lambda: pool.waiting == 1)
    refused = query(base, "ASK {}")
    assert refused.status_code == 503
    assert refused.headers["retry-after"].isdigit()
    assert "retry" in refused.json()["detail"]
    for pid in pool.busy_pids:
        os.kill(pid, signal.SIGKILL)
    for thread, _ in (first, second):
        thread.join(timeout=60)
    assert answers(base)


def test_workers_do_not_outlive_their_server(store_path: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio, sys, time
        from api.query_pool import QueryPool
        from api.query_worker import StoreSpec

        async def main():
            pool = QueryPool(StoreSpec({str(store_path)!r}), max_workers=2, queue_size=1, memory_mb=512)
            pool.start()
            pool.start_workers()
            while len(pool.pids) < 2:
                await asyncio.sleep(0.05)
            print(" ".join(map(str, pool.pids)), flush=True)
            await asyncio.sleep(600)

        asyncio.run(main())
        """
    )
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    # A watchdog: the test must not hang if the pool never reports its workers.
    watchdog = threading.Timer(120, server.kill)
    watchdog.start()
    try:
        assert server.stdout is not None
        pids = [int(p) for p in server.stdout.readline().split()]
        assert len(pids) == 2 and not any(_gone(pid) for pid in pids)
    finally:
        watchdog.cancel()
        server.kill()
        server.wait()
    assert _wait_for(lambda: all(_gone(pid) for pid in pids)), "a worker outlived the server"


# -- settings ------------------------------------------------------------------------------------


def test_settings_are_checked_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="POLICYKG_QUERY_TIMEOUT_S"):
        get_settings(query_timeout_s=-5)
    for bad in ({"port": 70000}, {"query_workers": 0}, {"store": "ftp://example.org/"}):
        with pytest.raises(SettingsError):
            get_settings(**bad)
    env = {**os.environ, "POLICYKG_QUERY_TIMEOUT_S": "-5", "POLICYKG_STORE": str(tmp_path / "s")}
    cli = Path(sys.executable).parent / "policykg"
    done = subprocess.run([str(cli), "serve"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert "POLICYKG_QUERY_TIMEOUT_S" in done.stderr and "greater than 0" in done.stderr
    assert "Traceback" not in done.stderr


# -- a remote store ------------------------------------------------------------------------------


class SlowEndpoint:
    """A SPARQL endpoint on loopback that answers at once with empty results, except a
    query holding ``MARKER``: that one it holds open, watching for the client to hang up."""

    MARKER = "policykg-slow-probe"

    def __init__(self) -> None:
        self.aborted = threading.Event()
        self.slow_started = threading.Event()
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                import select
                from urllib.parse import parse_qs

                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                query = " ".join(form.get("query", [""]))
                if endpoint.MARKER in query:
                    endpoint.slow_started.set()
                    deadline = time.monotonic() + 60
                    while time.monotonic() < deadline:
                        readable, _, _ = select.select([self.connection], [], [], 0.1)
                        if readable and not self.connection.recv(1):
                            endpoint.aborted.set()  # the client closed the connection
                            return
                    return
                body = (
                    b'{"head":{},"boolean":false}'
                    if "ASK" in query.upper()
                    else (b'{"head":{"vars":[]},"results":{"bindings":[]}}')
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_remote_query_past_its_limit_is_aborted(live_server: Any) -> None:
    remote = SlowEndpoint()
    try:
        base = str(live_server(create_app(get_settings(store=remote.url, query_timeout_s=2))))
        response = query(base, f'SELECT * WHERE {{ ?s ?p "{remote.MARKER}" }}')
        assert response.status_code == 503
        assert remote.slow_started.is_set()
        # The request to the remote store is closed, not left running.
        assert remote.aborted.wait(30), "the remote store's request was left open"
        # The server goes on (once a new worker has started in the killed one's place).
        assert _wait_for(lambda: query(base, "ASK { ?s ?p ?o }").status_code == 200, 60)
    finally:
        remote.close()
