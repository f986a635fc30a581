"""Batch ingest: idempotent, transactional per document, bad input reported, removal exact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import loaders.pipeline
from graph import ingest_workers
from graph.ingest import (
    IngestOptions,
    collect_files,
    ensure_ontology,
    ingest_documents,
    ingest_paths,
    remove_documents,
    resolve_document_id,
    stored_documents,
)
from graph.oxigraph_store import OxigraphStore
from loaders.readers import read_document
from ontology.namespace import ENTITIES_GRAPH, ONTOLOGY_GRAPH, doc_graph_iri, sparql_prefixes

ALPHA = (
    "Statement at the United Nations Security Council\n\n"
    "New York, 12 October 2021\n\n"
    "Mr. President,\n\n"
    "China supports the work of the United Nations Security Council on cyberspace.\n"
)
BETA = (
    "Remarks at the Conference on Disarmament\n\n"
    "Geneva, 3 February 2022\n\n"
    "Mr. President,\n\n"
    "We call for the early conclusion of negotiations in the Conference on Disarmament.\n"
)
GAMMA = "Press note, 1 March 2023.\n\nThe United Nations General Assembly adopted a resolution.\n"


@pytest.fixture
def options() -> IngestOptions:
    return IngestOptions(workers=1, auto_links=False)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    (folder / "sub" / "beta.txt").write_text(BETA, encoding="utf-8")
    (folder / "sub" / "notes.png").write_bytes(b"\x89PNG not a document")
    return folder


@pytest.fixture
def store(tmp_path: Path) -> OxigraphStore:
    return OxigraphStore(tmp_path / "store")


def graph_set(store: OxigraphStore, graph: str) -> set[ox.Quad]:
    return set(store.graph_quads(graph))


def doc_value(store: OxigraphStore, doc_id: str, predicate: str) -> list[str]:
    sparql = sparql_prefixes() + f"SELECT ?v WHERE {{ GRAPH ?g {{ doc:{doc_id} {predicate} ?v }} }}"
    return sorted(row["v"].value for row in store.query(sparql))


def test_collect_files_walks_folders_for_documents(corpus: Path) -> None:
    files = collect_files([corpus])
    assert [p.relative_to(corpus).as_posix() for p in files] == ["alpha.txt", "sub/beta.txt"]
    # A file named explicitly is kept even with an unknown suffix: the reader reports it.
    assert collect_files([corpus / "sub" / "notes.png"]) == [corpus / "sub" / "notes.png"]


def test_ingest_stores_one_graph_per_document(store: OxigraphStore, corpus: Path, options: IngestOptions) -> None:
    report = ingest_paths(store, [corpus], options)
    assert report.counts() == {"stored": 2}
    assert report.ok and report.ontology_loaded
    assert sorted(o.doc_id for o in report.outcomes if o.doc_id) == ["alpha", "beta"]
    assert store.graphs() == sorted(
        [doc_graph_iri("alpha"), doc_graph_iri("beta"), str(ONTOLOGY_GRAPH), str(ENTITIES_GRAPH)]
    )
    assert doc_value(store, "alpha", "pkg:text") == [ALPHA]
    assert doc_value(store, "alpha", "pkg:sha256") == [read_document(corpus / "alpha.txt").sha256]
    assert doc_value(store, "beta", "dcterms:source") == [str(corpus / "sub" / "beta.txt")]
    assert doc_value(store, "alpha", "dcterms:date") == ["2021-10-12"]
    # The same entity gets the same IRI in both documents.
    assert "https://w3id.org/policykg/entity/un-security-council" in doc_value(store, "alpha", "schema:mentions")
    # Each outcome's triple count is what its graph holds.
    for outcome in report.outcomes:
        assert store.quad_count(doc_graph_iri(outcome.doc_id or "")) == outcome.quads


def test_ingesting_twice_changes_nothing(store: OxigraphStore, corpus: Path, options: IngestOptions) -> None:
    ingest_paths(store, [corpus], options)
    before = {g: graph_set(store, g) for g in store.graphs()}
    total = store.quad_count()
    again = ingest_paths(store, [corpus], options)
    assert again.counts() == {"unchanged": 2}
    assert not again.ontology_loaded
    assert again.changed_ids == []
    assert store.quad_count() == total
    assert {g: graph_set(store, g) for g in store.graphs()} == before


def test_changed_content_replaces_only_that_document(
    store: OxigraphStore, corpus: Path, options: IngestOptions
) -> None:
    ingest_paths(store, [corpus], options)
    beta_before = graph_set(store, doc_graph_iri("beta"))
    ontology_before = graph_set(store, str(ONTOLOGY_GRAPH))
    (corpus / "alpha.txt").write_text(ALPHA.replace("12 October 2021", "14 October 2021"), encoding="utf-8")
    report = ingest_paths(store, [corpus], options)
    assert {o.doc_id: o.status for o in report.outcomes} == {"alpha": "replaced", "beta": "unchanged"}
    assert doc_value(store, "alpha", "dcterms:date") == ["2021-10-14"]
    assert len(doc_value(store, "alpha", "pkg:text")) == 1  # the old version is gone, not kept beside
    assert graph_set(store, doc_graph_iri("beta")) == beta_before
    assert graph_set(store, str(ONTOLOGY_GRAPH)) == ontology_before


def test_remove_deletes_that_graph_and_nothing_else(
    store: OxigraphStore, corpus: Path, options: IngestOptions
) -> None:
    ingest_paths(store, [corpus], options)
    alpha_count = store.quad_count(doc_graph_iri("alpha"))
    others = {g: graph_set(store, g) for g in store.graphs() if g != doc_graph_iri("alpha")}
    total = store.quad_count()
    report = remove_documents(store, ["alpha"], options)
    assert [(o.doc_id, o.status) for o in report.outcomes] == [("alpha", "removed")]
    assert store.quad_count() == total - alpha_count
    assert {g: graph_set(store, g) for g in store.graphs()} == others
    assert stored_documents(store).keys() == {"beta"}


def test_remove_by_iri_or_source_and_unknown_names(
    store: OxigraphStore, corpus: Path, options: IngestOptions
) -> None:
    ingest_paths(store, [corpus], options)
    assert resolve_document_id(store, "https://w3id.org/policykg/doc/beta") == "beta"
    assert resolve_document_id(store, doc_graph_iri("beta")) == "beta"
    assert resolve_document_id(store, str(corpus / "alpha.txt")) == "alpha"
    report = remove_documents(store, [str(corpus / "alpha.txt"), "gamma"], options)
    assert [(o.status, o.doc_id) for o in report.outcomes] == [("removed", "alpha"), ("failed", None)]
    assert report.outcomes[1].message == "no stored document is named gamma"
    assert not report.ok


def test_bad_file_is_reported_and_the_batch_goes_on(
    store: OxigraphStore, corpus: Path, options: IngestOptions
) -> None:
    (corpus / "empty.txt").write_bytes(b"")
    missing = corpus / "missing.txt"
    report = ingest_paths(store, [corpus, missing], options)
    by_source = {Path(o.source).name: o for o in report.outcomes}
    assert by_source["empty.txt"].status == "failed"
    assert by_source["empty.txt"].message == f"{corpus / 'empty.txt'}: file is empty"
    assert by_source["missing.txt"].status == "failed"
    assert by_source["missing.txt"].message == f"{missing}: no such file"
    assert sorted(str(o.doc_id) for o in report.outcomes if o.status == "stored") == ["alpha", "beta"]
    assert not report.ok


def test_failed_extraction_keeps_the_stored_version(
    store: OxigraphStore, corpus: Path, options: IngestOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_paths(store, [corpus], options)
    alpha_before = graph_set(store, doc_graph_iri("alpha"))
    real_extract = loaders.pipeline.extract

    def failing_extract(document: Any, gazetteer: Any = None) -> Any:
        if "BOOM" in document.text:
            raise ValueError("a stage tripped over BOOM")
        return real_extract(document, gazetteer)

    monkeypatch.setattr(loaders.pipeline, "extract", failing_extract)
    (corpus / "alpha.txt").write_text(ALPHA + "BOOM\n", encoding="utf-8")
    (corpus / "gamma.txt").write_text(GAMMA, encoding="utf-8")
    report = ingest_paths(store, [corpus], options)
    outcome = {o.doc_id or Path(o.source).stem: o for o in report.outcomes}
    assert outcome["alpha"].status == "failed"
    assert outcome["alpha"].message == f"{corpus / 'alpha.txt'}: ValueError: a stage tripped over BOOM"
    assert outcome["gamma"].status == "stored"
    assert graph_set(store, doc_graph_iri("alpha")) == alpha_before


def test_two_files_with_one_document_id(store: OxigraphStore, tmp_path: Path, options: IngestOptions) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "note.txt").write_text(ALPHA, encoding="utf-8")
    (tmp_path / "b" / "note.txt").write_text(BETA, encoding="utf-8")
    report = ingest_paths(store, [tmp_path / "a", tmp_path / "b"], options)
    # The second file gets an id of its own (name + hash of its path), and says so.
    assert [o.status for o in report.outcomes] == ["stored", "stored"]
    second = report.outcomes[1].doc_id
    assert second is not None and second.startswith("note-") and len(second) == len("note-") + 8
    assert f"id 'note' is taken by another file of the same name earlier in this batch; stored as '{second}'" \
        in report.outcomes[1].message
    assert doc_value(store, "note", "pkg:text") == [ALPHA]
    assert doc_value(store, second, "pkg:text") == [BETA]


def test_worker_processes_give_the_same_graphs(tmp_path: Path, corpus: Path) -> None:
    (corpus / "gamma.txt").write_text(GAMMA, encoding="utf-8")
    in_process = OxigraphStore(tmp_path / "one")
    pooled = OxigraphStore(tmp_path / "two")
    ingest_paths(in_process, [corpus], IngestOptions(workers=1, auto_links=False))
    report = ingest_paths(pooled, [corpus], IngestOptions(workers=2, auto_links=False))
    assert report.counts() == {"stored": 3}

    def without_timestamps(store: OxigraphStore, graph: str) -> set[ox.Quad]:
        return {q for q in store.graph_quads(graph) if not q.predicate.value.endswith("generatedAtTime")}

    assert pooled.graphs() == in_process.graphs()
    for graph in pooled.graphs():
        assert without_timestamps(pooled, graph) == without_timestamps(in_process, graph)


def test_ingest_documents_already_read(store: OxigraphStore, corpus: Path, options: IngestOptions) -> None:
    documents = (read_document(p) for p in collect_files([corpus]))
    report = ingest_documents(store, documents, options)
    assert report.counts() == {"stored": 2}
    again = ingest_documents(store, [read_document(corpus / "alpha.txt")], options)
    assert again.counts() == {"unchanged": 1}
    forced = ingest_documents(store, [read_document(corpus / "alpha.txt")], options, force=True)
    assert forced.counts() == {"replaced": 1}


def test_ontology_graph_is_loaded_once(store: OxigraphStore) -> None:
    assert ensure_ontology(store) is True
    assert ensure_ontology(store) is False
    labels = store.query(
        sparql_prefixes()
        + f"SELECT ?l WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ pkg:Stance rdfs:label ?l }} }}"
    )
    assert [row["l"].value for row in labels] == ["Stance"]
    concept = store.query(
        f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <https://w3id.org/policykg/topic/outer-space> ?p ?o }} }}"
    )
    assert bool(concept)


def test_links_are_refreshed_with_what_changed(
    store: OxigraphStore, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graph.derived
    import graph.links_refresh

    calls: list[tuple[list[str], list[str]]] = []
    rebuild = graph.derived.rebuild_links

    def refresh(store: OxigraphStore, changed: list[str], removed: list[str]) -> None:
        calls.append((changed, removed))
        rebuild(store)  # leaves the links graph current, pending marks cleared

    monkeypatch.setattr(graph.links_refresh, "refresh_links", refresh)
    options = IngestOptions(workers=1, auto_links=True)
    ingest_paths(store, [corpus], options)
    ingest_paths(store, [corpus], options)  # unchanged: nothing to refresh
    remove_documents(store, ["beta"], options)
    assert [(sorted(c), r) for c, r in calls] == [(["alpha", "beta"], []), ([], ["beta"])]


def test_failing_links_refresh_is_reported(
    store: OxigraphStore, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graph.links_refresh

    def broken(_store: Any, changed: list[str], removed: list[str]) -> None:
        raise RuntimeError("links exploded")

    monkeypatch.setattr(graph.links_refresh, "refresh_links", broken)
    report = ingest_paths(store, [corpus], IngestOptions(workers=1, auto_links=True))
    assert report.counts() == {"stored": 2}  # the documents are stored all the same
    assert report.links_error == "refreshing derived links failed: RuntimeError: links exploded"
    assert not report.ok


def test_worker_outcome_for_unreadable_input_names_the_file(tmp_path: Path) -> None:
    ingest_workers.init_worker(ingest_workers.WorkerConfig())
    extracted = ingest_workers.extract_item(tmp_path / "nowhere.txt")
    assert extracted.outcome.status == "failed"
    assert extracted.outcome.message == f"{tmp_path / 'nowhere.txt'}: no such file"


class _KillsTheWorker:
    """An input whose unpickling ends the worker process, as a crash in a parser would."""

    source = "crasher.txt"

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        import os

        return os._exit, (3,)


def test_a_dying_worker_fails_only_its_document(store: OxigraphStore, corpus: Path) -> None:
    documents: list[Any] = [read_document(corpus / "alpha.txt"), _KillsTheWorker(),
                            read_document(corpus / "sub" / "beta.txt")]
    report = ingest_documents(store, documents, IngestOptions(workers=2, auto_links=False))
    assert [(o.status, o.doc_id) for o in report.outcomes] == [
        ("stored", "alpha"), ("failed", None), ("stored", "beta"),
    ]
    assert report.outcomes[1].message == "crasher.txt: the extraction worker died while reading this document"


def test_unchanged_documents_skip_the_workers(store: OxigraphStore, corpus: Path) -> None:
    options = IngestOptions(workers=2, auto_links=False)
    documents = [read_document(p) for p in collect_files([corpus])]
    assert ingest_documents(store, documents, options).counts() == {"stored": 2}
    changed = read_document(corpus / "alpha.txt")
    (corpus / "sub" / "beta.txt").write_text(BETA + "\nWe also support the Conference.\n", encoding="utf-8")
    again = ingest_documents(store, [changed, read_document(corpus / "sub" / "beta.txt")], options)
    assert [(o.doc_id, o.status) for o in again.outcomes] == [("alpha", "unchanged"), ("beta", "replaced")]


def test_ingest_options_default_to_the_settings_defaults() -> None:
    # The library used without the CLI ingests as `policykg ingest` does with no options.
    from policykg.settings import Settings

    assert Settings.model_construct().ingest_options() == IngestOptions()
    assert Settings.model_construct(workers=3, auto_links=False).ingest_options() == IngestOptions(
        workers=3, auto_links=False
    )
