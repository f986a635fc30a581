"""Evidence: the quote in a document that an event, a stance or a lineage step rests on,
and how it is read from the store.

A fact points to its evidence with ``pkg:evidence``: a Web Annotation whose target is a
span of the document, described by a position selector (``oa:start``, ``oa:end``) and a
quote selector (``oa:exact``). :mod:`graph.rdf` mints these nodes from the span:
``<doc>#e-START-END`` for the annotation, ``<doc>#q-START-END`` for its quote selector.
So the span of an annotation minted that way is read from its IRI and only the quote is
looked up, by subject; an annotation minted otherwise (another writer, a remote store)
is read through its target and selectors. On the UN General Debate store that is 0.1 s
for the 2,902 stances of or about one state, where the join through the selectors took
0.3 s asked as one query and 0.6 s asked graph by graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.solutions import chunks, integer, select, select_values, text
from graph.store import Store
from graph.terms import Fragment, fill, iri, value_rows, values
from ontology.namespace import DOC, doc_graph_iri


@dataclass(frozen=True, slots=True)
class Evidence:
    """A quote in a document: ``quote == text[start:end]`` of the document ``doc`` (an IRI)."""

    doc: str
    start: int
    end: int
    quote: str

    def to_json(self) -> dict[str, Any]:
        return {"document": self.doc, "start": self.start, "end": self.end, "quote": self.quote}


# graph.rdf's annotation IRIs: <doc>#m-START-END (a mention), <doc>#e-START-END (evidence).
_MINTED = re.compile(r"^(?P<doc>[^#]+)#(?P<kind>[em])-(?P<start>\d+)-(?P<end>\d+)$")

_ANNOTATIONS = "SELECT ?n ?a WHERE { $nodes GRAPH ?g { ?n pkg:evidence ?a } }"

_QUOTES = "SELECT ?q ?x WHERE { $selectors GRAPH ?g { ?q oa:exact ?x } }"

_SPANS = """
SELECT ?a ?src ?s ?en ?x WHERE {
  $annotations
  GRAPH ?g {
    ?a oa:hasTarget ?t . ?t oa:hasSource ?src ; oa:hasSelector ?p, ?q .
    ?p oa:start ?s ; oa:end ?en . ?q oa:exact ?x .
  }
}
"""


def minted_span(annotation: str, kind: str) -> tuple[str, int, int] | None:
    """The document, start and end of an annotation :mod:`graph.rdf` minted from a span:
    ``<doc>#m-START-END`` for a mention (``kind`` "m"), ``<doc>#e-START-END`` for evidence
    ("e"); None for another IRI.

    >>> minted_span("urn:d#e-7-9", "e"), minted_span("urn:d#e-7-9", "m"), minted_span("urn:d#x", "e")
    (('urn:d', 7, 9), None, None)
    """
    match = _MINTED.match(annotation)
    if match is None or match["kind"] != kind:
        return None
    return match["doc"], int(match["start"]), int(match["end"])


def span_nodes(annotation: str) -> list[str]:
    """The nodes :mod:`graph.rdf` mints for the span of an annotation it minted (the
    annotation, its target, position and quote selectors); [] for another IRI.

    >>> [n.rsplit("#", 1)[1] for n in span_nodes("https://w3id.org/policykg/doc/d1#m-5-9")]
    ['m-5-9', 't-5-9', 'p-5-9', 'q-5-9']
    >>> span_nodes("urn:x:annotation")
    []
    """
    match = _MINTED.match(annotation)
    if match is None:
        return []
    doc, span = match["doc"], f"{match['start']}-{match['end']}"
    return [annotation, *(f"{doc}#{kind}-{span}" for kind in "tpq")]


def quote_selector(doc: str, start: int, end: int) -> str:
    """The IRI :mod:`graph.rdf` mints for the quote selector of a span of ``doc``."""
    return f"{doc}#q-{start}-{end}"


def read_quotes(store: Store, selectors: Iterable[str]) -> dict[str, str]:
    """The quote (``oa:exact``) of each of ``selectors`` that has one, read by subject in
    its document's graph."""
    found: dict[str, str] = {}
    for slot in in_own_graphs("q", selectors):
        for row in select_values(store, fill(_QUOTES, selectors=slot)):
            found[row["q"]] = row["x"]
    return found


