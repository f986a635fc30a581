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
or by the documents' graphs. The facts are found and described in one query
(:data:`EGO_FACTS`: the ego's pattern, then ``?n ?p ?o`` from the subject index), not
with OPTIONAL patterns that Oxigraph plans as a join over every fact of the store; it is
read as SPARQL JSON results (:func:`graph.solutions.select_values`), so that the store
works on another core while the caller writes the documents' part of the export
(:func:`api.exports.ego_pieces`). Quotes come from the evidence annotations' minted IRIs
(:mod:`graph.evidence`). On the UN General Debate store the 2,902 stances of or about
Cuba in its 1,578 speeches take 0.6 s with their quotes (1.3 s before, found first and
described by a VALUES block, quotes read graph by graph). :mod:`graph.read.ego_rdf`
gives the same network as quads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from graph.evidence import Evidence, evidence_by_node
from graph.network import local_name
from graph.read.entities import entity_mentions
from graph.solutions import chunks, integer, select, select_values, text
from graph.store import Store
from graph.terms import fill, iri, values
from ontology.namespace import DCTERMS, DOC, LINKS_GRAPH, PKG, PROV, RDF, SEM, doc_graph_iri


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

# The facts an ego takes part in, with their properties, in one query keyed by the ego (a
# constant the store looks up in its object index); the properties are then read by
# subject in the fact's own graph. Finding the facts first and describing them by a VALUES
# block of their IRIs took twice as long; a ``?n a $kind`` pattern made Oxigraph start
# from every fact of that kind (10 s instead of 0.3 s): the type is checked on the rows.
# The links graph names entities in the same roles on its lineage steps (thousands for a
# state), which are no facts of a document: left out before they are described.
EGO_FACTS = """
SELECT ?n ?p ?o WHERE {
  GRAPH ?g { { ?n $role $ego } UNION { ?n $other $ego } FILTER(?g != $links) ?n ?p ?o }
}
"""

#: The two roles in which an ego takes part in a fact of each kind.
FACT_ROLES = {
    str(PKG.Event): (PKG.subject, SEM.hasActor),
    str(PKG.Stance): (PROV.wasAttributedTo, PKG.targetEntity),
}

_TYPE = str(RDF.type)
_EVENT = str(PKG.Event)
_STANCE = str(PKG.Stance)
_DERIVED_FROM = str(PROV.wasDerivedFrom)
_EVIDENCE = str(PKG.evidence)


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


def _one(props: dict[str, list[str]], predicate: str) -> str | None:
    found = props.get(predicate)
    return found[0] if found else None


def _facts_of(
    store: Store, egos: Sequence[str], kind: str, docs: set[str]
) -> dict[str, dict[str, list[str]]]:
    """The descriptions of the facts of type ``kind`` in which an ego takes part (see
    :data:`FACT_ROLES`), reported in one of ``docs``: predicate IRI -> values, sorted."""
    role, other = FACT_ROLES[kind]
    found: dict[str, dict[str, set[str]]] = {}
    for ego in sorted(set(egos)):
        sparql = fill(
            EGO_FACTS, ego=iri(ego), role=iri(str(role)), other=iri(str(other)), links=iri(str(LINKS_GRAPH))
        )
        for row in select_values(store, sparql):
            props = found.setdefault(row["n"], {})
            props.setdefault(row["p"], set()).add(row["o"])
    described = {
        node: {predicate: sorted(objects) for predicate, objects in props.items()}
        for node, props in found.items()
    }
    return {
        node: props
        for node, props in described.items()
        if kind in props.get(_TYPE, ()) and _one(props, _DERIVED_FROM) in docs
    }


def ego_events(store: Store, egos: Sequence[str], docs: Iterable[str]) -> list[EventRecord]:
    """The events reported in ``docs`` whose subject or actor is one of ``egos``."""
    facts = _facts_of(store, egos, _EVENT, set(docs))
    quotes = evidence_by_node(store, {node: props.get(_EVIDENCE, []) for node, props in facts.items()})
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
    facts = _facts_of(store, egos, _STANCE, set(docs))
    quotes = evidence_by_node(store, {node: props.get(_EVIDENCE, []) for node, props in facts.items()})
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
    "EGO_FACTS",
    "FACT_ROLES",
    "EgoFacts",
    "EventRecord",
    "MentionEvidence",
    "MentionLink",
    "StanceRecord",
    "ego_events",
    "ego_facts",
    "ego_first_mentions",
    "ego_mentions",
    "ego_stances",
    "mention_links",
]
