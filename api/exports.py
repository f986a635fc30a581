"""Graph exports for visualisation tools (the RDF exports stream from :mod:`api.export_rdf`).

:func:`export_network` builds a networkx graph of the documents an export keeps
(:mod:`graph.read.selection` chose them) and everything they hold (entities, events,
stances, topics), from the store, for that export only. :func:`flat` turns it into a
graph whose attributes are all scalars, which is what GraphML and GEXF can carry. Each
format follows its schema, so that every reader gets every node and edge
(``tests/test_compat_exports.py`` validates them):

- GEXF 1.3 (Gephi; ``networkx.read_gexf(f, version="1.3")``): a static graph; character
  offsets of quotes are attributes (``start_offset``, ``end_offset``), never GEXF's
  ``start``/``end``, which would make Gephi read text positions as lifetimes;
- GraphML (``networkx.read_graphml``, igraph): node ids are NMTOKENs as the GraphML schema
  requires (:func:`graphml_id`: the IRI with every other character escaped as ``_HH``),
  the IRI itself is the ``iri`` data attribute;
- Cytoscape.js elements (``networkx.cytoscape_graph``): ``value`` (the IRI) and ``name``
  on nodes, a ``key`` per edge of the multigraph so that parallel edges stay apart;
- node-link JSON, TimelineJS JSON;
- JSON-LD of a few quads with a ``@context`` (:func:`jsonld_document`, for the Linked
  Data pages).
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph.network import Evidence, NetworkBuilder, local_name, targets
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


def flat(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose node and edge attributes are scalars (strings, numbers) only.

    Nodes keep their IRI as id and get a ``label``; each edge gets a unique key
    (``e0``, ``e1``, ...) and its relation as ``rel``; evidence becomes ``quote``,
    ``start_offset``, ``end_offset`` and ``evidence_document``; lists become
    ``|``-joined strings.
    """
    out = nx.MultiDiGraph()
    for node, attrs in sorted(graph.nodes(data=True), key=lambda na: str(na[0])):
        out.add_node(node, **{**_scalar_attrs(attrs), "label": node_label(graph, node)})
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    for index, (u, v, key, attrs) in enumerate(edges):
        out.add_edge(u, v, key=f"e{index}", rel=str(attrs.get("rel") or key), **_scalar_attrs(attrs))
    return out


_NMTOKEN_KEPT = re.compile(r"[A-Za-z0-9.:-]")


def graphml_id(iri: str) -> str:
    """An IRI as a GraphML node id (an ``xs:NMTOKEN``): letters, digits, ``.``, ``:`` and
    ``-`` kept, every other byte of its UTF-8 written ``_HH`` (reversible).

    >>> graphml_id("https://w3id.org/policykg/doc/d1#event-1")
    'https:_2F_2Fw3id.org_2Fpolicykg_2Fdoc_2Fd1_23event-1'
    """
    return "".join(
        char if _NMTOKEN_KEPT.fullmatch(char) else "".join(f"_{b:02X}" for b in char.encode("utf-8"))
        for char in iri
    )


def graphml(graph: nx.MultiDiGraph) -> bytes:
    """GraphML valid against the GraphML 1.0 schema: node ids from :func:`graphml_id`,
    the IRI in the ``iri`` data attribute."""
    g = flat(graph)
    for node, attrs in g.nodes(data=True):
        attrs["iri"] = node
    buffer = io.BytesIO()
    nx.write_graphml(nx.relabel_nodes(g, graphml_id), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


GEXF_NS = "http://gexf.net/1.3"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def gexf(graph: nx.MultiDiGraph) -> bytes:
    """GEXF 1.3, valid against its schema: a static directed multigraph whose node and
    edge attributes (quote offsets among them) are declared GEXF attributes.

    networkx writes the 1.3 format with two faults this corrects: the XML Schema
    instance namespace misspelt (``http://w3.org/...``) and a ``name`` attribute on
    ``<graph>``, which GEXF 1.3 does not have.
    """
    g = flat(graph)
    g.graph.clear()
    root = ET.fromstring("".join(nx.generate_gexf(g, encoding="utf-8", prettyprint=False, version="1.3")))
    for attribute in [a for a in root.attrib if a.startswith("{") and a.endswith("}schemaLocation")]:
        del root.attrib[attribute]
    root.set(f"{{{_XSI}}}schemaLocation", f"{GEXF_NS} {GEXF_NS}/gexf.xsd")
    graph_element = root.find(f"{{{GEXF_NS}}}graph")
    assert graph_element is not None
    graph_element.attrib.pop("name", None)
    meta = root.find(f"{{{GEXF_NS}}}meta")
    if meta is not None:
        for child in list(meta):
            meta.remove(child)
        ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "policykg"
        ET.SubElement(meta, f"{{{GEXF_NS}}}description").text = (
            "Documents, entities, events, stances and topics; quote offsets are the "
            "start_offset/end_offset attributes (characters of the document text)"
        )
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("xsi", _XSI)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def cytoscape(graph: nx.MultiDiGraph, name: str = "policykg") -> dict[str, Any]:
    """Cytoscape.js elements JSON (``elements.nodes`` / ``elements.edges``, each ``{data}``),
    which Cytoscape desktop also imports and ``networkx.cytoscape_graph`` reads whole:
    nodes carry ``value`` (the IRI, networkx's node) and ``name`` (the label), edges a
    ``key`` (parallel edges of the multigraph stay apart)."""
    g = flat(graph)
    nodes = [
        {"data": {**attrs, "id": node, "value": node, "name": attrs.get("label", node)}}
        for node, attrs in g.nodes(data=True)
    ]
    edges = [
        {"data": {**attrs, "id": key, "key": key, "source": u, "target": v}}
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
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
