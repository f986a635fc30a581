"""How entities connect: co-mention, evidence paths, centrality and communities.

Pure functions over a graph from :func:`graph.network.load_network`. The co-mention graph
is the entity projection of the document-entity bipartite graph: two entities are joined
when at least one document mentions both, with ``weight`` = the number of such
documents. An evidence path walks that graph; each hop names the documents that justify
it, with the quote (and offsets) of each entity's first mention there.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, islice, pairwise
from typing import Any

import networkx as nx

from graph.evidence import Evidence
from graph.link_records import DocumentInfo, document_info
from graph.network import first, label, nodes_of_kind, sources, targets


@dataclass(frozen=True, slots=True)
class CoMention:
    """Entities ``a`` < ``b`` mentioned together in ``weight`` documents (``documents``)."""

    a: str
    b: str
    weight: int
    documents: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "weight": self.weight, "documents": list(self.documents)}


def co_mentions(graph: nx.MultiDiGraph, entities: Iterable[str] | None = None) -> list[CoMention]:
    """Every pair of entities mentioned in a common document (or every pair with one end
    in ``entities``), sorted by pair.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for d, ents in (("urn:d1", "abc"), ("urn:d2", "ab")):
    ...     g.add_node(d, kind="document")
    ...     for e in ents:
    ...         g.add_node("urn:" + e, kind="entity"); _ = g.add_edge(d, "urn:" + e, key="mentions")
    >>> [(c.a, c.b, c.weight) for c in co_mentions(g)]
    [('urn:a', 'urn:b', 2), ('urn:a', 'urn:c', 1), ('urn:b', 'urn:c', 1)]
    """
    wanted = None if entities is None else set(entities)
    docs_of_pair: dict[tuple[str, str], list[str]] = defaultdict(list)
    for doc in nodes_of_kind(graph, "document"):
        mentioned = targets(graph, doc, "mentions")
        for a, b in combinations(mentioned, 2):
            if wanted is None or a in wanted or b in wanted:
                docs_of_pair[(a, b)].append(doc)
    return [CoMention(a, b, len(docs), tuple(docs)) for (a, b), docs in sorted(docs_of_pair.items())]


def co_mention_graph(graph: nx.MultiDiGraph) -> nx.Graph:
    """The weighted co-mention graph: entity nodes, edges with ``weight`` and ``documents``."""
    out = nx.Graph()
    out.add_nodes_from(
        (n, {"label": graph.nodes[n].get("label"), "type": graph.nodes[n].get("type")})
        for n in nodes_of_kind(graph, "entity")
    )
    for pair in co_mentions(graph):
        out.add_edge(pair.a, pair.b, weight=pair.weight, documents=pair.documents)
    return out


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of an evidence path: ``source`` and ``target`` are both mentioned in
    ``document`` (the quotes are their first mentions); ``documents`` lists every
    document that mentions both."""

    source: str
    target: str
    document: DocumentInfo
    source_evidence: Evidence | None
    target_evidence: Evidence | None
    documents: tuple[str, ...]

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "source_label": label(graph, self.source) if graph is not None else None,
            "target_label": label(graph, self.target) if graph is not None else None,
            **self.document.to_json(graph),
            "source_evidence": self.source_evidence.to_json() if self.source_evidence else None,
            "target_evidence": self.target_evidence.to_json() if self.target_evidence else None,
            "documents": list(self.documents),
        }


@dataclass(frozen=True, slots=True)
class EvidencePath:
    entities: tuple[str, ...]
    hops: tuple[Hop, ...]

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "entities": list(self.entities),
            "labels": [label(graph, e) for e in self.entities] if graph is not None else None,
            "hops": [h.to_json(graph) for h in self.hops],
        }


def _mention(graph: nx.MultiDiGraph, doc: str, entity: str) -> Evidence | None:
    data = graph.get_edge_data(doc, entity, key="mentions")
    return data.get("evidence") if data else None


