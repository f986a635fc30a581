"""The links graph's description of itself: pending marks, the rebuild mark, the fingerprint.

The links graph describes itself (subject: the graph's IRI), so that no crash can leave
it silently out of date:

- ``pkg:pendingDocument <doc>``: written BEFORE a document graph is written or removed
  (ingest, removal; :func:`mark_pending`), cleared by the refresh that takes the document
  into account. A process killed between the two leaves the mark, and the next refresh
  includes it.
- ``pkg:rebuildStarted``: written in the same transaction that drops the graph for a
  large non-atomic rebuild, cleared after the last chunk is loaded. Found later, it
  means the graph is partial: the next refresh rebuilds it in full.
- ``pkg:documentsFingerprint`` and ``pkg:documentCount``: SHA-256 of the stored
  ``(document id, content sha256)`` pairs at the last refresh, written in the same
  transaction as the refreshed links; ``policykg validate`` compares it with the store
  (:mod:`graph.links_check`).

:mod:`graph.derived` reads and writes these marks around its rebuild and refresh.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from graph.rdf_terms import pkg
from graph.store import Store
from ontology.namespace import GRAPH, LINKS_GRAPH, doc_iri, sparql_prefixes

_LINKS = f"<{LINKS_GRAPH}>"
LINKS_NODE = ox.NamedNode(str(LINKS_GRAPH))
PKG_PENDING_DOCUMENT = pkg("pendingDocument")
PKG_REBUILD_STARTED = pkg("rebuildStarted")
PKG_DOCUMENTS_FINGERPRINT = pkg("documentsFingerprint")
PKG_DOCUMENT_COUNT = pkg("documentCount")
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_DOC_GRAPHS = str(GRAPH) + "doc/"


def document_ref(value: str) -> str:
    """The IRI of a document given by id or IRI (ingest and refresh accept both).

    >>> document_ref("d1")
    'https://w3id.org/policykg/doc/d1'
    """
    return value if value.startswith(("http://", "https://")) else doc_iri(value)


@dataclass(frozen=True, slots=True)
class LinksState:
    """What the links graph says about itself (see the module docstring)."""

    built: bool
    rebuilding: bool
    pending: tuple[str, ...]
    fingerprint: str | None
    document_count: int | None

    @property
    def stale(self) -> bool:
        """True when a refresh has work left over from an interrupted run."""
        return self.rebuilding or bool(self.pending)


def links_state(store: Store) -> LinksState:
    """Read the links graph's own description (two small queries)."""
    built = bool(store.query(
        f"ASK {{ GRAPH {_LINKS} {{ {{ {LINKS_NODE} <{PKG_DOCUMENTS_FINGERPRINT.value}> ?f }}"
        f" UNION {{ ?rule a <http://www.w3.org/ns/prov#Activity> }} }} }}"
    ))
    rebuilding = False
    pending: list[str] = []
    fingerprint: str | None = None
    count: int | None = None
    query = f"SELECT ?p ?o WHERE {{ GRAPH {_LINKS} {{ {LINKS_NODE} ?p ?o }} }}"
    for row in store.query(query):
        predicate, value = row["p"], row["o"]
        if predicate == PKG_PENDING_DOCUMENT:
            pending.append(str(value.value))
        elif predicate == PKG_REBUILD_STARTED:
            rebuilding = True
        elif predicate == PKG_DOCUMENTS_FINGERPRINT:
            fingerprint = str(value.value)
        elif predicate == PKG_DOCUMENT_COUNT:
            count = int(value.value)
    return LinksState(built, rebuilding, tuple(sorted(pending)), fingerprint, count)


def documents_fingerprint(store: Store) -> tuple[str, int]:
    """SHA-256 over the sorted ``(document id, content sha256)`` pairs of every document
    graph, and the number of documents."""
    import hashlib

    query = sparql_prefixes() + (
        "SELECT ?g ?id ?sha WHERE { GRAPH ?g { ?d a pkg:Document ; dcterms:identifier ?id ."
        " OPTIONAL { ?d pkg:sha256 ?sha } } }"
    )
    pairs = sorted(
        (str(row["id"].value), str(row["sha"].value) if row["sha"] is not None else "")
        for row in store.query(query, union_default_graph=False)
        if str(row["g"].value).startswith(_DOC_GRAPHS)
    )
    digest = hashlib.sha256()
    for doc_id, sha in pairs:
        digest.update(f"{doc_id}\t{sha}\n".encode())
    return digest.hexdigest(), len(pairs)


def fingerprint_quads(fingerprint: str, count: int) -> list[ox.Quad]:
    """The fingerprint and document count, as quads of the links graph."""
    return [
        ox.Quad(LINKS_NODE, PKG_DOCUMENTS_FINGERPRINT, ox.Literal(fingerprint), LINKS_NODE),
        ox.Quad(LINKS_NODE, PKG_DOCUMENT_COUNT, ox.Literal(str(count), datatype=_XSD_INTEGER), LINKS_NODE),
    ]


def _triples(quads: Iterable[ox.Quad]) -> str:
    return "".join(f"{q.triple} .\n" for q in quads)


def mark_pending(store: Store, doc_ids: Iterable[str]) -> None:
    """Record, before documents are written or removed, that the links graph has not
    taken them into account yet (one small transaction)."""
    quads = [
        ox.Quad(LINKS_NODE, PKG_PENDING_DOCUMENT, ox.NamedNode(document_ref(d)), LINKS_NODE) for d in doc_ids
    ]
    if quads:
        store.update(f"INSERT DATA {{ GRAPH {_LINKS} {{ {_triples(quads)} }} }}")


def rebuild_mark() -> ox.Quad:
    """The ``pkg:rebuildStarted`` mark of a rebuild that starts now: written with the drop
    of a large non-atomic rebuild, cleared by :func:`clear_mark` after its last chunk."""
    stamp = ox.Literal(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), datatype=_XSD_DATETIME)
    return ox.Quad(LINKS_NODE, PKG_REBUILD_STARTED, stamp, LINKS_NODE)


def clear_mark(store: Store, mark: ox.Quad) -> None:
    """Remove one mark from the links graph (one small transaction)."""
    store.update(f"DELETE DATA {{ GRAPH {_LINKS} {{ {_triples([mark])} }} }}")


def state_request(pending: Iterable[str], fingerprint: str, count: int) -> str:
    """SPARQL Update parts that clear the pending marks read and record the fingerprint."""
    marks = [ox.Quad(LINKS_NODE, PKG_PENDING_DOCUMENT, ox.NamedNode(d), LINKS_NODE) for d in pending]
    parts = [
        f"DELETE WHERE {{ GRAPH {_LINKS} {{ {LINKS_NODE} <{PKG_DOCUMENTS_FINGERPRINT.value}> ?f }} }}",
        f"DELETE WHERE {{ GRAPH {_LINKS} {{ {LINKS_NODE} <{PKG_DOCUMENT_COUNT.value}> ?n }} }}",
        f"INSERT DATA {{ GRAPH {_LINKS} {{ {_triples(fingerprint_quads(fingerprint, count))} }} }}",
    ]
    if marks:
        parts.insert(0, f"DELETE DATA {{ GRAPH {_LINKS} {{ {_triples(marks)} }} }}")
    return " ;\n" + " ;\n".join(parts)
