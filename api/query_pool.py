"""Queries in supervised worker processes: a query past its limits is killed, not abandoned.

pyoxigraph cannot cancel a running evaluation, and a thread cannot be stopped: a runaway
query on a thread keeps its core and grows its memory long after its client got a 503.
A process can be killed. :class:`QueryPool` keeps up to ``max_workers`` worker
processes (:mod:`api.query_worker`), each reading the store on its own, and gives each
``/sparql`` query to an idle one:

- past the query's time limit the worker is killed (``SIGKILL``): its CPU and memory are
  back at once, and a new worker is started in its place;
- a supervisor thread reads the resident memory of busy workers ten times a second and
  kills one past ``memory_mb`` (the query then answers 503), and moves a query running
  longer than :data:`SLOW_QUERY_S` to the slow lane (the lowest CPU priority), so that
  quick queries keep their CPU while long ones run;
- a worker that crashes (a query that breaks the evaluator) answers 400 for that query
  only; the server goes on and a new worker is started;
- two workers start with the pool, the others with the first query, and all are kept
  started (``spare``, all of them by default), so that a quick query never waits for a
  process to start while others run long queries; queries beyond ``max_workers`` wait
  in a queue of ``queue_size`` places (their wait counts toward their time limit), and
  only when it is full is a query refused at once (:class:`PoolBusy`: 503 with
  Retry-After).

Workers never outlive the server: the kernel kills them when the thread that started
them (the spawner's, which lives as long as the pool) ends (``PR_SET_PDEATHSIG``),
they leave when their connection closes, and :meth:`QueryPool.close` kills them.
Workers are fresh interpreters (no copy of the server's threads and locks), connected by
a Unix socket pair.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from api.query_worker import READY, GuardJob, Outcome, QueryJob, StoreSpec

logger = logging.getLogger("policykg.api.pool")

#: How often the supervisor reads the memory of busy workers.
MEMORY_CHECK_S = 0.1
#: Pause after a worker that ended before it was ready, before starting the next.
RESPAWN_BACKOFF_S = 1.0
#: Workers started with the pool; the others start with the first query.
INITIAL_WORKERS = 2
#: A query running longer than this moves to the slow lane: its worker's CPU priority
#: drops to :data:`SLOW_NICE`, so that quick queries (and the server) keep their CPU.
SLOW_QUERY_S = 0.5
SLOW_NICE = 19
#: How long a query waits for the first worker of a starting pool (not counted in its
#: time limit: starting an interpreter is not the query's doing).
STARTUP_WAIT_S = 60.0


class PoolBusy(Exception):
    """Every worker is busy and the queue is full."""


class QueryKilled(Exception):
    """The worker running the query was killed: ``reason`` is "timeout" or "memory"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class WorkerCrashed(Exception):
    """The worker died while running the query (the query broke the evaluator)."""


def _set_nice(pid: int, niceness: int) -> bool:
    """Set the CPU priority of every thread of a process (Linux priorities are per
    thread); False when it is not allowed (raising a priority needs privilege)."""
    try:
        threads = [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        threads = [pid]
    try:
        for tid in threads:
            with contextlib.suppress(ProcessLookupError):
                os.setpriority(os.PRIO_PROCESS, tid, niceness)
    except PermissionError:
        return False
    return True


def _resident_bytes(pid: int) -> int:
    """Resident memory of a process (Linux ``/proc``; 0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def start_worker(spec: StoreSpec) -> tuple[subprocess.Popen[bytes], Connection]:
    """Start a worker process (a fresh interpreter running :mod:`api.query_worker`, with
    this process's import path) and send it the store spec over a Unix socket pair."""
    ours, theirs = socket.socketpair()
    path = os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))
    env = {**os.environ, "PYTHONPATH": path}
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.query_worker", str(theirs.fileno()), str(os.getpid())],
            pass_fds=(theirs.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
        )
    finally:
        theirs.close()
    conn = Connection(ours.detach())
    conn.send(spec)
    return process, conn


