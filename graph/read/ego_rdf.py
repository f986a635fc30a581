"""An entity's ego network as RDF: the quads ``/export?entity=X`` gives in the RDF formats.

For the ego network of ``egos`` over ``docs`` (:mod:`graph.read.ego` says what it holds),
each document's graph contributes:

- the document's own description without its text (``pkg:text``), its ``schema:mentions``
  links among it;
- the first mention of each ego (the annotation, its target and selectors);
- the events and stances of the egos, with their evidence (annotation, target, selectors).

Then graph:entities contributes the descriptions of the entities those quads name.

What costs here is decoding terms: Oxigraph decodes a few hundred thousand terms a
second, and a state's 1,578 UN speeches make about 190,000 quads. So the quads are read
with as few projected terms as can be, and by the store's engine on as many cores as
there are:

- each query projects a triple (subject, predicate, object) whose subject is a node of a
  document (``<doc>`` or ``<doc>#...``); its graph, that document's graph, follows from
  the subject (projecting ``?g`` too took a third longer);
- the store writes the solutions as SPARQL TSV, whose terms are in Turtle syntax, in its
  own engine, which lets the other reads run meanwhile (iterating solutions holds the
  interpreter for every row: three reads on threads took as long as one after another);
  the lines are grouped by document (:data:`Lines`), deduplicated, and each document's
  become one TriG graph block that pyoxigraph parses;
- the nodes :mod:`graph.rdf` mints from a span (``<doc>#m-``, ``#e-``, ``#t-``, ``#p-``,
  ``#q-START-END``) are named from their annotation's IRI and read by subject;
  annotations minted otherwise are found through their selectors;
- the mention links may come from an in-memory index instead of the store, and the
  entities' descriptions from :class:`EntityDescriptions`.

On that store the read took 5.1 s as rows iterated in Python, 1.5 s this way
(benchmarks/README.md).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pyoxigraph as ox

from graph.evidence import in_own_graphs, span_nodes
from graph.read.ego import FACT_ROLES, MentionLink, ego_mentions
from graph.read.entities import entity_mentions
from graph.solutions import chunks, sparql_prefixes
from graph.store import Store
from graph.terms import Fragment, fill, iri, values
from ontology.namespace import DOC, ENTITIES_GRAPH, ENTITY, LINKS_GRAPH, PKG, SCHEMA, doc_graph_iri

_DOCUMENTS = """
SELECT ?s ?p ?o WHERE {
  $graphs GRAPH ?g { ?s a pkg:Document ; ?p ?o } FILTER(?p != pkg:text && ?p != $skipped)
}
"""

_NODES = "SELECT ?s ?p ?o WHERE { $nodes GRAPH ?g { ?s ?p ?o } }"

# The events or stances of an ego (graph.read.ego.EGO_FACTS, of one kind: the type is
# asked as FILTER EXISTS, which Oxigraph checks per fact; as a pattern it started from
# every fact of the kind).
_FACTS = """
SELECT ?n ?p ?o WHERE {
  GRAPH ?g {
    { ?n $role $ego } UNION { ?n $other $ego } FILTER(?g != $links) FILTER EXISTS { ?n a $kind } ?n ?p ?o
  }
}
"""

# The evidence of those facts (where graph.rdf did not mint it): the annotations, their
# targets, their selectors, each a hop further along $path; DISTINCT, as facts share
# evidence (2,209 annotations for the 2,902 stances of a state's speeches).
_FACT_EVIDENCE = """
SELECT DISTINCT ?s ?p ?o WHERE {
  GRAPH ?g {
    { ?n $role $ego } UNION { ?n $other $ego } FILTER(?g != $links) FILTER EXISTS { ?n a $kind }
    ?n $path ?s . ?s ?p ?o
  }
}
"""

#: The hops from a fact to its evidence annotation, the annotation's target and selectors.
_EVIDENCE_PATHS = (
    Fragment("pkg:evidence"),
    Fragment("pkg:evidence/oa:hasTarget"),
    Fragment("pkg:evidence/oa:hasTarget/oa:hasSelector"),
)

_DESCRIPTIONS = "SELECT ?s ?p ?o WHERE { $entities GRAPH $graph { ?s ?p ?o } }"
_ALL_DESCRIPTIONS = "SELECT ?s ?p ?o WHERE { GRAPH $graph { ?s ?p ?o } }"

_DOC_NODE = b"<" + str(DOC).encode()
_DOC_GRAPH = b"<" + doc_graph_iri("").encode()
_MENTIONS = b"<" + str(SCHEMA.mentions).encode() + b">"
_MENTIONS_TERM = ox.NamedNode(str(SCHEMA.mentions))
#: Never a predicate: the document query then skips only ``pkg:text``.
_NOTHING = ox.NamedNode(str(PKG) + "nothing")
_EVIDENCE_OF = re.compile(rb"\t<" + re.escape(str(PKG.evidence).encode()) + rb">\t<([^>]*)>")
_ENTITY_IRI = re.compile(rb"<(" + re.escape(str(ENTITY).encode()) + rb"[^>]*)>")

#: TSV lines (``subject\tpredicate\tobject``, terms in Turtle syntax) of each document's
#: graph, by the document's id (bytes, as in its IRI).
Lines = dict[bytes, list[bytes]]


def _tsv_lines(store: Store, sparql: str) -> bytes:
    body: bytes = store.query(sparql_prefixes() + sparql).serialize(format=ox.QueryResultsFormat.TSV)
    return body[body.find(b"\n") + 1 :]  # the header line (the variables) dropped


def _doc_lines(store: Store, sparql: str, wanted: set[bytes]) -> Lines:
    """The triples ``sparql`` (projecting subject, predicate, object) finds, as TSV lines
    grouped by the document of their subject, for the documents ``wanted`` (ids); a
    triple whose subject is no node of a document (``<doc>``, ``<doc>#...``) is left out."""
    grouped: Lines = {}
    start = len(_DOC_NODE)
    for line in _tsv_lines(store, sparql).split(b"\n"):
        if line.startswith(_DOC_NODE):  # <https://w3id.org/policykg/doc/ID#...>\tp\to
            end = line.find(b">")
            fragment = line.find(b"#", start, end)
            doc_id = line[start : fragment if fragment > 0 else end]
            if doc_id in wanted:
                grouped.setdefault(doc_id, []).append(line)
    return grouped


def _add(found: Lines, more: Lines) -> None:
    """``more``'s lines added to ``found``'s, document by document."""
    for doc_id, lines in more.items():
        found.setdefault(doc_id, []).extend(lines)


def _node_lines(store: Store, nodes: Iterable[str], wanted: set[bytes]) -> Lines:
    """The triples whose subject is one of ``nodes`` (nodes of documents), read in the
    node's document graph."""
    found: Lines = {}
    for slot in in_own_graphs("s", nodes, size=3000):
        _add(found, _doc_lines(store, fill(_NODES, nodes=slot), wanted))
    return found


def _subject(line: bytes) -> str:
    return line[1 : line.find(b">")].decode()


def _graphs_of(docs: Iterable[str]) -> Fragment:
    return values("g", (iri(doc_graph_iri(d.removeprefix(str(DOC)))) for d in docs))


def _document_lines(store: Store, docs: Sequence[str], skipped: ox.NamedNode, wanted: set[bytes]) -> Lines:
    """The triples about each of ``docs`` in its graph, but its text (``pkg:text``) and
    ``skipped``."""
    return _doc_lines(store, fill(_DOCUMENTS, graphs=_graphs_of(docs), skipped=skipped), wanted)


def _link_lines(links: Iterable[MentionLink]) -> Lines:
    """The ``schema:mentions`` triples of ``links``."""
    found: Lines = {}
    start = len(str(DOC))
    for link in links:
        doc = link.doc.encode()
        found.setdefault(doc[start:], []).append(b"<%s>\t%s\t<%s>" % (doc, _MENTIONS, link.entity.encode()))
    return found


def _minted_lines(store: Store, annotations: Iterable[str], wanted: set[bytes]) -> tuple[Lines, set[str]]:
    """The triples of ``annotations`` minted from a span and of their targets and
    selectors (:func:`graph.evidence.span_nodes`), read by subject, and the annotations
    whose nodes were not all found so (minted otherwise)."""
    spans = {a: span_nodes(a) for a in set(annotations)}
    read = _node_lines(store, (n for nodes in spans.values() for n in nodes), wanted)
    subjects = {_subject(line) for lines in read.values() for line in lines}
    rest = {a for a, nodes in spans.items() if not (nodes and all(n in subjects for n in nodes))}
    return read, rest


def _mention_lines(store: Store, egos: Sequence[str], docs: Sequence[str], wanted: set[bytes]) -> Lines:
    """The triples of the first mention of each ego in each of ``docs`` (annotation,
    target, selectors): named from the annotation's IRI where :mod:`graph.rdf` minted it,
    else found through the annotation's selectors (:func:`graph.read.ego.ego_mentions`)."""
    in_docs = set(docs)
    found: Lines = {}
    for ego in sorted(set(egos)):
        firsts = {
            f"{m.document}#m-{m.first.start}-{m.first.end}": m.document
            for m in entity_mentions(store, ego)
            if m.document in in_docs
        }
        read, rest = _minted_lines(store, firsts, wanted)
        rest_docs = {firsts[a].removeprefix(str(DOC)).encode() for a in rest}
        _add(found, {doc_id: lines for doc_id, lines in read.items() if doc_id not in rest_docs})
        if rest:
            others = {n for m in ego_mentions(store, ego, {firsts[a] for a in rest}) for n in m.nodes}
            _add(found, _node_lines(store, others, wanted))
    return found


def _fact_slots(egos: Sequence[str]) -> list[dict[str, ox.NamedNode]]:
    """The slots of :data:`_FACTS` for each ego and kind of fact."""
    return [
        {
            "ego": iri(ego),
            "role": iri(str(role)),
            "other": iri(str(other)),
            "kind": iri(kind),
            "links": iri(str(LINKS_GRAPH)),
        }
        for ego in sorted(set(egos))
        for kind, (role, other) in FACT_ROLES.items()
    ]


def _fact_lines(store: Store, slots: dict[str, ox.NamedNode], wanted: set[bytes]) -> Lines:
    """The triples of the events or stances (as ``slots`` say) of an ego in ``wanted``,
    and of their evidence (annotations, targets, selectors): named from the annotations'
    IRIs where :mod:`graph.rdf` minted them (read by subject: a third faster than
    following the path from every fact), else found along the path."""
    found = _doc_lines(store, fill(_FACTS, **slots), wanted)
    annotations = {m.decode() for lines in found.values() for m in _EVIDENCE_OF.findall(b"\n".join(lines))}
    read, rest = _minted_lines(store, annotations, wanted)
    _add(found, read)
    if rest:
        for path in _EVIDENCE_PATHS:
            _add(found, _doc_lines(store, fill(_FACT_EVIDENCE, path=path, **slots), wanted))
    return found


class EntityDescriptions:
    """The descriptions of entities in graph:entities, read once each and kept: every
    export describes the entities its documents name, and graph:entities changes only
    when the store does (keep one per store generation). It holds at most that graph
    (116,000 triples on the UN General Debate store, kept as the lines the store wrote);
    an ego network of a state names 7,700 entities, whose descriptions take 0.5 s of
    reading.

    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> store.update('INSERT DATA { GRAPH <https://w3id.org/policykg/graph/entities> { '
    ...              '<https://w3id.org/policykg/entity/cd> <urn:label> "CD" } }')
    >>> kept = EntityDescriptions()
    >>> [len(kept.quads(store, ["https://w3id.org/policykg/entity/cd", "urn:x"])) for _ in range(2)]
    [1, 1]
    >>> len(kept)
    2
    >>> everything = EntityDescriptions()
    >>> everything.read_all(store)
    >>> len(everything), len(everything.quads(store, ["https://w3id.org/policykg/entity/cd"]))
    (1, 1)
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[bytes, ...]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def lines(self, store: Store, entities: Iterable[str]) -> list[bytes]:
        """The triples describing ``entities`` (TSV lines), read from ``store`` for those
        not kept yet."""
        wanted = set(entities)
        with self._lock:
            missing = sorted(wanted.difference(self._kept))
        graph = iri(str(ENTITIES_GRAPH))
        read: dict[str, list[bytes]] = {e: [] for e in missing}
        for piece in chunks(missing, 2000):
            sparql = fill(_DESCRIPTIONS, entities=values("s", (iri(e) for e in piece)), graph=graph)
            for line in _tsv_lines(store, sparql).split(b"\n"):
                found = read.get(_subject(line)) if line.startswith(b"<") else None
                if found is not None:
                    found.append(line)
        with self._lock:
            self._kept.update((e, tuple(found)) for e, found in read.items())
            return [line for e in sorted(wanted) for line in self._kept[e]]

    def read_all(self, store: Store) -> None:
        """Read every description of graph:entities at once (1.5 s and 13 MB of lines on
        the UN General Debate store: a server does it while it warms up, so that its
        first export does not)."""
        read: dict[str, list[bytes]] = {}
        sparql = fill(_ALL_DESCRIPTIONS, graph=iri(str(ENTITIES_GRAPH)))
        for line in _tsv_lines(store, sparql).split(b"\n"):
            if line.startswith(b"<"):
                read.setdefault(_subject(line), []).append(line)
        with self._lock:
            self._kept.update((e, tuple(found)) for e, found in read.items())

    def quads(self, store: Store, entities: Iterable[str]) -> list[ox.Quad]:
        """The quads describing ``entities`` in graph:entities."""
        return _parsed(str(ENTITIES_GRAPH).encode(), self.lines(store, entities))


def _parsed(graph: bytes, lines: Iterable[bytes]) -> list[ox.Quad]:
    """TSV lines of triples as quads in ``graph``: one TriG graph block."""
    lines = list(lines)
    if not lines:
        return []
    trig = b"<%s> {\n%s .\n}\n" % (graph, b" .\n".join(lines))
    return list(ox.parse(trig, format=ox.RdfFormat.TRIG))


def ego_quads(
    store: Store,
    egos: Sequence[str],
    docs: Sequence[str],
    *,
    links: Sequence[MentionLink] | None = None,
    descriptions: EntityDescriptions | None = None,
) -> list[tuple[str | None, list[ox.Quad]]]:
    """The ego network of ``egos`` over ``docs`` as RDF (see the module docstring): the
    quads of each document, in its graph, in the order of ``docs``, then (with None for a
    document) the descriptions of the entities they name. ``links``, when given, are the
    documents' mention links as an in-memory index holds them; otherwise they are read
    with the documents' descriptions. ``descriptions`` keeps the entities' descriptions
    from one call to the next.

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> store.update('''PREFIX pkg: <https://w3id.org/policykg/ontology#>
    ... PREFIX schema: <https://schema.org/>
    ... PREFIX prov: <http://www.w3.org/ns/prov#>
    ... PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    ... INSERT DATA { GRAPH <https://w3id.org/policykg/graph/doc/d1> {
    ...   <https://w3id.org/policykg/doc/d1> a pkg:Document ; pkg:text "It supports the CD." ;
    ...     schema:mentions <https://w3id.org/policykg/entity/cd> .
    ...   <https://w3id.org/policykg/doc/d1#stance-1> a pkg:Stance ; pkg:polarity pkg:support ;
    ...     prov:wasAttributedTo <https://w3id.org/policykg/entity/cd> ;
    ...     prov:wasDerivedFrom <https://w3id.org/policykg/doc/d1> . }
    ...   GRAPH <https://w3id.org/policykg/graph/entities> {
    ...     <https://w3id.org/policykg/entity/cd> skos:prefLabel "Conference on Disarmament" . } }''')
    >>> [(doc and doc.rsplit("/", 1)[1], len(quads))
    ...  for doc, quads in ego_quads(store, ["https://w3id.org/policykg/entity/cd"],
    ...                              ["https://w3id.org/policykg/doc/d1"])]
    [('d1', 6), (None, 1)]
    """
    ids = {doc: doc.removeprefix(str(DOC)).encode() for doc in docs}
    wanted = set(ids.values())
    known = sorted({link.entity for link in links or ()} | set(egos))
    kept = descriptions if descriptions is not None else EntityDescriptions()
    skipped = _MENTIONS_TERM if links is not None else _NOTHING
    facts = _fact_slots(egos)
    # Reads of a few thousand rows each, the longest first, which the store answers at
    # once on as many cores as it has (see the module docstring).
    reads: list[Callable[[], Lines]] = [
        partial(_mention_lines, store, egos, list(ids), wanted),
        *(partial(_fact_lines, store, f, wanted) for f in facts),
        *(partial(_document_lines, store, piece, skipped, wanted) for piece in chunks(list(ids), 400)),
    ]
    with ThreadPoolExecutor(2) as pool:
        results = [pool.submit(read) for read in reads]
        described = [pool.submit(kept.lines, store, piece) for piece in chunks(known, 2000)]
        by_doc = _link_lines(links or ())  # meanwhile, on this thread
        found: dict[bytes, dict[bytes, None]] = {}  # ordered sets: evidence shared by facts once
        for result in results:
            for doc_id, lines in result.result().items():
                found.setdefault(doc_id, {}).update(dict.fromkeys(lines))
        entity_lines = [line for result in described for line in result.result()]
    # Who else is named (actors, speakers, holders, ...): the links' entities are known.
    named = {m.decode() for lines in found.values() for m in _ENTITY_IRI.findall(b"\n".join(lines))}
    entity_lines += kept.lines(store, named.difference(known))
    pieces: list[tuple[str | None, list[ox.Quad]]] = []
    for doc, doc_id in ids.items():
        lines = [*by_doc.get(doc_id, ()), *found.get(doc_id, {})]
        pieces.append((doc, _parsed(doc_graph_iri(doc_id.decode()).encode(), lines)))
    pieces.append((None, _parsed(str(ENTITIES_GRAPH).encode(), entity_lines)))
    return pieces


__all__ = ["EntityDescriptions", "ego_quads"]
