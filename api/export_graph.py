"""Graph exports written piece by piece: GraphML, GEXF 1.3, Cytoscape.js and node-link JSON.

The writers take the pieces of an export (:mod:`api.exports`: nodes and edges with scalar
attributes, each node once, edge keys unique) and yield bytes as pieces come, so a
whole-store export starts at once and the server holds one piece at a time:

- GraphML (``networkx.read_graphml``, igraph): node ids are NMTOKENs as the GraphML schema
  requires (:func:`graphml_id`), the IRI is the ``iri`` data attribute; a piece's nodes
  come before its edges;
- GEXF 1.3 (Gephi; ``networkx.read_gexf(f, version="1.3")``): a static directed graph;
  character offsets of quotes are the ``start_offset``/``end_offset`` attributes, never
  GEXF's ``start``/``end`` (lifetimes). GEXF lists every node before every edge: edges
  wait in a spooled temporary file (memory up to a few MB, then disk);
- Cytoscape.js elements (``networkx.cytoscape_graph``) and networkx node-link JSON
  (``networkx.node_link_graph(data, edges="edges")``), edges spooled the same way.

The attributes are declared up front (GraphML keys, GEXF attributes) from
:data:`api.exports.NODE_ATTRIBUTES` and :data:`api.exports.EDGE_ATTRIBUTES`.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import IO, Any

from api.exports import EDGE_ATTRIBUTES, NODE_ATTRIBUTES, Piece

#: Edges written to the spool before it moves from memory to disk.
_SPOOL_BYTES = 8 * 2**20
#: Bytes read back from the spool at a time.
_READ = 2**20

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


# -- XML -----------------------------------------------------------------------------------------

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def _text(value: Any) -> str:
    return str(value).translate(_TEXT)


def _attribute(value: Any) -> str:
    return str(value).translate(_ATTRIBUTE)


def _spooled() -> IO[str]:
    return tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+", encoding="utf-8")


def _replay(spool: IO[str]) -> Iterator[bytes]:
    spool.seek(0)
    while block := spool.read(_READ):
        yield block.encode("utf-8")


_GRAPHML_KEYS = {
    **{("node", name): f"n{i}" for i, name in enumerate([*NODE_ATTRIBUTES, "iri"])},
    **{("edge", name): f"e{i}" for i, name in enumerate(EDGE_ATTRIBUTES)},
}


def graphml_stream(pieces: Iterable[Piece]) -> Iterator[bytes]:
    """GraphML valid against the GraphML 1.0 schema: node ids from
    :func:`graphml_id`, the IRI in the ``iri`` data attribute."""
    types = {**{("node", n): t for n, t in NODE_ATTRIBUTES.items()}, ("node", "iri"): "string"}
    types.update({("edge", n): t for n, t in EDGE_ATTRIBUTES.items()})
    head = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n',
    ]
    for (domain, name), key in _GRAPHML_KEYS.items():
        head.append(
            f'<key id="{key}" for="{domain}" attr.name="{name}" attr.type="{types[domain, name]}"/>\n'
        )
    head.append('<graph edgedefault="directed">\n')
    yield "".join(head).encode("utf-8")
    for nodes, edges in pieces:
        out: list[str] = []
        for node, attrs in nodes:
            out.append(f'<node id="{graphml_id(node)}">\n')
            for name, value in {**attrs, "iri": node}.items():
                out.append(f'  <data key="{_GRAPHML_KEYS["node", name]}">{_text(value)}</data>\n')
            out.append("</node>\n")
        for u, v, key, attrs in edges:
            out.append(f'<edge source="{graphml_id(u)}" target="{graphml_id(v)}" id="{key}">\n')
            for name, value in attrs.items():
                out.append(f'  <data key="{_GRAPHML_KEYS["edge", name]}">{_text(value)}</data>\n')
            out.append("</edge>\n")
        yield "".join(out).encode("utf-8")
    yield b"</graph>\n</graphml>\n"


GEXF_NS = "http://gexf.net/1.3"
_GEXF_NODE_IDS = {name: str(i) for i, name in enumerate(n for n in NODE_ATTRIBUTES if n != "label")}
_GEXF_EDGE_IDS = {
    name: str(len(_GEXF_NODE_IDS) + i) for i, name in enumerate([*EDGE_ATTRIBUTES, "networkx_key"])
}


def _attvalues(attrs: dict[str, Any], ids: dict[str, str], indent: str) -> str:
    values = "".join(
        f'{indent}  <attvalue for="{ids[name]}" value="{_attribute(value)}" />\n'
        for name, value in attrs.items()
    )
    return f"{indent}<attvalues>\n{values}{indent}</attvalues>\n" if values else ""


def gexf_stream(pieces: Iterable[Piece]) -> Iterator[bytes]:
    """GEXF 1.3, valid against its schema: a static directed multigraph whose node and edge
    attributes (quote offsets among them) are declared GEXF attributes; each edge's key is
    its ``networkx_key`` attribute (as networkx writes and reads multigraphs)."""
    head = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        f'<gexf xmlns="{GEXF_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.3" '
        f'xsi:schemaLocation="{GEXF_NS} {GEXF_NS}/gexf.xsd">\n',
        f'  <meta lastmodifieddate="{date.today().isoformat()}">\n',
        "    <creator>policykg</creator>\n",
        "    <description>Documents, entities, events, stances and topics; quote offsets are the "
        "start_offset/end_offset attributes (characters of the document text)</description>\n",
        "  </meta>\n",
        '  <graph defaultedgetype="directed" mode="static">\n',
        '    <attributes mode="static" class="edge">\n',
    ]
    edge_types = {**EDGE_ATTRIBUTES, "networkx_key": "string"}
    for name, ident in _GEXF_EDGE_IDS.items():
        head.append(f'      <attribute id="{ident}" title="{name}" type="{edge_types[name]}" />\n')
    head.append('    </attributes>\n    <attributes mode="static" class="node">\n')
    for name, ident in _GEXF_NODE_IDS.items():
        head.append(f'      <attribute id="{ident}" title="{name}" type="{NODE_ATTRIBUTES[name]}" />\n')
    head.append("    </attributes>\n    <nodes>\n")
    yield "".join(head).encode("utf-8")
    with _spooled() as spool:
        number = 0
        for nodes, edges in pieces:
            out: list[str] = []
            for node, attrs in nodes:
                rest = {k: v for k, v in attrs.items() if k != "label"}
                out.append(f'      <node id="{_attribute(node)}" label="{_attribute(attrs["label"])}">\n')
                out.append(_attvalues(rest, _GEXF_NODE_IDS, "        "))
                out.append("      </node>\n")
            # The piece's edges are spooled before its nodes leave: whatever reads the
            # next piece then starts after all of this piece is written.
            lines: list[str] = []
            for u, v, key, attrs in edges:
                lines.append(
                    f'      <edge source="{_attribute(u)}" target="{_attribute(v)}" id="{number}">\n'
                )
                lines.append(_attvalues({**attrs, "networkx_key": key}, _GEXF_EDGE_IDS, "        "))
                lines.append("      </edge>\n")
                number += 1
            spool.write("".join(lines))
            yield "".join(out).encode("utf-8")
        yield b"    </nodes>\n    <edges>\n"
        yield from _replay(spool)
    yield b"    </edges>\n  </graph>\n</gexf>\n"


# -- JSON ----------------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _json_stream(
    pieces: Iterable[Piece], head: str, middle: str, tail: str, node: Any, edge: Any
) -> Iterator[bytes]:
    """``head``, the nodes (``node(id, attrs)``) comma-joined, ``middle``, the edges
    (``edge(u, v, key, attrs)``), ``tail``: one JSON document."""
    yield head.encode("utf-8")
    first_node = first_edge = True
    with _spooled() as spool:
        for nodes, edges in pieces:
            if edges:  # spooled first, as in gexf_stream
                spool.write(("" if first_edge else ",\n") + ",\n".join(_json(edge(*e)) for e in edges))
                first_edge = False
            if nodes:
                text = ",\n".join(_json(node(n, attrs)) for n, attrs in nodes)
                yield (("" if first_node else ",\n") + text).encode("utf-8")
                first_node = False
        yield middle.encode("utf-8")
        yield from _replay(spool)
    yield tail.encode("utf-8")


def cytoscape_stream(pieces: Iterable[Piece], name: str = "policykg") -> Iterator[bytes]:
    """Cytoscape.js elements JSON (``elements.nodes`` / ``elements.edges``, each ``{data}``),
    which Cytoscape desktop also imports and ``networkx.cytoscape_graph`` reads whole:
    nodes carry ``value`` (the IRI, networkx's node) and ``name`` (the label), edges a
    ``key`` (parallel edges of the multigraph stay apart)."""
    head = (
        '{"data": '
        + _json({"name": name})
        + ', "directed": true, "multigraph": true,\n"elements": {"nodes": [\n'
    )
    return _json_stream(
        pieces,
        head,
        '],\n"edges": [\n',
        "]}}\n",
        lambda n, a: {"data": {**a, "id": n, "value": n, "name": a.get("label", n)}},
        lambda u, v, k, a: {"data": {**a, "id": k, "key": k, "source": u, "target": v}},
    )


def node_link_stream(pieces: Iterable[Piece]) -> Iterator[bytes]:
    """networkx node-link JSON (``nodes``/``edges``), as
    ``nx.node_link_graph(data, edges="edges")`` reads it."""
    return _json_stream(
        pieces,
        '{"directed": true, "multigraph": true, "graph": {},\n"nodes": [\n',
        '],\n"edges": [\n',
        "]}\n",
        lambda n, a: {**a, "id": n},
        lambda u, v, k, a: {**a, "source": u, "target": v, "key": k},
    )


__all__ = [
    "cytoscape_stream",
    "gexf_stream",
    "graphml_id",
    "graphml_stream",
    "node_link_stream",
]
