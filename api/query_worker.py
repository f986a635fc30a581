"""What runs inside a query worker process (see :mod:`api.query_pool`).

A worker is started with :func:`worker_main`. It first ties its life to the server's
(``PR_SET_PDEATHSIG``: the kernel kills it when the server dies, and it leaves as soon
as its parent is no longer the server), then, for an embedded store, closes the network
to itself (:func:`close_network`: a seccomp filter refusing IPv4/IPv6 sockets, so that
no query -- whatever the guard missed -- can make it fetch a URL), and then answers jobs
sent over its connection one at a time:

- :class:`GuardJob`: the checks of :mod:`api.sparql_guard` on an update (which the
  server then applies to its own store);
- :class:`QueryJob`: the checks on a query, its evaluation and the serialisation of its
  result to bytes in the negotiated format (:func:`api.sparql_results.serialise_result`).

Each answer is an :class:`Outcome`. Jobs run on a thread with a large stack and a high
recursion limit: rdflib's parser and Oxigraph's evaluator recurse per nesting level, and
a deep (but admitted) query must end in an answer, not a crash.

The embedded store is opened with ``pyoxigraph.Store.read_only`` and opened again when
its files changed (:class:`StoreView`): every write committed by the process that holds
the store changes them, and the server moves to a new store generation only after its
writes are committed, so a query sent after a generation change reads the new state.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import signal
import struct
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from api.sparql_guard import GuardError, QueryLimits, check_query, check_update

if TYPE_CHECKING:
    from graph.open_store import RemoteEndpoints

logger = logging.getLogger("policykg.api.worker")

#: Thread stack of the job thread and recursion limit of the worker: deep enough for
#: every query the pre-scan admits (``max_query_depth`` levels, ``max_query_tokens``).
JOB_STACK_BYTES = 512 * 1024 * 1024
#: Attempts at a read-only open that races a writer's compaction.
OPEN_ATTEMPTS = 5
RECURSION_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class StoreSpec:
    """Which store a worker reads: an embedded store folder, or a remote store
    (``remote``, its :class:`graph.open_store.RemoteEndpoints`)."""

    path: str | None
    remote: RemoteEndpoints | None = None


@dataclass(frozen=True, slots=True)
class QueryJob:
    """A query to check, evaluate and serialise.

    ``formats`` are the names (:attr:`api.media.MediaFormat.name`) negotiated for SELECT,
    ASK and graph results (None: not acceptable).
    """

    text: str
    default_graph: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    formats: tuple[str | None, str | None, str | None]
    max_rows: int
    limits: QueryLimits


@dataclass(frozen=True, slots=True)
class GuardJob:
    """An update to check (not to run)."""

    text: str
    limits: QueryLimits


@dataclass(frozen=True, slots=True)
class Outcome:
    """A job's answer: the body and format of a result, or an HTTP status and message."""

    status: int
    body: bytes = b""
    format_name: str | None = None
    truncated: bool = False
    message: str = ""


READY = "ready"


# -- the process's ties ---------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when the parent dies (Linux), and leave now when
    the parent is already gone."""
    if sys.platform.startswith("linux"):
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(0)


def watch_parent(parent_pid: int) -> None:
    """A watchdog thread that leaves when the parent is gone (where the kernel cannot be
    asked to, and in case the parent pid was reused)."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="policykg-parent-watch", daemon=True).start()


# (audit arch, socket syscall number) per machine
_SECCOMP_ARCH = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}


def close_network() -> bool:
    """Refuse IPv4 and IPv6 sockets to this process from now on (a seccomp filter, Linux
    x86-64 and arm64): nothing it runs can open a connection, loopback included. Local
    (Unix) sockets and pipes still work. Returns False where it is not available.

    Call it before any thread starts: threads created later inherit the filter.
    """
    arch = _SECCOMP_ARCH.get(platform.machine())
    if not sys.platform.startswith("linux") or arch is None:
        return False
    audit_arch, socket_nr = arch
    ld_abs, jeq, ret = 0x20, 0x15, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 13  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EACCES
    program = [
        (ld_abs, 0, 0, 4),  # seccomp_data.arch
        (jeq, 0, 5, audit_arch),
        (ld_abs, 0, 0, 0),  # seccomp_data.nr
        (jeq, 0, 3, socket_nr),
        (ld_abs, 0, 0, 16),  # seccomp_data.args[0] (low half): the address family
        (jeq, 2, 0, 2),  # AF_INET
        (jeq, 1, 0, 10),  # AF_INET6
        (ret, 0, 0, allow),
        (ret, 0, 0, deny),
    ]
    raw = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(raw)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return bool(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0)


