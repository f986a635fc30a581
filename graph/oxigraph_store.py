"""The embedded store: a persistent Oxigraph (RocksDB) database in a folder.

Writes are atomic: :meth:`OxigraphStore.replace_graph` and
:meth:`OxigraphStore.replace_graphs` remove and re-add graphs in ONE Oxigraph transaction
(a single SPARQL Update request, which Oxigraph applies all-or-nothing), so a reader never
sees a document half-written and a crash leaves the previous content in place. Large
batches of brand-new graphs (a first ingest) go through Oxigraph's bulk loader instead,
kept to one atomic RocksDB file ingestion (see :data:`BULK_MAX_QUADS`): RocksDB
transactions cost tens of microseconds a quad, which would make a 10,000-speech corpus
take most of an hour to write.

Query time limits: pyoxigraph (0.4, 0.5) cannot cancel a running query, so a query with a time
limit is evaluated (and its results fully read) on a daemon thread; when the limit passes
first, :class:`graph.store.QueryTimeout` is raised at once and the abandoned evaluation
finishes in the background (pyoxigraph releases the GIL while it evaluates, so it slows
nothing but one core). Results of a limited query are therefore read in full (as SPARQL
JSON results or N-Triples, parsed back in the calling thread); queries without a limit
stream.

pyoxigraph result objects are bound to the thread that created them ("unsendable"):
consume a result in the thread that called :meth:`OxigraphStore.query`.

Readers and writers in other processes: RocksDB keeps a second writer out, but not a
reader, and Oxigraph documents a read-only store opened while another process writes as
undefined behaviour. So every store on disk also takes an advisory lock on
``<folder>/policykg.lock`` (shared for reading, exclusive for writing): ``policykg ingest``
refuses, with a clear error, to write under a running ``policykg serve``, and a server
refuses to start on a store an ingest is writing.
"""

from __future__ import annotations

import fcntl
import io
import os
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.store import QueryTimeout, StoreError
from graph.terms import fill

#: Brand-new graphs totalling at least this many quads are written with Oxigraph's bulk
#: loader (several times faster than a transaction at that size) ...
BULK_MIN_QUADS = 20_000
#: ... and at most this many: the bulk loader (as read in pyoxigraph 0.4) turns up to
#: 1,000,000 quads into one set of SST files ingested by ONE RocksDB
#: ``IngestExternalFiles`` call over all column families, which RocksDB applies
#: atomically. Larger writes go through a transaction.
BULK_MAX_QUADS = 900_000

#: What a SPARQL query string hides keywords in: strings, IRIs and comments.
_STRING_RE = re.compile(
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"",
    re.DOTALL,
)
_IRI_RE = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_COMMENT_RE = re.compile(r"#[^\n]*")
_FROM_RE = re.compile(r"\bFROM\b", re.IGNORECASE)


def query_declares_dataset(sparql: str) -> bool:
    """True when the query has its own ``FROM``/``FROM NAMED`` clauses.

    Such a query defines its dataset itself, so the store must not force the union
    default graph on it.

    Examples
    --------
    >>> query_declares_dataset("SELECT * FROM <http://e/g> WHERE { ?s ?p ?o }")
    True
    >>> query_declares_dataset('SELECT * WHERE { ?s ?p "FROM" } # FROM')
    False
    """
    stripped = _STRING_RE.sub('""', sparql)
    stripped = _IRI_RE.sub("<>", stripped)
    stripped = _COMMENT_RE.sub("", stripped)
    return bool(_FROM_RE.search(stripped))


def _graph_node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise StoreError(f"not a valid graph IRI: {iri!r} ({exc})") from exc


def _serialise(result: Any) -> tuple[str, bytes]:
    """Read a query result completely into bytes (in the thread that evaluated it)."""
    buffer = io.BytesIO()
    if isinstance(result, ox.QueryTriples):
        result.serialize(buffer, ox.RdfFormat.N_TRIPLES)
        return "triples", buffer.getvalue()
    result.serialize(buffer, ox.QueryResultsFormat.JSON)
    return "results", buffer.getvalue()


def _deserialise(kind: str, data: bytes) -> Any:
    """The pyoxigraph value of :func:`_serialise`'s output (in the calling thread)."""
    if kind == "triples":
        return [quad.triple for quad in ox.parse(data, ox.RdfFormat.N_TRIPLES)]
    return ox.parse_query_results(data, ox.QueryResultsFormat.JSON)


