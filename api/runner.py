"""Blocking jobs off the event loop, with a deadline decided before any byte is sent.

``/sparql`` queries run in killable worker processes (:mod:`api.query_pool`); this
thread runner carries what must stay in the server's process: SPARQL updates (on the
store the server writes), and queries of a store that lives only in this process's
memory (tests, doctests).

:class:`QueryRunner` runs a blocking function (a store query and the serialisation of
its results) on a worker thread and awaits it with a time limit. At most
``workers`` queries run at once (``settings.query_workers``); pyoxigraph releases the
GIL while it evaluates, so they really run in parallel and one slow query never stalls
the others or the event loop.

pyoxigraph (0.4, 0.5) cannot cancel a running evaluation. When the limit passes, the runner
answers at once (:class:`QueryTimeout`), sets the job's ``cancel`` event (the
serialisation loop checks it between rows, so a runaway that streams rows, such as a
cross product, stops at its next row) and frees its slot. A job that cannot notice
(an aggregate still computing) finishes in the background; while ``workers`` such
abandoned jobs still run, new queries are refused as busy rather than piling up.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class QueryTimeout(Exception):
    """The query ran past its time limit."""


class RunnerBusy(Exception):
    """Too many abandoned queries are still running."""


class Cancelled(Exception):
    """Raised inside a job that noticed its ``cancel`` event."""


class QueryRunner:
    """Run blocking jobs on threads, ``workers`` at a time, each within ``timeout_s``."""

    def __init__(self, workers: int, timeout_s: float) -> None:
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self._slots: asyncio.Semaphore | None = None
        self._abandoned: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def _semaphore(self) -> asyncio.Semaphore:
        # Created lazily, inside the running loop that uses it.
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        return self._slots

    @property
    def abandoned(self) -> int:
        """Timed-out jobs whose thread has not finished yet."""
        with self._lock:
            self._abandoned = {t for t in self._abandoned if t.is_alive()}
            return len(self._abandoned)

    async def run(self, job: Callable[[threading.Event], T], *, timeout_s: float | None = None) -> T:
        """Run ``job(cancel)`` on a worker thread and return its value.

        Raises
        ------
        QueryTimeout
            The job did not finish within the time limit (waiting for a free slot counts).
        RunnerBusy
            ``workers`` abandoned jobs are still running.
        """
        limit = self.timeout_s if timeout_s is None else timeout_s
        if self.abandoned >= self.workers:
            raise RunnerBusy(
                f"{self.workers} earlier queries that ran out of time are still being stopped; retry shortly"
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        slots = self._semaphore()
        try:
            await asyncio.wait_for(slots.acquire(), timeout=limit)
        except TimeoutError as exc:
            raise QueryTimeout(f"no query worker became free within {limit:g} s") from exc
        future: asyncio.Future[Any] = loop.create_future()
        cancel = threading.Event()

        def deliver(ok: bool, value: Any) -> None:
            if future.done():
                return
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

        def work() -> None:
            outcome: tuple[bool, Any]
            try:
                outcome = (True, job(cancel))
            except BaseException as exc:  # handed to the awaiting coroutine
                # Without its traceback: the frames hold pyoxigraph results, which must be
                # dropped on this thread (they are bound to the thread that made them).
                outcome = (False, exc.with_traceback(None))
                del exc
            # RuntimeError: the loop closed while an abandoned job was still running.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(deliver, *outcome)

        thread = threading.Thread(target=work, name="policykg-query", daemon=True)
        thread.start()
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout=max(0.0, deadline - loop.time()))
        except TimeoutError as exc:
            cancel.set()
            future.cancel()
            with self._lock:
                self._abandoned.add(thread)
            raise QueryTimeout(f"the query ran longer than the {limit:g} s limit and was stopped") from exc
        finally:
            slots.release()
