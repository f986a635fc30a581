"""Exports for visualisation tools and RDF clients, with the timeline filters.

:func:`select` cuts the networkx view down to the documents a filter keeps (entity,
topic, actor, forum, date window) and everything they hold (entities, events, stances,
topics). :func:`flat` turns it into a graph whose attributes are all scalars, which is
what GraphML and GEXF can carry (Gephi reads both; ``networkx.read_graphml`` /
``read_gexf`` read them back with the same nodes and edges). Cytoscape.js elements,
node-link JSON and TimelineJS JSON are built from the same pieces; RDF exports are the
named graphs of the kept documents, read from the store.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph.links import TimelineEntry, period_bounds
from graph.network import Evidence, local_name, nodes_of_kind, sources, targets
from graph.store import Store
from ontology.namespace import doc_graph_iri


@dataclass(frozen=True, slots=True)
class Filters:
    """Resolved filters (node IRIs) and a date window (partial ISO dates)."""

    entity: str | None = None
    topic: str | None = None
    actor: str | None = None
    forum: str | None = None
    start: str | None = None
    end: str | None = None

    @property
    def empty(self) -> bool:
        return not any((self.entity, self.topic, self.actor, self.forum, self.start, self.end))


def selected_documents(graph: nx.MultiDiGraph, filters: Filters) -> list[str]:
    """Documents the filters keep (all filters must hold), sorted by date then id."""
    docs = [d for d in nodes_of_kind(graph, "document") if graph.nodes[d].get("doc_id")]
    if filters.entity:
        e = filters.entity
        events = {
            graph.nodes[ev]["document"]
            for ev in sources(graph, e, "subject")
            if graph.nodes[ev].get("kind") == "event"
        }
        docs = [
            d
            for d in docs
            if d in events
            or any(graph.has_edge(d, e, key=k) for k in ("mentions", "forum", "actor", "speaker"))
        ]
    if filters.topic:
        with_topic = {graph.nodes[s]["document"] for s in sources(graph, filters.topic, "topic")}
        docs = [d for d in docs if d in with_topic]
    if filters.actor:
        a = filters.actor
        held = {graph.nodes[s]["document"] for s in sources(graph, a, "holder")}
        docs = [
            d for d in docs if d in held or a in (graph.nodes[d].get("actor"), graph.nodes[d].get("speaker"))
        ]
    if filters.forum:
        docs = [d for d in docs if graph.nodes[d].get("forum") == filters.forum]
    low, high = period_bounds(filters.start, filters.end)
    docs = [d for d in docs if low <= (graph.nodes[d].get("sort_date") or "9999") <= high]
    docs.sort(key=lambda d: (graph.nodes[d].get("sort_date") or "9999", graph.nodes[d].get("doc_id")))
    return docs


def select(graph: nx.MultiDiGraph, filters: Filters) -> nx.MultiDiGraph:
    """The subgraph of the kept documents, their entities, events, stances and topics."""
    if filters.empty:
        return graph.copy()
    docs = selected_documents(graph, filters)
    keep = set(docs)
    for doc in docs:
        for _, node in graph.out_edges(doc):
            keep.add(node)
            if graph.nodes[node].get("kind") in ("event", "stance"):
                keep.update(v for _, v in graph.out_edges(node))
    return graph.subgraph(keep).copy()


def node_label(graph: nx.MultiDiGraph, node: str) -> str:
    attrs = graph.nodes[node]
    kind = attrs.get("kind")
    if kind == "document":
        return str(attrs.get("title") or attrs.get("doc_id") or local_name(node))
    if kind == "event":
        subject = next(iter(targets(graph, node, "subject")), None)
        name = graph.nodes[subject].get("label") if subject and subject in graph else None
        return f"{attrs.get('event_type')}: {name or local_name(subject or node)}"
    if kind == "stance":
        return f"{attrs.get('polarity')}: {attrs.get('target') or ''}".strip()
    return str(attrs.get("label") or local_name(node))


def _scalar_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if value is None or key == "rel":
            continue
        if isinstance(value, Evidence):
            out.update(quote=value.quote, start=value.start, end=value.end, evidence_document=value.doc)
        elif isinstance(value, list | tuple | set | frozenset):
            if value:
                out[key] = "|".join(sorted(str(v) for v in value))
        elif isinstance(value, bool | int | float | str):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def flat(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose node and edge attributes are scalars (strings, numbers) only.

    Nodes keep their IRI as id and get a ``label``; each edge gets a unique key
    (``e0``, ``e1``, ...) and its relation as ``rel``; evidence becomes ``quote``,
    ``start``, ``end``; lists become ``|``-joined strings.
    """
    out = nx.MultiDiGraph()
    for node, attrs in sorted(graph.nodes(data=True), key=lambda na: str(na[0])):
        out.add_node(node, **{**_scalar_attrs(attrs), "label": node_label(graph, node)})
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    for index, (u, v, key, attrs) in enumerate(edges):
        out.add_edge(u, v, key=f"e{index}", rel=str(attrs.get("rel") or key), **_scalar_attrs(attrs))
    return out