@dataclass(eq=False)
class Worker:
    """One worker process, seen from the server."""

    process: Any
    conn: Connection
    ready: bool = False
    busy: bool = False
    dead: bool = False
    kill_reason: str | None = None
    future: asyncio.Future[Outcome] | None = None
    started: float = field(default_factory=time.monotonic)
    #: When the running query was sent (monotonic), and whether it was moved to the slow lane.
    job_started: float = 0.0
    demoted: bool = False
    #: Set when the worker said it is ready (``said_ready``), or ended before.
    started_event: threading.Event = field(default_factory=threading.Event)
    said_ready: bool = False

    @property
    def pid(self) -> int:
        return int(self.process.pid)


class QueryPool:
    """Worker processes for one store; use from the event loop of the app that owns it.

    Parameters
    ----------
    spec
        The store the workers read.
    max_workers
        Most queries evaluated at once (worker processes).
    queue_size
        Most queries waiting for a worker; beyond, :class:`PoolBusy`.
    memory_mb
        Resident memory past which a busy worker is killed.
    spare
        Idle workers kept started ahead (all ``max_workers`` by default: a quick query
        then finds a started worker while ``max_workers - 1`` long ones run).
    """

    def __init__(
        self, spec: StoreSpec, *, max_workers: int, queue_size: int, memory_mb: int, spare: int | None = None
    ) -> None:
        self.spec = spec
        self.max_workers = max(1, max_workers)
        self.queue_size = max(0, queue_size)
        self.memory_bytes = memory_mb * 1024 * 1024
        self.spare = self.max_workers if spare is None else max(0, min(spare, self.max_workers))
        self._workers: list[Worker] = []
        self._idle: deque[Worker] = deque()
        self._waiters: deque[asyncio.Future[Worker]] = deque()
        self._spawning = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._commands: queue.Queue[str] = queue.Queue()
        self._supervisor: threading.Thread | None = None
        self._spawner_thread: threading.Thread | None = None
        self._closed = False
        self._first_ready: asyncio.Event | None = None
        self._topped_up = False

    # -- life ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the supervisor and the first :data:`INITIAL_WORKERS` workers (call it
        inside the app's event loop); the others are started with the first query, so that
        an app that never answers one (a test of REST routes) starts few processes."""
        self._loop = asyncio.get_running_loop()
        self._first_ready = asyncio.Event()
        self._supervisor = threading.Thread(target=self._supervise, name="policykg-query-pool", daemon=True)
        self._supervisor.start()
        self._spawner_thread = threading.Thread(
            target=self._spawner, name="policykg-query-spawner", daemon=True
        )
        self._spawner_thread.start()
        for _ in range(min(INITIAL_WORKERS, self.max_workers)):
            self._spawning += 1
            self._commands.put("spawn")

    def start_workers(self) -> None:
        """Start all the workers now rather than with the first query (call it in the loop)."""
        self._topped_up = True
        self._top_up()

    def close(self) -> None:
        """Kill every worker and stop the supervisor."""
        self._closed = True
        for worker in list(self._workers):
            self._kill(worker, "closing")
        self._commands.put("stop")
        for thread in (self._supervisor, self._spawner_thread):
            if thread is not None:
                thread.join(timeout=5)
        for worker in list(self._workers):
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(timeout=2)

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and benchmarks)."""
        return [w.pid for w in self._workers if not w.dead and w.process.pid is not None]

    @property
    def busy_pids(self) -> list[int]:
        """Process ids of the workers running a query."""
        return [w.pid for w in self._workers if w.busy and not w.dead]

    @property
    def waiting(self) -> int:
        """Queries waiting for a worker."""
        return sum(1 for waiter in self._waiters if not waiter.done())

    # -- supervisor thread -------------------------------------------------------------------------

    def _spawner(self) -> None:
        """Start workers on request, one at a time: each starts once the one before is
        ready, so that starting interpreters never crowds out the workers that answer.
        This thread lives as long as the pool: the kernel's parent-death signal of the
        workers is tied to the thread that started them."""
        while True:
            command = self._commands.get()
            if command == "stop" or self._closed:
                return
            worker = self._spawn()
            if worker is not None:
                worker.started_event.wait(STARTUP_WAIT_S)
            if worker is None or not worker.said_ready:
                time.sleep(RESPAWN_BACKOFF_S)  # a worker that cannot start: do not spin

    def _supervise(self) -> None:
        """Watch the busy workers: kill one past the memory cap, move a long query to the
        slow lane."""
        while not self._closed:
            time.sleep(MEMORY_CHECK_S)
            now = time.monotonic()
            for worker in list(self._workers):
                if not worker.busy or worker.dead:
                    continue
                if _resident_bytes(worker.pid) > self.memory_bytes:
                    self._kill(worker, "memory")
                elif not worker.demoted and now - worker.job_started > SLOW_QUERY_S:
                    worker.demoted = True
                    _set_nice(worker.pid, SLOW_NICE)

    def _spawn(self) -> Worker | None:
        try:
            process, conn = start_worker(self.spec)
        except Exception as exc:  # the spawner must go on: report, and try again later
            logger.error("cannot start a query worker: %s", exc)
            self._call(self._spawn_failed)
            return None
        worker = Worker(process, conn)
        self._call(self._workers.append, worker)
        threading.Thread(
            target=self._read, args=(worker,), name=f"policykg-query-reader-{process.pid}", daemon=True
        ).start()
        return worker

    def _read(self, worker: Worker) -> None:
        """Hand a worker's messages to the event loop, until its connection ends."""
        while True:
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                break
            except Exception as exc:  # a message that does not unpickle: the worker is unusable
                logger.error("query worker %s sent an unreadable message: %s", worker.pid, exc)
                self._kill(worker, "broken")
                break
            if message == READY:
                worker.said_ready = True
                worker.started_event.set()
                self._call(self._on_ready, worker)
            else:
                self._call(self._on_outcome, worker, message)
        worker.started_event.set()
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(timeout=5)
        self._call(self._on_exit, worker)

    def _call(self, function: Any, *args: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(function, *args)

    # -- event loop side ---------------------------------------------------------------------------

    def _spawn_failed(self) -> None:
        self._spawning = max(0, self._spawning - 1)

    def _on_ready(self, worker: Worker) -> None:
        self._spawning = max(0, self._spawning - 1)
        worker.ready = True
        if self._first_ready is not None:
            self._first_ready.set()
        if worker.dead or self._closed:
            return
        self._release(worker)

    def _on_outcome(self, worker: Worker, outcome: Outcome) -> None:
        future = worker.future
        if future is not None and not future.done():
            future.set_result(outcome)

    def _on_exit(self, worker: Worker) -> None:
        if not worker.ready:
            self._spawning = max(0, self._spawning - 1)
        worker.dead = True
        with contextlib.suppress(ValueError):
            self._workers.remove(worker)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)
        worker.conn.close()
        future = worker.future
        if future is not None and not future.done():
            if worker.kill_reason in ("timeout", "memory"):
                future.set_exception(QueryKilled(worker.kill_reason, "the query was stopped"))
            else:
                code = worker.process.returncode
                crashed = code is not None and code < 0
                how = f"signal {signal.Signals(-code).name}" if crashed else f"status {code}"
                future.set_exception(WorkerCrashed(f"the query's worker process ended with {how}"))
        if not self._closed:
            self._top_up()

    def _kill(self, worker: Worker, reason: str) -> None:
        """Kill a worker (any thread); its reader thread reports the exit to the loop."""
        if worker.kill_reason is None:
            worker.kill_reason = reason
        with contextlib.suppress(ProcessLookupError, TypeError):
            os.kill(worker.pid, signal.SIGKILL)

    def _top_up(self) -> None:
        """Start workers so that every waiting query and ``spare`` more will have one, within
        ``max_workers`` processes in all (busy, idle and starting)."""
        if self._closed:
            return
        busy = sum(1 for w in self._workers if w.busy and not w.dead)
        available = len(self._idle) + self._spawning
        missing = min(
            self.max_workers - busy - available,
            len(self._waiters) + self.spare - available,
        )
        for _ in range(max(0, missing)):
            self._spawning += 1
            self._commands.put("spawn")

    def _release(self, worker: Worker) -> None:
        worker.busy = False
        worker.future = None
        if worker.demoted:
            # Back to normal priority for the next query; a process may not raise its own
            # priority without privilege, so a worker that cannot is replaced.
            if _set_nice(worker.pid, 0):
                worker.demoted = False
            else:
                self._kill(worker, "retired")
                return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                worker.busy = True
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    async def _acquire(self, deadline: float) -> Worker:
        loop = asyncio.get_running_loop()
        while self._idle:
            worker = self._idle.popleft()
            if not worker.dead:
                worker.busy = True
                self._top_up()
                return worker
        busy = sum(1 for w in self._workers if w.busy and not w.dead)
        # Waiting places: the queue, and the workers that may still be started for them.
        if len(self._waiters) >= self.queue_size + max(0, self.max_workers - busy):
            raise PoolBusy(
                f"{busy} queries are running and {len(self._waiters)} waiting, the most this "
                "endpoint takes; retry shortly"
            )
        waiter: asyncio.Future[Worker] = loop.create_future()
        self._waiters.append(waiter)
        self._top_up()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout=max(0.0, deadline - loop.time()))
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())  # handed over just as the wait ran out
            else:
                waiter.cancel()
            raise
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    async def run(self, job: QueryJob | GuardJob, timeout_s: float) -> Outcome:
        """The outcome of ``job`` on a worker, within ``timeout_s`` (waiting included).

        Raises
        ------
        PoolBusy
            No worker is free and the queue is full (or none could be started).
        TimeoutError
            No worker became free in time.
        QueryKilled
            The query ran past its time limit or memory and its worker was killed.
        WorkerCrashed
            The worker died while running the query.
        """
        loop = asyncio.get_running_loop()
        if not self._topped_up:
            self._topped_up = True
            self._top_up()
        if self._first_ready is not None and not self._first_ready.is_set():
            # The pool is starting: the time limit runs from when a worker can answer.
            try:
                await asyncio.wait_for(self._first_ready.wait(), STARTUP_WAIT_S)
            except TimeoutError as exc:
                raise PoolBusy(f"no query worker started within {STARTUP_WAIT_S:g} s") from exc
        deadline = loop.time() + timeout_s
        worker = await self._acquire(deadline)
        future: asyncio.Future[Outcome] = loop.create_future()
        worker.future = future
        worker.job_started = time.monotonic()
        try:
            worker.conn.send(job)
        except (OSError, ValueError) as exc:
            self._kill(worker, "broken")
            future.cancel()
            raise WorkerCrashed(f"the query worker could not take the query ({exc})") from exc
        try:
            outcome = await asyncio.wait_for(asyncio.shield(future), timeout=max(0.0, deadline - loop.time()))
        except TimeoutError as exc:
            if future.done() and not future.cancelled() and future.exception() is None:
                outcome = future.result()  # answered just as the limit passed
            else:
                self._kill(worker, "timeout")
                future.cancel()
                raise QueryKilled("timeout", f"the query ran longer than the {timeout_s:g} s limit") from exc
        except asyncio.CancelledError:
            # The client went away: the worker's answer is no longer wanted.
            self._kill(worker, "cancelled")
            future.cancel()
            raise
        self._release(worker)
        return outcome


def query_pool_for(settings: Any, store: Any) -> QueryPool | None:
    """The pool of query workers for the store an app serves: workers read an embedded
    store from its folder, or send queries to a remote endpoint; None for a store that
    lives only in this process's memory (queries then run on threads).

    ``settings`` is the app's :class:`policykg.settings.Settings`.
    """
    if settings.is_remote:
        spec = StoreSpec(None, settings.store_location())
    else:
        path = getattr(store, "path", None)
        if path is None:
            return None
        spec = StoreSpec(str(path))
    return QueryPool(
        spec,
        max_workers=settings.query_workers,
        queue_size=settings.query_queue,
        memory_mb=settings.query_memory_mb,
    )


__all__ = ["PoolBusy", "QueryKilled", "QueryPool", "WorkerCrashed", "query_pool_for"]
