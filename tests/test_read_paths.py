"""graph.read.paths (a bounded search in the store) finds the paths graph.connectivity
finds over the networkx view of the whole (small) store, for every pair of entities of
the hand-made corpus: directly co-mentioned pairs (answered without reading
co-mentions) and longer paths alike."""

from __future__ import annotations

from itertools import combinations

from links_fixture import DOCS, write

from graph import connectivity
from graph.network import load_network, nodes_of_kind
from graph.oxigraph_store import OxigraphStore
from graph.read.catalogue import load_catalogue
from graph.read.neighbourhood import shared_documents
from graph.read.paths import evidence_paths


def _shape(paths: list[connectivity.EvidencePath]) -> list[tuple[object, ...]]:
    return [
        (p.entities, [(h.document.iri, h.source_evidence, h.target_evidence, h.documents) for h in p.hops])
        for p in paths
    ]


def test_paths_match_the_whole_graph_search() -> None:
    store = OxigraphStore(None)
    write(store, DOCS)
    catalogue = load_catalogue(store)
    graph = load_network(store)
    entities = sorted(nodes_of_kind(graph, "entity"))
    direct = longer = 0
    for a, b in combinations(entities, 2):
        reference = connectivity.evidence_paths(graph, a, b, max_paths=3, max_hops=4)
        found = evidence_paths(store, catalogue, a, b, max_paths=3, max_hops=4)
        assert _shape(found) == _shape(reference), (a, b)
        if found and shared_documents(store, a, b):
            direct += 1
        elif found:
            longer += 1
    assert direct and longer  # both kinds were compared
