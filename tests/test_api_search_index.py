"""api.search_index: the FTS5 index follows the store (new, changed, removed documents)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from links_fixture import CD_2020, DOCS, result_of, write

from api.search_index import SearchIndex, match_expression, sync_search_index
from graph.oxigraph_store import OxigraphStore
from graph.rdf import document_quads
from ontology.namespace import doc_graph_iri
from policykg.settings import get_settings


def test_index_follows_the_store(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    write(store, ["cd-2020", "unsc-2022"])
    settings = get_settings(store=str(tmp_path / "store"))
    assert sync_search_index(store, settings) == (2, 0)
    index = SearchIndex(tmp_path / "store" / "search.sqlite3")
    assert index.sync(store) == (0, 0)  # persisted: nothing to do in a new process
    total, hits = index.search('"Global Initiative"', kind="document")
    assert (total, [h.doc_id for h in hits]) == (1, ["cd-2020"])
    assert CD_2020[hits[0].start : hits[0].end] == "Global Initiative"
    write(store, ["wp-2025"])
    changed = result_of(DOCS["cd-2020"])  # new content: another hash, so re-indexed
    changed = replace(changed, document=replace(changed.document, sha256="1" * 64))
    store.replace_graph(doc_graph_iri("cd-2020"), document_quads(changed))
    assert index.sync(store) == (2, 0)
    assert sorted(h.doc_id for h in index.search('"Global Initiative"', kind="document")[1]) == [
        "cd-2020",
        "wp-2025",
    ]
    store.drop_graph(doc_graph_iri("cd-2020"))
    assert index.sync(store) == (0, 1)
    assert [h.doc_id for h in index.search('"Global Initiative"', kind="document")[1]] == ["wp-2025"]
    total, _ = index.search("Tianjin")
    assert total == 2  # the unsc-2022 text and its event's quote
    index.close()


def test_match_expression_quotes_every_term() -> None:
    assert match_expression('AND OR NOT "a b" c*') == '"a b" "AND" "OR" "NOT" "c"'
    assert match_expression('"') == ""


def test_all_fixture_documents_are_found_by_their_words(tmp_path: Path) -> None:
    store = OxigraphStore(None)
    write(store, DOCS)
    index = SearchIndex(None)
    assert index.sync(store) == (6, 0)
    total, hits = index.search("Xinhua")
    assert (total, hits[0].doc_id, hits[0].kind) == (1, "news-2022", "document")