def _graph_of(doc: str) -> ox.NamedNode:
    return iri(doc_graph_iri(doc.removeprefix(str(DOC))))


def in_own_graphs(var: str, nodes: Iterable[str], *, size: int = 1000) -> Iterator[Fragment]:
    """VALUES blocks binding ``?var`` to ``nodes``, ``size`` at a time; a node of a
    document (``<doc>#...``, or the document itself) with ``?g`` bound to that document's
    graph, so that a ``GRAPH ?g`` pattern looks in that graph only (on the UN General
    Debate store half the time of looking in every graph).

    >>> for block in in_own_graphs("n", ["urn:x", "https://w3id.org/policykg/doc/d1#e-1-2"]):
    ...     print(block.replace("https://w3id.org/policykg/", ""))
    VALUES ?n { <urn:x> }
    VALUES (?g ?n) { (<graph/doc/d1> <doc/d1#e-1-2>) }
    """
    unique = set(nodes)
    in_docs = sorted(n for n in unique if n.startswith(str(DOC)))
    elsewhere = sorted(unique.difference(in_docs))
    for piece in chunks(elsewhere, size):
        yield values(var, (iri(n) for n in piece))
    for piece in chunks(in_docs, size):
        yield value_rows(["g", var], ((_graph_of(n.partition("#")[0]), iri(n)) for n in piece))


def quotes_of(store: Store, annotations: Iterable[str]) -> dict[str, Evidence]:
    """The span and quote of each of ``annotations`` (evidence annotation IRIs) that has
    them: from the IRI and the quote selector when minted by :mod:`graph.rdf`, else
    through the annotation's target and selectors (the earliest span, should one have
    several)."""
    minted: dict[str, tuple[str, int, int]] = {}
    others: set[str] = set()
    for annotation in set(annotations):
        span = minted_span(annotation, "e")
        if span is None:
            others.add(annotation)
        else:
            minted[annotation] = span
    quotes = read_quotes(store, (quote_selector(*span) for span in minted.values()))
    found: dict[str, Evidence] = {}
    for annotation, (doc, start, end) in minted.items():
        quote = quotes.get(quote_selector(doc, start, end))
        if quote is not None:
            found[annotation] = Evidence(doc, start, end, quote)
    others.update(a for a in minted if a not in found)
    for slot in in_own_graphs("a", others):
        for row in select(store, fill(_SPANS, annotations=slot)):
            source, quote = text(row["src"]), text(row["x"])
            first, last = integer(row["s"]), integer(row["en"])
            if source is None or first is None or last is None or quote is None:
                continue
            annotation = str(text(row["a"]))
            current = found.get(annotation)
            if current is None or first < current.start:
                found[annotation] = Evidence(source, first, last, quote)
    return found


def evidence_by_node(
    store: Store, annotations_of: Mapping[str, Iterable[str]]
) -> dict[str, Evidence]:
    """The evidence of each node given with its evidence annotations (``pkg:evidence``
    values, as a description of the node read them): the earliest quote, should a node
    have several."""
    quotes = quotes_of(store, (a for found in annotations_of.values() for a in found))
    chosen: dict[str, Evidence] = {}
    for node, found in annotations_of.items():
        candidates = [quotes[a] for a in found if a in quotes]
        if candidates:
            chosen[node] = min(candidates, key=lambda e: (e.start, e.end))
    return chosen


def evidence_of(store: Store, nodes: Iterable[str]) -> dict[str, Evidence]:
    """The evidence quote of each of ``nodes`` (events, stances, lineage steps) that has one.

    A node has one ``pkg:evidence``; should a store hold more, the earliest quote wins.
    """
    annotations_of: dict[str, list[str]] = {}
    for slot in in_own_graphs("n", (n for n in nodes if n)):
        for row in select(store, fill(_ANNOTATIONS, nodes=slot)):
            annotations_of.setdefault(str(text(row["n"])), []).append(str(text(row["a"])))
    return evidence_by_node(store, annotations_of)


__all__ = [
    "Evidence",
    "evidence_by_node",
    "evidence_of",
    "in_own_graphs",
    "minted_span",
    "quote_selector",
    "quotes_of",
    "read_quotes",
    "span_nodes",
]
