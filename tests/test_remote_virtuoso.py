"""RemoteStore against a real Virtuoso 7 (Debian ``virtuoso-opensource-7-bin``).

A module fixture starts ``virtuoso-t`` on free loopback ports from a small ini file in a
temporary folder (throw-away database), waits until its SPARQL endpoint answers, and stops
it afterwards. Updates go through digest authentication at ``/sparql-auth`` and the Graph
Store Protocol at ``/sparql-graph-crud-auth``, as in a real deployment.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from graph.open_store import RemoteEndpoints, open_store
from graph.remote import INSERT_DATA_TRIPLES, RemoteStore, graph_update, query_form
from graph.store import Store, StoreError
from policykg.settings import Settings, get_settings

VIRTUOSO = shutil.which("virtuoso-t")
needs_virtuoso = pytest.mark.skipif(
    VIRTUOSO is None,
    reason="virtuoso-t not found: install the Debian package virtuoso-opensource-7-bin (.ci/run does)",
)

XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class VirtuosoServer:
    """A running throw-away Virtuoso: its endpoints and the settings that reach them."""

    process: subprocess.Popen[bytes]
    folder: Path
    http_port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def settings(self, *, password: str = "dba", graph_store: bool = True) -> Settings:
        return get_settings(
            store=f"{self.base}/sparql",
            update_endpoint=f"{self.base}/sparql-auth",
            graph_store_endpoint=f"{self.base}/sparql-graph-crud-auth" if graph_store else None,
            store_user="dba",
            store_password=password,
            store_auth="digest",
        )

    def log_tail(self) -> str:
        log = self.folder / "virtuoso.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


def remote_store(settings: Settings) -> RemoteStore:
    """The remote store the settings name, opened the way the CLI and the app open it."""
    store = open_store(settings.store_location())
    assert isinstance(store, RemoteStore)
    return store


def start_virtuoso(folder: Path, *, max_rows: int = 1_000_000) -> VirtuosoServer:
    """Start ``virtuoso-t`` in ``folder`` on free loopback ports; return once it answers."""
    assert VIRTUOSO is not None
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    (folder / "virtuoso.ini").write_text(
        f"""[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 8
MaxClientConnections = 8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""
    )
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = VirtuosoServer(process, folder, http_port)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.base}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    stop_virtuoso(server)
    raise RuntimeError(f"virtuoso-t did not answer within 90 s:\n{server.log_tail()}")


def stop_virtuoso(server: VirtuosoServer) -> None:
    server.process.terminate()  # Virtuoso shuts down cleanly on SIGTERM
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    if VIRTUOSO is None:
        pytest.skip("virtuoso-t not found: install the Debian package virtuoso-opensource-7-bin")
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    stop_virtuoso(server)


@pytest.fixture
def store(virtuoso: VirtuosoServer) -> Iterator[RemoteStore]:
    with remote_store(virtuoso.settings()) as remote:
        yield remote


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _sample_quads(graph: str) -> list[ox.Quad]:
    """Literals that trip servers: non-ASCII and astral characters, quotes, backslashes,
    newlines, a long text, and the date datatypes the model uses."""
    g = _n(graph)
    doc = _n(EX + "doc/un-2024")
    long_text = ('Mr. President, "we" reject the arms race in outer space.\n' * 2000) + "Erdoğan 😀 \\ end"
    return [
        ox.Quad(doc, _n(EX + "title"), ox.Literal("Statement by Türkiye — général debate"), g),
        ox.Quad(doc, _n(EX + "year"), ox.Literal("2024", datatype=_n(XSD + "gYear")), g),
        ox.Quad(doc, _n(EX + "date"), ox.Literal("2024-09-24", datatype=_n(XSD + "date")), g),
        ox.Quad(doc, _n(EX + "at"), ox.Literal("2024-09-24T10:15:00", datatype=_n(XSD + "dateTime")), g),
        ox.Quad(doc, _n(EX + "start"), ox.Literal("5120", datatype=_n(XSD + "integer")), g),
        ox.Quad(doc, _n(EX + "label"), ox.Literal("Türkiye", language="tr"), g),
        ox.Quad(doc, _n(EX + "text"), ox.Literal(long_text), g),
    ]


# -- without a server ----------------------------------------------------------------------