def graphml(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(flat(graph), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def gexf(graph: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_gexf(flat(graph), buffer, encoding="utf-8", prettyprint=True, version="1.2draft")
    return buffer.getvalue()


def cytoscape(graph: nx.MultiDiGraph, name: str = "policykg") -> dict[str, Any]:
    """Cytoscape.js elements JSON (``elements.nodes`` / ``elements.edges``, each ``{data}``),
    which Cytoscape desktop also imports."""
    g = flat(graph)
    nodes = [{"data": {**attrs, "id": node}} for node, attrs in g.nodes(data=True)]
    edges = [
        {"data": {**attrs, "id": key, "source": u, "target": v}}
        for u, v, key, attrs in g.edges(keys=True, data=True)
    ]
    return {
        "data": {"name": name},
        "directed": True,
        "multigraph": True,
        "elements": {"nodes": nodes, "edges": edges},
    }


def node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """networkx node-link JSON (``nodes``/``edges``), as ``nx.node_link_graph`` reads it."""
    data: dict[str, Any] = nx.node_link_data(flat(graph), edges="edges")
    return data


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _date_parts(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    parts = value[:10].split("-")
    out = {"year": parts[0]}
    if len(parts) > 1:
        out["month"] = str(int(parts[1]))
    if len(parts) > 2:
        out["day"] = str(int(parts[2]))
    return out


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def timelinejs(entries: Iterable[TimelineEntry], graph: nx.MultiDiGraph, title: str) -> dict[str, Any]:
    """TimelineJS 3 JSON: one event per timeline entry, the quote as its text."""
    events = []
    for index, entry in enumerate(entries):
        start = _date_parts(entry.date or entry.sort_date)
        if start is None:
            continue
        doc = entry.document
        what = entry.what if entry.kind != "document" else f"{doc.title or doc.doc_id}"
        headline = f"{entry.kind}: {what}" if entry.kind != "document" else what
        body = []
        if entry.evidence is not None:
            body.append(f"<blockquote>{_escape(entry.evidence.quote)}</blockquote>")
        source = f"{doc.doc_id}" + (f", {doc.date}" if doc.date else "")
        body.append(
            f"<p>{_escape(source)} [{entry.evidence.start}-{entry.evidence.end}]</p>"
            if entry.evidence
            else f"<p>{_escape(source)}</p>"
        )
        events.append(
            {
                "start_date": start,
                "text": {"headline": _escape(headline), "text": "".join(body)},
                "group": entry.kind,
                "unique_id": f"{index}-" + _UNSAFE.sub("-", local_name(entry.node))[:60],
            }
        )
    return {
        "title": {"text": {"headline": _escape(title), "text": f"<p>{len(events)} dated items</p>"}},
        "events": events,
    }


def document_entries(graph: nx.MultiDiGraph, docs: Iterable[str]) -> list[TimelineEntry]:
    """One timeline entry per document (the TimelineJS export without a subject)."""
    from graph.links import document_info

    out = []
    for doc in docs:
        info = document_info(graph, doc)
        out.append(TimelineEntry("document", info.date, info.sort_date, "document", doc, info, None))
    return out


def rdf_export(store: Store, graph: nx.MultiDiGraph, filters: Filters, fmt: ox.RdfFormat) -> bytes:
    """The named graphs of the kept documents (every graph of the store without filters)
    in ``fmt``; formats without named graphs (Turtle, JSON-LD) get their triples merged."""
    if filters.empty:
        names = store.graphs()
    else:
        names = [doc_graph_iri(str(graph.nodes[d]["doc_id"])) for d in selected_documents(graph, filters)]
    out = io.BytesIO()
    if fmt.supports_datasets:
        quads = [q for name in names for q in store.graph_quads(name)]
        ox.serialize(quads, out, fmt)
    else:
        seen: set[ox.Triple] = set()
        triples = []
        for name in names:
            for quad in store.graph_quads(name):
                if quad.triple not in seen:
                    seen.add(quad.triple)
                    triples.append(quad.triple)
        ox.serialize(triples, out, fmt)
    return out.getvalue()


def to_json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
