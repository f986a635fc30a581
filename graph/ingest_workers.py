"""The worker side of ingest: read, extract and convert documents in worker processes.

Each worker reads a file (or takes a document already read), skips it when its SHA-256
equals the stored one, runs the extraction stages and turns the result into quads
(:func:`graph.rdf.document_rdf`), handed back as N-Quads bytes that the writing
process parses in Rust. :func:`extract_in_pool` keeps a bounded number of documents in
flight and survives workers that die.

Bounds (:class:`WorkerConfig`): a document longer than ``max_chars`` characters fails
unread or unextracted; one whose extraction runs past ``timeout_s`` fails with a message
naming it (an alarm stops it inside the worker; a worker stuck where the alarm cannot
reach, inside a regular expression, is killed by the parent after twice the limit); the
batch goes on. Worker processes never outlive the process that started them: Linux kills
them when their parent dies (``PR_SET_PDEATHSIG``) and each watches the ingesting process
and exits when it is gone.

Document ids from file names (``speech.txt`` -> ``speech``) never collide silently: a file
whose name gives the id of a stored document read from another file (with other content),
or of a file earlier in the same batch, gets the id ``<name>-<8 hex digits of its path's
SHA-256>`` and a note saying so; an id given in a sidecar is the user's and is kept.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import hashlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.ingest_report import FileOutcome
from loaders.records import Document


class ExtractionTimeout(Exception):
    """The extraction of one document ran past its time limit."""


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """What every worker needs to know (sent once, when the worker starts)."""

    #: Stored document ids -> content SHA-256 (unchanged documents are skipped).
    known: dict[str, str] = field(default_factory=dict)
    force: bool = False
    #: Stored document ids -> the source they were read from (id collisions).
    sources: dict[str, str] = field(default_factory=dict)
    #: Sources whose file name gives the id of a file earlier in this batch.
    renamed: frozenset[str] = frozenset()
    max_chars: int | None = None
    timeout_s: float | None = None
    #: The ingesting process: workers exit when it is gone.
    parent_pid: int | None = None


_config = WorkerConfig()
#: Where a pool worker says when it starts an item: (order, wall-clock time).
_started: Any = None


def init_worker(config: WorkerConfig, started: Any = None) -> None:
    """Set up a worker process (or the ingesting process itself, when it extracts);
    ``started`` is the queue a pool worker reports the start of each item on."""
    global _config, _started
    _config, _started = config, started
    if config.parent_pid is not None and config.parent_pid != os.getpid():
        _die_with_parent(config.parent_pid)
    if config.timeout_s:
        _warm_up()


def _warm_up() -> None:
    """Compile the lexicons and patterns the stages build on first use (seconds, once per
    process), so that a document's time limit measures its own extraction."""
    from loaders.gazetteer import load_gazetteer
    from loaders.pipeline import extract
    from loaders.readers import read_bytes

    with contextlib.suppress(Exception):
        sample = read_bytes(b"China supports the Charter of the United Nations.\n", "warm-up.txt")
        extract(sample, load_gazetteer())


