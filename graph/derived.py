"""The derived links graph: cross-document links written back into the store as RDF.

:func:`compute_links` derives every link of a graph with the pure functions of
:mod:`graph.lineage_rules`, :mod:`graph.document_links` and :mod:`graph.stance_links`;
:func:`rebuild_links` does it for the whole store and replaces the named graph
``graph:links`` (:data:`ontology.namespace.LINKS_GRAPH`) through :mod:`graph.links_rdf`;
:func:`graph.links_refresh.refresh_links` (what ingest calls after each ingest or removal)
recomputes only what the changed and removed documents touch, with the same functions.
Each derived resource names its rule with ``prov:wasGeneratedBy`` and its documents with
``prov:wasDerivedFrom``. SPARQL clients read it like any other graph; for instance
:data:`graph.lineage_query.LINEAGE_QUERY` returns an initiative's lineage in ONE query.
The graph's own marks (pending documents, an interrupted rebuild, the fingerprint of the
documents it was built from) are :mod:`graph.links_state`; ``policykg validate`` checks
the graph with :mod:`graph.links_check`.

Co-mention weights are a view (:func:`graph.connectivity.co_mentions`), not written back:
SPARQL computes them in one aggregate over ``schema:mentions`` (ontology/README.md), and
materialising every pair did not scale (3,000 UN speeches: 333,504 pairs, 2.0M of the
2.3M derived quads, a 10 GiB rebuild; every added speech rewrote the weights of the
~800 pairs of its entities, each needing all mentions of both ends).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph import links_rdf
from graph.document_links import follow_up_links, report_links
from graph.lineage_rules import LINEAGE_TYPES, event_steps, invocation_step, lineage_entities
from graph.link_records import DocumentLink, LineageStep
from graph.links_state import clear_mark, documents_fingerprint, fingerprint_quads, rebuild_mark
from graph.network import NetworkBuilder, load_network, nodes_of_kind, sources, targets
from graph.stance_links import StanceShift, positions, shifts_of
from graph.store import Store
from ontology.namespace import LINKS_GRAPH

#: A full rebuild replaces the links graph in one transaction up to this many quads; a
#: larger graph (the UN General Debate corpus gives 1.7M) is dropped and bulk-loaded.
_ATOMIC_REWRITE_MAX = 200_000


@dataclass
class DerivedLinks:
    """Everything derived, as records (what :func:`link_quads` writes)."""

    steps: list[LineageStep] = field(default_factory=list)
    document_links: list[DocumentLink] = field(default_factory=list)
    shifts: list[StanceShift] = field(default_factory=list)
    holders: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LinkStats:
    """What a build or refresh did (counts of written resources) and how long it took."""

    full: bool
    documents: int
    steps: int
    document_links: int
    shifts: int
    quads: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def link_quads(links: DerivedLinks, *, with_rules: bool = True) -> list[ox.Quad]:
    """Quads of the links graph for ``links`` (plus the rule activities)."""
    quads: list[ox.Quad] = links_rdf.rule_quads() if with_rules else []
    quads.extend(links_rdf.step_quads(links.steps))
    quads.extend(links_rdf.document_link_quads(links.document_links))
    quads.extend(links_rdf.shift_quads(links.shifts))
    quads.extend(links_rdf.holder_quads(links.holders))
    return quads


# -- the pure part ------------------------------------------------------------------------


def document_holders(graph: nx.MultiDiGraph, doc: str) -> tuple[str, ...]:
    """The holders of a document's stances, sorted (its ``pkg:linkHolder`` snapshot)."""
    return tuple(sorted({h for s in targets(graph, doc, "has_stance") for h in targets(graph, s, "holder")}))


def holder_shifts(
    graph: nx.MultiDiGraph, holders: Iterable[str], reports: dict[str, str]
) -> list[StanceShift]:
    """The stance shifts of each holder, topic by topic (``reports``: news report -> the
    statement it reports, which it does not repeat as a stance of its own)."""
    out: list[StanceShift] = []
    for holder in sorted(holders):
        by_topic: dict[str | None, list[Any]] = {}
        for position in positions(graph, holder=holder, reports=reports):
            by_topic.setdefault(position.topic, []).append(position)
        for history in by_topic.values():
            out.extend(shifts_of(history))
    return out


