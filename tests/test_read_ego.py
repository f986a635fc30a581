"""The RDF ego network's first mentions and evidence, and facts' quotes: minted as
graph.rdf mints them (the span in the IRI), or not."""

from __future__ import annotations

import pyoxigraph as ox

from graph.evidence import Evidence, evidence_of
from graph.oxigraph_store import OxigraphStore
from graph.read.ego_rdf import EntityDescriptions, _mention_lines, _subject, ego_quads

DOC = "https://w3id.org/policykg/doc/"
GRAPH = "https://w3id.org/policykg/graph/doc/"
ENTITY = "https://w3id.org/policykg/entity/space-treaty"


def _mention(doc: str, annotation: str, target: str, start: int, end: int, quote: str) -> str:
    return f"""
  <{doc}#{annotation}> oa:hasBody <{ENTITY}> ; oa:motivatedBy oa:identifying ; oa:hasTarget <{doc}#{target}> .
  <{doc}#{target}> oa:hasSource <{doc}> ; oa:hasSelector <{doc}#{target}-p>, <{doc}#{target}-q> .
  <{doc}#{target}-p> oa:start {start} ; oa:end {end} . <{doc}#{target}-q> oa:exact "{quote}" ."""


def test_first_mentions_minted_or_not_give_the_same_quads() -> None:
    store = OxigraphStore(None)
    minted = f"""
  <{DOC}a#m-4-16> oa:hasBody <{ENTITY}> ; oa:motivatedBy oa:identifying ; oa:hasTarget <{DOC}a#t-4-16> .
  <{DOC}a#t-4-16> oa:hasSource <{DOC}a> ; oa:hasSelector <{DOC}a#p-4-16>, <{DOC}a#q-4-16> .
  <{DOC}a#p-4-16> oa:start 4 ; oa:end 16 . <{DOC}a#q-4-16> oa:exact "Space Treaty" .
  <{DOC}a#m-40-52> oa:hasBody <{ENTITY}> ; oa:motivatedBy oa:identifying ."""
    other = _mention(f"{DOC}b", "ann-2", "span-2", 30, 42, "Space Treaty") + _mention(
        f"{DOC}b", "ann-1", "span-1", 7, 19, "space treaty"
    )
    store.update(
        "PREFIX oa: <http://www.w3.org/ns/oa#> INSERT DATA { "
        f"GRAPH <{GRAPH}a> {{ {minted} }} GRAPH <{GRAPH}b> {{ {other} }} }}"
    )
    found = _mention_lines(store, [ENTITY], [f"{DOC}a", f"{DOC}b"], {b"a", b"b"})
    minted_nodes = [f"{DOC}a#{kind}-4-16" for kind in "mtpq"]
    other_nodes = [f"{DOC}b#ann-1", f"{DOC}b#span-1", f"{DOC}b#span-1-p", f"{DOC}b#span-1-q"]
    assert sorted(found) == [b"a", b"b"]  # by document
    assert sorted({_subject(line) for lines in found.values() for line in lines}) == sorted([*minted_nodes, *other_nodes])
    # Only the documents asked for.
    assert list(_mention_lines(store, [ENTITY], [f"{DOC}a"], {b"a"})) == [b"a"]


HOLDER = "https://w3id.org/policykg/entity/cuba"


def _fact_store() -> OxigraphStore:
    """Two documents, each with a stance of HOLDER: its evidence minted as graph.rdf mints
    it in a, otherwise in b (and the same annotation serving two stances in a)."""
    store = OxigraphStore(None)
    a, b = f"{DOC}a", f"{DOC}b"
    store.update(f"""PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT DATA {{
  GRAPH <{GRAPH}a> {{
    <{a}#stance-1> a pkg:Stance ; prov:wasAttributedTo <{HOLDER}> ; pkg:polarity pkg:support ;
      prov:wasDerivedFrom <{a}> ; pkg:evidence <{a}#e-10-30> .
    <{a}#stance-2> a pkg:Stance ; prov:wasAttributedTo <{HOLDER}> ; pkg:polarity pkg:oppose ;
      prov:wasDerivedFrom <{a}> ; pkg:evidence <{a}#e-10-30> .
    <{a}#e-10-30> a oa:Annotation ; oa:hasTarget <{a}#t-10-30> .
    <{a}#t-10-30> oa:hasSource <{a}> ; oa:hasSelector <{a}#p-10-30>, <{a}#q-10-30> .
    <{a}#p-10-30> oa:start 10 ; oa:end 30 . <{a}#q-10-30> oa:exact "Cuba supports the ban" .
  }}
  GRAPH <{GRAPH}b> {{
    <{b}#stance-1> a pkg:Stance ; prov:wasAttributedTo <{HOLDER}> ; pkg:polarity pkg:support ;
      prov:wasDerivedFrom <{b}> ; pkg:evidence <{b}#quote> .
    <{b}#quote> a oa:Annotation ; oa:hasTarget <{b}#span> .
    <{b}#span> oa:hasSource <{b}> ; oa:hasSelector <{b}#span-p>, <{b}#span-q> .
    <{b}#span-p> oa:start 5 ; oa:end 9 . <{b}#span-q> oa:exact "Cuba" .
  }}
  GRAPH <https://w3id.org/policykg/graph/entities> {{ <{HOLDER}> <urn:label> "Cuba" . }}
}}""")
    return store


def test_evidence_minted_or_not_gives_its_span_and_quote() -> None:
    store = _fact_store()
    found = evidence_of(store, [f"{DOC}a#stance-1", f"{DOC}a#stance-2", f"{DOC}b#stance-1", f"{DOC}b#none"])
    assert found == {
        f"{DOC}a#stance-1": Evidence(f"{DOC}a", 10, 30, "Cuba supports the ban"),
        f"{DOC}a#stance-2": Evidence(f"{DOC}a", 10, 30, "Cuba supports the ban"),
        f"{DOC}b#stance-1": Evidence(f"{DOC}b", 5, 9, "Cuba"),
    }


def test_rdf_ego_network_holds_each_fact_with_its_evidence_once() -> None:
    store = _fact_store()
    kept = EntityDescriptions()
    pieces = ego_quads(store, [HOLDER], [f"{DOC}a", f"{DOC}b"], descriptions=kept)
    assert [doc for doc, _ in pieces] == [f"{DOC}a", f"{DOC}b", None]
    quads = [q for _, qs in pieces for q in qs]
    assert len(quads) == len(set(quads))  # the shared annotation once
    subjects = {q.subject.value.rsplit("/", 1)[1] for q in quads}
    assert subjects == {
        "a#stance-1", "a#stance-2", "a#e-10-30", "a#t-10-30", "a#p-10-30", "a#q-10-30",
        "b#stance-1", "b#quote", "b#span", "b#span-p", "b#span-q", "cuba",
    }  # fmt: skip
    # Each in its document's graph; the holder described in graph:entities, and kept.
    assert all(q.graph_name.value == GRAPH + q.subject.value.rsplit("/", 1)[1][0] for _, qs in pieces[:2] for q in qs)
    assert pieces[2][1] == [ox.Quad(ox.NamedNode(HOLDER), ox.NamedNode("urn:label"), ox.Literal("Cuba"),
                                    ox.NamedNode("https://w3id.org/policykg/graph/entities"))]  # fmt: skip
    assert len(kept) == 1
    # Only the documents asked for.
    only_b = ego_quads(store, [HOLDER], [f"{DOC}b"])
    assert {q.graph_name.value for q in only_b[0][1]} == {f"{GRAPH}b"}
