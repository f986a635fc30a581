"""Evidence paths between two entities, searched in the store over co-mention edges.

Two entities are joined when a document mentions both (:func:`graph.read.neighbourhood.co_mentions`
reads the co-mentions of one entity with one aggregate). The search runs from both ends at
once, a level at a time, always widening the smaller frontier, and stops at the first
level where the two meet: that is the length of the shortest paths. Only the entities on
those paths are kept, their numbers of co-mentioned entities (how specific they are) are
read in one aggregate, and the paths are ranked as :func:`graph.connectivity.evidence_paths`
ranks them over the whole co-mention graph: fewest hops, then through more specific
entities and stronger ties. Each hop is justified by the shared document where the first
mentions of its two entities lie closest.

The search is bounded: a deadline and a number of entities it may expand. Past either it
raises :class:`SearchLimit` (the caller answers "ask for fewer hops"), never runs on.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import networkx as nx

from graph.connectivity import EvidencePath, Hop
from graph.evidence import Evidence
from graph.read.catalogue import Catalogue
from graph.read.mention_index import MentionIndex
from graph.read.mentions import first_mentions_in
from graph.read.neighbourhood import co_mentions, shared_documents
from graph.solutions import chunks, select, text
from graph.store import Store
from graph.terms import fill, iri, values

#: Entities whose co-mentions a search may read (each is one aggregate query).
MAX_EXPANSIONS = 400

# The number of entities each entity shares a document with, for many at once.
_DEGREES = """
SELECT ?e (COUNT(DISTINCT ?o) AS ?n) WHERE {
  $entities GRAPH ?g { ?d schema:mentions ?e, ?o } FILTER(?o != ?e)
} GROUP BY ?e
"""


class SearchLimit(Exception):
    """The search went past its deadline or its number of expansions."""


@dataclass
class CoMentionSearch:
    """The co-mentions read so far, with the search's budget."""

    store: Store
    deadline: float
    max_expansions: int = MAX_EXPANSIONS
    neighbours: dict[str, dict[str, int]] = field(default_factory=dict)
    #: the store's mention links in memory, when the caller has them (same answers)
    mentions: MentionIndex | None = None

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise SearchLimit("the path search ran out of time")

    def expand(self, entity: str) -> dict[str, int]:
        """The entities sharing documents with ``entity``, with the number shared."""
        found = self.neighbours.get(entity)
        if found is not None:
            return found
        self.check()
        if len(self.neighbours) >= self.max_expansions:
            raise SearchLimit(f"the path search read the co-mentions of {self.max_expansions} entities")
        if self.mentions is not None:
            found = self.neighbours[entity] = dict(self.mentions.co_mentions(entity))
        else:
            found = self.neighbours[entity] = dict(co_mentions(self.store, entity))
        return found

    def shared(self, a: str, b: str) -> list[str]:
        """The documents that mention both ``a`` and ``b``."""
        if self.mentions is not None:
            return self.mentions.shared_documents(a, b)
        return shared_documents(self.store, a, b)


def shortest_path_graph(search: CoMentionSearch, source: str, target: str, max_hops: int) -> nx.Graph | None:
    """The co-mention edges on the shortest paths from ``source`` to ``target`` (None when
    none is at most ``max_hops`` long), each with ``weight`` (documents shared).

    A bidirectional breadth-first search: every node closer to its end than the level
    reached was expanded, so every edge of a shortest path is known.
    """
    dist = {source: {source: 0}, target: {target: 0}}
    frontier = {source: [source], target: [target]}
    length = 0
    while length < max_hops:
        side = source if len(frontier[source]) <= len(frontier[target]) else target
        other = target if side == source else source
        new: list[str] = []
        for node in frontier[side]:
            for neighbour in search.expand(node):
                if neighbour not in dist[side]:
                    dist[side][neighbour] = dist[side][node] + 1
                    new.append(neighbour)
        length += 1
        frontier[side] = new
        if any(n in dist[other] for n in new):
            break
        if not new:
            return None
    else:
        return None
    known = nx.Graph()
    reached = dist[source].keys() | dist[target].keys()
    for node, neighbours in search.neighbours.items():
        for neighbour, weight in neighbours.items():
            if neighbour in reached:
                known.add_edge(node, neighbour, weight=weight)
    from_source = nx.single_source_shortest_path_length(known, source, cutoff=length)
    from_target = nx.single_source_shortest_path_length(known, target, cutoff=length)
    on_paths = [n for n, d in from_source.items() if d + from_target.get(n, length + 1) == length]
    out = nx.Graph()
    for u, v, data in known.subgraph(on_paths).edges(data=True):
        if abs(from_source[u] - from_source[v]) == 1:  # between consecutive levels only
            out.add_edge(u, v, **data)
    return out if source in out and target in out else None


