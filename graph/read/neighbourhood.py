"""An entity's neighbourhood, bounded: what the graph explorer draws.

Starting from one entity, the neighbourhood holds the entities that share documents with
it (co-mention edges weighted by the number of shared documents) and its stances as
edges: holder -> target entity, or holder -> topic when the stance names no entity.
Depth 2 adds the co-mentions of the strongest neighbours. At most ``max_nodes`` nodes are
kept (the focus and the heaviest neighbours); what is left out is counted per type, so a
viewer can say how much more there is and ask to narrow.

Everything is read from the store with targeted SPARQL (co-mentions in one aggregate per
expanded entity; stances through :func:`graph.read.stances.stance_records`), never from a
view of the whole store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.read.catalogue import Catalogue
from graph.read.stances import StanceRecord, stance_records
from graph.read.tables import document_link
from graph.solutions import select, text
from graph.store import Store
from graph.terms import fill, iri

_CO_MENTIONS = """
SELECT ?other (COUNT(DISTINCT ?doc) AS ?documents) WHERE {
  GRAPH ?g { ?doc schema:mentions $entity, ?other } FILTER(?other != $entity)
} GROUP BY ?other ORDER BY DESC(?documents) ?other
"""

_SHARED = """
SELECT DISTINCT ?doc WHERE { GRAPH ?g { ?doc schema:mentions $a, $b } }
"""

#: Quotes (or shared documents) kept per edge.
EDGE_EVIDENCE = 5
TOPIC_TYPE = "Topic"


def co_mentions(store: Store, entity: str) -> list[tuple[str, int]]:
    """The entities sharing documents with ``entity``, with the number shared, most first.

    One aggregate over ``schema:mentions``, the same SPARQL a client can run itself.
    """
    sparql = fill(_CO_MENTIONS, entity=iri(entity))
    return [(str(text(row["other"])), int(str(text(row["documents"])))) for row in select(store, sparql)]


def shared_documents(store: Store, a: str, b: str) -> list[str]:
    """The documents that mention both ``a`` and ``b`` (IRIs)."""
    return sorted(str(text(row["doc"])) for row in select(store, fill(_SHARED, a=iri(a), b=iri(b))))


@dataclass
class Node:
    id: str
    label: str
    type: str
    weight: int = 0
    focus: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "label": self.label, "type": self.type, "weight": self.weight, "focus": self.focus,
        }


@dataclass
class Edge:
    id: str
    source: str
    target: str
    kind: str  # co_mention | stance
    weight: int
    polarity: str | None = None
    topic: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "source": self.source, "target": self.target, "kind": self.kind,
            "weight": self.weight, "polarity": self.polarity, "topic": self.topic, "evidence": self.evidence,
        }


@dataclass
class Neighbourhood:
    focus: str
    nodes: list[Node]
    edges: list[Edge]
    left_out: dict[str, int]  # type -> nodes not drawn

    @property
    def truncated(self) -> bool:
        return any(self.left_out.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "focus": self.focus,
            "nodes": [n.to_json() for n in self.nodes],
            "edges": [e.to_json() for e in self.edges],
            "truncated": self.truncated,
            "left_out": self.left_out,
        }


def _stance_evidence(catalogue: Catalogue, record: StanceRecord) -> dict[str, Any]:
    doc = record.document
    evidence = record.evidence
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "date": record.date,
        "target": record.target,
        "quote": evidence.quote if evidence else None,
        "link": document_link(doc.doc_id, evidence.start if evidence else None),
    }


def neighbourhood(
    store: Store,
    catalogue: Catalogue,
    focus: str,
    *,
    depth: int = 1,
    max_nodes: int = 60,
    types: Iterable[str] | None = None,
    topic: str | None = None,
    actor: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Neighbourhood:
    """The bounded neighbourhood of ``focus`` (an entity IRI).

    ``types`` keeps only neighbours of those types (``Topic`` for topic nodes); ``topic``,
    ``actor`` and the ``start``/``end`` window filter the stance edges (``topic`` and
    ``actor`` also drop the co-mention edges, which have neither).
    """
    wanted_types = set(types) if types else None

    def node_type(entity: str) -> str:
        info = catalogue.entities.get(entity)
        return (info.type if info is not None and info.type else "Entity") or "Entity"

    def keep(entity: str, kind: str) -> bool:
        return wanted_types is None or kind in wanted_types

    candidates: dict[str, Node] = {}
    edges: dict[tuple[str, str, str, str | None], Edge] = {}

    def add_node(entity: str, kind: str, label: str, weight: int) -> None:
        found = candidates.get(entity)
        if found is None:
            candidates[entity] = Node(entity, label, kind, weight)
        else:
            found.weight = max(found.weight, weight)

    # -- stances held by the focus or about it ---------------------------------------------
    records = stance_records(store, catalogue, holder=focus, topic=topic, start=start, end=end)
    records += stance_records(store, catalogue, target=focus, topic=topic, start=start, end=end)
    seen: set[str] = set()
    for record in records:
        if record.stance in seen or (actor is not None and record.holder != actor):
            continue
        seen.add(record.stance)
        ends: list[tuple[str, str]] = []  # (source, target)
        if record.holder == focus:
            targets = [e for e in record.target_entities if e != focus]
            if targets:
                ends = [(focus, t) for t in targets]
            elif record.topic:
                ends = [(focus, record.topic)]
        else:
            ends = [(record.holder, focus)]
        for source, target in ends:
            other = target if source == focus else source
            kind = TOPIC_TYPE if other in catalogue.topics else node_type(other)
            if not keep(other, kind):
                continue
            label = catalogue.topic_label(other) if kind == TOPIC_TYPE else catalogue.entity_label(other)
            add_node(other, kind, label, 0)
            key = (source, target, record.polarity, record.topic)
            edge = edges.get(key)
            if edge is None:
                edge = edges[key] = Edge(
                    f"stance-{len(edges)}", source, target, "stance", 0, record.polarity,
                    catalogue.topic_label(record.topic) if record.topic else None,
                )
            edge.weight += 1
            if len(edge.evidence) < EDGE_EVIDENCE:
                edge.evidence.append(_stance_evidence(catalogue, record))
    stance_weight = Counter[str]()
    for (source, target, _, _), edge in edges.items():
        stance_weight[target if source == focus else source] += edge.weight

    # -- co-mentions (not when the question is about stances) ------------------------------
    co_weight: dict[str, int] = {}
    if topic is None and actor is None:
        for other, shared in co_mentions(store, focus):
            kind = node_type(other)
            if keep(other, kind):
                co_weight[other] = shared
                add_node(other, kind, catalogue.entity_label(other), shared)

    for entity, weight in stance_weight.items():
        candidates[entity].weight = max(candidates[entity].weight, weight)

    # -- keep the heaviest ------------------------------------------------------------------
    ranked = sorted(candidates.values(), key=lambda n: (-(n.weight + stance_weight[n.id]), n.label))
    kept = ranked[: max(0, max_nodes - 1)]
    kept_ids = {n.id for n in kept} | {focus}

    second: dict[tuple[str, str], int] = {}
    if depth >= 2 and topic is None and actor is None:
        room = max_nodes - 1 - len(kept)
        for hub in [n.id for n in kept if n.type != TOPIC_TYPE][:10]:
            for other, shared in co_mentions(store, hub):
                if other == focus:
                    continue
                if other not in kept_ids:
                    kind = node_type(other)
                    if room <= 0 or not keep(other, kind):
                        add_node(other, kind, catalogue.entity_label(other), shared)  # counted as left out
                        continue
                    add_node(other, kind, catalogue.entity_label(other), shared)
                    kept.append(candidates[other])
                    kept_ids.add(other)
                    room -= 1
                pair = (min(hub, other), max(hub, other))
                second[pair] = max(second.get(pair, 0), shared)

    left_out = Counter(n.type for n in candidates.values() if n.id not in kept_ids)
    focus_node = Node(focus, catalogue.entity_label(focus), node_type(focus), 0, True)
    nodes = [focus_node, *sorted(kept, key=lambda n: n.label)]

    out_edges = [e for e in edges.values() if e.source in kept_ids and e.target in kept_ids]
    for other, shared in co_weight.items():
        if other in kept_ids:
            out_edges.append(Edge(f"co-{len(out_edges)}", focus, other, "co_mention", shared))
    for (a, b), shared in sorted(second.items()):
        if a in kept_ids and b in kept_ids:
            out_edges.append(Edge(f"co-{len(out_edges)}", a, b, "co_mention", shared))
    return Neighbourhood(focus, nodes, out_edges, dict(sorted(left_out.items())))


def co_mention_evidence(store: Store, catalogue: Catalogue, a: str, b: str) -> list[dict[str, Any]]:
    """The documents behind a co-mention edge, newest first, with titles and links."""
    docs = [catalogue.document(d) for d in shared_documents(store, a, b) if d in catalogue.documents]
    docs.sort(key=lambda d: d.sort_date or "", reverse=True)
    return [
        {"doc_id": d.doc_id, "title": d.title, "date": d.date, "link": document_link(d.doc_id)}
        for d in docs[:EDGE_EVIDENCE]
    ]