def has_lineage(graph: nx.MultiDiGraph, entity: str) -> bool:
    """True for initiatives and instruments: the entities with invocation steps."""
    return graph.nodes[entity].get("type") in LINEAGE_TYPES


def compute_links(graph: nx.MultiDiGraph) -> DerivedLinks:
    """Every derived link of a complete graph (what :func:`rebuild_links` writes).

    >>> g = nx.MultiDiGraph()
    >>> for d, day in (("urn:d1", "2021-01-05"), ("urn:d2", "2022-03-01")):
    ...     g.add_node(d, kind="document", doc_id=d[4:], date=day, sort_date=day)
    ...     for e in ("urn:x", "urn:y"):
    ...         g.add_node(e, kind="entity", type="Instrument"); _ = g.add_edge(d, e, key="mentions")
    >>> links = compute_links(g)
    >>> [(s.entity, s.role, s.document.doc_id) for s in links.steps if s.entity == "urn:x"]
    [('urn:x', 'invocation', 'd1'), ('urn:x', 'invocation', 'd2')]
    """
    out = DerivedLinks()
    reports = report_links(graph)
    out.document_links = reports + follow_up_links(graph)
    # One step per real event of every subject (graph.event_identity), so that SPARQL sees
    # each event once with every report; invocations only for initiatives and instruments.
    lineage_of = lineage_entities(graph)
    subjects = {s for event in nodes_of_kind(graph, "event") for s in targets(graph, event, "subject")}
    for entity in sorted(set(lineage_of) | subjects):
        out.steps.extend(event_steps(graph, entity))
    for entity in lineage_of:
        for doc in sources(graph, entity, "mentions"):
            step = invocation_step(graph, entity, doc)
            if step is not None:
                out.steps.append(step)
    reporters = {link.source: link.target for link in reports}
    holders = {h for s in nodes_of_kind(graph, "stance") for h in targets(graph, s, "holder")}
    out.shifts = holder_shifts(graph, holders, reporters)
    out.holders = {d: document_holders(graph, d) for d in nodes_of_kind(graph, "document")}
    return out


def load_link_network(store: Store) -> nx.MultiDiGraph:
    """The full network as the link rules need it: mention evidence only for
    initiatives and instruments (the quotes of invocation steps), which keeps the
    mention query small on large stores."""
    graph = load_network(store, mention_evidence=False)
    wanted = lineage_entities(graph)
    if wanted:
        NetworkBuilder(store, graph).add_mention_evidence(entities=wanted)
    return graph


def rebuild_links(store: Store) -> LinkStats:
    """Recompute the whole links graph from the store and replace it (one transaction).

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> rebuild_links(store).quads > 0   # the rule activities, even for an empty store
    True
    """
    started = time.perf_counter()
    fingerprint, count = documents_fingerprint(store)
    graph = load_link_network(store)
    links = compute_links(graph)
    quads = link_quads(links)
    quads.extend(fingerprint_quads(fingerprint, count))
    rewrite = getattr(store, "rewrite_graph", None)
    if callable(rewrite) and len(quads) > _ATOMIC_REWRITE_MAX:
        # Too large for one transaction (see rewrite_graph): the drop writes a mark that
        # only the end of the load removes, so a crash in between is found and repaired.
        mark = rebuild_mark()
        rewrite(str(LINKS_GRAPH), quads, first=[mark])
        clear_mark(store, mark)
    else:
        store.replace_graph(str(LINKS_GRAPH), quads)
    return link_stats(True, len(links.holders), links, len(quads), started)


def link_stats(full: bool, documents: int, links: DerivedLinks, quads: int, started: float) -> LinkStats:
    """The :class:`LinkStats` of a build or refresh that started at ``started``."""
    return LinkStats(
        full=full,
        documents=documents,
        steps=len(links.steps),
        document_links=len(links.document_links),
        shifts=len(links.shifts),
        quads=quads,
        seconds=round(time.perf_counter() - started, 4),
    )


__all__ = [
    "DerivedLinks",
    "LinkStats",
    "compute_links",
    "document_holders",
    "has_lineage",
    "holder_shifts",
    "link_quads",
    "link_stats",
    "load_link_network",
    "rebuild_links",
]