def _hop(graph: nx.MultiDiGraph, a: str, b: str, docs: tuple[str, ...]) -> Hop:
    """The hop a-b, justified by the document where their first mentions lie closest
    (then the earliest, then by id)."""

    def rank(doc: str) -> tuple[int, str, str]:
        ea, eb = _mention(graph, doc, a), _mention(graph, doc, b)
        gap = abs(ea.start - eb.start) if ea is not None and eb is not None else 1 << 62
        attrs = graph.nodes[doc]
        return (gap, attrs.get("sort_date") or "9999", attrs.get("doc_id") or doc)

    best = min(docs, key=rank)
    return Hop(a, b, document_info(graph, best), _mention(graph, best, a), _mention(graph, best, b), docs)


def evidence_paths(
    graph: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    max_paths: int = 3,
    max_hops: int = 4,
    co_graph: nx.Graph | None = None,
) -> list[EvidencePath]:
    """The shortest chains of co-mentions from ``source`` to ``target``.

    Fewest hops first; among paths of equal length, those through more specific entities
    (fewer co-mentioned neighbours) and stronger ties (more documents) come first, so
    "Tianjin Guidelines -> GIDS -> BWC" beats a hop through a state named everywhere.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for d, ents in (("urn:d1", "ab"), ("urn:d2", "bc"), ("urn:d3", "ac")):
    ...     g.add_node(d, kind="document", doc_id=d[4:])
    ...     for e in ents:
    ...         g.add_node("urn:" + e, kind="entity"); _ = g.add_edge(d, "urn:" + e, key="mentions")
    >>> g.add_node("urn:z", kind="entity"); _ = g.add_edge("urn:d3", "urn:z", key="mentions")
    >>> [(p.entities, [h.document.doc_id for h in p.hops]) for p in evidence_paths(g, "urn:b", "urn:z")]
    [(('urn:b', 'urn:a', 'urn:z'), ['d1', 'd3']), (('urn:b', 'urn:c', 'urn:z'), ['d2', 'd3'])]
    """
    if source == target:
        raise ValueError("the two ends of a path must differ")
    co = co_graph if co_graph is not None else co_mention_graph(graph)
    for end in (source, target):
        if end not in co:
            raise LookupError(f"{label(graph, end)} is not an entity of the graph")
    n = max(co.number_of_nodes(), 2)

    def hub(node: str) -> float:
        return math.log1p(co.degree(node)) / math.log1p(n)

    def cost(u: str, v: str, data: dict[str, Any]) -> float:
        # One unit per hop; the rest (< 0.5 per hop) only orders paths of equal length.
        return 1.0 + 0.2 * (hub(u) + hub(v)) + 0.05 / data["weight"]

    try:
        candidates = list(islice(nx.shortest_simple_paths(co, source, target, weight=cost), max_paths * 4))
    except nx.NetworkXNoPath:
        return []

    def total(path: list[str]) -> float:
        return sum(cost(u, v, co.edges[u, v]) for u, v in pairwise(path))

    shortest = min((len(p) for p in candidates), default=0)
    found = [p for p in candidates if len(p) == shortest and len(p) - 1 <= max_hops]
    found.sort(key=lambda p: (len(p), round(total(p), 9), [str(label(graph, e)) for e in p], p))
    out = []
    for path in found[:max_paths]:
        hops = tuple(_hop(graph, a, b, tuple(co.edges[a, b]["documents"])) for a, b in pairwise(path))
        out.append(EvidencePath(tuple(path), hops))
    return out


@dataclass(frozen=True, slots=True)
class Ranked:
    node: str
    label: str | None
    type: str | None
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"node": self.node, "label": self.label, "type": self.type, "score": self.score}


