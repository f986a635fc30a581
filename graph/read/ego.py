"""An entity's ego network, read from the store as typed records: what ``/export?entity=X``
holds, in a few indexed SPARQL SELECTs whatever the size of the store.

The ego network of entities ``egos`` (usually one) over documents ``docs`` (those about
them, :mod:`graph.read.selection`) is:

- every ``document -mentions-> entity`` link of ``docs`` (:class:`MentionLink`): who else
  the documents name, one ``schema:mentions`` scan of their graphs;
- for the mentions of an ego, the number of mentions and the first quote
  (:class:`MentionEvidence`);
- the events whose subject or actor is an ego (:class:`EventRecord`) and the stances an
  ego holds or that target it (:class:`StanceRecord`), reported in ``docs``, each with its
  quote.

The documents' other events and stances (on the UN General Debate store about 33 per
speech, most of them about something else) are left out: they made a state's ego network
of 1,500 speeches 50,000 stance nodes and a minute of reading, and an export without
filters or with ``facts=all`` (:mod:`api.routes.export`) still streams them all.

Every query is keyed by an ego (an IRI constant, looked up through the store's indexes)
or by the documents' graphs; the facts are then described by their IRIs
(``?node ?p ?o``), which Oxigraph answers from its subject index, instead of one query
with OPTIONAL patterns that it plans as a join over every fact of the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox

from graph.network import Evidence, evidence_of, local_name
from graph.read.entities import entity_mentions
from graph.read.terms import Fragment, fill, iri, value_rows, values
from graph.solutions import chunks, integer, select, text
from graph.store import Store
from ontology.namespace import DCTERMS, DOC, PKG, PROV, RDF, SEM, doc_graph_iri


@dataclass(frozen=True, slots=True)
class MentionLink:
    """``doc`` mentions ``entity`` (``schema:mentions``)."""

    doc: str
    entity: str


@dataclass(frozen=True, slots=True)
class MentionEvidence:
    """How often ``doc`` mentions the ego ``entity``, and its first mention (``nodes``:
    the IRIs of its annotation, target and selectors)."""

    doc: str
    entity: str
    count: int
    evidence: Evidence
    nodes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event reported in ``doc`` (``event_type`` is the local name: ``launch``, ...)."""

    iri: str
    doc: str
    event_type: str
    subjects: tuple[str, ...]
    actors: tuple[str, ...]
    date: str | None
    sort_date: str | None
    evidence: Evidence | None


@dataclass(frozen=True, slots=True)
class StanceRecord:
    """A stance held in ``doc`` (``polarity`` is the local name: ``support``, ...)."""

    iri: str
    doc: str
    holder: str
    polarity: str
    target: str | None
    topic: str | None
    cue: str | None
    date: str | None
    sort_date: str | None
    target_entities: tuple[str, ...]
    evidence: Evidence | None


@dataclass(frozen=True, slots=True)
class EgoFacts:
    """The records of an ego network (see the module docstring)."""

    links: list[MentionLink]
    mentions: list[MentionEvidence]
    events: list[EventRecord]
    stances: list[StanceRecord]


# Grouped in the store, one row per document (a third faster than a row per link).
_LINKS = """
SELECT ?d (GROUP_CONCAT(STR(?e); separator=" ") AS ?es) WHERE {
  $graphs GRAPH ?g { ?d schema:mentions ?e }
} GROUP BY ?d
"""

# The first mention in two steps: the start of every mention, then the quote of the first
# in each document only (twice as fast as reading every quote: the quotes are long strings).
_EGO_MENTION_STARTS = """
SELECT ?d ?t ?s WHERE {
  GRAPH ?g {
    ?a oa:hasBody $ego ; oa:motivatedBy oa:identifying ; oa:hasTarget ?t .
    ?t oa:hasSource ?d ; oa:hasSelector ?p . ?p oa:start ?s .
  }
}
"""

_FIRST_MENTIONS = """
SELECT ?t ?a ?p ?q ?en ?x WHERE {
  $targets
  GRAPH ?g {
    ?a oa:hasTarget ?t ; oa:hasBody $ego ; oa:motivatedBy oa:identifying .
    ?t oa:hasSelector ?p, ?q . ?p oa:end ?en . ?q oa:exact ?x .
  }
}
"""

