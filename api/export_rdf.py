"""RDF exports streamed from the store, graph by graph: the first bytes leave at once and
the server never holds more than one graph's quads (plus the dedupe set below).

An export holds either every named graph of the store, or the named graphs of chosen
documents followed by the entities graph's descriptions of what they name (filed in
``graph:entities``). Each format is written in pieces that concatenate to one valid
document:

- N-Quads: the lines of each graph;
- TriG and Turtle: the project's prefixes once, then each graph serialised with them
  (its own ``@prefix`` lines dropped);
- JSON-LD: ``{"@context": ..., "@graph": [`` then the expanded objects of each graph,
  comma-joined, then ``]}``; a named graph is an ``@graph`` object with its ``@id``, and a
  subject written in two pieces is two node objects with one ``@id`` (JSON-LD merges them).

Turtle, and any format with ``default_graph``, carry the distinct triples. Duplicates
can only come from triples about something outside the graph being written (a document's
graph describes its own nodes, ``<doc/id>`` and ``<doc/id#...>``, which no other document
graph does): the graphs that are not document graphs (entities, links, ontology) are
written first and remembered whole, after that only the triples of a document graph about
a node outside that document are remembered. The set stays the size of the shared graphs,
not of the store.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from graph.solutions import chunks, select
from graph.store import Store
from graph.terms import fill, iri, values
from ontology.namespace import DOC, ENTITIES_GRAPH, ENTITY, GRAPH, PREFIXES

_DOC_GRAPHS = str(GRAPH) + "doc/"
_ENTITY_BASE = str(ENTITY)

#: Quads serialised at once: one document graph is a few thousand; larger graphs are cut.
PIECE = 20_000

_DESCRIPTIONS = "SELECT ?e ?p ?o WHERE { $entities GRAPH $graph { ?e ?p ?o } }"


def _document_of(graph: str) -> str | None:
    """The IRI of the document whose graph ``graph`` is (None for other graphs)."""
    return str(DOC) + graph.removeprefix(_DOC_GRAPHS) if graph.startswith(_DOC_GRAPHS) else None


def _pieces(quads: list[ox.Quad]) -> Iterator[list[ox.Quad]]:
    """``quads`` cut into pieces. Callers read a graph whole into a list first: a
    pyoxigraph iterator must be advanced and dropped on the thread that made it, and a
    streamed response asks for each next piece on whichever worker thread is free."""
    for start in range(0, len(quads), PIECE):
        yield quads[start : start + PIECE]


_END = object()


def graph_pieces(store: Store, name: str) -> Iterator[list[ox.Quad]]:
    """The quads of graph ``name`` in pieces of :data:`PIECE`, read on a thread of its own
    that hands them over through a queue of two: the store's iterator never leaves the
    thread that made it (a streamed response asks for each next piece on whichever worker
    thread is free), and the server holds a few pieces of a large graph (the links graph
    of the whole UN corpus: millions of quads, 2 GB read whole), never the graph. Closing
    the iterator stops the reading thread."""
    handed: queue.Queue[object] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            piece: list[ox.Quad] = []
            for quad in store.graph_quads(name):
                piece.append(quad)
                if len(piece) == PIECE:
                    if not put(piece):
                        return
                    piece = []
            if piece and not put(piece):
                return
            put(_END)
        except BaseException as exc:  # handed to the reader, raised there
            put(exc)

    reader = threading.Thread(target=read, name="policykg-export-graph", daemon=True)
    reader.start()
    try:
        while True:
            item = handed.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        reader.join()


def _named_entities(quads: Sequence[ox.Quad]) -> set[str]:
    return {
        q.object.value
        for q in quads
        if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(_ENTITY_BASE)
    }


def _descriptions(store: Store, entities: set[str]) -> Iterator[ox.Quad]:
    """The entities graph's descriptions of ``entities``, filed in the entities graph."""
    graph = ox.NamedNode(str(ENTITIES_GRAPH))
    for chunk in chunks(sorted(entities)):
        sparql = fill(_DESCRIPTIONS, entities=values("e", (iri(e) for e in chunk)), graph=graph)
        yield from [ox.Quad(row["e"], row["p"], row["o"], graph) for row in select(store, sparql)]


