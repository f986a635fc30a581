"""REST views read from the store with targeted, indexed SPARQL: lineage, timelines, stances.

Each view starts from the one thing the request names (an entity, a topic, a holder) and
asks the store only for what hangs off it, so a request costs what it returns, not what
the store holds. The filters (topic, holder, polarity, target, date window) go into the
query, where Oxigraph resolves bound terms through its indexes. Names of documents,
entities and topics come from the :class:`graph.read.catalogue.Catalogue`.

- Lineage (:func:`lineage_steps`) reads the precomputed ``pkg:LineageStep`` resources of
  the links graph (:mod:`graph.derived`, :mod:`graph.links_rdf`) in ONE query. When the
  store has no lineage steps (ingested with ``--links none``), or the entity is of a type
  the links graph has no lineage for (a state, a person), it loads the few facts one
  lineage needs (the entity's events, its mentions with their first quotes, the stances
  targeting it) into a small networkx graph and runs :func:`graph.links.lineage` on it:
  the same rules the links graph was computed with.
- Timelines (:func:`timeline_entries`) and stances (:func:`stance_records`) return the
  records :mod:`graph.links` and :mod:`graph.stance_links` return for the networkx view,
  in the same order, so the answers do not change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx

from graph.event_identity import EventReport
from graph.links import (
    LINEAGE_TYPES,
    DocumentInfo,
    LineageStep,
    TimelineEntry,
    compatible,
    event_entries,
    lineage,
    period_bounds,
)
from graph.network import Evidence, NetworkBuilder, evidence_of, local_name
from graph.read.catalogue import Catalogue
from graph.solutions import select, text
from graph.store import Store
from ontology.namespace import LINKS_GRAPH, PKG

_SEP = "\x1f"
_CHUNK = 400


def _window_filter(start: str | None, end: str | None, var: str = "sort") -> str:
    """A FILTER keeping rows whose ``?var`` (an optional ``pkg:sortDate``) lies in the
    window; rows without one pass (their document's date decides, in Python)."""
    if start is None and end is None:
        return ""
    low, high = period_bounds(start, end)
    return f'FILTER(!BOUND(?{var}) || (STR(?{var}) >= "{low}" && STR(?{var}) <= "{high}"))'


# -- lineage -----------------------------------------------------------------------------------

_LINEAGE = """
SELECT ?step ?role ?type ?date ?sort ?doc ?actor ?rep WHERE {
  GRAPH <{links}> {
    ?step pkg:lineageOf <{entity}> ; pkg:stepRole ?role ; pkg:eventType ?type ; pkg:document ?doc .
    OPTIONAL { ?step pkg:sortDate ?sort }
    OPTIONAL { ?step dcterms:date ?date }
    OPTIONAL { ?step sem:hasActor ?actor }
    OPTIONAL { ?step pkg:reportedIn ?rep }
  }
}
""".replace("{links}", str(LINKS_GRAPH))

_ROLES = {"origin": "origin", "laterEvent": "event", "invocation": "invocation"}


def _derived_steps(store: Store, catalogue: Catalogue, entity: str) -> list[LineageStep]:
    """The entity's ``pkg:LineageStep`` resources of the links graph (one query, and one
    for their quotes: :func:`graph.network.evidence_of`)."""
    steps: dict[str, dict[str, Any]] = {}
    for row in select(store, _LINEAGE.replace("{entity}", entity)):
        step = str(text(row["step"]))
        found = steps.get(step)
        if found is None:
            doc = str(text(row["doc"]))
            found = steps[step] = {
                "role": _ROLES.get(local_name(str(text(row["role"]))), "invocation"),
                "event_type": local_name(str(text(row["type"]))),
                "date": text(row["date"]),
                "sort_date": text(row["sort"]),
                "document": catalogue.document(doc),
                "actor": text(row["actor"]),
                "reported_in": set(),
            }
        reported = text(row["rep"])
        if reported:
            found["reported_in"].add(reported)
    quotes = evidence_of(store, steps)
    out = [
        LineageStep(
            entity=entity,
            evidence=quotes.get(step),
            **{**fields, "reported_in": tuple(sorted(fields["reported_in"]))},
        )
        for step, fields in steps.items()
    ]
    # graph.links orders steps by LineageStep.order_key; event steps of one document and day
    # are then in event-type order (they are built per type, in sorted order).
    out.sort(key=lambda s: (s.order_key, s.event_type))
    return out


_MENTIONING = "SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ ?d schema:mentions <{entity}> }} }}"

_TARGETING_STANCES = """
SELECT ?st ?d WHERE {{
  GRAPH ?g {{ ?st pkg:targetEntity <{entity}> ; a pkg:Stance ; prov:wasDerivedFrom ?d . }}
}}
"""


def _add_document(graph: nx.MultiDiGraph, catalogue: Catalogue, doc: str) -> None:
    graph.add_node(doc, **catalogue.document(doc).node_attributes())


def lineage_network(store: Store, catalogue: Catalogue, entity: str) -> nx.MultiDiGraph:
    """The part of the networkx view :func:`graph.links.lineage` reads for one entity:
    its events, the documents that mention it (with the first mention) and the stances
    that target it, with their documents."""
    graph = nx.MultiDiGraph()
    graph.add_node(entity, kind="entity", label=catalogue.entity_label(entity))
    builder = NetworkBuilder(store, graph)
    builder.add_events(subjects=[entity])
    builder.add_mentions(entities=[entity], evidence=True)
    targeting = {
        str(text(r["st"])): str(text(r["d"])) for r in select(store, _TARGETING_STANCES.format(entity=entity))
    }
    quotes = evidence_of(store, targeting)
    for stance, doc in sorted(targeting.items()):
        if stance not in graph:
            graph.add_node(stance, kind="stance", document=doc, evidence=quotes.get(stance))
            graph.add_edge(doc, stance, key="has_stance", rel="has_stance")
            graph.add_edge(stance, entity, key="target_entity", rel="target_entity")
    for node, attrs in list(graph.nodes(data=True)):
        if attrs.get("kind") == "document":
            _add_document(graph, catalogue, node)
    return graph


def lineage_steps(store: Store, catalogue: Catalogue, entity: str) -> list[LineageStep]:
    """The lineage of ``entity``, oldest first (see the module docstring)."""
    info = catalogue.entities.get(entity)
    if catalogue.lineage_built and info is not None and info.type in LINEAGE_TYPES:
        return _derived_steps(store, catalogue, entity)
    return list(lineage(lineage_network(store, catalogue, entity), entity).steps)


# -- timelines ---------------------------------------------------------------------------------

_EVENTS = """
SELECT ?ev ?d ?type ?date ?sort ?actor WHERE {{
  GRAPH ?g {{
    ?ev pkg:subject <{entity}> ; a pkg:Event ; pkg:eventType ?type ; prov:wasDerivedFrom ?d .
    OPTIONAL {{ ?ev dcterms:date ?date }}
    OPTIONAL {{ ?ev pkg:sortDate ?sort }}
    OPTIONAL {{ ?ev sem:hasActor ?actor }}
  }}
  {window}
}}
"""

def first_mentions(store: Store, entity: str, docs: Sequence[str]) -> dict[str, Evidence]:
    """The first mention of ``entity`` in each of ``docs``: what
    :meth:`graph.network.NetworkBuilder.add_mention_evidence` attaches to the ``mentions``
    edges (read per document, in its own graph)."""
    builder = NetworkBuilder(store)
    builder.add_mention_evidence(sorted(set(docs)))
    graph = builder.graph
    return {
        doc: graph.edges[doc, entity, "mentions"]["evidence"]
        for doc in docs
        if graph.has_edge(doc, entity, key="mentions")
    }


def _in_window(sort_date: str | None, low: str, high: str) -> bool:
    return low <= (sort_date or "9999") <= high


def entity_entries(
    store: Store,
    catalogue: Catalogue,
    entity: str,
    start: str | None,
    end: str | None,
    *,
    evidence_for: Iterable[str] | None = None,
) -> list[TimelineEntry]:
    """Documents that mention ``entity`` or have it as forum, actor or speaker, and the
    events it is the subject of, in the window, oldest first (as :func:`graph.links.timeline`
    with ``entity`` alone). First-mention quotes are read for the documents in
    ``evidence_for`` (all by default): a page needs only its own."""
    low, high = period_bounds(start, end)
    related: dict[str, list[str]] = defaultdict(list)
    for row in select(store, _MENTIONING.format(entity=entity)):
        related[str(text(row["d"]))].append("mentions")
    for role in ("forum", "actor", "speaker"):
        for doc in catalogue.roles.get(role, {}).get(entity, []):
            related[doc].append(role)
    entries: list[TimelineEntry] = []
    for doc, rels in related.items():
        info = catalogue.document(doc)
        if not _in_window(info.sort_date, low, high):
            continue
        entries.append(
            TimelineEntry(
                "document",
                info.date,
                info.sort_date,
                ", ".join(rels),
                doc,
                info,
                None,
                subject=entity,
                reports_on=catalogue.reports.get(doc),
            )
        )
    rows = {
        str(text(row["ev"])): row
        for row in select(store, _EVENTS.format(entity=entity, window=_window_filter(start, end)))
    }
    quotes = evidence_of(store, rows)
    reports = []
    for event, row in rows.items():
        doc = str(text(row["d"]))
        info = catalogue.document(doc)
        date = text(row["date"]) or text(row["sort"])
        reports.append(
            EventReport(
                node=event,
                event_type=local_name(str(text(row["type"]))),
                date=date,
                document=doc,
                doc_id=info.doc_id,
                doc_sort_date=info.sort_date,
                actor=text(row["actor"]),
                contemporaneous=compatible(date, info.date),
                payload=text(row["sort"]) or info.sort_date,
            )
        )
    for entry in event_entries(
        reports,
        entity,
        sort_date=lambda r: r.payload,
        document=catalogue.document,
        evidence=quotes.get,
        reports_on=catalogue.reports.get,
    ):
        if _in_window(entry.sort_date, low, high):
            entries.append(entry)
    entries.sort(key=lambda e: e.order_key)
    return with_mention_evidence(store, entity, entries, evidence_for)


def with_mention_evidence(
    store: Store, entity: str, entries: list[TimelineEntry], docs: Iterable[str] | None = None
) -> list[TimelineEntry]:
    """``entries`` with the first mention of ``entity`` as evidence of the document
    entries that mention it (of those in ``docs`` only, when given)."""
    wanted = None if docs is None else set(docs)
    mentioning = [
        e.node
        for e in entries
        if e.kind == "document" and "mentions" in e.what.split(", ") and (wanted is None or e.node in wanted)
    ]
    if not mentioning:
        return entries
    found = first_mentions(store, entity, mentioning)
    return [
        replace(e, evidence=found.get(e.node)) if e.kind == "document" and e.node in found else e
        for e in entries
    ]


# -- stances -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StanceRecord:
    """One stance as the REST answers show it (:class:`graph.stance_links.Position` and
    the networkx stance node together)."""

    stance: str
    holder: str
    topic: str | None
    polarity: str
    target: str
    target_entities: tuple[str, ...]
    date: str | None  # the stance's own date, else its pkg:sortDate
    sort_date: str | None  # the stance's pkg:sortDate, else its document's
    document: DocumentInfo
    evidence: Evidence | None

    @property
    def position_key(self) -> tuple[str, str, int]:
        """:attr:`graph.stance_links.Position.order_key`."""
        start = self.evidence.start if self.evidence is not None else 1 << 62
        return (self.sort_date or "9999", self.document.doc_id, start)


_STANCES = """
SELECT ?st ?d ?holder ?polarity ?target ?topic ?te ?date ?sort WHERE {{
  GRAPH ?g {{
    {bound}
    ?st a pkg:Stance ; prov:wasAttributedTo ?holder ; pkg:polarity ?polarity ; prov:wasDerivedFrom ?d .
    OPTIONAL {{ ?st pkg:target ?target }}
    OPTIONAL {{ ?st dcterms:subject ?topic }}
    OPTIONAL {{ ?st dcterms:date ?date }}
    OPTIONAL {{ ?st pkg:sortDate ?sort }}
    OPTIONAL {{ ?st pkg:targetEntity ?te }}
  }}
  {window}
}}
"""


def stance_records(
    store: Store,
    catalogue: Catalogue,
    *,
    holder: str | None = None,
    topic: str | None = None,
    polarity: str | None = None,
    target: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[StanceRecord]:
    """Stances matching every given filter (in no particular order).

    ``holder`` and ``topic`` compare with the stance's first holder and topic (by IRI),
    as :func:`graph.stance_links.positions` does; ``target`` is an entity the stance
    targets; the window applies to the stance's date, else its document's.
    """
    bound = []
    if topic is not None:
        bound.append(f"?st dcterms:subject <{topic}> .")
    if holder is not None:
        bound.append(f"?st prov:wasAttributedTo <{holder}> .")
    if target is not None:
        bound.append(f"?st pkg:targetEntity <{target}> .")
    if polarity is not None:
        bound.append(f"?st pkg:polarity <{PKG}{polarity}> .")
    sparql = _STANCES.format(bound="\n    ".join(bound), window=_window_filter(start, end))
    merged: dict[str, dict[str, Any]] = {}
    for row in select(store, sparql):
        stance = str(text(row["st"]))
        found = merged.get(stance)
        if found is None:
            found = merged[stance] = {"row": row, "holders": set(), "topics": set(), "targets": set()}
        found["holders"].add(str(text(row["holder"])))
        for key, var in (("topics", "topic"), ("targets", "te")):
            value = text(row[var])
            if value:
                found[key].add(value)
    low, high = period_bounds(start, end)
    out = []
    quotes = evidence_of(store, merged)
    for stance, found in merged.items():
        row = found["row"]
        first_holder = min(found["holders"])
        first_topic = min(found["topics"]) if found["topics"] else None
        if (holder is not None and first_holder != holder) or (topic is not None and first_topic != topic):
            continue
        doc = str(text(row["d"]))
        info = catalogue.document(doc)
        sort_date = text(row["sort"]) or info.sort_date
        if not _in_window(sort_date, low, high):
            continue
        out.append(
            StanceRecord(
                stance=stance,
                holder=first_holder,
                topic=first_topic,
                polarity=local_name(str(text(row["polarity"]))),
                target=text(row["target"]) or "",
                target_entities=tuple(sorted(found["targets"])),
                date=text(row["date"]) or text(row["sort"]),
                sort_date=sort_date,
                document=info,
                evidence=quotes.get(stance),
            )
        )
    return out


def stance_entries(
    store: Store,
    catalogue: Catalogue,
    *,
    entity: str | None,
    topic: str | None,
    holder: str | None,
    start: str | None,
    end: str | None,
) -> list[TimelineEntry]:
    """Stance items of a timeline (as :func:`graph.links.timeline` with ``topic`` or
    ``holder``): on ``topic``, held by ``holder``, held by or targeting ``entity``."""
    records = stance_records(store, catalogue, holder=holder, topic=topic, start=start, end=end)
    entries = [
        TimelineEntry(
            "stance",
            r.date,
            r.sort_date,
            f"{r.polarity}: {r.target}",
            r.stance,
            r.document,
            r.evidence,
            subject=r.holder,
            topic=r.topic,
            reports_on=catalogue.reports.get(r.document.iri),
        )
        for r in records
        if entity is None or entity == r.holder or entity in r.target_entities
    ]
    entries.sort(key=lambda e: e.order_key)
    return entries


__all__ = [
    "StanceRecord",
    "entity_entries",
    "first_mentions",
    "lineage_network",
    "lineage_steps",
    "stance_entries",
    "stance_records",
    "with_mention_evidence",
]