_EGO_EVENTS = (
    "SELECT DISTINCT ?n WHERE { GRAPH ?g { { ?n pkg:subject $ego } UNION { ?n sem:hasActor $ego } } }"
)

_EGO_STANCES = """
SELECT DISTINCT ?n WHERE { GRAPH ?g { { ?n prov:wasAttributedTo $ego } UNION { ?n pkg:targetEntity $ego } } }
"""

_DESCRIBE = "SELECT ?n ?p ?o WHERE { $nodes GRAPH ?g { ?n ?p ?o } }"

_TYPE = str(RDF.type)
_EVENT = str(PKG.Event)
_STANCE = str(PKG.Stance)
_DERIVED_FROM = str(PROV.wasDerivedFrom)


def _graph_of(doc: str) -> str:
    return doc_graph_iri(doc.removeprefix(str(DOC)))


def mention_links(store: Store, docs: Sequence[str], *, chunk: int = 500) -> list[MentionLink]:
    """Every ``schema:mentions`` link of ``docs``, asked over their graphs ``chunk`` at a
    time; sorted by document, then entity."""
    wanted = set(docs)
    found: list[MentionLink] = []
    for piece in chunks(sorted(wanted), chunk):
        sparql = fill(_LINKS, graphs=values("g", (iri(_graph_of(d)) for d in piece)))
        for row in select(store, sparql):
            doc = str(text(row["d"]))
            if doc in wanted:
                # IRIs hold no space (the separator).
                found += [MentionLink(doc, e) for e in sorted(set(str(text(row["es"])).split(" "))) if e]
    found.sort(key=lambda link: link.doc)  # stable: entities stay sorted within a document
    return found


def ego_mentions(store: Store, ego: str, docs: Iterable[str]) -> list[MentionEvidence]:
    """For each of ``docs`` that mentions ``ego``: the number of its mentions and the first
    (lowest start offset, then target IRI)."""
    wanted = set(docs)
    counts: dict[str, int] = {}
    first: dict[str, tuple[int, str]] = {}
    for row in select(store, fill(_EGO_MENTION_STARTS, ego=iri(ego))):
        doc = str(text(row["d"]))
        if doc not in wanted:
            continue
        counts[doc] = counts.get(doc, 0) + 1
        start = (integer(row["s"]) or 0, str(text(row["t"])))
        if doc not in first or start < first[doc]:
            first[doc] = start
    by_target = {target: (doc, offset) for doc, (offset, target) in first.items()}
    found: dict[str, MentionEvidence] = {}
    for piece in chunks(sorted(by_target)):
        sparql = fill(_FIRST_MENTIONS, ego=iri(ego), targets=values("t", (iri(t) for t in piece)))
        for row in select(store, sparql):
            target = str(text(row["t"]))
            doc, offset = by_target[target]
            end = integer(row["en"])
            assert end is not None
            evidence = Evidence(doc, offset, end, str(text(row["x"])))
            nodes = tuple(str(text(row[v])) for v in ("a", "t", "p", "q"))
            found[doc] = MentionEvidence(doc, ego, counts[doc], evidence, nodes)
    return [found[doc] for doc in sorted(found)]


def ego_first_mentions(store: Store, ego: str, docs: Iterable[str]) -> list[MentionEvidence]:
    """:func:`ego_mentions` without the annotations' nodes (what the graph formats need),
    read from the annotations' IRIs (:func:`graph.read.entities.entity_mentions`: 0.3 s
    for a state's 1,578 UN speeches, where joining every mention to its selectors took 1.7 s)."""
    wanted = set(docs)
    found = [
        MentionEvidence(m.document, ego, m.count, m.first)
        for m in entity_mentions(store, ego)
        if m.document in wanted
    ]
    return sorted(found, key=lambda m: m.doc)


