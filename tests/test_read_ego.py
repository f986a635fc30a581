"""The RDF ego network's first mentions: minted as graph.rdf mints them, or not."""

from __future__ import annotations

from graph.oxigraph_store import OxigraphStore
from graph.read.ego import _mention_nodes

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
    found = _mention_nodes(store, [ENTITY], [f"{DOC}a", f"{DOC}b"])
    minted_nodes = [f"{DOC}a#{kind}-4-16" for kind in "mtpq"]
    other_nodes = [f"{DOC}b#ann-1", f"{DOC}b#span-1", f"{DOC}b#span-1-p", f"{DOC}b#span-1-q"]
    assert sorted(found) == sorted([*minted_nodes, *other_nodes])
    assert {q.graph_name.value for quads in found.values() for q in quads} == {f"{GRAPH}a", f"{GRAPH}b"}
    # Only the documents asked for.
    assert all(node.startswith(f"{DOC}a#") for node in _mention_nodes(store, [ENTITY], [f"{DOC}a"]))
