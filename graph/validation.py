"""SHACL validation of a store, graph by graph (``policykg validate``).

Each named graph must conform on its own to ``ontology/shapes.ttl``: the data graph of
one pyshacl run is one store graph (a document graph with the entities graph's
descriptions of the entities it names) plus the vocabulary (``ontology/policykg.ttl``,
``ontology/topics.ttl``: class hierarchy and topic concepts). pyshacl would validate an
rdflib ``Dataset`` as the union of its graphs, which hides per-graph faults (two
documents giving one entity different labels) and cannot say which document failed, so
graphs are validated one by one; batches of graphs go to worker processes when
``workers`` > 1, and the report names each non-conforming graph (document).

The derived links graph is also checked against the documents it derives from
(:func:`graph.links_check.check_links`); a links graph left behind by an interrupted run
makes the store not conform.

pyshacl (rdflib) is the reference SHACL engine in Python, and the slow part: about 5,000
triples a second per core. On very large stores validate a sample
(:func:`sample_graphs`) or chosen graphs.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.links_check import LinksCheck, check_links
from graph.store import Store
from ontology.namespace import GRAPH

if TYPE_CHECKING:
    import rdflib

#: Files of the ``ontology`` package (read with importlib.resources).
SHAPES_FILE = "shapes.ttl"
VOCABULARY_FILES = ("policykg.ttl", "topics.ttl")
#: Triples per batch of graphs handed to a worker process.
BATCH_TRIPLES = 20_000
_DOC_GRAPHS = str(GRAPH) + "doc/"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(slots=True)
class GraphFailure:
    """A graph that does not conform, with one line per violation."""

    graph: str
    results: list[str]

    @property
    def doc_id(self) -> str | None:
        return self.graph[len(_DOC_GRAPHS):] if self.graph.startswith(_DOC_GRAPHS) else None

    def to_json(self) -> dict[str, Any]:
        return {"graph": self.graph, "document": self.doc_id, "violations": self.results}


@dataclass(slots=True)
class ValidationReport:
    checked: int = 0
    triples: int = 0
    failures: list[GraphFailure] = field(default_factory=list)
    #: Whether the derived links graph agrees with the documents (None: not checked).
    links: LinksCheck | None = None

    @property
    def conforms(self) -> bool:
        return not self.failures and (self.links is None or self.links.agrees)

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "graphs_checked": self.checked,
            "triples": self.triples,
            "failures": [f.to_json() for f in self.failures],
            "links": self.links.to_json() if self.links is not None else None,
        }


@lru_cache(maxsize=1)
def _shapes_and_vocabulary() -> tuple[rdflib.Graph, rdflib.Graph]:
    import rdflib

    package = resources.files("ontology")
    shapes = rdflib.Graph().parse(data=package.joinpath(SHAPES_FILE).read_bytes(), format="turtle")
    vocabulary = rdflib.Graph()
    for name in VOCABULARY_FILES:
        resource = package.joinpath(name)
        if resource.is_file():
            vocabulary.parse(data=resource.read_bytes(), format="turtle")
    return shapes, vocabulary


def _to_rdflib(term: Any) -> Any:
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return rdflib.Literal(term.value)  # rdflib's plain literal is xsd:string
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _graph_of(data: bytes) -> rdflib.Graph:
    """An rdflib graph of the triples of N-Quads ``data`` (parsed by pyoxigraph, which is
    much faster than rdflib's parser), plus the vocabulary."""
    import rdflib

    graph = rdflib.Graph()
    add = graph.add
    for quad in ox.parse(data, ox.RdfFormat.N_QUADS):
        add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
    _, vocabulary = _shapes_and_vocabulary()
    for triple in vocabulary:
        add(triple)
    return graph


def _result_lines(results_graph: rdflib.Graph) -> list[str]:
    from rdflib.namespace import SH

    lines: list[str] = []
    for result in results_graph.subjects(predicate=SH.resultSeverity):
        focus = results_graph.value(result, SH.focusNode)
        path = results_graph.value(result, SH.resultPath)
        value = results_graph.value(result, SH.value)
        message = results_graph.value(result, SH.resultMessage)
        text = f"{focus}"
        if path is not None:
            text += f" {path.n3() if hasattr(path, 'n3') else path}"
        if value is not None:
            shown = str(value)
            text += f" = {shown[:80] + '…' if len(shown) > 80 else shown}"
        if message is not None:
            text += f": {message}"
        lines.append(text)
    return sorted(lines)


def validate_nquads(data: bytes) -> tuple[bool, list[str]]:
    """Validate the triples of N-Quads ``data`` as ONE graph: (conforms, violations).

    Examples
    --------
    >>> nq = (b'<https://w3id.org/policykg/entity/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
    ...       b'<https://w3id.org/policykg/ontology#State> <https://w3id.org/policykg/graph/doc/d> .\\n')
    >>> conforms, lines = validate_nquads(nq)
    >>> conforms, any("prefLabel" in line for line in lines)
    (False, True)
    """
    from pyshacl import validate

    shapes, _ = _shapes_and_vocabulary()
    conforms, results_graph, _ = validate(
        _graph_of(data),
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
    )
    return bool(conforms), ([] if conforms else _result_lines(results_graph))


def _graph_bytes(store: Store, graph: str) -> tuple[bytes, int]:
    quads = list(store.graph_quads(graph))
    count = len(quads)
    if graph.startswith(_DOC_GRAPHS):
        # The entities a document names are described once, in graph:entities: their
        # descriptions join the document's data graph (types for sh:class, labels).
        from graph.entities_graph import descriptions_named_by

        quads.extend(descriptions_named_by(store, graph))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"", count


def _batches(store: Store, graphs: Sequence[str]) -> Iterator[list[tuple[str, bytes, int]]]:
    batch: list[tuple[str, bytes, int]] = []
    size = 0
    for graph in graphs:
        data, count = _graph_bytes(store, graph)
        batch.append((graph, data, count))
        size += count
        if size >= BATCH_TRIPLES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _check_batch(batch: list[tuple[str, bytes, int]]) -> list[GraphFailure]:
    failures: list[GraphFailure] = []
    for graph, data, _ in batch:
        conforms, lines = validate_nquads(data)
        if not conforms:
            failures.append(GraphFailure(graph, lines))
    return failures


def sample_graphs(store: Store, size: int, *, seed: int = 0) -> list[str]:
    """``size`` document graphs drawn at random (reproducibly), plus every graph that is
    not a document graph (ontology, links)."""
    import random

    graphs = store.graphs()
    documents = [g for g in graphs if g.startswith(_DOC_GRAPHS)]
    others = [g for g in graphs if not g.startswith(_DOC_GRAPHS)]
    chosen = random.Random(seed).sample(documents, min(size, len(documents)))
    return sorted(chosen) + others


def validate_store(
    store: Store, graphs: Iterable[str] | None = None, *, workers: int = 1, links: bool = True
) -> ValidationReport:
    """Validate every graph of ``store`` (or ``graphs``) against the SHACL shapes, and
    check that the derived links graph agrees with the documents
    (:func:`graph.links_check.check_links`: marks of interrupted runs, the fingerprint of the
    documents it was refreshed from, a full recomputation on small stores).

    Parameters
    ----------
    store
        The store to check.
    graphs
        Graph IRIs to check; default all.
    workers
        Processes for pyshacl (0: one per core).
    links
        Also check the links graph against the documents.

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> validate_store(OxigraphStore(None)).conforms
    True
    """
    selected = list(graphs) if graphs is not None else store.graphs()
    report = ValidationReport(checked=len(selected))
    count = workers if workers > 0 else (os.cpu_count() or 1)
    if count <= 1:
        for batch in _batches(store, selected):
            report.triples += sum(count for _, _, count in batch)
            report.failures.extend(_check_batch(batch))
    else:
        # forkserver: workers do not inherit the store's threads and file locks.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(count, mp_context=context) as pool:
            running: set[Future[list[GraphFailure]]] = set()
            for batch in _batches(store, selected):
                report.triples += sum(count for _, _, count in batch)
                running.add(pool.submit(_check_batch, batch))
                if len(running) >= 2 * count:  # bounded: chunks are read as workers free up
                    done, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        report.failures.extend(future.result())
            for future in running:
                report.failures.extend(future.result())
    report.failures.sort(key=lambda f: f.graph)
    if links:
        report.links = check_links(store)
    return report