# -- the store ------------------------------------------------------------------------------------

_ROCKSDB_FILES = (".sst", ".log")
_ROCKSDB_PREFIXES = ("MANIFEST-", "CURRENT")


def store_fingerprint(path: str) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the database files of an embedded store:
    a committed write changes them (the write-ahead log grows; flushes, bulk loads and
    compactions add or remove tables)."""
    out = []
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name.endswith(_ROCKSDB_FILES) or entry.name.startswith(_ROCKSDB_PREFIXES):
                try:
                    info = entry.stat()
                except FileNotFoundError:
                    continue
                out.append((entry.name, info.st_size, info.st_mtime_ns))
    return tuple(sorted(out))


class StoreView:
    """The worker's read-only view of the store, opened again when it went stale.

    A read-only open sees the store as it is at that moment, and costs more the longer
    the write-ahead log it replays (milliseconds after a clean close, seconds after a
    large ingest). So the store is opened when the worker starts, before it says it is
    ready; a watcher thread opens it again while the worker is idle as soon as the files
    change (:func:`store_fingerprint`); and a job checks the files again before it runs,
    so it never reads a state older than the last commit before it was sent. The
    fingerprint is taken before each open: a write during the open is seen next time.
    """

    #: How often the watcher compares the store's files with those of the open view.
    WATCH_S = 0.5

    def __init__(self, spec: StoreSpec) -> None:
        self.spec = spec
        self._store: Any = None
        self._fingerprint: Any = None
        self._lock = threading.Lock()

    def open(self) -> None:
        """Open (or reopen) the store now."""
        if self.spec.path is None:
            from graph.open_store import open_store

            if self.spec.remote is None:
                raise ValueError("a store spec names neither a folder nor a remote store")
            self._store = open_store(self.spec.remote)
            return
        import pyoxigraph as ox

        # A writer compacting meanwhile may delete a table the open is about to read
        # ("No such file ... MANIFEST may be corrupted"): transient, so open again.
        for attempt in range(OPEN_ATTEMPTS):
            fingerprint = store_fingerprint(self.spec.path)
            try:
                store = ox.Store.read_only(self.spec.path)
            except (OSError, RuntimeError):
                if attempt + 1 == OPEN_ATTEMPTS:
                    raise
                time.sleep(0.05 * (attempt + 1))
                continue
            self._store, self._fingerprint = store, fingerprint
            return

    def get(self, *, force: bool = False) -> Any:
        """The open store, reopened first when its files changed (or ``force``)."""
        with self._lock:
            stale = self.spec.path is not None and store_fingerprint(self.spec.path) != self._fingerprint
            if self._store is None or force or stale:
                self.open()
            return self._store

    def watch(self) -> None:
        """Reopen the store in the background when its files change (a daemon thread)."""
        if self.spec.path is None:
            return

        def loop() -> None:
            while True:
                time.sleep(self.WATCH_S)
                try:
                    # Not while a job holds the lock: the job reopens itself if it must.
                    if self._lock.acquire(blocking=False):
                        try:
                            if store_fingerprint(self.spec.path) != self._fingerprint:  # type: ignore[arg-type]
                                self.open()
                        finally:
                            self._lock.release()
                except Exception as exc:  # the next job reopens, and reports what fails
                    logger.warning("reopening the store failed: %s", exc)

        threading.Thread(target=loop, name="policykg-store-watch", daemon=True).start()

    def has_graph(self, store: Any, iri: str) -> bool:
        import pyoxigraph as ox

        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        if self.spec.path is None:
            return bool(store.query(f"ASK {{ GRAPH {node} {{ ?s ?p ?o }} }}"))
        return bool(store.contains_named_graph(node))

    def query(self, store: Any, job: QueryJob, declares_dataset: bool) -> Any:
        import pyoxigraph as ox

        if self.spec.path is None:
            return store.query(job.text, default_graph=job.default_graph, named_graphs=job.named_graphs)
        kwargs: dict[str, Any] = {}
        if job.default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graph]
        if job.named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        if job.default_graph is None and job.named_graphs is None and not declares_dataset:
            # Every document lives in its own graph: the default graph is their union.
            kwargs["use_default_graph_as_union"] = True
        return store.query(job.text, **kwargs)


# -- jobs -----------------------------------------------------------------------------------------


def run_query(view: StoreView, job: QueryJob) -> Outcome:
    """Check, evaluate and serialise one query (in the worker)."""
    from api import media
    from api.sparql_results import ProtocolError, serialise_result

    store = view.get()
    shape = check_query(job.text, lambda iri: view.has_graph(store, iri), job.limits)
    declares_dataset = bool(shape.from_default or shape.from_named)
    formats = tuple(media.format_named(name) if name else None for name in job.formats)

    def evaluate(store: Any) -> Any:
        result = view.query(store, job, declares_dataset)
        return serialise_result(result, formats, job.max_rows, threading.Event())

    try:
        answer = evaluate(store)
    except ProtocolError as exc:
        return Outcome(exc.status, message=exc.message)
    return Outcome(200, answer.body, answer.fmt.name, answer.truncated)


def run_job(view: StoreView, job: QueryJob | GuardJob) -> Outcome:
    """One job's outcome; every failure becomes a status and a message."""
    try:
        if isinstance(job, GuardJob):
            check_update(job.text, job.limits)
            return Outcome(200)
        try:
            return run_query(view, job)
        except RecursionError:
            raise
        except (OSError, RuntimeError):
            # A compaction by the writer may have removed tables this view had not opened
            # yet (they are read lazily): open the store again, and run the query again.
            view.get(force=True)
            return run_query(view, job)
    except GuardError as exc:
        return Outcome(exc.status, message=str(exc))
    except SyntaxError as exc:
        return Outcome(400, message=f"SPARQL syntax error: {exc}")
    except RecursionError:
        return Outcome(400, message="the query is nested too deeply to be evaluated; simplify it")
    except MemoryError:
        return Outcome(503, message="the query needed more memory than a query may use")
    except Exception as exc:  # the store failed: the server answers 500 with the reason
        return Outcome(500, message=f"the store failed to answer: {type(exc).__name__}: {exc}")


