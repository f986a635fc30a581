"""SHACL validation of a store, graph by graph (``policykg validate``).

Each named graph must conform on its own to ``ontology/shapes.ttl``, with the vocabulary
(``ontology/policykg.ttl``, ``ontology/topics.ttl``) mixed in for the class hierarchy and
the topic concepts. Graphs are validated in chunks (several graphs in one pyshacl run, as
the named graphs of one rdflib ``Dataset``, so each still conforms or fails on its own);
a chunk that fails is validated again graph by graph, so the report names each
non-conforming document. Chunks run in worker processes when ``workers`` > 1.

pyshacl (rdflib) is the reference SHACL engine in Python, and the slow part: a
100,000-triple store validates in tens of seconds per core. Validate a sample with
``graphs=`` on very large stores.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.store import Store
from ontology.namespace import GRAPH, ONTOLOGY_DIR

if TYPE_CHECKING:
    import rdflib

SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
VOCABULARY_FILES = ("policykg.ttl", "topics.ttl")
#: Triples per pyshacl run (several graphs share one run).
CHUNK_TRIPLES = 40_000
_DOC_GRAPHS = str(GRAPH) + "doc/"


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

    @property
    def conforms(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "graphs_checked": self.checked,
            "triples": self.triples,
            "failures": [f.to_json() for f in self.failures],
        }


@lru_cache(maxsize=1)
def _shapes_and_vocabulary() -> tuple[rdflib.Graph, rdflib.Graph]:
    import rdflib

    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    vocabulary = rdflib.Graph()
    for name in VOCABULARY_FILES:
        path = ONTOLOGY_DIR / name
        if path.is_file():
            vocabulary.parse(path, format="turtle")
    return shapes, vocabulary


def _to_rdflib(term: Any) -> Any:
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _dataset(data: bytes) -> rdflib.Dataset:
    """An rdflib Dataset of N-Quads bytes (parsed by pyoxigraph: much faster than rdflib)."""
    import rdflib

    dataset = rdflib.Dataset()
    graphs: dict[str, rdflib.Graph] = {}
    for quad in ox.parse(data, ox.RdfFormat.N_QUADS):
        name = quad.graph_name.value
        graph = graphs.get(name)
        if graph is None:
            graph = graphs[name] = dataset.graph(rdflib.URIRef(name))
        graph.add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
    return dataset


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
    """Validate the graphs of N-Quads ``data`` (each graph on its own): (conforms, violations).

    Examples
    --------
    >>> nq = (b'<https://w3id.org/policykg/entity/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
    ...       b'<https://w3id.org/policykg/ontology#State> <https://w3id.org/policykg/graph/doc/d> .\\n')
    >>> conforms, lines = validate_nquads(nq)
    >>> conforms, any("prefLabel" in line for line in lines)
    (False, True)
    """
    from pyshacl import validate

    shapes, vocabulary = _shapes_and_vocabulary()
    conforms, results_graph, _ = validate(
        _dataset(data),
        shacl_graph=shapes,
        ont_graph=vocabulary,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
    )
    return bool(conforms), ([] if conforms else _result_lines(results_graph))


def _graph_bytes(store: Store, graph: str) -> tuple[bytes, int]:
    quads = list(store.graph_quads(graph))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"", len(quads)


def _chunks(store: Store, graphs: Sequence[str]) -> Iterator[tuple[list[str], bytes, int]]:
    names: list[str] = []
    parts: list[bytes] = []
    size = 0
    for graph in graphs:
        data, count = _graph_bytes(store, graph)
        names.append(graph)
        parts.append(data)
        size += count
        if size >= CHUNK_TRIPLES:
            yield names, b"".join(parts), size
            names, parts, size = [], [], 0
    if names:
        yield names, b"".join(parts), size


def _check_chunk(names: list[str], data: bytes) -> list[GraphFailure]:
    conforms, lines = validate_nquads(data)
    if conforms:
        return []
    if len(names) == 1:
        return [GraphFailure(names[0], lines)]
    # Attribute the violations: split the chunk back into its graphs.
    failures: list[GraphFailure] = []
    by_graph: dict[str, list[bytes]] = {name: [] for name in names}
    for line in data.splitlines(keepends=True):
        graph = line.rsplit(b"<", 1)[-1].split(b">", 1)[0].decode()
        by_graph.setdefault(graph, []).append(line)
    for name in names:
        ok, graph_lines = validate_nquads(b"".join(by_graph[name]))
        if not ok:
            failures.append(GraphFailure(name, graph_lines))
    return failures


def validate_store(
    store: Store, graphs: Iterable[str] | None = None, *, workers: int = 1
) -> ValidationReport:
    """Validate every graph of ``store`` (or ``graphs``) against the SHACL shapes.

    Parameters
    ----------
    store
        The store to check.
    graphs
        Graph IRIs to check; default all.
    workers
        Processes for pyshacl (0: one per core).

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
        for names, data, size in _chunks(store, selected):
            report.triples += size
            report.failures.extend(_check_chunk(names, data))
    else:
        # forkserver: workers do not inherit the store's threads and file locks.
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(count, mp_context=context) as pool:
            running: set[Future[list[GraphFailure]]] = set()
            for names, data, size in _chunks(store, selected):
                report.triples += size
                running.add(pool.submit(_check_chunk, names, data))
                if len(running) >= 2 * count:  # bounded: chunks are read as workers free up
                    done, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        report.failures.extend(future.result())
            for future in running:
                report.failures.extend(future.result())
    report.failures.sort(key=lambda f: f.graph)
    return report