def pagerank(
    graph: nx.Graph, *, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200
) -> dict[str, float]:
    """Weighted PageRank by power iteration (pure Python: no numpy/scipy needed).

    An isolated node spreads its rank evenly over all nodes, as in ``networkx.pagerank``.

    >>> g = nx.Graph([("a", "b"), ("a", "c")])
    >>> {k: round(v, 3) for k, v in pagerank(g).items()}
    {'a': 0.486, 'b': 0.257, 'c': 0.257}
    """
    nodes = list(graph)
    if not nodes:
        return {}
    size = len(nodes)
    strength = {n: sum(d.get("weight", 1) for _, _, d in graph.edges(n, data=True)) for n in nodes}
    rank = dict.fromkeys(nodes, 1.0 / size)
    for _ in range(max_iter):
        dangling = sum(rank[n] for n in nodes if strength[n] == 0)
        base = (1.0 - alpha) / size + alpha * dangling / size
        new = dict.fromkeys(nodes, base)
        for node in nodes:
            if strength[node] == 0:
                continue
            share = alpha * rank[node] / strength[node]
            for _, other, data in graph.edges(node, data=True):
                new[other] += share * data.get("weight", 1)
        if sum(abs(new[n] - rank[n]) for n in nodes) < tol * size:
            return new
        rank = new
    return rank


def centrality(
    graph: nx.MultiDiGraph, *, types: Iterable[str] | None = None, top: int | None = None
) -> list[Ranked]:
    """PageRank of entities over the weighted co-mention graph, highest first.

    ``types`` keeps entities of those types (``Initiative``, ``Forum``, ``State``...);
    the ranking itself is computed over every entity.

    >>> g = nx.MultiDiGraph()
    >>> for d, ents in (("urn:d1", "ab"), ("urn:d2", "ac"), ("urn:d3", "ad")):
    ...     g.add_node(d, kind="document")
    ...     for e in ents:
    ...         g.add_node("urn:" + e, kind="entity", label=e, type="Forum")
    ...         _ = g.add_edge(d, "urn:" + e, key="mentions")
    >>> [r.label for r in centrality(g, top=2)]
    ['a', 'b']
    """
    co = co_mention_graph(graph)
    if co.number_of_nodes() == 0:
        return []
    scores = pagerank(co)
    wanted = None if types is None else set(types)
    out = [
        Ranked(node, co.nodes[node].get("label"), co.nodes[node].get("type"), round(score, 9))
        for node, score in scores.items()
        if wanted is None or co.nodes[node].get("type") in wanted
    ]
    out.sort(key=lambda r: (-r.score, str(r.label), r.node))
    return out[:top] if top is not None else out


def topic_entity_graph(graph: nx.MultiDiGraph) -> nx.Graph:
    """Co-mention graph plus topic nodes, each joined to the holders and target entities
    of its stances (``weight`` = number of stances)."""
    out = co_mention_graph(graph)
    for stance in nodes_of_kind(graph, "stance"):
        topic = first(graph, stance, "topic")
        if topic is None:
            continue
        out.add_node(topic, label=graph.nodes[topic].get("label"), type="Topic")
        for entity in {*targets(graph, stance, "holder"), *targets(graph, stance, "target_entity")}:
            weight = out.edges[topic, entity]["weight"] + 1 if out.has_edge(topic, entity) else 1
            out.add_edge(topic, entity, weight=weight)
    return out


def communities(graph: nx.MultiDiGraph, *, seed: int = 0, resolution: float = 1.0) -> list[tuple[str, ...]]:
    """Communities of topics and entities (Louvain on :func:`topic_entity_graph`), the
    largest first; members sorted. Entities linked to nothing are left out.

    >>> g = nx.MultiDiGraph()
    >>> for d, ents in (("urn:d1", "ab"), ("urn:d2", "ab"), ("urn:d3", "cd"), ("urn:d4", "cd")):
    ...     g.add_node(d, kind="document")
    ...     for e in ents:
    ...         g.add_node("urn:" + e, kind="entity"); _ = g.add_edge(d, "urn:" + e, key="mentions")
    >>> communities(g)
    [('urn:a', 'urn:b'), ('urn:c', 'urn:d')]
    """
    joined = topic_entity_graph(graph)
    joined.remove_nodes_from([n for n in list(joined) if joined.degree(n) == 0])
    if joined.number_of_edges() == 0:
        return []
    groups = nx.community.louvain_communities(joined, weight="weight", seed=seed, resolution=resolution)
    out = [tuple(sorted(g)) for g in groups]
    out.sort(key=lambda g: (-len(g), g))
    return out


def documents_mentioning(graph: nx.MultiDiGraph, entity: str) -> list[str]:
    return sources(graph, entity, "mentions")