def _serve(conn: Connection, spec: StoreSpec) -> None:
    # Open the store and import what the first job needs before saying ready: a query's
    # time limit is for its own work.
    from rdflib.plugins.sparql import parser  # noqa: F401

    import api.sparql_results  # noqa: F401

    view = StoreView(spec)
    view.get()
    view.watch()
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        outcome = run_job(view, job)
        try:
            conn.send(outcome)
        except (BrokenPipeError, OSError):
            return


def worker_main(conn: Connection, parent_pid: int) -> None:
    """Entry point of a query worker process: the store spec is the first message."""
    die_with_parent(parent_pid)
    spec: StoreSpec = conn.recv()
    if spec.path is not None and not close_network():
        logger.warning("no seccomp filter on this platform: the worker keeps its network")
    watch_parent(parent_pid)
    sys.setrecursionlimit(RECURSION_LIMIT)
    threading.stack_size(JOB_STACK_BYTES)
    thread = threading.Thread(target=_serve, args=(conn, spec), name="policykg-query-job")
    thread.start()
    thread.join()
    os._exit(0)


if __name__ == "__main__":
    # python -m api.query_worker <socket fd> <server pid>  (started by api.query_pool).
    # Run the module under its own name, so that what it sends unpickles in the server.
    from api.query_worker import worker_main as main

    main(Connection(int(sys.argv[1])), int(sys.argv[2]))
