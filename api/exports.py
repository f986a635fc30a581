"""What graph exports hold, as flat nodes and edges (:mod:`api.export_graph` writes them),
and JSON-LD of a few quads for the Linked Data pages (the RDF exports stream from
:mod:`api.export_rdf`).

An export is a sequence of pieces, each a list of nodes and a list of edges whose
attributes are scalars (strings, numbers), named as :mod:`graph.network` names them
(nodes are IRIs with a ``kind``; each edge has its relation ``rel``) and declared in
:data:`NODE_ATTRIBUTES` and :data:`EDGE_ATTRIBUTES`. Each node appears once in an export,
each edge has a key unique in it (``e0``, ``e1``, ...). Two kinds of export:

- :func:`document_pieces`: the documents an export keeps (all of them without filters)
  and everything they hold (entities, events, stances, topics), read with
  :class:`graph.network.NetworkBuilder` ``chunk`` documents at a time, one piece per chunk
  (:func:`flat_pieces`), so that a whole-store export streams;
- :func:`ego_pieces`: an entity's ego network (:mod:`graph.read.ego` says what it holds),
  two pieces made straight from typed records, the documents, entities and topics
  described by the catalogue (no networkx graph: nothing here needs a graph algorithm):
  the documents and who they name, written while the store reads the second, the
  entity's mentions, events and stances.

Quote offsets are ``start_offset``/``end_offset`` (characters of the document text),
never ``start``/``end``, which GEXF tools read as lifetimes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from operator import itemgetter
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph.evidence import Evidence
from graph.link_records import DocumentInfo
from graph.network import NetworkBuilder, local_name, targets
from graph.read.catalogue import Catalogue
from graph.read.ego import EgoFacts, MentionLink
from graph.solutions import chunks
from graph.store import Store
from ontology.namespace import PREFIXES

#: Node attributes and their types (``string`` or ``long``), in the order they are declared.
NODE_ATTRIBUTES: dict[str, str] = {
    "kind": "string",
    "label": "string",
    "doc_id": "string",
    "title": "string",
    "date": "string",
    "sort_date": "string",
    "genre": "string",
    "actor": "string",
    "speaker": "string",
    "forum": "string",
    "type": "string",
    "aliases": "string",
    "acronyms": "string",
    "event_type": "string",
    "polarity": "string",
    "target": "string",
    "cue": "string",
    "document": "string",
    "quote": "string",
    "start_offset": "long",
    "end_offset": "long",
    "evidence_document": "string",
}
#: Edge attributes and their types.
EDGE_ATTRIBUTES: dict[str, str] = {
    "rel": "string",
    "count": "long",
    "quote": "string",
    "start_offset": "long",
    "end_offset": "long",
    "evidence_document": "string",
}

Node = tuple[str, dict[str, Any]]
Edge = tuple[str, str, str, dict[str, Any]]
#: One piece of an export: its nodes, then its edges.
Piece = tuple[list[Node], list[Edge]]


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


def document_pieces(store: Store, docs: Sequence[str], *, chunk: int = 100) -> Iterator[Piece]:
    """Everything ``docs`` hold, :func:`export_network` of ``chunk`` documents at a time,
    as the pieces of one export (:func:`flat_pieces`). Each piece is read when it is asked
    for, whole within that call (a streamed response asks on whichever worker thread is
    free, and a store iterator must not outlive the call)."""
    return flat_pieces(export_network(store, piece, chunk=chunk) for piece in chunks(list(docs), chunk))


def flat_pieces(graphs: Iterable[nx.MultiDiGraph]) -> Iterator[Piece]:
    """Nodes and edges of each graph with scalar attributes: nodes sorted by IRI, each
    once in the whole export (entities and topics recur from graph to graph); edges
    sorted by source, target and relation, keyed ``e0``, ``e1``, ... across the export."""
    shared: set[str] = set()  # entities and topics already written
    index = 0
    for graph in graphs:
        nodes: list[Node] = []
        for node, attrs in sorted(graph.nodes(data=True), key=itemgetter(0)):
            if attrs.get("kind") in ("entity", "topic"):
                if node in shared:
                    continue
                shared.add(node)
            flat = scalar_attrs(attrs)
            flat["label"] = node_label(graph, node)
            nodes.append((node, checked(flat, NODE_ATTRIBUTES)))
        edges: list[Edge] = []
        for u, v, key, attrs in sorted(graph.edges(keys=True, data=True), key=itemgetter(0, 1, 2)):
            flat = {"rel": str(attrs.get("rel") or key)}
            if len(attrs) > 1:
                flat.update(scalar_attrs(attrs))
            edges.append((u, v, f"e{index}", checked(flat, EDGE_ATTRIBUTES)))
            index += 1
        yield nodes, edges


def checked(attrs: dict[str, Any], declared: dict[str, str]) -> dict[str, Any]:
    """``attrs``, whose names must all be ``declared`` (``ValueError`` names the others:
    an attribute the writers would not declare is an error of this module, never dropped)."""
    if not attrs.keys() <= declared.keys():
        unknown = sorted(set(attrs) - set(declared))
        raise ValueError(f"graph export: attributes {unknown} are not declared in api.exports")
    return attrs


def _evidence_attrs(evidence: Evidence | None) -> dict[str, Any]:
    if evidence is None:
        return {}
    return {
        "quote": evidence.quote,
        "start_offset": evidence.start,
        "end_offset": evidence.end,
        "evidence_document": evidence.doc,
    }


def _present(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if v is not None and v != ""}


def _document_node(info: DocumentInfo) -> dict[str, Any]:
    attrs = _present(info.node_attributes())
    attrs["label"] = str(info.title or info.doc_id or local_name(info.iri))
    return attrs


def _entity_node(catalogue: Catalogue, entity: str) -> dict[str, Any]:
    info = catalogue.entities.get(entity)
    if info is None:
        return {"kind": "entity", "label": local_name(entity)}
    return _present(
        {
            "kind": "entity",
            "label": info.label,
            "type": info.type,
            "aliases": "|".join(sorted(info.aliases)),
            "acronyms": "|".join(sorted(info.acronyms)),
        }
    )


#: An edge before it is keyed: source, target, relation, attributes.
_Related = tuple[str, str, str, dict[str, Any]]


class _EgoPieces:
    """An ego network in two pieces: the documents and who they name, then the egos'
    mentions, events and stances. Each node is written once; edges are keyed ``e0``,
    ``e1``, ... across both pieces and sorted by source, target and relation in each."""

    def __init__(self, catalogue: Catalogue, egos: Sequence[str]) -> None:
        self.catalogue = catalogue
        self.egos = set(egos)
        self.written: set[str] = set()
        self.index = 0

    def _piece(self, nodes: dict[str, dict[str, Any]], edges: list[_Related]) -> Piece:
        edges.sort(key=itemgetter(0, 1, 2))
        first = self.index
        keyed = [(u, v, f"e{first + i}", {"rel": rel, **attrs}) for i, (u, v, rel, attrs) in enumerate(edges)]
        self.index += len(edges)
        # Attribute names are this class's own (tests check them against the declarations).
        return [(node, nodes[node]) for node in sorted(nodes)], keyed

    def _entity(self, nodes: dict[str, dict[str, Any]], iri: str) -> str:
        if iri not in self.written:
            self.written.add(iri)
            nodes[iri] = _entity_node(self.catalogue, iri)
        return iri

    def documents(self, docs: Sequence[str], links: Iterable[MentionLink]) -> Piece:
        """``docs`` (described by the catalogue), their actor, speaker and forum, and
        their mention links but those of an ego (:meth:`facts` writes them, quoted)."""
        nodes: dict[str, dict[str, Any]] = {}
        edges: list[_Related] = []
        for doc in docs:
            info = self.catalogue.document(doc)
            nodes[doc] = _document_node(info)
            self.written.add(doc)
            for rel in ("actor", "speaker", "forum"):
                role = getattr(info, rel)
                if role:
                    edges.append((doc, self._entity(nodes, role), rel, {}))
        for link in links:
            if link.entity not in self.egos:
                edges.append((link.doc, self._entity(nodes, link.entity), "mentions", {}))
        return self._piece(nodes, edges)

    def facts(self, facts: EgoFacts) -> Piece:
        """The egos' mention links (with the number of mentions and the first quote where
        read), events and stances (:func:`graph.read.ego.ego_facts`)."""
        nodes: dict[str, dict[str, Any]] = {}
        edges: list[_Related] = []
        entity = partial(self._entity, nodes)
        quoted = {(m.doc, m.entity): m for m in facts.mentions}
        ego_links = {(link.doc, link.entity) for link in facts.links if link.entity in self.egos}
        for doc, target in sorted(ego_links | set(quoted)):
            mention = quoted.get((doc, target))
            attrs = {} if mention is None else {"count": mention.count, **_evidence_attrs(mention.evidence)}
            edges.append((doc, entity(target), "mentions", attrs))
        for event in facts.events:
            subject = min(event.subjects)
            nodes[event.iri] = _present(
                {
                    "kind": "event",
                    "label": f"{event.event_type}: {self.catalogue.entity_label(subject)}",
                    "event_type": event.event_type,
                    "date": event.date,
                    "sort_date": event.sort_date,
                    "document": event.doc,
                    **_evidence_attrs(event.evidence),
                }
            )
            edges.append((event.doc, event.iri, "has_event", {}))
            edges += [(event.iri, entity(s), "subject", {}) for s in event.subjects]
            edges += [(event.iri, entity(a), "event_actor", {}) for a in event.actors]
        for stance in facts.stances:
            nodes[stance.iri] = _present(
                {
                    "kind": "stance",
                    "label": f"{stance.polarity}: {stance.target or ''}".strip(),
                    "polarity": stance.polarity,
                    "target": stance.target,
                    "cue": stance.cue,
                    "date": stance.date,
                    "sort_date": stance.sort_date,
                    "document": stance.doc,
                    **_evidence_attrs(stance.evidence),
                }
            )
            edges.append((stance.doc, stance.iri, "has_stance", {}))
            edges.append((stance.iri, entity(stance.holder), "holder", {}))
            if stance.topic:
                if stance.topic not in self.written:
                    self.written.add(stance.topic)
                    nodes[stance.topic] = {"kind": "topic", "label": self.catalogue.topic_label(stance.topic)}
                edges.append((stance.iri, stance.topic, "topic", {}))
            edges += [(stance.iri, entity(t), "target_entity", {}) for t in stance.target_entities]
        return self._piece(nodes, edges)


def ego_pieces(
    catalogue: Catalogue,
    egos: Sequence[str],
    docs: Sequence[str],
    links: Sequence[MentionLink],
    facts: Callable[[], EgoFacts],
) -> Iterator[Piece]:
    """The ego network of ``egos`` over ``docs`` in two pieces: the documents and who they
    name (``links``: their mention links), made from the catalogue before ``facts`` is
    called for the egos' mentions, events and stances (:func:`graph.read.ego.ego_facts`),
    so that a caller can write the first while the store reads the second."""
    pieces = _EgoPieces(catalogue, egos)
    yield pieces.documents(docs, links)
    yield pieces.facts(facts())


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