def _node_slots(nodes: Iterable[str]) -> Iterator[Fragment]:
    """VALUES blocks binding ``?n`` to ``nodes``, a chunk at a time; a fact of a document
    (``<doc>#...``) with ``?g`` bound to that document's graph, so that ``GRAPH ?g`` looks
    in that graph only (half the time of every graph on the UN corpus)."""
    in_docs = sorted(n for n in set(nodes) if n.startswith(str(DOC)) and "#" in n)
    elsewhere = sorted(set(nodes).difference(in_docs))
    for piece in chunks(elsewhere):
        yield values("n", (iri(n) for n in piece))
    for piece in chunks(in_docs):
        yield value_rows(["g", "n"], ((iri(_graph_of(n.partition("#")[0])), iri(n)) for n in piece))


def _describe(store: Store, nodes: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """Each node's properties (predicate IRI -> values, sorted), read by subject."""
    described: dict[str, dict[str, list[str]]] = {}
    for slot in _node_slots(nodes):
        for row in select(store, fill(_DESCRIBE, nodes=slot)):
            props = described.setdefault(str(text(row["n"])), {})
            props.setdefault(str(text(row["p"])), []).append(str(text(row["o"])))
    for props in described.values():
        for found in props.values():
            found.sort()
    return described


def _one(props: dict[str, list[str]], predicate: str) -> str | None:
    found = props.get(predicate)
    return found[0] if found else None


def _facts_of(
    store: Store, query: str, egos: Sequence[str], kind: str, docs: set[str]
) -> dict[str, dict[str, list[str]]]:
    """The descriptions of the facts of type ``kind`` that ``query`` finds for an ego,
    reported in one of ``docs``."""
    nodes: set[str] = set()
    for ego in egos:
        nodes.update(str(text(row["n"])) for row in select(store, fill(query, ego=iri(ego))))
    described = _describe(store, nodes)
    return {
        node: props
        for node, props in described.items()
        if kind in props.get(_TYPE, ()) and _one(props, _DERIVED_FROM) in docs
    }


def ego_events(store: Store, egos: Sequence[str], docs: Iterable[str]) -> list[EventRecord]:
    """The events reported in ``docs`` whose subject or actor is one of ``egos``."""
    facts = _facts_of(store, _EGO_EVENTS, egos, _EVENT, set(docs))
    quotes = evidence_of(store, facts)
    events = []
    for node, props in sorted(facts.items()):
        event_type, subjects = _one(props, str(PKG.eventType)), tuple(props.get(str(PKG.subject), ()))
        if event_type is None or not subjects:
            continue  # not an event the graph model describes (NetworkBuilder needs both too)
        sort_date = _one(props, str(PKG.sortDate))
        events.append(
            EventRecord(
                iri=node,
                doc=str(_one(props, _DERIVED_FROM)),
                event_type=local_name(event_type),
                subjects=subjects,
                actors=tuple(props.get(str(SEM.hasActor), ())),
                date=_one(props, str(DCTERMS.date)) or sort_date,
                sort_date=sort_date,
                evidence=quotes.get(node),
            )
        )
    return events


def ego_stances(store: Store, egos: Sequence[str], docs: Iterable[str]) -> list[StanceRecord]:
    """The stances reported in ``docs`` that one of ``egos`` holds or that target one."""
    facts = _facts_of(store, _EGO_STANCES, egos, _STANCE, set(docs))
    quotes = evidence_of(store, facts)
    stances = []
    for node, props in sorted(facts.items()):
        holder, polarity = _one(props, str(PROV.wasAttributedTo)), _one(props, str(PKG.polarity))
        if holder is None or polarity is None:
            continue
        sort_date = _one(props, str(PKG.sortDate))
        stances.append(
            StanceRecord(
                iri=node,
                doc=str(_one(props, _DERIVED_FROM)),
                holder=holder,
                polarity=local_name(polarity),
                target=_one(props, str(PKG.target)),
                topic=_one(props, str(DCTERMS.subject)),
                cue=_one(props, str(PKG.cue)),
                date=_one(props, str(DCTERMS.date)) or sort_date,
                sort_date=sort_date,
                target_entities=tuple(props.get(str(PKG.targetEntity), ())),
                evidence=quotes.get(node),
            )
        )
    return stances


_DOCUMENT_QUADS = """
SELECT ?g ?d ?p ?o WHERE { $graphs GRAPH ?g { ?d a pkg:Document ; ?p ?o } FILTER(?p != pkg:text) }
"""

_EVIDENCE_NODES = """
SELECT ?a ?t ?s WHERE { $nodes GRAPH ?g { ?n pkg:evidence ?a . ?a oa:hasTarget ?t . ?t oa:hasSelector ?s } }
"""

_QUADS = "SELECT ?g ?n ?p ?o WHERE { $nodes GRAPH ?g { ?n ?p ?o } }"

_DOC_GRAPHS = doc_graph_iri("")


def _quads_of(store: Store, nodes: Iterable[str]) -> dict[str, list[ox.Quad]]:
    """The quads whose subject is one of ``nodes``, by subject."""
    found: dict[str, list[ox.Quad]] = {}
    for slot in _node_slots(nodes):
        for row in select(store, fill(_QUADS, nodes=slot)):
            found.setdefault(row["n"].value, []).append(ox.Quad(row["n"], row["p"], row["o"], row["g"]))
    return found


def _ego_fact_quads(store: Store, egos: Sequence[str], docs: set[str]) -> dict[str, list[ox.Quad]]:
    """The quads of the events and stances of ``egos`` reported in ``docs``, by fact."""
    nodes: set[str] = set()
    for query in (_EGO_EVENTS, _EGO_STANCES):
        for ego in egos:
            nodes.update(str(text(row["n"])) for row in select(store, fill(query, ego=iri(ego))))
    kept = {}
    for node, quads in _quads_of(store, nodes).items():
        types = {str(text(q.object)) for q in quads if q.predicate.value == _TYPE}
        sources = {str(text(q.object)) for q in quads if q.predicate.value == _DERIVED_FROM}
        if types & {_EVENT, _STANCE} and sources & docs:
            kept[node] = quads
    return kept


def _document_quads(store: Store, docs: Sequence[str]) -> list[ox.Quad]:
    """The quads about each of ``docs`` in its graph, but its text (``pkg:text``)."""
    found: list[ox.Quad] = []
    for piece in chunks(sorted(docs)):
        sparql = fill(_DOCUMENT_QUADS, graphs=values("g", (iri(_graph_of(d)) for d in piece)))
        found += [ox.Quad(row["d"], row["p"], row["o"], row["g"]) for row in select(store, sparql)]
    return found


def _mention_nodes(store: Store, egos: Sequence[str], docs: Sequence[str]) -> dict[str, list[ox.Quad]]:
    """The quads of the first mention of each ego in each of ``docs``: the nodes graph.rdf
    mints for it (``<doc>#m-``, ``#t-``, ``#p-``, ``#q-START-END``) where it minted them,
    else those found through the annotation's selectors (:func:`ego_mentions`)."""
    wanted = set(docs)
    found: dict[str, list[ox.Quad]] = {}
    for ego in sorted(set(egos)):
        firsts = [m for m in entity_mentions(store, ego) if m.document in wanted]
        minted = {
            m.document: [f"{m.document}#{kind}-{m.first.start}-{m.first.end}" for kind in "mtpq"]
            for m in firsts
        }
        quads = _quads_of(store, (n for nodes in minted.values() for n in nodes))
        rest = [doc for doc, nodes in minted.items() if not all(n in quads for n in nodes)]
        for nodes in (nodes for doc, nodes in minted.items() if doc not in rest):
            found.update((n, quads[n]) for n in nodes)
        if rest:
            others = {n for m in ego_mentions(store, ego, rest) for n in m.nodes}
            found.update(_quads_of(store, others))
    return found


def _fact_and_evidence_quads(store: Store, egos: Sequence[str], docs: set[str]) -> list[ox.Quad]:
    """The quads of the egos' events and stances in ``docs`` and of their evidence."""
    facts = _ego_fact_quads(store, egos, docs)
    nodes: set[str] = set()
    for slot in _node_slots(facts):
        for row in select(store, fill(_EVIDENCE_NODES, nodes=slot)):
            nodes.update(str(text(row[v])) for v in ("a", "t", "s"))
    found = [q for quads in facts.values() for q in quads]
    found += [q for quads in _quads_of(store, nodes).values() for q in quads]
    return found


def ego_quads(store: Store, egos: Sequence[str], docs: Sequence[str]) -> list[tuple[str, list[ox.Quad]]]:
    """The ego network of ``egos`` over ``docs`` as RDF, the quads of each document (in its
    graph), in the order of ``docs``: the document's own description without its text
    (``pkg:text``), its ``schema:mentions`` links among it; the first mention of each ego
    (annotation, target, selectors); the events and stances of the egos with their
    evidence (annotation, target, selectors). The entities they name are described in
    graph:entities (:func:`api.export_rdf.described` adds them). The three reads run on
    threads (the store answers them at once on as many cores)."""
    by_doc: dict[str, list[ox.Quad]] = {doc: [] for doc in docs}
    with ThreadPoolExecutor(3) as pool:
        described = pool.submit(_document_quads, store, list(by_doc))
        mentions = pool.submit(_mention_nodes, store, egos, list(by_doc))
        facts = pool.submit(_fact_and_evidence_quads, store, egos, set(by_doc))
        quads = [*described.result(), *(q for qs in mentions.result().values() for q in qs), *facts.result()]
    for quad in quads:
        graph = quad.graph_name.value  # type: ignore[union-attr]
        if graph.startswith(_DOC_GRAPHS):
            found = by_doc.get(str(DOC) + graph.removeprefix(_DOC_GRAPHS))
            if found is not None:
                found.append(quad)
    return list(by_doc.items())


def ego_facts(
    store: Store,
    egos: Sequence[str],
    docs: Sequence[str],
    *,
    links: Sequence[MentionLink] | None = None,
) -> EgoFacts:
    """The ego network of ``egos`` over ``docs`` (see the module docstring).

    ``links``, when given, are the documents' mention links as an in-memory index holds
    them (:meth:`graph.read.mention_index.MentionIndex.links`); otherwise they are read.

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> store.update('''PREFIX pkg: <https://w3id.org/policykg/ontology#>
    ... PREFIX schema: <https://schema.org/>
    ... PREFIX prov: <http://www.w3.org/ns/prov#>
    ... INSERT DATA { GRAPH <https://w3id.org/policykg/graph/doc/d1> {
    ...   <https://w3id.org/policykg/doc/d1> a pkg:Document ;
    ...     schema:mentions <https://w3id.org/policykg/entity/cd>, <https://w3id.org/policykg/entity/bwc> .
    ...   <https://w3id.org/policykg/doc/d1#stance-1> a pkg:Stance ; pkg:polarity pkg:support ;
    ...     prov:wasAttributedTo <https://w3id.org/policykg/entity/cd> ;
    ...     prov:wasDerivedFrom <https://w3id.org/policykg/doc/d1> .
    ...   <https://w3id.org/policykg/doc/d1#stance-2> a pkg:Stance ; pkg:polarity pkg:oppose ;
    ...     prov:wasAttributedTo <https://w3id.org/policykg/entity/bwc> ;
    ...     prov:wasDerivedFrom <https://w3id.org/policykg/doc/d1> . } }''')
    >>> facts = ego_facts(store, ["https://w3id.org/policykg/entity/cd"], ["https://w3id.org/policykg/doc/d1"])
    >>> [link.entity.rsplit("/", 1)[1] for link in facts.links]
    ['bwc', 'cd']
    >>> [(s.iri.rsplit("#", 1)[1], s.polarity) for s in facts.stances]
    [('stance-1', 'support')]
    """
    with ThreadPoolExecutor(4) as pool:  # the store answers them at once on as many cores
        read_links = None if links is not None else pool.submit(mention_links, store, docs)
        mentions = [pool.submit(ego_first_mentions, store, ego, docs) for ego in sorted(set(egos))]
        events = pool.submit(ego_events, store, egos, docs)
        stances = pool.submit(ego_stances, store, egos, docs)
        return EgoFacts(
            links=read_links.result() if read_links is not None else list(links or ()),
            mentions=[m for each in mentions for m in each.result()],
            events=events.result(),
            stances=stances.result(),
        )


__all__ = [
    "EgoFacts",
    "EventRecord",
    "MentionEvidence",
    "MentionLink",
    "StanceRecord",
    "ego_events",
    "ego_facts",
    "ego_first_mentions",
    "ego_mentions",
    "ego_quads",
    "ego_stances",
    "mention_links",
]
