"""The entities graph: every entity description stored once.

An entity's description (``rdf:type``, ``skos:prefLabel``, ``rdfs:label``,
``skos:altLabel``, ``pkg:acronym``, ``skos:exactMatch``, and for gazetteer entries
``pkg:partOf``, ``pkg:proposer``, ``pkg:state``, ``pkg:iso3``, ``pkg:year``) lives in ONE
named graph, ``https://w3id.org/policykg/graph/entities``; document graphs only say what
the document says (mentions, quotes, events, stances). Queries over the union default
graph therefore meet each description triple once, whatever the number of documents
that name the entity.

Rules of the graph:

- **A set, written by union.** Ingest adds the descriptions :func:`graph.rdf.document_rdf`
  returns beside each document graph (:func:`add_descriptions`); adding a description
  twice changes nothing. Descriptions are written *before* the document graphs that name
  them, so no stored document names an undescribed entity.
- **One preferred label.** An entity keeps the first ``skos:prefLabel`` (and its
  ``rdfs:label``) it was described with; a different preferred label from a later
  document becomes a ``skos:altLabel`` (SKOS allows one ``prefLabel`` per language).
- **The gazetteer is authoritative for its entries.** :func:`load_gazetteer_descriptions`
  (run when the gazetteer files change) replaces the type, preferred label, Wikidata match
  and the gazetteer-only properties of every gazetteer entity; alternative labels and
  acronyms that documents added are kept.
- **Descriptions outlive documents.** Removing a document leaves the descriptions of the
  entities it named: an entity IRI keeps resolving (``GET /entity/{key}``) and a document
  naming it again finds it described. Descriptions are small (about six triples each).
- **Migration.** Stores written before this graph existed carry descriptions in every
  document graph (and the gazetteer's in the ontology graph): :func:`migrate_descriptions`
  moves them here; ingest runs it when :func:`documents_hold_descriptions`, and
  ``policykg migrate`` runs it on demand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.entity_descriptions import gazetteer_quads
from graph.rdf_terms import (
    PKG_ACRONYM,
    PKG_ISO3,
    PKG_PART_OF,
    PKG_PROPOSER,
    PKG_STATE,
    PKG_YEAR,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT,
    SKOS_EXACT,
    SKOS_PREF,
)
from graph.solutions import values_clause
from graph.store import Store
from ontology.namespace import ENTITIES_GRAPH, ENTITY, GRAPH

if TYPE_CHECKING:
    from loaders.gazetteer import Gazetteer

__all__ = [
    "DESCRIPTION_PREDICATES",
    "ENTITIES",
    "MigrationReport",
    "add_descriptions",
    "descriptions_named_by",
    "documents_hold_descriptions",
    "load_gazetteer_descriptions",
    "migrate_descriptions",
]

#: The graph node of the entities graph.
ENTITIES = ox.NamedNode(str(ENTITIES_GRAPH))
#: Predicates of an entity description (what :func:`migrate_descriptions` moves).
DESCRIPTION_PREDICATES = (
    RDF_TYPE, SKOS_PREF, RDFS_LABEL, SKOS_ALT, PKG_ACRONYM, SKOS_EXACT,
    PKG_PART_OF, PKG_PROPOSER, PKG_STATE, PKG_ISO3, PKG_YEAR,
)  # fmt: skip
#: What the gazetteer alone decides for its entries (alt labels and acronyms accumulate).
_GAZETTEER_OWNED = (
    RDF_TYPE, SKOS_PREF, RDFS_LABEL, SKOS_EXACT, PKG_PART_OF, PKG_PROPOSER, PKG_STATE, PKG_ISO3, PKG_YEAR,
)  # fmt: skip
_ENTITY_BASE = str(ENTITY)
_DOC_GRAPHS = str(GRAPH) + "doc/"
#: Subjects per VALUES block and triples per INSERT DATA request.
_CHUNK = 2_000
_INSERT_CHUNK = 20_000


def _triples_text(quads: Sequence[ox.Quad]) -> str:
    """The triples of ``quads`` as N-Triples lines (terms written by pyoxigraph, which
    SPARQL's INSERT DATA reads as they are)."""
    data = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    return (data or b"").decode("utf-8")


def _insert(store: Store, quads: Sequence[ox.Quad], prologue: str = "") -> None:
    """INSERT DATA ``quads`` into the entities graph, in requests of bounded size (the
    first one after ``prologue``, an update run in the same request)."""
    if not quads and not prologue:
        return
    for start in range(0, max(len(quads), 1), _INSERT_CHUNK):
        chunk = quads[start : start + _INSERT_CHUNK]
        body = f"INSERT DATA {{ GRAPH {ENTITIES} {{\n{_triples_text(chunk)}}} }}" if chunk else ""
        request = "; ".join(part for part in ((prologue if start == 0 else ""), body) if part)
        if request:
            store.update(request)


def _existing_labels(store: Store, subjects: Sequence[ox.NamedNode]) -> dict[ox.NamedNode, Any]:
    """The stored ``skos:prefLabel`` of each of ``subjects`` that has one."""
    found: dict[ox.NamedNode, Any] = {}
    for start in range(0, len(subjects), _CHUNK):
        chunk = subjects[start : start + _CHUNK]
        sparql = (
            f"SELECT ?e ?l WHERE {{ {values_clause('e', (s.value for s in chunk))} "
            f"GRAPH {ENTITIES} {{ ?e {SKOS_PREF} ?l }} }}"
        )
        for row in store.query(sparql, union_default_graph=False):
            subject = row["e"]
            if isinstance(subject, ox.NamedNode):
                # The smallest label wins when an older store holds several.
                label = row["l"]
                current = found.get(subject)
                if current is None or str(label) < str(current):
                    found[subject] = label
    return found


def settle_labels(
    quads: Iterable[ox.Quad], existing: dict[ox.NamedNode, Any] | None = None
) -> list[ox.Quad]:
    """``quads`` moved into the entities graph, without repeats, keeping ONE preferred
    label per entity: the ``existing`` one, else the first met; any other preferred label
    (and its ``rdfs:label``) becomes a ``skos:altLabel``.

    Examples
    --------
    >>> e, g = ox.NamedNode("https://w3id.org/policykg/entity/x"), ox.DefaultGraph()
    >>> quads = [ox.Quad(e, SKOS_PREF, ox.Literal("X Treaty"), g),
    ...          ox.Quad(e, RDFS_LABEL, ox.Literal("X Treaty"), g),
    ...          ox.Quad(e, SKOS_PREF, ox.Literal("Treaty X"), g),
    ...          ox.Quad(e, RDFS_LABEL, ox.Literal("Treaty X"), g),
    ...          ox.Quad(e, SKOS_PREF, ox.Literal("X Treaty"), g)]
    >>> [(q.predicate.value.rsplit("#", 1)[1], q.object.value) for q in settle_labels(quads)]
    [('prefLabel', 'X Treaty'), ('label', 'X Treaty'), ('altLabel', 'Treaty X')]
    """
    quads = list(quads)
    chosen: dict[Any, Any] = dict(existing or {})
    for quad in quads:
        if quad.predicate == SKOS_PREF:
            chosen.setdefault(quad.subject, quad.object)
    out: dict[ox.Quad, None] = {}
    for quad in quads:
        predicate = quad.predicate
        if predicate in (SKOS_PREF, RDFS_LABEL) and chosen.get(quad.subject, quad.object) != quad.object:
            predicate = SKOS_ALT
        out.setdefault(ox.Quad(quad.subject, predicate, quad.object, ENTITIES), None)
    return list(out)


def add_descriptions(store: Store, quads: Iterable[ox.Quad]) -> int:
    """Add entity descriptions to the entities graph (whatever graph ``quads`` name),
    keeping one preferred label per entity (see :func:`settle_labels`); the number of
    quads sent (already stored ones included: the graph is a set).

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> from graph.entity_descriptions import EntityDescription, entity_description
    >>> store = OxigraphStore(None)
    >>> first = EntityDescription("x", "X Treaty", "Instrument")
    >>> again = EntityDescription("x", "Treaty X", "Instrument", ("The X",))
    >>> _ = add_descriptions(store, entity_description(first, ENTITIES))
    >>> _ = add_descriptions(store, entity_description(again, ENTITIES))
    >>> sorted((q.predicate.value.rsplit("#", 1)[1], q.object.value)
    ...        for q in store.graph_quads(ENTITIES.value) if q.predicate != RDF_TYPE)
    [('altLabel', 'The X'), ('altLabel', 'Treaty X'), ('label', 'X Treaty'), ('prefLabel', 'X Treaty')]
    """
    quads = list(quads)
    if not quads:
        return 0
    subjects = list(
        dict.fromkeys(
            q.subject for q in quads if q.predicate == SKOS_PREF and isinstance(q.subject, ox.NamedNode)
        )
    )
    settled = settle_labels(quads, _existing_labels(store, subjects))
    _insert(store, settled)
    return len(settled)


def load_gazetteer_descriptions(store: Store, gazetteer: Gazetteer) -> int:
    """Write the gazetteer's descriptions into the entities graph, replacing what the
    gazetteer decides for its entries (type, preferred label, Wikidata match, parent,
    proposer, state, ISO code, year) and keeping the alternative labels and acronyms that
    documents added; one update request. Returns the number of gazetteer quads."""
    quads = gazetteer_quads(gazetteer, ENTITIES.value)
    subjects = list(dict.fromkeys(q.subject for q in quads if isinstance(q.subject, ox.NamedNode)))
    deletes = [
        f"DELETE {{ GRAPH {ENTITIES} {{ ?e ?p ?o }} }} WHERE {{ "
        f"{values_clause('e', (s.value for s in subjects[i : i + _CHUNK]))} "
        f"{values_clause('p', (p.value for p in _GAZETTEER_OWNED))} GRAPH {ENTITIES} {{ ?e ?p ?o }} }}"
        for i in range(0, len(subjects), _CHUNK)
    ]
    _insert(store, settle_labels(quads), "; ".join(deletes))
    return len(quads)


def descriptions_named_by(store: Store, graph: str) -> list[ox.Quad]:
    """The entities graph's descriptions of every entity that ``graph`` names (as an
    object), filed under ``graph``: a document graph with them is self-contained, which
    is what SHACL validation of one graph needs (``sh:class pkg:NamedEntity``)."""
    node = ox.NamedNode(graph)
    sparql = (
        f"SELECT DISTINCT ?e ?p ?o WHERE {{ GRAPH {node} {{ ?x ?y ?e }} "
        f'FILTER(isIRI(?e) && STRSTARTS(STR(?e), "{_ENTITY_BASE}")) GRAPH {ENTITIES} {{ ?e ?p ?o }} }}'
    )
    return [
        ox.Quad(row["e"], row["p"], row["o"], node)
        for row in store.query(sparql, union_default_graph=False)
    ]


def documents_hold_descriptions(store: Store) -> bool:
    """True when some document graph still holds entity descriptions (a store written
    before the entities graph existed): then :func:`migrate_descriptions` is due."""
    answer = store.query(
        f"ASK {{ GRAPH ?g {{ ?e {SKOS_PREF} ?l }} "
        f'FILTER(STRSTARTS(STR(?g), "{_DOC_GRAPHS}") && STRSTARTS(STR(?e), "{_ENTITY_BASE}")) }}',
        union_default_graph=False,
    )
    return bool(answer)


@dataclass(slots=True)
class MigrationReport:
    """What :func:`migrate_descriptions` did."""

    graphs: int = 0
    removed: int = 0
    added: int = 0

    def to_json(self) -> dict[str, int]:
        return {"document_graphs": self.graphs, "quads_removed": self.removed, "quads_added": self.added}


def migrate_descriptions(store: Store, *, graphs_per_step: int = 200) -> MigrationReport:
    """Move the entity descriptions out of the document graphs into the entities graph.

    Per step of ``graphs_per_step`` document graphs: the descriptions are read, added to
    the entities graph (one preferred label per entity), then deleted from the document
    graphs; adding before deleting means an interruption loses nothing, and a second run
    finishes the job. Running it on a migrated store does nothing.
    """
    report = MigrationReport()
    rows = store.query(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?e {SKOS_PREF} ?l }} "
        f'FILTER(STRSTARTS(STR(?g), "{_DOC_GRAPHS}") && STRSTARTS(STR(?e), "{_ENTITY_BASE}")) }}',
        union_default_graph=False,
    )
    graphs = sorted((row["g"] for row in rows), key=str)
    allowed = ", ".join(str(p) for p in DESCRIPTION_PREDICATES)
    for start in range(0, len(graphs), graphs_per_step):
        step = graphs[start : start + graphs_per_step]
        # One graph per pattern, as a constant: Oxigraph then reads that graph alone.
        patterns = [
            f"GRAPH {graph} {{ ?e ?p ?o "
            f'FILTER(STRSTARTS(STR(?e), "{_ENTITY_BASE}") && ?p IN ({allowed})) }}'
            for graph in step
        ]
        found = [
            ox.Quad(row["e"], row["p"], row["o"], graph)
            for graph, pattern in zip(step, patterns, strict=True)
            for row in store.query(f"SELECT ?e ?p ?o WHERE {{ {pattern} }}", union_default_graph=False)
        ]
        report.added += add_descriptions(store, found)
        store.update(
            " ;\n".join(
                f"DELETE {{ GRAPH {graph} {{ ?e ?p ?o }} }} WHERE {{ {pattern} }}"
                for graph, pattern in zip(step, patterns, strict=True)
            )
        )
        report.graphs += len(step)
        report.removed += len(found)
    return report
