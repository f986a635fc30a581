"""Batch ingest: files or read documents in, one named graph per document out.

Guarantees:

- **Transactional per document.** A document's graph is replaced in one store
  transaction (batches of documents share one transaction; when a batch fails, its
  documents are written one by one so that only the faulty one is reported failed).
  Nothing already stored is lost or half-written when a file is bad.
- **Idempotent.** A document whose stored ``pkg:sha256`` equals the new one is skipped
  before extraction (``unchanged``); changed content under the same document id replaces
  that document's graph (``replaced``); ``remove_documents`` deletes exactly the
  documents' graphs.
- **Restartable.** Every batch is committed as it completes and the stored
  ``(doc id, sha256)`` pairs are read with one query at start, so an interrupted ingest
  picks up where it stopped.
- **Bad input is reported, not fatal.** A file that cannot be read or extracted gets a
  ``failed`` outcome whose message names the file and the problem; the batch goes on.

Extraction runs in worker processes (``IngestOptions.workers``, 0 = one per core; see
:mod:`graph.ingest_workers`); the workers turn each result into quads
(:func:`graph.rdf.document_quads`) and hand them back as N-Quads bytes, which this process
parses (in Rust) and writes. Outcomes are :mod:`graph.ingest_report` records.

The vocabulary graph (``ontology/policykg.ttl``, ``ontology/topics.ttl``) is (re)loaded into
``graph:ontology`` when missing or changed, and the gazetteer's entity descriptions into
``graph:entities`` with it. Entity descriptions of each document go to ``graph:entities``
too (:mod:`graph.entities_graph`), before its document graph.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from graph.ingest_report import FileOutcome, IngestReport, Progress, Status
from graph.ingest_workers import Extracted, WorkerConfig, extract_in_pool, extract_item, init_worker
from graph.store import Store, StoreError
from graph.terms import fill, literal
from loaders.records import Document
from ontology.namespace import (
    DOC,
    GRAPH,
    ONTOLOGY_GRAPH,
    doc_graph_iri,
    sparql_prefixes,
)

log = logging.getLogger(__name__)

__all__ = [
    "FileOutcome",
    "IngestOptions",
    "IngestReport",
    "Progress",
    "Status",
    "collect_files",
    "ensure_ontology",
    "ingest_documents",
    "ingest_paths",
    "remove_documents",
    "resolve_document_id",
    "stored_documents",
]

#: File suffixes picked up when walking folders (files named explicitly are always tried).
DOCUMENT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf"})
#: Vocabulary files loaded into the ontology graph, in this order (missing ones skipped).
ONTOLOGY_FILES = ("policykg.ttl", "topics.ttl")
#: Documents per write, and a cap on their quads: new documents are written together (in
#: one atomic bulk ingestion on Oxigraph, see graph.oxigraph_store.BULK_MAX_QUADS);
#: documents that replace stored ones are written one transaction each.
BATCH_DOCUMENTS = 500
BATCH_QUADS = 300_000

_DOC_PREFIX = str(DOC)
_DOC_GRAPH_PREFIX = str(GRAPH) + "doc/"


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How documents are ingested and removed (the CLI and the app build it from their
    settings; the defaults are the settings' defaults).

    Attributes
    ----------
    workers
        Extraction worker processes; 0: one per core, 1: extract in this process.
    auto_links
        Recompute the derived links graph after each ingest or removal.
    max_document_chars
        Largest document, in characters of text once read; None: no limit.
    extract_timeout_s
        Seconds the extraction of one document may take; None: no limit.
    """

    workers: int = 0
    auto_links: bool = True
    max_document_chars: int | None = 20_000_000
    extract_timeout_s: float | None = 45.0

    @property
    def worker_count(self) -> int:
        """The number of extraction processes ``workers`` means on this machine."""
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)