def export_pieces(store: Store, docs: Sequence[str] | None) -> Iterator[tuple[str | None, list[ox.Quad]]]:
    """The quads of an export in pieces, each with the document its graph belongs to
    (None for other graphs): every graph of the store, the shared ones first, when
    ``docs`` is None; else the graphs of ``docs`` then the descriptions of what they name."""
    if docs is None:
        names = store.graphs()
        ordered = [g for g in names if _document_of(g) is None] + [g for g in names if _document_of(g)]
        for name in ordered:
            for piece in graph_pieces(store, name):
                yield _document_of(name), piece
        return
    yield from described(
        store,
        (
            (doc, piece)
            for doc in docs
            for piece in _pieces(list(store.graph_quads(_DOC_GRAPHS + doc.removeprefix(str(DOC)))))
        ),
    )


def described(
    store: Store, pieces: Iterable[tuple[str | None, list[ox.Quad]]]
) -> Iterator[tuple[str | None, list[ox.Quad]]]:
    """``pieces`` (quads, each piece with its document), then the entities graph's
    descriptions of the entities they name."""
    named: set[str] = set()
    for doc, piece in pieces:
        named |= _named_entities(piece)
        yield doc, piece
    for piece in _pieces(list(_descriptions(store, named))):
        yield None, piece


class _Distinct:
    """Drops triples already written (see the module docstring for what is remembered)."""

    def __init__(self) -> None:
        self.seen: set[ox.Triple] = set()

    def new(self, document: str | None, quads: list[ox.Quad]) -> list[ox.Triple]:
        out = []
        for quad in quads:
            triple = quad.triple
            if triple in self.seen:
                continue
            subject = triple.subject
            local = (
                document is not None
                and isinstance(subject, ox.NamedNode)
                and (subject.value == document or subject.value.startswith(document + "#"))
            ) or isinstance(subject, ox.BlankNode)
            if not local:
                self.seen.add(triple)
            out.append(triple)
        return out


def _prefix_lines() -> bytes:
    return "".join(f"@prefix {name}: <{ns}> .\n" for name, ns in PREFIXES.items()).encode("utf-8")


def _without_prefix_lines(body: bytes) -> bytes:
    while body.startswith(b"@prefix "):
        body = body[body.index(b"\n") + 1 :]
    return body


def _json_items(body: bytes) -> bytes:
    """The members of a serialised JSON array, without the brackets (b"" when empty)."""
    inner = body.strip()
    assert inner.startswith(b"[") and inner.endswith(b"]"), inner[:80]
    return inner[1:-1].strip()


def rdf_stream(
    store: Store,
    docs: Sequence[str] | None,
    fmt: ox.RdfFormat,
    *,
    default_graph: bool = False,
    pieces: Iterable[tuple[str | None, list[ox.Quad]]] | None = None,
    block: int = 0,
) -> Iterator[bytes]:
    """The export (every graph when ``docs`` is None, else the documents' graphs and the
    descriptions of what they name; or the quads of ``pieces`` when given, each piece
    with the document whose graph holds it) in ``fmt``, as pieces of bytes (see the module
    docstring); with ``default_graph``, or in a format without named graphs, the distinct
    triples. Each piece's bytes are sent as they are written, or gathered into blocks of
    ``block`` bytes at least (for many small pieces read at once, as an ego network's
    graphs: each block crosses from the worker thread to the server's loop, 0.3 ms a time)."""
    merge = default_graph or not fmt.supports_datasets
    distinct = _Distinct() if merge else None
    jsonld = fmt == ox.RdfFormat.JSON_LD
    prefixes = dict(PREFIXES) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    if jsonld:
        yield b'{"@context": ' + json.dumps(dict(PREFIXES)).encode("utf-8") + b', "@graph": ['
    elif prefixes:
        yield _prefix_lines()
    written = False
    held: list[bytes] = []
    size = 0
    for document, quads in export_pieces(store, docs) if pieces is None else pieces:
        items: list[ox.Quad] | list[ox.Triple] = distinct.new(document, quads) if distinct else quads
        if not items:
            continue
        body = ox.serialize(items, format=fmt, prefixes=prefixes) or b""
        if jsonld:
            members = _json_items(body)
            if not members:
                continue
            body = (b",\n" if written else b"\n") + members
            written = True
        elif prefixes:
            body = _without_prefix_lines(body)
        held.append(body)
        size += len(body)
        if size >= block:
            yield b"".join(held)
            held, size = [], 0
    if held:
        yield b"".join(held)
    if jsonld:
        yield b"\n]}\n"


def rdf_export(
    store: Store, docs: Sequence[str] | None, fmt: ox.RdfFormat, *, default_graph: bool = False
) -> bytes:
    """:func:`rdf_stream` in one piece (for callers that need the whole document)."""
    return b"".join(rdf_stream(store, docs, fmt, default_graph=default_graph))


__all__ = ["PIECE", "described", "export_pieces", "graph_pieces", "rdf_export", "rdf_stream"]
