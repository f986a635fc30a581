"""The embedded Oxigraph store: persistence, atomic graph replacement, datasets, time limits."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.open_store import open_store
from graph.oxigraph_store import BULK_MIN_QUADS, OxigraphStore, query_declares_dataset
from graph.store import QueryTimeout, Store, StoreError
from policykg.settings import get_settings

EX = "http://example.org/"
G1 = "https://w3id.org/policykg/graph/doc/one"
G2 = "https://w3id.org/policykg/graph/doc/two"
P = ox.NamedNode(EX + "p")


def quad(subject: str, value: str, graph: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + subject), P, ox.Literal(value), ox.NamedNode(graph))


def values(store: Store, graph: str) -> list[str]:
    return sorted(str(getattr(q.object, "value", q.object)) for q in store.graph_quads(graph))


@pytest.fixture
def store(tmp_path: Path) -> OxigraphStore:
    return OxigraphStore(tmp_path / "store")


def test_is_a_store_and_persists_across_reopening(tmp_path: Path) -> None:
    first = OxigraphStore(tmp_path / "s")
    assert isinstance(first, Store)
    first.replace_graph(G1, [quad("a", "alpha", G1), quad("b", "beta", G1)])
    first.close()
    del first
    again = open_store(get_settings(store=str(tmp_path / "s")).store_location())
    assert again.graphs() == [G1]
    assert again.quad_count(G1) == 2
    assert values(again, G1) == ["alpha", "beta"]


def test_replace_graph_replaces_only_that_graph(store: OxigraphStore) -> None:
    store.replace_graphs({G1: [quad("a", "old", G1)], G2: [quad("b", "other", G2)]})
    store.replace_graph(G1, [quad("a", "new", G1), quad("c", "added", G1)])
    assert values(store, G1) == ["added", "new"]
    assert values(store, G2) == ["other"]
    assert store.quad_count() == 3


def test_replace_graphs_is_all_or_nothing(store: OxigraphStore) -> None:
    store.replace_graphs({G1: [quad("a", "kept", G1)]})
    misfiled = quad("x", "wrong graph", G2)
    with pytest.raises(StoreError, match="names another graph"):
        store.replace_graphs({G1: [quad("a", "lost?", G1)], G2.replace("two", "three"): [misfiled]})
    assert values(store, G1) == ["kept"]
    assert store.graphs() == [G1]


def test_literal_escapes_survive_replacement(store: OxigraphStore) -> None:
    tricky = 'quote " backslash \\ newline \n tab \t nul \x00 emoji 🛰 line-sep \u2028'
    store.replace_graph(G1, [quad("a", "first", G1)])
    # The graph exists now, so this replacement goes through a SPARQL Update request.
    store.replace_graph(G1, [quad("a", tricky, G1)])
    assert values(store, G1) == [tricky]


def test_drop_graph_reports_whether_it_existed(store: OxigraphStore) -> None:
    store.replace_graphs({G1: [quad("a", "1", G1)], G2: [quad("a", "2", G2)]})
    assert store.drop_graph(G1) is True
    assert store.drop_graph(G1) is False
    assert store.graphs() == [G2]
    assert store.quad_count() == 1


def test_empty_replacement_removes_the_graph(store: OxigraphStore) -> None:
    store.replace_graph(G1, [quad("a", "1", G1)])
    store.replace_graph(G1, [])
    assert store.graphs() == []


def test_dataset_of_a_query(store: OxigraphStore) -> None:
    store.replace_graphs({G1: [quad("a", "one", G1)], G2: [quad("b", "two", G2)]})
    sparql = "SELECT ?v WHERE { ?s ?p ?v } ORDER BY ?v"

    def run(**kwargs: object) -> list[str]:
        return [row["v"].value for row in store.query(sparql, **kwargs)]  # type: ignore[arg-type]

    assert run() == ["one", "two"]  # union default graph
    assert run(union_default_graph=False) == []  # the store's own (empty) default graph
    assert run(default_graph=[G2]) == ["two"]
    named = store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[G1])
    assert [row["g"].value for row in named] == [G1]
    # A query's own FROM clause is honoured rather than overridden by the union.
    assert [r["v"].value for r in store.query(f"SELECT ?v FROM <{G1}> WHERE {{ ?s ?p ?v }}")] == ["one"]


def test_query_declares_dataset_ignores_strings_iris_and_comments() -> None:
    assert query_declares_dataset("select * from named <http://e/g> where { graph ?g { ?s ?p ?o } }")
    assert not query_declares_dataset('SELECT * WHERE { ?s <http://e/FROM> "FROM" } # FROM <x>')
    assert not query_declares_dataset("SELECT * WHERE { ?s ?p '''multi\nFROM line''' }")


def test_time_limited_queries_return_the_same_answers(store: OxigraphStore) -> None:
    store.replace_graph(G1, [quad("a", "one", G1), quad("b", "two", G1)])
    rows = store.query("SELECT ?v WHERE { ?s ?p ?v } ORDER BY ?v", timeout_s=30)
    assert isinstance(rows, ox.QuerySolutions)
    assert [v.value for v in rows.variables] == ["v"]
    assert [row["v"].value for row in rows] == ["one", "two"]
    assert bool(store.query("ASK { ?s ?p 'two' }", timeout_s=30)) is True
    triples = list(store.query("CONSTRUCT { ?s ?p ?v } WHERE { ?s ?p ?v }", timeout_s=30))
    assert sorted(t.object.value for t in triples) == ["one", "two"]
    with pytest.raises(SyntaxError):
        store.query("SELEC nothing", timeout_s=30)


def test_query_past_its_time_limit_raises(store: OxigraphStore) -> None:
    # 200 x 200 x 200 solutions: about two seconds, far longer than the 10 ms allowed.
    store.replace_graph(G1, [quad(f"s{i}", str(i), G1) for i in range(200)])
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
    with pytest.raises(QueryTimeout, match=r"longer than 0\.01 s"):
        store.query(slow, timeout_s=0.01)


def test_results_are_usable_in_another_thread_than_the_store_was_opened_in(store: OxigraphStore) -> None:
    store.replace_graph(G1, [quad("a", "one", G1)])
    seen: list[str] = []
    worker = threading.Thread(
        target=lambda: seen.extend(r["v"].value for r in store.query("SELECT ?v { ?s ?p ?v }"))
    )
    worker.start()
    worker.join()
    assert seen == ["one"]


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    writer = OxigraphStore(tmp_path / "s")
    writer.replace_graph(G1, [quad("a", "1", G1)])
    writer.close()
    del writer
    reader = OxigraphStore(tmp_path / "s", read_only=True)
    assert reader.quad_count(G1) == 1
    with pytest.raises(StoreError, match="read-only"):
        reader.replace_graph(G1, [])
    with pytest.raises(StoreError, match="read-only"):
        reader.drop_graph(G1)


def test_read_only_store_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        OxigraphStore(tmp_path / "missing", read_only=True)


def test_invalid_graph_iri_is_a_store_error(store: OxigraphStore) -> None:
    with pytest.raises(StoreError, match="not a valid graph IRI"):
        store.drop_graph("not an iri")


def test_large_batches_of_new_graphs_use_the_bulk_path(store: OxigraphStore) -> None:
    graphs = {
        f"{G1}-{n}": [quad(f"s{n}-{i}", f"v{n}-{i}", f"{G1}-{n}") for i in range(BULK_MIN_QUADS // 10 + 1)]
        for n in range(10)
    }
    store.replace_graphs(graphs)  # above BULK_MIN_QUADS: written by the bulk loader
    assert store.quad_count() == sum(len(q) for q in graphs.values())
    assert store.graphs() == sorted(graphs)
    assert values(store, f"{G1}-3")[:2] == ["v3-0", "v3-1"]
    # Replacing one of them later goes through a transaction and touches nothing else.
    store.replace_graph(f"{G1}-3", [quad("x", "replaced", f"{G1}-3")])
    assert values(store, f"{G1}-3") == ["replaced"]
    assert store.quad_count(f"{G1}-4") == BULK_MIN_QUADS // 10 + 1


def nquads_of(quads: list[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


@pytest.mark.parametrize("per_graph", [3, BULK_MIN_QUADS // 2 + 1], ids=["transaction", "bulk loader"])
def test_load_new_graphs_from_nquads(store: OxigraphStore, per_graph: int) -> None:
    graphs = [G1, G2]
    data = nquads_of([quad(f"s{i}", f"{g[-3:]}-{i}", g) for g in graphs for i in range(per_graph)])
    store.load_new_graphs(graphs, data)
    assert store.graphs() == sorted(graphs)
    assert store.quad_count(G2) == per_graph
    assert values(store, G1)[0] == "one-0"
    with pytest.raises(StoreError, match="graphs exist already"):
        store.load_new_graphs([G1], nquads_of([quad("x", "again", G1)]))
    assert store.quad_count(G1) == per_graph


@pytest.mark.parametrize("per_graph", [3, BULK_MIN_QUADS + 1], ids=["transaction", "bulk loader"])
def test_load_new_graphs_refuses_data_of_other_graphs(store: OxigraphStore, per_graph: int) -> None:
    data = nquads_of([quad(f"s{i}", str(i), G1) for i in range(per_graph)] + [quad("stray", "x", G2)])
    with pytest.raises(StoreError, match="outside the ones being added"):
        store.load_new_graphs([G1], data)
    assert store.graphs() == []


def test_readers_and_a_writer_keep_each_other_out(tmp_path: Path) -> None:
    """Oxigraph leaves a read-only store opened under a writer undefined: the folder's
    advisory lock turns that into a clear error, in either order."""
    path = tmp_path / "store"
    writer = OxigraphStore(path)
    writer.update("INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> 1 } }")
    with pytest.raises(StoreError, match="being written by another process"):
        OxigraphStore(path, read_only=True)
    writer.close()

    first, second = OxigraphStore(path, read_only=True), OxigraphStore(path, read_only=True)
    assert first.quad_count() == second.quad_count() == 1  # readers share
    with pytest.raises(StoreError, match=r"open in another process \(a running `policykg serve`"):
        OxigraphStore(path)
    first.close()
    second.close()
    OxigraphStore(path).close()  # the last reader gone, a writer may open it


def test_rewrite_graph_replaces_a_large_graph_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.oxigraph_store as module

    monkeypatch.setattr(module, "BULK_MAX_QUADS", 3)  # several bulk loads for 7 quads
    store = OxigraphStore(tmp_path / "store")
    g, other = ox.NamedNode("http://e/links"), ox.NamedNode("http://e/doc")
    p = ox.NamedNode("http://e/p")
    store.replace_graph(other.value, [ox.Quad(ox.NamedNode("http://e/d"), p, ox.Literal("kept"), other)])
    store.replace_graph(g.value, [ox.Quad(ox.NamedNode("http://e/old"), p, ox.Literal("old"), g)])
    new = [ox.Quad(ox.NamedNode(f"http://e/s{i}"), p, ox.Literal(str(i)), g) for i in range(7)]
    store.rewrite_graph(g.value, new)
    assert set(store.graph_quads(g.value)) == set(new)
    assert store.quad_count(other.value) == 1
    with pytest.raises(StoreError, match="names another graph"):
        store.rewrite_graph(g.value, [ox.Quad(ox.NamedNode("http://e/x"), p, ox.Literal("x"), other)])
    assert set(store.graph_quads(g.value)) == set(new)  # refused before anything was dropped