def _die_with_parent(parent_pid: int) -> None:
    """Never outlive the ingesting process: the kernel's parent-death signal (for the
    process that forked this one) and a watcher thread (for the ingesting process, which
    is not the direct parent under the forkserver start method)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)

    def watch() -> None:
        while True:
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass  # alive, under another user: not ours to signal
            time.sleep(1.0)

    threading.Thread(target=watch, name="policykg-parent-watch", daemon=True).start()


@contextlib.contextmanager
def _time_limit(seconds: float | None, source: str) -> Iterator[None]:
    """Raise :class:`ExtractionTimeout` in this thread after ``seconds`` (main thread only:
    elsewhere signals cannot be delivered, and the limit is not applied)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise ExtractionTimeout(
            f"{source}: extraction took longer than {seconds:g} s (setting extract_timeout_s); "
            "not stored"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    # The alarm repeats every quarter second once due: an exception raised while the
    # interpreter runs a finaliser (a __del__ or a weakref callback during garbage
    # collection) is printed and dropped, and the next tick raises it again.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _same_source(a: str, b: str) -> bool:
    return a == b or os.path.normpath(os.path.abspath(a)) == os.path.normpath(os.path.abspath(b))


def _path_hash(source: str) -> str:
    path = os.path.normpath(os.path.abspath(source))
    return hashlib.sha256(path.encode("utf-8", "replace")).hexdigest()[:8]


def _own_id(document: Document) -> Document:
    """``document`` with an id of its own when the id its file name gives is taken (see
    the module docstring)."""
    if str(document.sidecar.get("id") or "").strip():
        return document  # an id the user gave
    earlier = _config.sources.get(document.doc_id)
    if earlier is not None:
        if _same_source(earlier, document.source) or _config.known.get(document.doc_id) == document.sha256:
            return document  # the same file again, or the same content moved
        taken_by = earlier
    elif document.source in _config.renamed:
        taken_by = "another file of the same name earlier in this batch"
    else:
        return document
    own = f"{document.doc_id}-{_path_hash(document.source)}"
    note = f"{document.source}: id {document.doc_id!r} is taken by {taken_by}; stored as {own!r}"
    return dataclasses.replace(document, doc_id=own, warnings=(*document.warnings, note))


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
    if _started is not None:
        _started.put((order, time.time()))
    extracted = _extract(item)
    extracted.outcome.order = order
    return extracted


def _extract(item: Path | Document) -> Extracted:
    from graph.rdf import document_rdf
    from graph.rdf_terms import nquads
    from loaders.gazetteer import load_gazetteer
    from loaders.pipeline import extract
    from loaders.readers import LoaderError, display_path, read_document

    source = display_path(item) if isinstance(item, Path) else item.source
    try:
        if isinstance(item, Path):
            document = _own_id(read_document(item, max_chars=_config.max_chars))
        else:
            document = item
            if _config.max_chars is not None and len(document.text) > _config.max_chars:
                raise LoaderError(
                    source, f"document too large: {len(document.text):,} characters of text, the limit is "
                    f"{_config.max_chars:,} (setting max_document_chars)"
                )
        if not _config.force and _config.known.get(document.doc_id) == document.sha256:
            return Extracted(FileOutcome(document.source, "unchanged", document.doc_id))
        gazetteer = load_gazetteer()
        with _time_limit(_config.timeout_s, source):
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


def unchanged(item: Path | Document, config: WorkerConfig) -> bool:
    return not config.force and isinstance(item, Document) and config.known.get(item.doc_id) == item.sha256


#: Pool breakdowns an input may witness before it is given up as the cause.
MAX_POOL_BREAKS = 2


def extract_in_pool(
    items: Iterator[Path | Document],
    workers: int,
    config: WorkerConfig,
    accept: Callable[[Extracted], None],
) -> None:
    """Extract in worker processes, a bounded number of items in flight.

    A worker that dies (a crash inside a parser, the kernel's OOM killer) breaks the whole
    pool: the items in flight are resubmitted to a fresh pool one at a time, and an item
    that was in flight during :data:`MAX_POOL_BREAKS` breakdowns is reported failed. An
    item still running at twice ``config.timeout_s`` (its worker deaf to the alarm) is
    reported failed and the pool's workers are killed; the other items go on in a fresh pool.
    """
    # forkserver: workers do not inherit the store's threads and file locks.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["loaders.pipeline", "graph.rdf", "graph.ingest_workers"])
    config = dataclasses.replace(config, parent_pid=os.getpid())
    started_queue = context.Queue()
    started_at: dict[int, float] = {}  # order -> when a worker took it up (wall clock)
    hard_limit = 2 * config.timeout_s + 5 if config.timeout_s else None
    window = workers * 4
    numbered = enumerate(items)
    retry: list[tuple[int, Path | Document]] = []
    breaks: dict[int, int] = {}
    exhausted = False
    while retry or not exhausted:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker,
                                 initargs=(config, started_queue)) as pool:
            running: dict[Future[Extracted], tuple[int, Path | Document]] = {}
            stuck: set[int] = set()
            broken = False
            while not broken and (running or retry or not exhausted):
                # After a breakdown, suspects run alone so that the culprit is found.
                suspects = retry or any(breaks.get(order, 0) for order, _ in running.values())
                while len(running) < (1 if suspects else window) and (retry or not exhausted):
                    upcoming = retry.pop() if retry else next(numbered, None)
                    if upcoming is None:
                        exhausted = True
                    elif unchanged(upcoming[1], config):
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
                done, _ = wait(running, timeout=1.0 if hard_limit else None, return_when=FIRST_COMPLETED)
                for future in done:
                    entry = running.pop(future)
                    try:
                        accept(future.result())
                    except BrokenProcessPool:
                        broken = True
                        running[future] = entry  # handled with the rest below
                if hard_limit and not broken:
                    with contextlib.suppress(queue.Empty):
                        while True:
                            order, when = started_queue.get_nowait()
                            started_at[order] = when
                    now = time.time()
                    orders = [order for order, _ in running.values()]
                    stuck = {order for order in orders if now - started_at.get(order, now) > hard_limit}
                    if stuck:
                        for process in list(getattr(pool, "_processes", {}).values()):
                            process.kill()  # the one stuck cannot be told apart: all go
                        broken = True
            if broken:
                for order, item in running.values():
                    source = str(item) if isinstance(item, Path) else item.source
                    if order in stuck:
                        accept(Extracted(FileOutcome(
                            source, "failed",
                            message=f"{source}: extraction took longer than {config.timeout_s:g} s (setting "
                            "extract_timeout_s) and its worker was stopped; not stored",
                            order=order,
                        )))
                        continue
                    if stuck:  # killed for another item's sake: not a suspect
                        retry.append((order, item))
                        continue
                    breaks[order] = breaks.get(order, 0) + 1
                    if breaks[order] >= MAX_POOL_BREAKS:
                        accept(Extracted(FileOutcome(
                            source, "failed",
                            message=f"{source}: the extraction worker died while reading this document",
                            order=order,
                        )))
                    else:
                        retry.append((order, item))
