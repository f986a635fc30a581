"""What graph exports hold, as networkx pieces (:mod:`api.export_graph` writes them), and
JSON-LD of a few quads for the Linked Data pages (the RDF exports stream from
:mod:`api.export_rdf`).

Two kinds of export, both made of small graphs that follow :mod:`graph.network`'s
conventions (nodes are IRIs with a ``kind``; edges carry their relation as key and ``rel``):

- :func:`document_pieces`: the documents an export keeps (all of them without filters)
  and everything they hold (entities, events, stances, topics), read with
  :class:`graph.network.NetworkBuilder` ``chunk`` documents at a time, one piece per chunk,
  so that a whole-store export streams;
- :func:`ego_network`: an entity's ego network (:mod:`graph.read.ego` says what it holds),
  one piece built from typed records, with the descriptions of documents, entities and
  topics taken from the catalogue.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph.network import Evidence, NetworkBuilder, local_name, targets
from graph.read.catalogue import Catalogue
from graph.read.ego import EgoFacts, ego_facts
from graph.solutions import chunks
from graph.store import Store
from ontology.namespace import PREFIXES


def export_network(store: Store, docs: Sequence[str], *, chunk: int = 200) -> nx.MultiDiGraph:
    """The networkx graph of ``docs`` (document IRIs) and everything they hold: their
    entities (mentioned, forum, actor, speaker), events, stances and topics, read from the
    store ``chunk`` documents at a time (:class:`graph.network.NetworkBuilder` restricted
    to them), built for this export only."""
    builder = NetworkBuilder(store)
    for piece in chunks(list(docs), chunk):
        found = builder.add_documents(piece)
        if found:
            builder.add_mentions(found)
            builder.add_events(found)
            builder.add_stances(found)
    return builder.finish()


def document_pieces(store: Store, docs: Sequence[str], *, chunk: int = 100) -> Iterator[nx.MultiDiGraph]:
    """:func:`export_network` of ``docs``, ``chunk`` documents at a time, one graph each:
    read only when the next piece is asked for (a streamed response asks on whichever
    worker thread is free; each piece is read whole within one call)."""
    for piece in chunks(list(docs), chunk):
        yield export_network(store, piece, chunk=chunk)


def _entity_node(graph: nx.MultiDiGraph, catalogue: Catalogue, entity: str) -> None:
    if entity in graph:
        return
    info = catalogue.entities.get(entity)
    graph.add_node(
        entity,
        kind="entity",
        label=info.label if info else local_name(entity),
        type=info.type if info else None,
        aliases=info.aliases if info else (),
        acronyms=info.acronyms if info else (),
    )


def ego_graph(catalogue: Catalogue, docs: Sequence[str], facts: EgoFacts) -> nx.MultiDiGraph:
    """The networkx graph of an ego network: ``docs`` (described by the catalogue, with
    their actor, speaker and forum) and ``facts`` (:func:`graph.read.ego.ego_facts`)."""
    graph = nx.MultiDiGraph()

    def edge(source: str, target: str, rel: str, **attrs: Any) -> None:
        graph.add_edge(source, target, key=rel, rel=rel, **attrs)

    def entity(iri: str) -> str:
        _entity_node(graph, catalogue, iri)
        return iri

    for doc in docs:
        info = catalogue.document(doc)
        graph.add_node(doc, **info.node_attributes())
        for rel in ("actor", "speaker", "forum"):
            role = getattr(info, rel)
            if role:
                edge(doc, entity(role), rel)
    for link in facts.links:
        edge(link.doc, entity(link.entity), "mentions")
    for mention in facts.mentions:
        attrs = {"count": mention.count, "evidence": mention.evidence}
        if graph.has_edge(mention.doc, mention.entity, key="mentions"):
            graph.edges[mention.doc, mention.entity, "mentions"].update(attrs)
        else:
            edge(mention.doc, entity(mention.entity), "mentions", **attrs)
    for event in facts.events:
        graph.add_node(
            event.iri,
            kind="event",
            event_type=event.event_type,
            date=event.date,
            sort_date=event.sort_date,
            document=event.doc,
            evidence=event.evidence,
        )
        edge(event.doc, event.iri, "has_event")
        for subject in event.subjects:
            edge(event.iri, entity(subject), "subject")
        for actor in event.actors:
            edge(event.iri, entity(actor), "event_actor")
    for stance in facts.stances:
        graph.add_node(
            stance.iri,
            kind="stance",
            polarity=stance.polarity,
            target=stance.target,
            cue=stance.cue,
            date=stance.date,
            sort_date=stance.sort_date,
            document=stance.doc,
            evidence=stance.evidence,
        )
        edge(stance.doc, stance.iri, "has_stance")
        edge(stance.iri, entity(stance.holder), "holder")
        if stance.topic:
            if stance.topic not in graph:
                graph.add_node(stance.topic, kind="topic", label=catalogue.topic_label(stance.topic))
            edge(stance.iri, stance.topic, "topic")
        for target in stance.target_entities:
            edge(stance.iri, entity(target), "target_entity")
    return graph


def ego_network(
    store: Store, catalogue: Catalogue, egos: Sequence[str], docs: Sequence[str]
) -> nx.MultiDiGraph:
    """The ego network of ``egos`` over ``docs``: :func:`graph.read.ego.ego_facts` as one graph."""
    return ego_graph(catalogue, docs, ego_facts(store, egos, docs))


def node_label(graph: nx.MultiDiGraph, node: str) -> str:
    """What a tool shows for ``node``: a document's title, ``type: subject`` for an event,
    ``polarity: target`` for a stance, an entity's or topic's label."""
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


def scalar_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """``attrs`` as scalars (strings, numbers), which GraphML and GEXF can carry: evidence
    becomes ``quote``, ``start_offset``, ``end_offset`` and ``evidence_document``; lists
    become ``|``-joined strings; ``None``, empty lists and ``rel`` are left out."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if value is None or key == "rel":
            continue
        if isinstance(value, Evidence):
            # Offsets into the document text: named so that no tool reads them as time
            # (GEXF's start/end are lifetimes).
            out.update(
                quote=value.quote, start_offset=value.start, end_offset=value.end, evidence_document=value.doc
            )
        elif isinstance(value, list | tuple | set | frozenset):
            if value:
                out[key] = "|".join(sorted(str(v) for v in value))
        elif isinstance(value, bool | int | float | str):
            out[key] = value
        else:
            out[key] = str(value)
    return out


