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
there are (:func:`_doc_quads`):

- each query projects a triple, ``?s ?p ?o``, whose subject is a node of a document
  (``<doc>`` or ``<doc>#...``), and the quad's graph, that document's graph, follows from
  the subject (projecting ``?g`` too took a third longer);
- the store writes the solutions as SPARQL TSV, whose terms are in Turtle syntax, in its
  own engine, which lets the other reads run meanwhile (iterating solutions holds the
  interpreter for every row: three reads on threads took as long as one after another);
  each line becomes a TriG statement in its document's graph, and pyoxigraph parses them;
- the nodes :mod:`graph.rdf` mints from a span (``<doc>#m-``, ``#e-``, ``#t-``, ``#p-``,
  ``#q-START-END``) are named from their annotation's IRI, and annotations minted
  otherwise are found through their selectors;
- the mention links may come from an in-memory index instead of the store.

On that store the read took 5.4 s as rows iterated in Python, 1.1 s this way.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pyoxigraph as ox

from graph.evidence import in_own_graphs
from graph.read.ego import EGO_FACTS, FACT_ROLES, MentionLink, ego_mentions
from graph.read.entities import entity_mentions
from graph.read.terms import Fragment, fill, iri, values
from graph.solutions import chunks, sparql_prefixes
from graph.store import Store
from ontology.namespace import DOC, ENTITIES_GRAPH, ENTITY, LINKS_GRAPH, PKG, PROV, RDF, SCHEMA, doc_graph_iri

_DOCUMENTS = """
SELECT ?s ?p ?o WHERE {
  $graphs GRAPH ?g { ?s a pkg:Document ; ?p ?o } FILTER(?p != pkg:text && ?p != $skipped)
}
"""

_NODES = "SELECT ?s ?p ?o WHERE { $nodes GRAPH ?g { ?s ?p ?o } }"

# The evidence of the facts of an ego: the annotations, their targets, their selectors,
# each a hop further along $path from the facts (graph.read.ego.EGO_FACTS); DISTINCT, as
# facts share evidence (2,209 annotations for the 2,902 stances of a state's speeches).
_FACT_EVIDENCE = """
SELECT DISTINCT ?s ?p ?o WHERE {
  GRAPH ?g { { ?n $role $ego } UNION { ?n $other $ego } FILTER(?g != $links) ?n $path ?s . ?s ?p ?o }
}
"""

#: The hops from a fact to its evidence annotation, the annotation's target and selectors.
_EVIDENCE_PATHS = (
    Fragment("pkg:evidence"),
    Fragment("pkg:evidence/oa:hasTarget"),
    Fragment("pkg:evidence/oa:hasTarget/oa:hasSelector"),
)

_DESCRIPTIONS = "SELECT ?s ?p ?o WHERE { $entities GRAPH $graph { ?s ?p ?o } }"

_SPAN_ANNOTATION = re.compile(r"^(?P<doc>[^#]+)#[em]-(?P<span>\d+-\d+)$")

_DOC_NODE = b"<" + str(DOC).encode()
_DOC_GRAPH = b"<" + doc_graph_iri("").encode()
_TYPE = str(RDF.type)
_DERIVED_FROM = str(PROV.wasDerivedFrom)
_KINDS = {str(PKG.Event), str(PKG.Stance)}
_MENTIONS = ox.NamedNode(str(SCHEMA.mentions))
#: Never a predicate: the document query then skips only ``pkg:text``.
_NOTHING = ox.NamedNode(str(PKG) + "nothing")
_ENTITY_BASE = str(ENTITY)


def _tsv_lines(store: Store, sparql: str) -> bytes:
    body: bytes = store.query(sparql_prefixes() + sparql).serialize(format=ox.QueryResultsFormat.TSV)
    return body[body.find(b"\n") + 1 :]  # the header line (the variables) dropped


def _doc_quads(store: Store, sparql: str) -> list[ox.Quad]:
    """The quads ``sparql`` (projecting a triple: subject, predicate, object, the subject a
    node of a document) finds, each in its subject's document graph (see the module
    docstring); a triple whose subject is no node of a document is left out."""
    statements = []
    start = len(_DOC_NODE)
    for line in _tsv_lines(store, sparql).split(b"\n"):
        if line.startswith(_DOC_NODE):  # <https://w3id.org/policykg/doc/ID#...>\tp\to
            end = line.find(b">")
            fragment = line.find(b"#", start, end)
            doc_id = line[start : fragment if fragment > 0 else end]
            statements.append(b"%s%s> { %s . }" % (_DOC_GRAPH, doc_id, line))
    return list(ox.parse(b"\n".join(statements), format=ox.RdfFormat.TRIG))


def _graph_quads(store: Store, sparql: str, graph: ox.NamedNode) -> list[ox.Quad]:
    """The quads ``sparql`` (projecting a triple) finds, in ``graph``."""
    lines = _tsv_lines(store, sparql).rstrip(b"\n")
    if not lines:
        return []
    trig = b"%s {\n%s .\n}\n" % (str(graph).encode(), lines.replace(b"\n", b" .\n"))
    return list(ox.parse(trig, format=ox.RdfFormat.TRIG))


def _node_quads(store: Store, nodes: Iterable[str]) -> list[ox.Quad]:
    """The quads whose subject is one of ``nodes`` (nodes of documents), read in the
    node's document graph."""
    found: list[ox.Quad] = []
    for slot in in_own_graphs("s", nodes, size=3000):
        found += _doc_quads(store, fill(_NODES, nodes=slot))
    return found


def _span_nodes(annotation: str) -> list[str]:
    """The nodes :mod:`graph.rdf` mints for the span of an annotation it minted (the
    annotation, its target, position and quote selectors); [] for another IRI.

    >>> [n.rsplit("#", 1)[1] for n in _span_nodes("https://w3id.org/policykg/doc/d1#e-5-9")]
    ['e-5-9', 't-5-9', 'p-5-9', 'q-5-9']
    >>> _span_nodes("urn:x:annotation")
    []
    """
    match = _SPAN_ANNOTATION.match(annotation)
    if not match:
        return []
    doc, span = match["doc"], match["span"]
    return [annotation, *(f"{doc}#{kind}-{span}" for kind in "tpq")]


def _annotation_quads(store: Store, annotations: Iterable[str]) -> tuple[list[ox.Quad], set[str]]:
    """The quads of ``annotations`` minted from a span and of their targets and selectors,
    and the annotations whose nodes were not all found so (minted otherwise)."""
    spans = {a: _span_nodes(a) for a in set(annotations)}
    quads = _node_quads(store, (n for nodes in spans.values() for n in nodes))
    subjects = {q.subject.value for q in quads}  # type: ignore[union-attr]
    rest = {a for a, nodes in spans.items() if not (nodes and all(n in subjects for n in nodes))}
    minted = {n for a, nodes in spans.items() if a not in rest for n in nodes}
    return [q for q in quads if q.subject.value in minted], rest  # type: ignore[union-attr]


def _graphs_of(docs: Iterable[str]) -> Fragment:
    return values("g", (iri(doc_graph_iri(d.removeprefix(str(DOC)))) for d in docs))


def _document_descriptions(store: Store, docs: Sequence[str], skipped: ox.NamedNode) -> list[ox.Quad]:
    """The quads about each of ``docs`` in its graph, but its text (``pkg:text``) and
    ``skipped``."""
    return _doc_quads(store, fill(_DOCUMENTS, graphs=_graphs_of(docs), skipped=skipped))


def _link_quads(links: Iterable[MentionLink]) -> list[ox.Quad]:
    """The ``schema:mentions`` quads of ``links``, each in its document's graph."""
    found: list[ox.Quad] = []
    terms: dict[str, tuple[ox.NamedNode, ox.NamedNode]] = {}  # doc -> (doc, its graph)
    entities: dict[str, ox.NamedNode] = {}
    for link in links:
        doc = terms.get(link.doc)
        if doc is None:
            graph = ox.NamedNode(doc_graph_iri(link.doc.removeprefix(str(DOC))))
            doc = terms[link.doc] = (ox.NamedNode(link.doc), graph)
        entity = entities.get(link.entity)
        if entity is None:
            entity = entities[link.entity] = ox.NamedNode(link.entity)
        found.append(ox.Quad(doc[0], _MENTIONS, entity, doc[1]))
    return found


def _mention_quads(store: Store, egos: Sequence[str], docs: Sequence[str]) -> list[ox.Quad]:
    """The quads of the first mention of each ego in each of ``docs`` (annotation, target,
    selectors): named from the annotation's IRI where :mod:`graph.rdf` minted it, else
    found through the annotation's selectors (:func:`graph.read.ego.ego_mentions`)."""
    wanted = set(docs)
    found: list[ox.Quad] = []
    for ego in sorted(set(egos)):
        firsts = {
            f"{m.document}#m-{m.first.start}-{m.first.end}": m.document
            for m in entity_mentions(store, ego)
            if m.document in wanted
        }
        quads, rest = _annotation_quads(store, firsts)
        found += quads
        if rest:
            others = {n for m in ego_mentions(store, ego, {firsts[a] for a in rest}) for n in m.nodes}
            found += _node_quads(store, others)
    return found


def _fact_slots(egos: Sequence[str]) -> list[dict[str, ox.NamedNode]]:
    """The slots of :data:`graph.read.ego.EGO_FACTS` for each ego and kind of fact."""
    return [
        {"ego": iri(ego), "role": iri(str(role)), "other": iri(str(other)), "links": iri(str(LINKS_GRAPH))}
        for ego in sorted(set(egos))
        for role, other in FACT_ROLES.values()
    ]


def _fact_quads(store: Store, slots: dict[str, ox.NamedNode], docs: set[str]) -> list[ox.Quad]:
    """The quads of the events or stances (as ``slots`` say) of an ego reported in ``docs``."""
    facts: dict[str, list[ox.Quad]] = {}
    for quad in _doc_quads(store, fill(EGO_FACTS, **slots)):
        facts.setdefault(quad.subject.value, []).append(quad)  # type: ignore[union-attr]
    kept: list[ox.Quad] = []
    for quads in facts.values():
        unique = list(dict.fromkeys(quads))  # a fact of an ego in both roles is read twice
        types = {q.object.value for q in unique if q.predicate.value == _TYPE}  # type: ignore[union-attr]
        sources = sorted(q.object.value for q in unique if q.predicate.value == _DERIVED_FROM)  # type: ignore[union-attr]
        if types & _KINDS and sources and sources[0] in docs:
            kept += unique
    return kept


def _evidence_quads(
    store: Store, slots: dict[str, ox.NamedNode], path: Fragment, graphs: set[str]
) -> list[ox.Quad]:
    """The quads of the nodes ``path`` leads to from the events or stances (as ``slots``
    say) of an ego, in ``graphs``: their evidence annotations, targets or selectors."""
    quads = _doc_quads(store, fill(_FACT_EVIDENCE, path=path, **slots))
    return [q for q in quads if q.graph_name.value in graphs]  # type: ignore[union-attr]


def entity_descriptions(store: Store, entities: Iterable[str]) -> list[ox.Quad]:
    """The quads graph:entities holds about ``entities``."""
    graph = iri(str(ENTITIES_GRAPH))
    found: list[ox.Quad] = []
    for piece in chunks(sorted(set(entities)), 2000):
        sparql = fill(_DESCRIPTIONS, entities=values("s", (iri(e) for e in piece)), graph=graph)
        found += _graph_quads(store, sparql, graph)
    return found


class EntityDescriptions:
    """The descriptions of entities in graph:entities, read once each and kept: every
    export describes the entities its documents name, and graph:entities changes only
    when the store does (keep one per store generation). It holds at most that graph
    (116,000 quads on the UN General Debate store); an ego network of a state names
    7,700 entities, whose descriptions take 0.5 s of reading.

    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> store.update('INSERT DATA { GRAPH <https://w3id.org/policykg/graph/entities> { '
    ...              '<https://w3id.org/policykg/entity/cd> <urn:label> "CD" } }')
    >>> kept = EntityDescriptions()
    >>> [len(kept.quads(store, ["https://w3id.org/policykg/entity/cd", "urn:x"])) for _ in range(2)]
    [1, 1]
    >>> len(kept)
    2
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[ox.Quad, ...]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def quads(self, store: Store, entities: Iterable[str]) -> list[ox.Quad]:
        """The quads describing ``entities``, read from ``store`` for those not kept yet."""
        wanted = set(entities)
        with self._lock:
            missing = wanted.difference(self._kept)
        if missing:
            read: dict[str, list[ox.Quad]] = {e: [] for e in missing}
            for quad in entity_descriptions(store, missing):
                found = read.get(quad.subject.value)  # type: ignore[union-attr]
                if found is not None:
                    found.append(quad)
            with self._lock:
                self._kept.update((e, tuple(qs)) for e, qs in read.items())
        with self._lock:
            return [q for e in sorted(wanted) for q in self._kept[e]]


def named_entities(quads: Iterable[ox.Quad]) -> set[str]:
    """The entities (IRIs of the entity namespace) ``quads`` name as objects."""
    return {
        q.object.value
        for q in quads
        if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(_ENTITY_BASE)
    }


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
    by_doc: dict[str, list[ox.Quad]] = {doc: [] for doc in docs}
    wanted = set(by_doc)
    graphs = {doc_graph_iri(doc.removeprefix(str(DOC))): doc for doc in by_doc}
    known = sorted({link.entity for link in links or ()} | set(egos))
    kept = descriptions if descriptions is not None else EntityDescriptions()
    skipped = _MENTIONS if links is not None else _NOTHING
    # Reads of a few thousand rows each, the longest first, which the store answers at
    # once on as many cores as it has (see the module docstring).
    facts = _fact_slots(egos)
    reads: list[Callable[[], list[ox.Quad]]] = [
        partial(_mention_quads, store, egos, list(by_doc)),
        *(partial(_evidence_quads, store, f, path, set(graphs)) for f in facts for path in _EVIDENCE_PATHS),
        *(partial(_fact_quads, store, slots, wanted) for slots in facts),
        *(partial(_document_descriptions, store, piece, skipped) for piece in chunks(list(by_doc), 400)),
    ]
    described = [partial(kept.quads, store, piece) for piece in chunks(known, 2000)]
    with ThreadPoolExecutor(2) as pool:
        results = [pool.submit(read) for read in reads]
        entity_quads = [pool.submit(read) for read in described]
        for quad in _link_quads(links or ()):  # meanwhile, on this thread
            found_in = by_doc.get(quad.subject.value)  # type: ignore[union-attr]
            if found_in is not None:
                found_in.append(quad)
        found = [q for result in results for q in result.result()]
        descriptions_found = [q for result in entity_quads for q in result.result()]
    found = list(dict.fromkeys(found))  # a target read as a mention's and as evidence's once
    for quad in found:
        doc = graphs.get(quad.graph_name.value)  # type: ignore[union-attr]
        if doc is not None:
            by_doc[doc].append(quad)
    # Who else is named (actors, speakers, holders, ...): the links' entities are known.
    descriptions_found += kept.quads(store, named_entities(found).difference(known))
    return [*by_doc.items(), (None, descriptions_found)]


__all__ = ["EntityDescriptions", "ego_quads", "entity_descriptions", "named_entities"]