def test_query_form_skips_prologue_and_comments() -> None:
    query = (
        "# list #things\nBASE <http://b/#x>\nPREFIX ex: <http://example.org/#>\n"
        "  construct { ?s ?p ?o } WHERE {}"
    )
    assert query_form(query) == "CONSTRUCT"
    assert query_form("PREFIX : <urn:x>\nDESCRIBE <urn:y>") == "DESCRIBE"
    with pytest.raises(StoreError, match="not a SPARQL query"):
        query_form("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")


def test_graph_update_splits_large_data_and_names_the_graph() -> None:
    graph = EX + "g/big"
    quads = [ox.Quad(_n(f"{EX}s{i}"), _n(EX + "p"), ox.Literal(str(i)), _n(graph)) for i in range(4500)]
    quads.append(ox.Quad(ox.BlankNode("b1"), _n(EX + "p"), ox.BlankNode("b2"), _n(graph)))
    update = graph_update(graph, quads)
    assert update.startswith(f"DROP SILENT GRAPH <{graph}> ;\n")
    assert update.count(f"INSERT DATA {{ GRAPH <{graph}> {{") == -(-4500 // INSERT_DATA_TRIPLES)
    assert update.count(f"INSERT {{ GRAPH <{graph}> {{") == 1
    assert "_:b1" not in update.split("INSERT {")[0]
    with pytest.raises(StoreError, match="is not in graph"):
        graph_update(EX + "g/other", quads[:1])


def test_settings_name_the_remote_endpoints_and_their_credentials() -> None:
    settings = get_settings(
        store="http://127.0.0.1:3030/ds/query", update_endpoint="http://127.0.0.1:3030/ds/update",
        store_user="admin", store_password="s3cret", store_auth="basic", query_timeout_s=7,
    )
    location = settings.store_location()
    assert location == RemoteEndpoints(
        "http://127.0.0.1:3030/ds/query", update="http://127.0.0.1:3030/ds/update",
        user="admin", password="s3cret", auth="basic", timeout_s=7,
    )
    assert "s3cret" not in repr(location)
    with remote_store(settings) as remote:
        assert (remote.query_endpoint, remote.update_endpoint, remote.graph_store_endpoint, remote.timeout_s) == (
            "http://127.0.0.1:3030/ds/query", "http://127.0.0.1:3030/ds/update", None, 7
        )
    assert get_settings(store="data/store").store_location() == Path("data/store")


def test_open_store_refuses_a_remote_store_that_is_no_url() -> None:
    with pytest.raises(StoreError, match="not an http"):
        open_store(RemoteEndpoints("data/store"))


def test_unreachable_server_is_a_clear_error() -> None:
    with (
        RemoteStore(f"http://127.0.0.1:{_free_port()}/sparql") as remote,
        pytest.raises(StoreError, match="cannot reach"),
    ):
        remote.query("ASK {}")


# -- against Virtuoso -----------------------------------------------------------------------


@pytest.mark.virtuoso
@needs_virtuoso
def test_remote_store_is_a_store(store: RemoteStore) -> None:
    assert isinstance(store, Store)


@pytest.mark.virtuoso
@needs_virtuoso
def test_graph_store_put_round_trips_every_literal(store: RemoteStore) -> None:
    graph = EX + "g/literals"
    quads = _sample_quads(graph)
    store.replace_graph(graph, quads)
    assert set(store.graph_quads(graph)) == set(quads)
    assert store.quad_count(graph) == 7
    assert graph in store.graphs()


@pytest.mark.virtuoso
@needs_virtuoso
def test_update_path_round_trips_and_replaces(virtuoso: VirtuosoServer) -> None:
    # No Graph Store endpoint: DROP SILENT GRAPH + INSERT DATA in one update request.
    with remote_store(virtuoso.settings(graph_store=False)) as remote:
        graph = EX + "g/update-path"
        quads = _sample_quads(graph)
        remote.replace_graph(graph, quads)
        assert set(remote.graph_quads(graph)) == set(quads)
        remote.replace_graph(graph, quads[:2])
        assert set(remote.graph_quads(graph)) == set(quads[:2])


@pytest.mark.virtuoso
@needs_virtuoso
def test_replace_graphs_beyond_virtuoso_insert_data_limit(store: RemoteStore) -> None:
    # One INSERT DATA of ~5,000 triples exhausts Virtuoso's parser; 6,000 must still land.
    big, small = EX + "g/big", EX + "g/small"
    graphs = {
        big: [ox.Quad(_n(f"{EX}s{i}"), _n(EX + "p"), ox.Literal(f"é {i}"), _n(big)) for i in range(6000)],
        small: [
            ox.Quad(ox.BlankNode("a"), _n(EX + "p"), ox.BlankNode("b"), _n(small)),
            ox.Quad(ox.BlankNode("b"), _n(EX + "q"), ox.Literal("end"), _n(small)),
        ],
    }
    store.replace_graphs(graphs)
    assert store.quad_count(big) == 6000
    rows = list(store.query(f"SELECT ?x WHERE {{ GRAPH <{small}> {{ ?a <{EX}p> ?b . ?b <{EX}q> ?x }} }}"))
    assert [row["x"].value for row in rows] == ["end"]  # blank nodes kept their identity
    store.replace_graphs({big: graphs[big][:10]})
    assert store.quad_count(big) == 10


@pytest.mark.virtuoso
@needs_virtuoso
def test_query_results_are_pyoxigraph_objects(store: RemoteStore) -> None:
    graph = EX + "g/query"
    store.replace_graph(graph, _sample_quads(graph))

    yes = store.query(f"ASK {{ GRAPH <{graph}> {{ ?s <{EX}year> ?y }} }}")
    no = store.query(f"ASK {{ GRAPH <{graph}> {{ ?s <{EX}nothing> ?y }} }}")
    assert isinstance(yes, ox.QueryBoolean) and bool(yes) is True
    assert isinstance(no, ox.QueryBoolean) and bool(no) is False

    rows = list(
        store.query(f"SELECT ?y ?l WHERE {{ GRAPH <{graph}> {{ ?s <{EX}year> ?y ; <{EX}label> ?l }} }}")
    )
    assert rows[0]["y"] == ox.Literal("2024", datatype=_n(XSD + "gYear"))
    assert rows[0]["l"] == ox.Literal("Türkiye", language="tr")

    triples = store.query(f"CONSTRUCT {{ ?s <{EX}t> ?d }} WHERE {{ GRAPH <{graph}> {{ ?s <{EX}date> ?d }} }}")
    assert isinstance(triples, ox.QueryTriples)
    assert triples.serialize(format=ox.RdfFormat.N_TRIPLES) == (
        f'<{EX}doc/un-2024> <{EX}t> "2024-09-24"^^<{XSD}date> .\n'.encode()
    )


@pytest.mark.virtuoso
@needs_virtuoso
def test_dataset_of_the_protocol(store: RemoteStore) -> None:
    one, two = EX + "g/one", EX + "g/two"
    store.replace_graph(one, [ox.Quad(_n(EX + "a"), _n(EX + "in"), ox.Literal("one"), _n(one))])
    store.replace_graph(two, [ox.Quad(_n(EX + "a"), _n(EX + "in"), ox.Literal("two"), _n(two))])
    query = f"SELECT ?v WHERE {{ <{EX}a> <{EX}in> ?v }} ORDER BY ?v"
    assert [r["v"].value for r in store.query(query)] == ["one", "two"]  # union default graph
    assert [r["v"].value for r in store.query(query, default_graph=[two])] == ["two"]
    assert list(store.query(query, union_default_graph=False)) == []
    named = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{EX}a> <{EX}in> ?v }} }} ORDER BY ?g"
    assert [r["g"].value for r in store.query(named, union_default_graph=False)] == [one, two]


