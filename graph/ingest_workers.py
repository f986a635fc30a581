"""The worker side of ingest: read, extract and convert documents in worker processes.

Each worker reads a file (or takes a document already read), skips it when its SHA-256
equals the stored one, runs the extraction stages and turns the result into quads
(:func:`graph.rdf.document_rdf`), handed back as N-Quads bytes that the writing
process parses in Rust. :func:`extract_in_pool` keeps a bounded number of documents in
flight and survives workers that die.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from graph.ingest_report import FileOutcome
from loaders.records import Document

_known_sha256: dict[str, str] = {}
_force = False


def init_worker(known: dict[str, str], force: bool) -> None:
    """Set up a worker: ``known`` maps stored document ids to their SHA-256."""
    global _known_sha256, _force
    _known_sha256, _force = known, force


@dataclass(slots=True)
class Extracted:
    """A worker's answer: the outcome and, for new content, the graph as N-Quads (and the
    descriptions of the entities it names, for the entities graph)."""

    outcome: FileOutcome
    sha256: str = ""
    data: bytes = b""
    descriptions: bytes = b""


def _describe_error(source: str, exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    # Reader errors already name the file; others get it prefixed.
    return text if source in text else f"{source}: {exc.__class__.__name__}: {text}"


def extract_item(item: Path | Document, order: int = 0) -> Extracted:
    """Read (for paths), check the known hash, extract and convert one document."""
    extracted = _extract(item)
    extracted.outcome.order = order
    return extracted


def _extract(item: Path | Document) -> Extracted:
    from graph.rdf import document_rdf, nquads
    from loaders.gazetteer import load_gazetteer
    from loaders.pipeline import extract
    from loaders.readers import read_document

    source = str(item) if isinstance(item, Path) else item.source
    try:
        document = read_document(item) if isinstance(item, Path) else item
        if not _force and _known_sha256.get(document.doc_id) == document.sha256:
            return Extracted(FileOutcome(document.source, "unchanged", document.doc_id))
        gazetteer = load_gazetteer()
        result = extract(document, gazetteer)
        rdf = document_rdf(result, gazetteer=gazetteer)
        quads = rdf.quads
    except Exception as exc:  # one bad file must not stop the batch
        return Extracted(FileOutcome(source, "failed", message=_describe_error(source, exc)))
    outcome = FileOutcome(
        document.source,
        "stored",
        document.doc_id,
        message="; ".join(document.warnings),
        quads=len(quads),
        entities=len(result.entities),
        events=len(result.events),
        stances=len(result.stances),
    )
    return Extracted(outcome, document.sha256, nquads(quads), nquads(rdf.descriptions))


def unchanged(item: Path | Document, known: dict[str, str], force: bool) -> bool:
    return not force and isinstance(item, Document) and known.get(item.doc_id) == item.sha256


#: Pool breakdowns an input may witness before it is given up as the cause.
MAX_POOL_BREAKS = 2


def extract_in_pool(
    items: Iterator[Path | Document],
    workers: int,
    known: dict[str, str],
    force: bool,
    accept: Callable[[Extracted], None],
) -> None:
    """Extract in worker processes, a bounded number of items in flight.

    A worker that dies (a crash inside a parser, the kernel's OOM killer) breaks the whole
    pool: the items in flight are resubmitted to a fresh pool one at a time, and an item
    that was in flight during :data:`MAX_POOL_BREAKS` breakdowns is reported failed.
    """
    # forkserver: workers do not inherit the store's threads and file locks.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["loaders.pipeline", "graph.rdf", "graph.ingest_workers"])
    window = workers * 4
    numbered = enumerate(items)
    retry: list[tuple[int, Path | Document]] = []
    breaks: dict[int, int] = {}
    exhausted = False
    while retry or not exhausted:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker,
                                 initargs=(known, force)) as pool:
            running: dict[Future[Extracted], tuple[int, Path | Document]] = {}
            broken = False
            while not broken and (running or retry or not exhausted):
                # After a breakdown, suspects run alone so that the culprit is found.
                suspects = retry or any(breaks.get(order, 0) for order, _ in running.values())
                while len(running) < (1 if suspects else window) and (retry or not exhausted):
                    upcoming = retry.pop() if retry else next(numbered, None)
                    if upcoming is None:
                        exhausted = True
                    elif unchanged(upcoming[1], known, force):
                        # A document already read needs no worker to be found unchanged.
                        document = upcoming[1]
                        assert isinstance(document, Document)
                        accept(Extracted(FileOutcome(
                            document.source, "unchanged", document.doc_id, order=upcoming[0]
                        )))
                    else:
                        running[pool.submit(extract_item, upcoming[1], upcoming[0])] = upcoming
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    entry = running.pop(future)
                    try:
                        accept(future.result())
                    except BrokenProcessPool:
                        broken = True
                        running[future] = entry  # handled with the rest below
            if broken:
                for order, item in running.values():
                    breaks[order] = breaks.get(order, 0) + 1
                    if breaks[order] >= MAX_POOL_BREAKS:
                        source = str(item) if isinstance(item, Path) else item.source
                        accept(Extracted(FileOutcome(
                            source, "failed",
                            message=f"{source}: the extraction worker died while reading this document",
                            order=order,
                        )))
                    else:
                        retry.append((order, item))