# -- inputs ------------------------------------------------------------------------------


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files to ingest: files as given, folders walked recursively for document files
    (hidden entries and ``*.meta.json`` sidecars skipped), in sorted order, no repeats.
    A path that does not exist is kept, so that it is reported as a failed file; so is
    a folder that cannot be read (no permission), reported as such.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a.txt", "b/c.html", "b/c.html.meta.json", ".hidden/d.txt", "e.png"):
    ...     (root / name).parent.mkdir(parents=True, exist_ok=True)
    ...     _ = (root / name).write_text("x")
    >>> [p.relative_to(root).as_posix() for p in collect_files([root])]
    ['a.txt', 'b/c.html']
    """
    seen: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        try:
            is_dir = path.is_dir()
        except OSError:  # cannot even be looked at: reported when it is read
            is_dir = False
        if is_dir:
            def unreadable(error: OSError) -> None:
                if error.filename is not None:
                    seen.setdefault(Path(error.filename), None)

            for root, dirs, files in os.walk(path, onerror=unreadable):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if (
                        not name.startswith(".")
                        and candidate.suffix.lower() in DOCUMENT_SUFFIXES
                        and not name.endswith(".meta.json")
                    ):
                        seen.setdefault(candidate, None)
        else:
            seen.setdefault(path, None)
    return list(seen)


# -- store side --------------------------------------------------------------------------


def stored_documents(store: Store) -> dict[str, tuple[str, str]]:
    """``{doc_id: (sha256, source)}`` of every stored document, in one query."""
    sparql = sparql_prefixes() + (
        "SELECT ?g ?id ?sha ?src WHERE { GRAPH ?g { ?d a pkg:Document ; dcterms:identifier ?id ."
        " OPTIONAL { ?d pkg:sha256 ?sha } OPTIONAL { ?d dcterms:source ?src } } }"
    )
    out: dict[str, tuple[str, str]] = {}
    for row in store.query(sparql, union_default_graph=False):
        graph = row["g"].value
        if not graph.startswith(_DOC_GRAPH_PREFIX):
            continue
        sha = row["sha"].value if row["sha"] is not None else ""
        src = row["src"].value if row["src"] is not None else ""
        out[row["id"].value] = (sha, src)
    return out


@cache
def _vocabulary_sources() -> tuple[tuple[str, bytes], ...]:
    """The vocabulary files of the ``ontology`` package that exist, in load order, as (name,
    content), read once per process: package data does not change while it runs, and a
    process that drops its privileges after start-up may no longer read the package."""
    package = resources.files("ontology")
    files = [package.joinpath(name) for name in ONTOLOGY_FILES if package.joinpath(name).is_file()]
    return tuple((path.name, path.read_bytes()) for path in files)


@cache
def _ontology_fingerprint() -> str:
    from loaders.gazetteer import gazetteer_files

    digest = hashlib.sha256()
    # The layout of what is loaded: a new layout reloads stores written by an older one
    # ("entities-graph": the gazetteer's descriptions live in graph:entities).
    digest.update(b"layout: entities-graph\n")
    sources = [*_vocabulary_sources(), *((path.name, path.read_bytes()) for path in gazetteer_files())]
    for name, content in sources:
        digest.update(name.encode())
        digest.update(content)
    return digest.hexdigest()


def ensure_ontology(store: Store, *, force: bool = False) -> bool:
    """Load the vocabulary and topic scheme into ``graph:ontology`` (and the gazetteer's
    descriptions into ``graph:entities``) when the graph is missing or its source files
    changed; True when it was (re)loaded."""
    from graph.entities_graph import load_gazetteer_descriptions
    from graph.rdf_terms import PKG_SHA256
    from loaders.gazetteer import load_gazetteer

    fingerprint = _ontology_fingerprint()
    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    if not force:
        answer = store.query(
            fill("ASK { GRAPH $graph { $graph $sha256 $fingerprint } }",
                 graph=graph, sha256=PKG_SHA256, fingerprint=literal(fingerprint)),
            union_default_graph=False,
        )
        if bool(answer):
            return False
    quads: list[ox.Quad] = []
    for name, content in _vocabulary_sources():
        try:
            for triple in ox.parse(content, format=ox.RdfFormat.TURTLE):
                quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
        except SyntaxError as exc:
            raise StoreError(f"ontology/{name}: cannot load the vocabulary: {exc}") from exc
    quads.append(ox.Quad(graph, PKG_SHA256, ox.Literal(fingerprint), graph))
    # The gazetteer's descriptions first: the fingerprint, written with the vocabulary,
    # says both are loaded.
    load_gazetteer_descriptions(store, load_gazetteer())
    store.replace_graph(graph.value, quads)
    return True


def _refresh_links(store: Store, report: IngestReport, changed: list[str], removed: list[str]) -> None:
    """Refresh the links graph for what changed, and for what an interrupted run left
    marked (see :mod:`graph.links_state`): a rerun after a crash repairs the links even when
    every document is unchanged."""
    from graph.links_refresh import refresh_links
    from graph.links_state import links_state

    try:
        if not (changed or removed):
            state = links_state(store)
            documents = any(g.startswith(_DOC_GRAPH_PREFIX) for g in store.graphs())
            if not state.stale and (state.built or not documents):
                return
        refresh_links(store, changed=changed, removed=removed)
    except Exception as exc:  # documents are stored; the links graph is what failed
        report.links_error = f"refreshing derived links failed: {exc.__class__.__name__}: {exc}"
        log.exception("refreshing derived links failed")


class _Writer:
    """Collects extracted graphs and writes them in batches on a background thread, one
    batch at a time, so that extraction keeps going while a batch is written (pyoxigraph
    releases the GIL while it loads). Outcomes are reported from the calling thread."""

    def __init__(self, store: Store, stored: dict[str, tuple[str, str]], report: IngestReport,
                 progress: Progress | None, *, mark_links: bool = False) -> None:
        self.store = store
        #: Mark the documents of each batch pending for the links graph before writing them.
        self.mark_links = mark_links
        self.stored = stored
        self.report = report
        self.progress = progress
        self.claimed: dict[str, str] = {}  # doc_id -> source, within this run
        self.pending: list[tuple[FileOutcome, bytes]] = []
        self.pending_quads = 0
        self.pending_descriptions: list[bytes] = []
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="policykg-writer")
        self._writing: Future[list[FileOutcome]] | None = None

    def _finish(self, outcome: FileOutcome) -> None:
        self.report.outcomes.append(outcome)
        if self.progress is not None:
            self.progress(outcome)

    def accept(self, extracted: Extracted) -> None:
        outcome = extracted.outcome
        if outcome.doc_id is not None and outcome.status != "failed":
            earlier = self.claimed.get(outcome.doc_id)
            if earlier is not None and earlier != outcome.source:
                outcome.status = "failed"
                outcome.message = (
                    f"{outcome.source}: document id {outcome.doc_id!r} is already used by {earlier} "
                    "in this batch; give one of them an `id` in a .meta.json sidecar"
                )
                self._finish(outcome)
                return
            self.claimed[outcome.doc_id] = outcome.source
        self._collect(block=False)
        if outcome.status != "stored":
            self._finish(outcome)
            return
        assert outcome.doc_id is not None
        previous = self.stored.get(outcome.doc_id)
        if previous is not None:
            outcome.status = "replaced"
            if previous[1] and previous[1] != outcome.source:
                note = f"replaces the document read from {previous[1]}"
                outcome.message = f"{note}; {outcome.message}" if outcome.message else note
        self.stored[outcome.doc_id] = (extracted.sha256, outcome.source)
        self.pending.append((outcome, extracted.data))
        self.pending_descriptions.append(extracted.descriptions)
        self.pending_quads += outcome.quads
        if len(self.pending) >= BATCH_DOCUMENTS or self.pending_quads >= BATCH_QUADS:
            self.flush()

    def flush(self, *, wait: bool = False) -> None:
        """Hand the pending documents to the writer thread (after the batch before them)."""
        batch, self.pending, self.pending_quads = self.pending, [], 0
        descriptions, self.pending_descriptions = self.pending_descriptions, []
        if batch:
            self._collect(block=True)
            # The entities the batch names are described before any of its documents is
            # stored (graph.entities_graph); a set, so a failed document leaves no harm.
            from graph.entities_graph import add_descriptions
            from graph.rdf_terms import parse_nquads

            add_descriptions(self.store, parse_nquads(b"".join(descriptions)))
            self._writing = self._thread.submit(self._write, batch)
        if wait:
            self._collect(block=True)

    def close(self) -> None:
        try:
            self.flush(wait=True)
        finally:
            self._thread.shutdown(wait=True)

    def _collect(self, *, block: bool) -> None:
        """Report the outcomes of the batch being written, once it is (re-raising what failed)."""
        if self._writing is None or (not block and not self._writing.done()):
            return
        written, self._writing = self._writing.result(), None
        for outcome in written:
            self._finish(outcome)

    def _write(self, batch: list[tuple[FileOutcome, bytes]]) -> list[FileOutcome]:
        """Write one batch (on the writer thread): new documents together, documents that
        replace stored ones one transaction each; on failure, one by one to find the culprit."""
        from graph.rdf_terms import parse_nquads

        if self.mark_links:
            from graph.links_state import mark_pending

            mark_pending(self.store, [outcome.doc_id or "" for outcome, _ in batch])
        existing = set(self.store.graphs())
        fresh = [(o, d) for o, d in batch if doc_graph_iri(o.doc_id or "") not in existing]
        one_by_one = [(o, d) for o, d in batch if doc_graph_iri(o.doc_id or "") in existing]
        written: list[FileOutcome] = []
        if fresh:
            try:
                self._write_new(fresh)
            except StoreError:
                one_by_one = fresh + one_by_one
            else:
                written.extend(outcome for outcome, _ in fresh)
        for outcome, data in one_by_one:
            try:
                self.store.replace_graph(doc_graph_iri(outcome.doc_id or ""), parse_nquads(data))
            except (StoreError, SyntaxError) as exc:
                outcome.status = "failed"
                outcome.message = f"{outcome.source}: not stored: {exc}"
                self.stored.pop(outcome.doc_id or "", None)
            written.append(outcome)
        written.sort(key=lambda outcome: outcome.order)
        return written

    def _write_new(self, fresh: list[tuple[FileOutcome, bytes]]) -> None:
        from graph.rdf_terms import parse_nquads

        graphs = [doc_graph_iri(outcome.doc_id or "") for outcome, _ in fresh]
        load_new_graphs = getattr(self.store, "load_new_graphs", None)
        if callable(load_new_graphs):
            # Straight from the workers' N-Quads: no Python quad objects on the way.
            load_new_graphs(graphs, b"".join(data for _, data in fresh))
        else:
            try:
                parsed = {graph: parse_nquads(data) for graph, (_, data) in zip(graphs, fresh, strict=True)}
            except SyntaxError as exc:
                raise StoreError(f"unreadable graph: {exc}") from exc
            self.store.replace_graphs(parsed)


def _same_name_later(paths: Sequence[Path]) -> frozenset[str]:
    """Sources of files whose name gives the same document id as a file before them."""
    from loaders.readers import display_path
    from ontology.namespace import slug

    first: set[str] = set()
    later: set[str] = set()
    for path in paths:
        name = slug(path.stem)
        if name in first:
            later.add(display_path(path))
        first.add(name)
    return frozenset(later)


def _run(
    store: Store,
    items: Iterable[Path | Document],
    options: IngestOptions,
    progress: Progress | None,
    force: bool,
    renamed: frozenset[str] = frozenset(),
) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    report.ontology_loaded = ensure_ontology(store)
    from graph.entities_graph import documents_hold_descriptions, migrate_descriptions

    if documents_hold_descriptions(store):  # a store written before graph:entities
        migrate_descriptions(store)
    stored = stored_documents(store)
    config = WorkerConfig(
        known={doc_id: sha for doc_id, (sha, _) in stored.items()},
        force=force,
        sources={doc_id: source for doc_id, (_, source) in stored.items()},
        renamed=renamed,
        max_chars=options.max_document_chars,
        timeout_s=options.extract_timeout_s,
    )
    writer = _Writer(store, stored, report, progress, mark_links=options.auto_links)
    workers = options.worker_count

    iterator: Iterator[Path | Document] = iter(items)
    try:
        if workers <= 1:
            init_worker(config)
            for order, item in enumerate(iterator):
                writer.accept(extract_item(item, order))
        else:
            extract_in_pool(iterator, workers, config, writer.accept)
    finally:
        # Write what is complete even when interrupted: every batch is whole documents.
        writer.close()
    report.outcomes.sort(key=lambda outcome: outcome.order)
    if options.auto_links:
        _refresh_links(store, report, report.changed_ids, [])
    report.seconds = time.perf_counter() - started
    return report


def ingest_paths(
    store: Store,
    paths: Iterable[str | Path],
    options: IngestOptions,
    progress: Progress | None = None,
    *,
    force: bool = False,
) -> IngestReport:
    """Ingest files and folders (walked recursively, see :func:`collect_files`).

    Parameters
    ----------
    store
        Where the graphs go.
    paths
        Files and folders.
    options
        Worker processes, derived links, size and time limits.
    progress
        Called once per file with its outcome, as files complete.
    force
        Re-extract documents even when their content is unchanged.

    Returns
    -------
    IngestReport
        One outcome per file: ``stored``, ``replaced``, ``unchanged`` or ``failed``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.oxigraph_store import OxigraphStore
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "note.txt").write_text("The Security Council met on 3 May 2021.")
    >>> options = IngestOptions(workers=1, auto_links=False)
    >>> store = OxigraphStore(None)
    >>> ingest_paths(store, [folder], options).counts()
    {'stored': 1}
    >>> ingest_paths(store, [folder], options).counts()
    {'unchanged': 1}
    """
    files = collect_files(paths)
    return _run(store, files, options, progress, force, _same_name_later(files))


def ingest_documents(
    store: Store,
    documents: Iterable[Document],
    options: IngestOptions,
    progress: Progress | None = None,
    *,
    force: bool = False,
) -> IngestReport:
    """Ingest documents already read (e.g. from an archive); same guarantees as
    :func:`ingest_paths`. ``documents`` may be a generator: it is consumed as workers free up."""
    return _run(store, documents, options, progress, force)


def resolve_document_id(
    store: Store, ref: str, stored: dict[str, tuple[str, str]] | None = None
) -> str | None:
    """The stored document id that ``ref`` names: an id, a document IRI, a document
    graph IRI or the source path/URL it was read from (``stored``: the result of
    :func:`stored_documents`, when the caller has it already)."""
    for prefix in (_DOC_GRAPH_PREFIX, _DOC_PREFIX):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            break
    if stored is None:
        stored = stored_documents(store)
    if ref in stored:
        return ref
    candidates = {ref, str(Path(ref)), str(Path(ref).resolve()) if ref else ref}
    for doc_id, (_, source) in stored.items():
        if source in candidates or (source and str(Path(source).resolve()) in candidates):
            return doc_id
    return None


def remove_documents(store: Store, refs: Sequence[str], options: IngestOptions) -> IngestReport:
    """Delete the named graphs of the documents ``refs`` name (ids, IRIs or sources),
    and nothing else; then refresh derived links when ``options.auto_links``.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> report = remove_documents(store, ["nothing-here"], IngestOptions(auto_links=False))
    >>> report.outcomes[0].status, report.outcomes[0].message
    ('failed', 'no stored document is named nothing-here')
    """
    started = time.perf_counter()
    report = IngestReport()
    removed: list[str] = []
    stored = stored_documents(store)
    for ref in refs:
        doc_id = resolve_document_id(store, ref, stored)
        if doc_id is None:
            report.outcomes.append(FileOutcome(ref, "failed", message=f"no stored document is named {ref}"))
            continue
        if options.auto_links:
            from graph.links_state import mark_pending

            mark_pending(store, [doc_id])  # before the drop: a crash after it still refreshes
        existed = store.drop_graph(doc_graph_iri(doc_id))
        status: Status = "removed" if existed else "failed"
        message = "" if existed else f"graph of {doc_id} was already gone"
        report.outcomes.append(FileOutcome(ref, status, doc_id, message))
        if existed:
            removed.append(doc_id)
    if options.auto_links:
        _refresh_links(store, report, [], removed)
    report.seconds = time.perf_counter() - started
    return report
