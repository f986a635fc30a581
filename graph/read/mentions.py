"""Mentions read in one document's graph: the first mention of some entities there.

A document's mentions live in its own named graph; asking that graph, with the entities
written in, reads only their annotations (about a millisecond), where asking for every
mention of the documents (what :meth:`graph.network.NetworkBuilder.add_mention_evidence`
does for a document) reads tens of annotations per entity it names.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.evidence import Evidence
from graph.solutions import select, text
from graph.store import Store
from graph.terms import fill, iri, values
from ontology.namespace import DOC, doc_graph_iri

_SEP = "\x1f"
_PAD = "0" * 12

# The first mention of each entity in one document graph: the mention whose start offset,
# padded to sort as text, is the smallest (as graph.network reads mention evidence).
_FIRST_MENTIONS = """
SELECT ?e (MIN(?key) AS ?first) WHERE {
  $entities
  GRAPH $graph {
    ?a oa:hasBody ?e ; oa:motivatedBy oa:identifying ; oa:hasTarget ?t .
    ?t oa:hasSource $doc ; oa:hasSelector ?p, ?q .
    ?p oa:start ?s ; oa:end ?en .
    ?q oa:exact ?x .
  }
  BIND(CONCAT(SUBSTR(CONCAT("{pad}", STR(?s)), STRLEN(STR(?s)) + 1), "{sep}", STR(?en), "{sep}", ?x) AS ?key)
} GROUP BY ?e
""".replace("{pad}", _PAD).replace("{sep}", _SEP)


def first_mentions_in(store: Store, doc: str, entities: Iterable[str]) -> dict[str, Evidence]:
    """The first mention of each of ``entities`` in ``doc`` (IRIs), read in the
    document's graph; entities it does not mention are left out."""
    graph = iri(doc_graph_iri(doc.removeprefix(str(DOC))))
    sparql = fill(
        _FIRST_MENTIONS, entities=values("e", (iri(e) for e in entities)), graph=graph, doc=iri(doc)
    )
    found = {}
    for row in select(store, sparql):
        start, end, quote = str(row["first"].value).split(_SEP, 2)
        found[str(text(row["e"]))] = Evidence(doc, int(start), int(end), quote)
    return found


def first_mentions(store: Store, entity: str, docs: Iterable[str]) -> dict[str, Evidence]:
    """The first mention of ``entity`` in each of ``docs`` that mentions it (one query per
    document, in its own graph)."""
    found = {}
    for doc in sorted(set(docs)):
        evidence = first_mentions_in(store, doc, [entity]).get(entity)
        if evidence is not None:
            found[doc] = evidence
    return found


__all__ = ["first_mentions", "first_mentions_in"]
