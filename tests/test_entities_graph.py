"""The entities graph: descriptions stored once; stores of the older layout (descriptions
in every document graph, the gazetteer's in the ontology graph) migrate, by command and
on the next ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from graph.entities_graph import ENTITIES, documents_hold_descriptions
from graph.entity_descriptions import gazetteer_quads
from graph.ingest import IngestOptions, ingest_paths
from graph.oxigraph_store import OxigraphStore
from graph.rdf import document_rdf
from loaders.gazetteer import load_gazetteer
from loaders.pipeline import extract
from loaders.readers import read_document
from ontology.namespace import ENTITY, GRAPH, ONTOLOGY_GRAPH, doc_graph_iri
from policykg.cli import main

FIRST = """Statement on maritime cooperation

Lisbon, 4 March 2021

Portugal and Brazil welcomed the work of the United Nations Security Council on piracy.
Portugal supports the peaceful settlement of disputes at sea.
"""
SECOND = """Joint remarks after the talks

Brasilia, 9 June 2022

Brazil and Portugal met again. The United Nations Security Council should meet on piracy.
"""


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "first.txt").write_text(FIRST, encoding="utf-8")
    (folder / "second.txt").write_text(SECOND, encoding="utf-8")
    return folder


def old_layout_store(path: Path, docs: Path) -> OxigraphStore:
    """A store as the previous version wrote it: each document graph holds the
    descriptions of the entities it names, the ontology graph the gazetteer's."""
    store = OxigraphStore(path)
    gazetteer = load_gazetteer()
    graphs: dict[str, list[ox.Quad]] = {}
    for file in sorted(docs.iterdir()):
        rdf = document_rdf(extract(read_document(file), gazetteer), gazetteer=gazetteer)
        graph = rdf.quads[0].graph_name
        graphs[graph.value] = rdf.quads + [
            ox.Quad(q.subject, q.predicate, q.object, graph) for q in rdf.descriptions
        ]
    graphs[str(ONTOLOGY_GRAPH)] = gazetteer_quads(gazetteer, str(ONTOLOGY_GRAPH))
    store.replace_graphs(graphs)
    return store


def union_triples(store: OxigraphStore) -> set[ox.Triple]:
    return {q.triple for g in store.graphs() for q in store.graph_quads(g)}


def entity_subjects(store: OxigraphStore, graph: str) -> set[str]:
    return {q.subject.value for q in store.graph_quads(graph) if q.subject.value.startswith(str(ENTITY))}


def test_migrate_moves_descriptions_out_of_document_graphs(tmp_path: Path, docs: Path) -> None:
    path = tmp_path / "store"
    store = old_layout_store(path, docs)
    before = union_triples(store)
    quads_before = store.quad_count()
    assert documents_hold_descriptions(store)
    assert quads_before > len(before)  # the repeated descriptions
    named = entity_subjects(store, doc_graph_iri("first")) | entity_subjects(store, doc_graph_iri("second"))
    assert "https://w3id.org/policykg/entity/brazil" in named
    store.close()

    runner = CliRunner()
    result = runner.invoke(main, ["--store", str(path), "migrate", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["document_graphs"] == 2 and figures["ontology_reloaded"] is True
    assert figures["quads_before"] == quads_before
    assert figures["quads_after"] == figures["distinct_triples"]  # every triple stored once

    store = OxigraphStore(path)
    for doc_id in ("first", "second"):
        assert entity_subjects(store, doc_graph_iri(doc_id)) == set()
    assert named <= entity_subjects(store, ENTITIES.value)
    assert entity_subjects(store, str(ONTOLOGY_GRAPH)) == set()
    assert before <= union_triples(store)  # nothing lost
    assert not documents_hold_descriptions(store)
    store.close()

    again = runner.invoke(main, ["--store", str(path), "migrate", "--json"], catch_exceptions=False)
    assert json.loads(again.stdout)["document_graphs"] == 0
    assert json.loads(again.stdout)["quads_after"] == figures["quads_after"]


def test_the_next_ingest_migrates_an_old_store(tmp_path: Path, docs: Path) -> None:
    store = old_layout_store(tmp_path / "store", docs)
    (docs / "third.txt").write_text(SECOND.replace("9 June 2022", "1 July 2023"), encoding="utf-8")
    report = ingest_paths(store, [docs / "third.txt"], IngestOptions(workers=1, auto_links=False))
    assert report.counts() == {"stored": 1}
    assert not documents_hold_descriptions(store)
    assert entity_subjects(store, doc_graph_iri("third")) == set()
    # One description per entity for the whole store: the union default graph holds each
    # Security Council label once, however many documents name the council.
    rows = list(
        store.query(
            "SELECT ?g WHERE { GRAPH ?g { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> "
            '"United Nations Security Council" } }',
            union_default_graph=False,
        )
    )
    assert [row["g"].value for row in rows] == [ENTITIES.value]


def test_descriptions_outlive_a_removed_document(tmp_path: Path, docs: Path) -> None:
    from graph.ingest import remove_documents

    store = OxigraphStore(tmp_path / "store")
    options = IngestOptions(workers=1, auto_links=False)
    ingest_paths(store, [docs], options)
    described = entity_subjects(store, ENTITIES.value)
    remove_documents(store, ["first", "second"], options)
    assert [g for g in store.graphs() if g.startswith(str(GRAPH) + "doc/")] == []
    # The IRIs keep resolving: what they name is still described.
    assert entity_subjects(store, ENTITIES.value) == described


def test_the_gazetteer_decides_the_label_of_its_entries_and_documents_add_names(tmp_path: Path) -> None:
    from graph.entities_graph import add_descriptions, load_gazetteer_descriptions
    from graph.entity_descriptions import EntityDescription, entity_description
    from loaders.gazetteer import Gazetteer, GazetteerEntry

    store = OxigraphStore(tmp_path / "store")
    first = GazetteerEntry("reef-pact", "Reef Pact", "Instrument", wikidata="Q1")
    load_gazetteer_descriptions(store, Gazetteer([first]))
    # A document calls it otherwise; a second preferred label becomes an alternative one.
    said = EntityDescription("reef-pact", "Pact on Reefs", "Instrument", ("the Reef Pact of 2031",))
    add_descriptions(store, entity_description(said, ENTITIES))
    # The gazetteer renames it and corrects its Wikidata match.
    renamed = GazetteerEntry("reef-pact", "Coral Reef Pact", "Instrument", wikidata="Q2")
    load_gazetteer_descriptions(store, Gazetteer([renamed]))

    def values(local: str) -> set[str]:
        return {
            q.object.value for q in store.graph_quads(ENTITIES.value) if q.predicate.value.endswith(local)
        }

    assert values("#prefLabel") == {"Coral Reef Pact"}  # one, the gazetteer's
    assert values("#label") == {"Coral Reef Pact"}
    assert values("#exactMatch") == {"http://www.wikidata.org/entity/Q2"}
    assert {"Pact on Reefs", "the Reef Pact of 2031"} <= values("#altLabel")  # documents' names kept