@pytest.mark.virtuoso
@needs_virtuoso
def test_drop_graph_reports_existence(store: RemoteStore) -> None:
    graph = EX + "g/drop"
    store.replace_graph(graph, [ox.Quad(_n(EX + "a"), _n(EX + "b"), ox.Literal("c"), _n(graph))])
    assert store.drop_graph(graph) is True
    assert store.drop_graph(graph) is False
    assert graph not in store.graphs()
    assert list(store.graph_quads(graph)) == []


@pytest.mark.virtuoso
@needs_virtuoso
def test_errors_name_the_problem(virtuoso: VirtuosoServer, store: RemoteStore) -> None:
    with pytest.raises(StoreError, match=r"HTTP 400.*SP030"):
        store.query("SELECT * WHERE { ?s ?p ")
    intruder = remote_store(virtuoso.settings(password="wrong"))
    with intruder, pytest.raises(StoreError, match=r"refused \(HTTP 401.*store_password"):
        intruder.update(f"INSERT DATA {{ GRAPH <{EX}g/x> {{ <{EX}a> <{EX}b> <{EX}c> }} }}")
    assert store.quad_count(EX + "g/x") == 0


@pytest.mark.virtuoso
@needs_virtuoso
def test_truncated_results_are_refused(tmp_path: Path) -> None:
    # Virtuoso cuts results at ResultSetMaxRows with HTTP 200: never pass that on as an answer.
    server = start_virtuoso(tmp_path / "capped", max_rows=5)
    try:
        with remote_store(server.settings()) as remote:
            graph = EX + "g/capped"
            remote.replace_graph(
                graph, [ox.Quad(_n(EX + "a"), _n(EX + "n"), ox.Literal(str(i)), _n(graph)) for i in range(8)]
            )
            assert (
                len(list(remote.query(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT 4"))) == 4
            )
            with pytest.raises(StoreError, match="cut the result at 5 rows"):
                remote.query(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            with pytest.raises(StoreError, match="of its 8 triples"):
                list(remote.graph_quads(graph))
            assert remote.quad_count(graph) == 8
    finally:
        stop_virtuoso(server)


# -- the product on Virtuoso: ingest, lineage, API --------------------------------------------

SAMPLE_CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus"


def _cli_options(settings: Settings) -> list[str]:
    assert settings.store_password is not None
    return [
        "--store", settings.store,
        "--update-endpoint", str(settings.update_endpoint),
        "--graph-store-endpoint", str(settings.graph_store_endpoint),
        "--store-user", str(settings.store_user),
        "--store-password", settings.store_password.get_secret_value(),
    ]


@pytest.mark.virtuoso
@needs_virtuoso
@pytest.mark.skipif(not SAMPLE_CORPUS.is_dir(), reason="the sample corpus ../shared/corpus is absent")
def test_sample_corpus_on_virtuoso_gives_the_embedded_lineage(virtuoso: VirtuosoServer, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from api.app import create_app
    from policykg.cli import main

    runner = CliRunner()
    remote = _cli_options(virtuoso.settings())
    embedded = ["--store", str(tmp_path / "embedded")]
    for options in (remote, embedded):
        done = runner.invoke(main, [*options, "--workers", "1", "ingest", str(SAMPLE_CORPUS), "--json", "-q"])
        assert done.exit_code == 0, done.output
        assert json.loads(done.output)["counts"] == {"stored": 5}
    # Ingesting again finds every document unchanged on Virtuoso too (restartable ingest).
    again = runner.invoke(main, [*remote, "--workers", "1", "ingest", str(SAMPLE_CORPUS), "--json", "-q"])
    assert json.loads(again.output)["counts"] == {"unchanged": 5}

    answers = []
    for options in (remote, embedded):
        shown = runner.invoke(main, [*options, "lineage", "Global Initiative on Data Security", "--json"])
        assert shown.exit_code == 0, shown.output
        answers.append(json.loads(shown.output))
    from_virtuoso, from_oxigraph = answers
    assert from_virtuoso == from_oxigraph
    origin = from_oxigraph["steps"][0]
    assert (origin["role"], origin["event_type"], origin["date"]) == ("origin", "launch", "2020-09-08")
    assert len(from_oxigraph["steps"]) >= 3

    # The API reads the remote store the same way.
    rest = []
    for settings in (virtuoso.settings(), get_settings(store=str(tmp_path / "embedded"))):
        with TestClient(create_app(settings)) as client:
            response = client.get("/lineage/global-initiative-on-data-security")
            assert response.status_code == 200, response.text
            rest.append(response.json())
            sparql = client.get(
                "/sparql",
                params={"query": "PREFIX pkg: <https://w3id.org/policykg/ontology#>\n"
                        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?d a pkg:Document } }"},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert sparql.status_code == 200, sparql.text
            assert sparql.json()["results"]["bindings"][0]["n"]["value"] == "5"
    assert rest[0] == rest[1]
