"""graph.read.paths (a bounded search in the store) finds the paths graph.connectivity
finds over the networkx view of the whole (small) store, for every pair of entities of
the hand-made corpus: directly co-mentioned pairs (answered without reading
co-mentions) and longer paths alike."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from links_fixture import DOCS, write

from graph import connectivity
from graph.network import load_network, nodes_of_kind
from graph.oxigraph_store import OxigraphStore
from graph.read.catalogue import load_catalogue
from graph.read.ego import MentionLink, mention_links
from graph.read.mention_index import load_mention_index, saved_mention_index
from graph.read.neighbourhood import co_mentions, shared_documents
from graph.read.paths import _DEGREES, evidence_paths
from graph.read.selection import Filters, selected_documents
from graph.solutions import select, text
from graph.terms import fill, iri, values


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
    mentions = load_mention_index(store)
    entities = sorted(nodes_of_kind(graph, "entity"))
    direct = longer = 0
    for a, b in combinations(entities, 2):
        reference = connectivity.evidence_paths(graph, a, b, max_paths=3, max_hops=4)
        found = evidence_paths(store, catalogue, a, b, max_paths=3, max_hops=4)
        assert _shape(found) == _shape(reference), (a, b)
        in_memory = evidence_paths(store, catalogue, a, b, max_paths=3, max_hops=4, mentions=mentions)
        assert _shape(in_memory) == _shape(reference), (a, b)
        if found and shared_documents(store, a, b):
            direct += 1
        elif found:
            longer += 1
    assert direct and longer  # both kinds were compared


def test_mention_index_answers_as_the_store_does(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    store = OxigraphStore(folder)
    try:
        write(store, DOCS)
        index = load_mention_index(store)
        assert saved_mention_index(store, folder) == index  # read and saved
        assert saved_mention_index(store, folder) == index  # read from the file
        entities = index.entities
        assert len(entities) > 5
        degrees = {
            str(text(r["e"])): int(str(text(r["n"])))
            for r in select(store, fill(_DEGREES, entities=values("e", (iri(e) for e in entities))))
        }
        assert index.degrees(entities) == degrees
        for a in entities:
            assert index.co_mentions(a) == co_mentions(store, a)
            for b in entities:
                assert index.shared_documents(a, b) == shared_documents(store, a, b)
        assert index.co_mentions("https://w3id.org/policykg/entity/nobody") == []
        some = [*index.documents[::2], "https://w3id.org/policykg/doc/nothing-here"]
        assert [MentionLink(d, e) for d, e in index.links(some)] == mention_links(store, some)
        assert index.links([]) == []
        catalogue = load_catalogue(store)
        for entity in entities:
            filters = Filters(entity=entity)
            assert selected_documents(store, catalogue, filters, index) == selected_documents(
                store, catalogue, filters
            )
    finally:
        store.close()