class OxigraphStore:
    """A persistent Oxigraph store in ``path`` (created when missing).

    Parameters
    ----------
    path
        Folder of the RocksDB database; ``None`` gives a temporary in-memory store.
    read_only
        Open an existing store for reading only (no write lock is taken, so a second
        process may read while none writes).

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> store = OxigraphStore(None)
    >>> g = "https://w3id.org/policykg/graph/doc/d1"
    >>> quad = ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"),
    ...                ox.Literal("v"), ox.NamedNode(g))
    >>> store.replace_graph(g, [quad])
    >>> store.graphs(), store.quad_count(g)
    (['https://w3id.org/policykg/graph/doc/d1'], 1)
    >>> [str(s["o"].value) for s in store.query("SELECT ?o WHERE { ?s ?p ?o }")]
    ['v']
    >>> store.drop_graph(g), store.quad_count()
    (True, 0)
    """

    def __init__(self, path: str | Path | None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._lock_fd: int | None = None
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                if not Path(path).is_dir():
                    raise StoreError(f"no store at {path}: run `policykg ingest` first")
                self._lock_fd = _lock_folder(Path(path), exclusive=False)
                self._store = ox.Store.read_only(str(path))
            else:
                Path(path).mkdir(parents=True, exist_ok=True)
                self._lock_fd = _lock_folder(Path(path), exclusive=True)
                self._store = ox.Store(str(path))
        except (OSError, RuntimeError) as exc:
            self._unlock()
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        except StoreError:
            self._unlock()
            raise
        # One writer at a time inside this process (RocksDB already keeps other processes out).
        self._write_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OxigraphStore({str(self.path) if self.path else None!r}, read_only={self.read_only})"

    @property
    def native(self) -> ox.Store:
        """The underlying ``pyoxigraph.Store`` (for bulk reads such as dumps)."""
        return self._store

    # -- reading -------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        union_default_graph: bool = True,
        timeout_s: float | None = None,
    ) -> Any:
        """Run a SPARQL query; see :meth:`graph.store.Store.query`.

        The dataset follows the SPARQL protocol: ``default_graph``/``named_graphs`` (the
        ``default-graph-uri``/``named-graph-uri`` parameters) override the query's own
        ``FROM``/``FROM NAMED``; with neither, the default graph is the union of all
        graphs when ``union_default_graph`` is true.

        Raises
        ------
        SyntaxError
            The query does not parse.
        QueryTimeout
            ``timeout_s`` passed before the results were read.
        StoreError
            The store failed to evaluate the query.

        Examples
        --------
        >>> store = OxigraphStore(None)
        >>> bool(store.query("ASK { FILTER(1 < 2) }"))
        True
        """
        kwargs: dict[str, Any] = {}
        if default_graph is not None:
            kwargs["default_graph"] = [_graph_node(g) for g in default_graph]
        if named_graphs is not None:
            kwargs["named_graphs"] = [_graph_node(g) for g in named_graphs]
        if (
            union_default_graph
            and default_graph is None
            and named_graphs is None
            and not query_declares_dataset(sparql)
        ):
            kwargs["use_default_graph_as_union"] = True
        if timeout_s is None:
            try:
                return self._store.query(sparql, **kwargs)
            except OSError as exc:
                raise StoreError(f"query failed: {exc}") from exc
        return self._query_with_deadline(sparql, kwargs, timeout_s)

    def _query_with_deadline(self, sparql: str, kwargs: dict[str, Any], timeout_s: float) -> Any:
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["value"] = _serialise(self._store.query(sparql, **kwargs))
            except BaseException as exc:  # handed to the waiting thread
                outcome["error"] = exc

        worker = threading.Thread(target=run, name="policykg-query", daemon=True)
        worker.start()
        worker.join(timeout_s)
        if worker.is_alive():
            raise QueryTimeout(f"query ran longer than {timeout_s:g} s and was abandoned")
        if "error" in outcome:
            error = outcome["error"]
            if isinstance(error, OSError):
                raise StoreError(f"query failed: {error}") from error
            raise error
        return _deserialise(*outcome["value"])

    def graphs(self) -> list[str]:
        """IRIs of every named graph, sorted."""
        return sorted(g.value for g in self._store.named_graphs())

    def has_graph(self, graph: str) -> bool:
        return bool(self._store.contains_named_graph(_graph_node(graph)))

    def graph_quads(self, graph: str) -> Iterable[ox.Quad]:
        """Every quad of one named graph (an empty iterator when it does not exist)."""
        return self._store.quads_for_pattern(None, None, None, _graph_node(graph))

    def quad_count(self, graph: str | None = None) -> int:
        """Number of quads in ``graph``, or in the whole store (all graphs) when ``None``."""
        if graph is None:
            return len(self._store)
        result = self._store.query(
            fill("SELECT (COUNT(*) AS ?n) WHERE { GRAPH $graph { ?s ?p ?o } }", graph=_graph_node(graph))
        )
        assert isinstance(result, ox.QuerySolutions)
        for solution in result:
            return int(solution["n"].value)
        return 0

    # -- writing -------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only")

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update request (one transaction)."""
        self._check_writable()
        with self._write_lock:
            try:
                self._store.update(sparql)
            except OSError as exc:
                raise StoreError(f"update failed: {exc}") from exc

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Atomically replace the content of one named graph.

        Every quad must name ``graph``; an empty ``quads`` leaves the graph removed.
        """
        self.replace_graphs({graph: list(quads)})

    def replace_graphs(self, graphs: dict[str, list[ox.Quad]]) -> None:
        """Replace several named graphs in ONE transaction: all of them change, or none.

        Raises
        ------
        StoreError
            A quad names another graph than the one it is filed under, or the write failed
            (the store is then unchanged).
        """
        self._check_writable()
        if not graphs:
            return
        for graph, quads in graphs.items():
            node = _graph_node(graph)
            for quad in quads:
                if quad.graph_name != node:
                    raise StoreError(f"quad {quad} is filed under graph <{graph}> but names another graph")
        total = sum(len(quads) for quads in graphs.values())
        with self._write_lock:
            try:
                if any(self._store.contains_named_graph(_graph_node(g)) for g in graphs):
                    # Drop and insert in one SPARQL Update request: one transaction.
                    self._store.update(_replace_request(graphs))
                elif BULK_MIN_QUADS <= total <= BULK_MAX_QUADS:
                    # New graphs only: one atomic SST ingestion (see BULK_MAX_QUADS).
                    self._store.bulk_extend([q for quads in graphs.values() for q in quads])
                else:
                    # New graphs only: one transactional insert, no text round trip.
                    self._store.extend(q for quads in graphs.values() for q in quads)
            except OSError as exc:
                raise StoreError(f"writing graphs {sorted(graphs)[:3]}... failed: {exc}") from exc

    def rewrite_graph(self, graph: str, quads: Sequence[ox.Quad], *, first: Sequence[ox.Quad] = ()) -> None:
        """Replace a large graph that can be recomputed (the derived links graph): drop it,
        then bulk-load the new content in chunks.

        Unlike :meth:`replace_graph` this is NOT atomic: for the seconds the load takes,
        readers may see the graph empty or partial, and a crash leaves it partial (rebuild
        it). In exchange it needs no transaction the size of the graph: replacing 1.7M
        derived quads of the UN General Debate corpus in one transaction held 8 GB.
        ``first`` quads are inserted in the same transaction as the drop: a mark saying
        that the graph is being rebuilt survives a crash during the load (see
        :mod:`graph.derived`).
        """
        self._check_writable()
        node = _graph_node(graph)
        for quad in (*first, *quads):
            if quad.graph_name != node:
                raise StoreError(f"quad {quad} is filed under graph <{graph}> but names another graph")
        with self._write_lock:
            try:
                marks = "".join(f"{q.triple} .\n" for q in first)
                insert = ""
                if marks:
                    insert = fill(" ; INSERT DATA { GRAPH $graph { ", graph=node) + marks + " } }"
                self._store.update(fill("DROP SILENT GRAPH $graph", graph=node) + insert)
                for start in range(0, len(quads), BULK_MAX_QUADS):
                    self._store.bulk_extend(quads[start : start + BULK_MAX_QUADS])
            except OSError as exc:
                raise StoreError(f"rewriting graph <{graph}> failed: {exc}") from exc

    def load_new_graphs(self, graphs: Sequence[str], nquads: bytes) -> None:
        """Add brand-new named graphs from N-Quads ``nquads`` in one atomic step.

        The fast path of ingest: no Python quad objects, and the GIL is released while
        pyoxigraph parses and loads. ``graphs`` are the graphs the data fills; none may
        exist yet (replacing a graph needs :meth:`replace_graph`). Up to
        :data:`BULK_MAX_QUADS` quads go through the bulk loader's single atomic ingestion,
        smaller loads (under :data:`BULK_MIN_QUADS`) and larger ones through a transaction.

        Raises
        ------
        StoreError
            A graph exists already, a quad names a graph outside ``graphs``, or the data
            do not parse; nothing is written then.

        Examples
        --------
        >>> store = OxigraphStore(None)
        >>> g = "https://w3id.org/policykg/graph/doc/d1"
        >>> store.load_new_graphs([g], f'<http://e/s> <http://e/p> "v" <{g}> .\\n'.encode())
        >>> store.quad_count(g)
        1
        """
        self._check_writable()
        nodes = {_graph_node(g) for g in graphs}
        count = nquads.count(b"\n")
        with self._write_lock:
            existing = sorted(n.value for n in nodes if self._store.contains_named_graph(n))
            if existing:
                raise StoreError(f"graphs exist already: {', '.join(existing[:3])}")
            try:
                if BULK_MIN_QUADS <= count <= BULK_MAX_QUADS and self._graphs_match(nquads, nodes):
                    self._store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
                    return
                quads = list(ox.parse(nquads, ox.RdfFormat.N_QUADS))
                strays = {q.graph_name for q in quads} - nodes
                if strays:
                    shown = sorted(str(g) for g in strays)[:3]
                    raise StoreError(f"data name graphs outside the ones being added: {shown}")
                self._store.extend(quads)
            except (OSError, SyntaxError, ValueError) as exc:
                raise StoreError(f"loading graphs {sorted(graphs)[:3]}... failed: {exc}") from exc

    @staticmethod
    def _graphs_match(nquads: bytes, nodes: set[ox.NamedNode]) -> bool:
        """True when every N-Quads line names one of ``nodes`` as its graph (the last term
        of a line), checked on the bytes without parsing."""
        allowed = {f"{n.value}> .".encode() for n in nodes}
        return all(
            line.rsplit(b" <", 1)[-1].rstrip() in allowed for line in nquads.split(b"\n") if line.strip()
        )

    def drop_graph(self, graph: str) -> bool:
        """Remove one named graph and its quads; True when it existed."""
        self._check_writable()
        node = _graph_node(graph)
        with self._write_lock:
            if not self._store.contains_named_graph(node):
                return False
            try:
                self._store.update(fill("DROP GRAPH $graph", graph=node))
            except OSError as exc:
                raise StoreError(f"removing graph <{graph}> failed: {exc}") from exc
            return True

    def load_graph_file(self, graph: str, path: Path, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> None:
        """Replace ``graph`` with the triples of an RDF file (one transaction)."""
        node = _graph_node(graph)
        try:
            triples = ox.parse(path=str(path), format=fmt)
            quads = [ox.Quad(t.subject, t.predicate, t.object, node) for t in triples]
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc
        self.replace_graph(graph, quads)

    def close(self) -> None:
        """Release the database (the object must not be used afterwards).

        Writes are already durable (RocksDB's write-ahead log). No explicit flush: with
        pyoxigraph 0.4, ``Store.flush()`` followed by closing and reopening the same folder
        in one process was seen to leave the database unreadable ("Corruption: SST file is
        ahead of WALs"), so this store never calls it.
        """
        self.__dict__.pop("_store", None)
        self._unlock()

    def _unlock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)  # releases the advisory lock

    def __del__(self) -> None:
        self._unlock()