def _best_document(
    catalogue: Catalogue, docs: list[str], first: dict[tuple[str, str], Evidence], a: str, b: str
) -> str:
    """The document where the first mentions of ``a`` and ``b`` lie closest (then the
    earliest, then by id), as :func:`graph.connectivity.evidence_paths` chooses."""

    def rank(doc: str) -> tuple[int, str, str]:
        ea, eb = first.get((doc, a)), first.get((doc, b))
        gap = abs(ea.start - eb.start) if ea is not None and eb is not None else 1 << 62
        info = catalogue.document(doc)
        return (gap, info.sort_date or "9999", info.doc_id)

    return min(docs, key=rank)


def _hop(store: Store, catalogue: Catalogue, a: str, b: str, docs: list[str]) -> Hop:
    first = {
        (doc, entity): evidence
        for doc in docs
        for entity, evidence in first_mentions_in(store, doc, [a, b]).items()
    }
    best = _best_document(catalogue, docs, first, a, b)
    return Hop(a, b, catalogue.document(best), first.get((best, a)), first.get((best, b)), tuple(docs))


def evidence_paths(
    store: Store,
    catalogue: Catalogue,
    source: str,
    target: str,
    *,
    max_paths: int = 3,
    max_hops: int = 4,
    time_limit_s: float = 10.0,
    max_expansions: int = MAX_EXPANSIONS,
    mentions: MentionIndex | None = None,
) -> list[EvidencePath]:
    """The shortest chains of co-mentions from ``source`` to ``target`` (entity IRIs), at
    most ``max_paths``, none longer than ``max_hops``; empty when there is none. With
    ``mentions`` (:mod:`graph.read.mention_index`) co-mentions are counted in memory, not
    by aggregates in the store (the same paths, in milliseconds instead of seconds).

    Raises
    ------
    SearchLimit
        The search needed more than ``time_limit_s`` or ``max_expansions`` entities.
    """
    if source == target:
        raise ValueError("the two ends of a path must differ")
    # Two entities one document names together: the one shortest path is that hop, found
    # without reading the co-mentions of either (a state's take most of a second).
    search = CoMentionSearch(store, time.monotonic() + time_limit_s, max_expansions, mentions=mentions)
    direct = search.shared(source, target)
    if direct:
        return [EvidencePath((source, target), (_hop(store, catalogue, source, target, direct),))]
    paths = shortest_path_graph(search, source, target, max_hops)
    if paths is None:
        return []
    # How specific each entity on the paths is: its number of co-mentioned entities
    # (known for the expanded ones; one aggregate for the others).
    n = max(len(catalogue.entities), 2)
    degree = {node: len(found) for node, found in search.neighbours.items()}
    unknown = sorted(node for node in paths if node not in degree)
    if mentions is not None:
        degree.update(mentions.degrees(unknown))
        unknown = []
    for chunk in chunks(unknown):
        search.check()
        for row in select(store, fill(_DEGREES, entities=values("e", (iri(e) for e in chunk)))):
            degree[str(text(row["e"]))] = int(str(text(row["n"])))

    def hub(node: str) -> float:
        return math.log1p(degree.get(node, 0)) / math.log1p(n)

    def cost(u: str, v: str, data: dict[str, Any]) -> float:
        # One unit per hop; the rest (< 0.5 per hop) only orders paths of equal length.
        return 1.0 + 0.2 * (hub(u) + hub(v)) + 0.05 / data["weight"]

    candidates: list[list[str]] = []
    for path in nx.shortest_simple_paths(paths, source, target, weight=cost):
        candidates.append(path)
        if len(candidates) >= max_paths * 4:
            break
        search.check()
    shortest = min(len(p) for p in candidates)

    def total(path: list[str]) -> float:
        return sum(cost(u, v, paths.edges[u, v]) for u, v in pairwise(path))

    found = [p for p in candidates if len(p) == shortest]
    found.sort(key=lambda p: (round(total(p), 9), [catalogue.entity_label(e) for e in p], p))
    hops: dict[tuple[str, str], Hop] = {}
    out = []
    for path in found[:max_paths]:
        for a, b in pairwise(path):
            if (a, b) not in hops:
                search.check()
                hops[(a, b)] = _hop(store, catalogue, a, b, search.shared(a, b))
        out.append(EvidencePath(tuple(path), tuple(hops[(a, b)] for a, b in pairwise(path))))
    return out


__all__ = ["MAX_EXPANSIONS", "CoMentionSearch", "SearchLimit", "evidence_paths", "shortest_path_graph"]
