"""One document as its page shows it: text, mentions, events and stances, read from the
document's own named graph.

Every fact a document states lies in its graph (:mod:`graph.rdf`), so five small queries
scoped to that graph answer for it (its text and file facts, its mention spans, its
events, its stances, and the evidence quotes of those events and stances), however large
the store: a pattern scoped to one graph never strays into the others. Events of one
subject across the store (an entity's page) are read by :func:`event_records` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.evidence import Evidence
from graph.link_records import DocumentInfo
from graph.network import local_name
from graph.read.catalogue import Catalogue
from graph.read.stances import StanceRecord
from graph.solutions import integer, select, text
from graph.store import Store
from graph.terms import Fragment, bound_patterns, fill, iri
from ontology.namespace import DOC, doc_graph_iri

#: The pattern ``GRAPH ?g``: every graph of the store.
_ANY_GRAPH = Fragment("?g")

_FILE = """
SELECT ?text ?source ?format ?sha WHERE {
  GRAPH $graph { $doc a pkg:Document .
    OPTIONAL { $doc pkg:text ?text } OPTIONAL { $doc dcterms:source ?source }
    OPTIONAL { $doc dcterms:format ?format } OPTIONAL { $doc pkg:sha256 ?sha } }
} LIMIT 1
"""

_MENTIONS = """
SELECT ?e ?s ?en ?x WHERE {
  GRAPH $graph {
    ?a oa:hasBody ?e ; oa:motivatedBy oa:identifying ; oa:hasTarget ?t .
    ?t oa:hasSource $doc ; oa:hasSelector ?p, ?q . ?p oa:start ?s ; oa:end ?en . ?q oa:exact ?x .
  }
}
"""

_EVENTS = """
SELECT ?ev ?d ?type ?subject ?actor ?date ?sort WHERE {
  GRAPH $graph {
    $bound
    ?ev a pkg:Event ; pkg:eventType ?type ; pkg:subject ?subject ; prov:wasDerivedFrom ?d .
    OPTIONAL { ?ev sem:hasActor ?actor }
    OPTIONAL { ?ev dcterms:date ?date }
    OPTIONAL { ?ev pkg:sortDate ?sort }
  }
}
"""

_STANCES = """
SELECT ?st ?holder ?polarity ?target ?topic ?te ?date ?sort WHERE {
  GRAPH $graph {
    ?st a pkg:Stance ; prov:wasAttributedTo ?holder ; pkg:polarity ?polarity ; prov:wasDerivedFrom $doc .
    OPTIONAL { ?st pkg:target ?target }
    OPTIONAL { ?st dcterms:subject ?topic }
    OPTIONAL { ?st dcterms:date ?date }
    OPTIONAL { ?st pkg:sortDate ?sort }
    OPTIONAL { ?st pkg:targetEntity ?te }
  }
}
"""

# The evidence of every event and stance of a document's graph at once (a few dozen), or
# of every event of one subject (its pattern bound first, as a constant); asked apart from
# the queries above, whose OPTIONALs it would multiply, and in one query, where one per
# document graph (graph.evidence.evidence_of, once) took seconds for an entity many documents
# report events of.
_EVIDENCE = """
SELECT ?node ?src ?s ?en ?x WHERE {
  GRAPH $graph {
    $bound
    ?node pkg:evidence ?ann . ?ann oa:hasTarget ?t . ?t oa:hasSource ?src ;
      oa:hasSelector ?p, ?q . ?p oa:start ?s ; oa:end ?en . ?q oa:exact ?x .
  }
}
"""


@dataclass(frozen=True, slots=True)
class MentionSpan:
    """One mention of an entity: ``quote == text[start:end]``."""

    entity: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One document's report of an event (the networkx ``event`` node's facts)."""

    event: str
    event_type: str
    date: str | None  # the event's own date, else its pkg:sortDate
    sort_date: str | None  # the event's pkg:sortDate
    subject: str
    actor: str | None
    document: DocumentInfo
    evidence: Evidence | None


@dataclass(frozen=True, slots=True)
class DocumentContent:
    """A document with everything its graph states about it.

    ``mentions`` are in store order; ``events`` and ``stances`` sorted by IRI.
    """

    document: DocumentInfo
    text: str | None
    source: str | None
    format: str | None
    sha256: str | None
    mentions: tuple[MentionSpan, ...]
    events: tuple[EventRecord, ...]
    stances: tuple[StanceRecord, ...]


def find_document(catalogue: Catalogue, doc_id: str) -> str | None:
    """The IRI of the document with id ``doc_id`` (or with that IRI), None when unknown.

    >>> catalogue = Catalogue()
    >>> catalogue.documents[str(DOC) + "d1"] = catalogue.document(str(DOC) + "d1")
    >>> catalogue.by_doc_id["d1"] = str(DOC) + "d1"
    >>> find_document(catalogue, "d1") == find_document(catalogue, str(DOC) + "d1") == str(DOC) + "d1"
    True
    >>> find_document(catalogue, "d2") is None
    True
    """
    iri_ = doc_id if doc_id.startswith(str(DOC)) else str(DOC) + doc_id
    if iri_ in catalogue.documents:
        return iri_
    return catalogue.by_doc_id.get(doc_id)


def _evidence(row: Any) -> Evidence | None:
    doc, start, end, quote = text(row["src"]), integer(row["s"]), integer(row["en"]), text(row["x"])
    if doc is None or start is None or end is None or quote is None:
        return None
    return Evidence(doc, start, end, quote)