_NOT_NMTOKEN = re.compile(r"[^A-Za-z0-9.:-]")


def _escaped(match: re.Match[str]) -> str:
    return "".join(f"_{b:02X}" for b in match.group().encode("utf-8"))


@lru_cache(maxsize=2**16)
def graphml_id(iri: str) -> str:
    """An IRI as a GraphML node id (an ``xs:NMTOKEN``): letters, digits, ``.``, ``:`` and
    ``-`` kept, every other byte of its UTF-8 written ``_HH`` (reversible).

    >>> graphml_id("https://w3id.org/policykg/doc/d1#event-1")
    'https:_2F_2Fw3id.org_2Fpolicykg_2Fdoc_2Fd1_23event-1'
    >>> graphml_id("https://w3id.org/policykg/entity/côte")
    'https:_2F_2Fw3id.org_2Fpolicykg_2Fentity_2Fc_C3_B4te'
    """
    return _NOT_NMTOKEN.sub(_escaped, iri)


def jsonld_document(items: list[ox.Quad] | list[ox.Triple]) -> bytes:
    """JSON-LD of quads (named graphs kept) or triples (all in the default graph), with a
    ``@context`` declaring the project's prefixes.

    pyoxigraph writes expanded JSON-LD (full IRIs, no context); the context added here
    names the vocabularies for readers and leaves every IRI as it is.

    >>> t = ox.Triple(ox.NamedNode("https://w3id.org/policykg/entity/x"),
    ...               ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal("X"))
    >>> doc = json.loads(jsonld_document([t]))
    >>> doc["@context"]["skos"], doc["@graph"][0]["@id"]
    ('http://www.w3.org/2004/02/skos/core#', 'https://w3id.org/policykg/entity/x')
    """
    expanded = json.loads(ox.serialize(items, format=ox.RdfFormat.JSON_LD) or b"[]")
    document = {"@context": dict(PREFIXES), "@graph": expanded}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def to_json_bytes(data: Any) -> bytes:
    """``data`` as indented UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