LOCK_FILE = "policykg.lock"


def _lock_folder(folder: Path, *, exclusive: bool) -> int | None:
    """Take the advisory lock of a store folder (see the module docstring); the returned
    descriptor holds it until closed. A reader of a folder it may not write (a read-only
    mount) goes without: nobody can write there either."""
    try:
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        if exclusive:
            raise
        return None
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        if exclusive:
            raise StoreError(
                f"the store at {folder} is open in another process (a running `policykg serve`, "
                "query or ingest?): stop it before writing, or use another --store"
            ) from None
        raise StoreError(
            f"the store at {folder} is being written by another process (an ingest?): wait for it "
            "to finish, or use another --store"
        ) from None
    return fd


def _replace_request(graphs: dict[str, list[ox.Quad]]) -> str:
    """One SPARQL Update request that drops the graphs and inserts their new content.

    N-Triples term syntax (what ``str(Triple)`` gives) is valid SPARQL term syntax,
    escapes included.
    """
    parts = [fill("DROP SILENT GRAPH $graph ;\n", graph=_graph_node(g)) for g in graphs]
    parts.append("INSERT DATA {\n")
    for graph, quads in graphs.items():
        if not quads:
            continue
        parts.append(fill("GRAPH $graph {\n", graph=_graph_node(graph)))
        parts.extend(f"{q.triple} .\n" for q in quads)
        parts.append("}\n")
    parts.append("}")
    return "".join(parts)