def _quotes(store: Store, graph: ox.NamedNode | Fragment, bound: Fragment) -> dict[str, Evidence]:
    """The evidence of each node of ``graph`` matching ``bound`` that has one (the
    earliest, should a node have several, as :func:`graph.evidence.evidence_of` decides)."""
    found: dict[str, Evidence] = {}
    for row in select(store, fill(_EVIDENCE, graph=graph, bound=bound)):
        node = str(text(row["node"]))
        evidence = _evidence(row)
        current = found.get(node)
        if evidence is not None and (current is None or evidence.start < current.start):
            found[node] = evidence
    return found


def _events(
    store: Store,
    catalogue: Catalogue,
    graph: ox.NamedNode | Fragment,
    bound: Fragment,
    subject: str | None,
    quotes: dict[str, Evidence],
) -> list[EventRecord]:
    merged: dict[str, dict[str, Any]] = {}
    for row in select(store, fill(_EVENTS, graph=graph, bound=bound)):
        event = str(text(row["ev"]))
        found = merged.setdefault(event, {"row": row, "types": set(), "subjects": set(), "actors": set()})
        found["types"].add(local_name(str(text(row["type"]))))
        found["subjects"].add(str(text(row["subject"])))
        actor = text(row["actor"])
        if actor:
            found["actors"].add(actor)
    out = []
    for event, found in sorted(merged.items()):
        row = found["row"]
        out.append(
            EventRecord(
                event=event,
                event_type=min(found["types"]),
                date=text(row["date"]) or text(row["sort"]),
                sort_date=text(row["sort"]),
                subject=subject if subject is not None else min(found["subjects"]),
                actor=min(found["actors"]) if found["actors"] else None,
                document=catalogue.document(str(text(row["d"]))),
                evidence=quotes.get(event),
            )
        )
    return out


def event_records(store: Store, catalogue: Catalogue, *, subject: str) -> list[EventRecord]:
    """Every report of an event whose subject is ``subject`` (an entity IRI), by IRI.

    The subject is a constant of the patterns (looked up through the store's indexes).
    """
    bound = bound_patterns("ev", [("pkg:subject", iri(subject))])
    quotes = _quotes(store, _ANY_GRAPH, bound_patterns("node", [("pkg:subject", iri(subject))]))
    return _events(store, catalogue, _ANY_GRAPH, bound, subject, quotes)


def _stances(
    store: Store, catalogue: Catalogue, graph: ox.NamedNode, doc: str, quotes: dict[str, Evidence]
) -> list[StanceRecord]:
    merged: dict[str, dict[str, Any]] = {}
    for row in select(store, fill(_STANCES, graph=graph, doc=iri(doc))):
        stance = str(text(row["st"]))
        found = merged.setdefault(stance, {"row": row, "holders": set(), "topics": set(), "targets": set()})
        found["holders"].add(str(text(row["holder"])))
        for key, var in (("topics", "topic"), ("targets", "te")):
            value = text(row[var])
            if value:
                found[key].add(value)
    info = catalogue.document(doc)
    out = []
    for stance, found in sorted(merged.items()):
        row = found["row"]
        out.append(
            StanceRecord(
                stance=stance,
                holder=min(found["holders"]),
                topic=min(found["topics"]) if found["topics"] else None,
                polarity=local_name(str(text(row["polarity"]))),
                target=text(row["target"]) or "",
                target_entities=tuple(sorted(found["targets"])),
                date=text(row["date"]) or text(row["sort"]),
                sort_date=text(row["sort"]) or info.sort_date,
                document=info,
                evidence=quotes.get(stance),
            )
        )
    return out


def document_content(store: Store, catalogue: Catalogue, doc: str) -> DocumentContent:
    """Everything the graph of ``doc`` (a document IRI of the catalogue) states about it.

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> from graph.read.catalogue import load_catalogue
    >>> store = OxigraphStore(None)
    >>> store.update('''PREFIX pkg: <https://w3id.org/policykg/ontology#>
    ... PREFIX dcterms: <http://purl.org/dc/terms/>
    ... INSERT DATA { GRAPH <https://w3id.org/policykg/graph/doc/d1> {
    ...   <https://w3id.org/policykg/doc/d1> a pkg:Document ; dcterms:identifier "d1" ;
    ...     pkg:text "Hello." ; pkg:sha256 "abc" . } }''')
    >>> content = document_content(store, load_catalogue(store), "https://w3id.org/policykg/doc/d1")
    >>> content.text, content.sha256, content.mentions, content.events
    ('Hello.', 'abc', (), ())
    """
    info = catalogue.document(doc)
    graph = iri(doc_graph_iri(info.doc_id))
    subject = iri(doc)
    rows = list(select(store, fill(_FILE, graph=graph, doc=subject)))
    row = rows[0] if rows else None
    mentions = tuple(
        MentionSpan(str(text(m["e"])), int(str(text(m["s"]))), int(str(text(m["en"]))), str(text(m["x"])))
        for m in select(store, fill(_MENTIONS, graph=graph, doc=subject))
    )
    quotes = _quotes(store, graph, Fragment(""))
    bound = bound_patterns("ev", [("prov:wasDerivedFrom", subject)])
    events = _events(store, catalogue, graph, bound, None, quotes)
    stances = _stances(store, catalogue, graph, doc, quotes)
    return DocumentContent(
        document=info,
        text=text(row["text"]) if row is not None else None,
        source=text(row["source"]) if row is not None else None,
        format=text(row["format"]) if row is not None else None,
        sha256=text(row["sha"]) if row is not None else None,
        mentions=mentions,
        events=tuple(events),
        stances=tuple(stances),
    )


__all__ = [
    "DocumentContent",
    "EventRecord",
    "MentionSpan",
    "document_content",
    "event_records",
    "find_document",
]
