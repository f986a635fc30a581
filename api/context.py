"""What every route shares: the settings, the open store, the query runner and the caches.

Every cache belongs to a store generation. :attr:`AppContext.generation` is THE store
generation of the running app: a counter that every committed write increments (a
document posted, replaced or removed, a Graph Store Protocol write, a SPARQL Update), and
each cache is rebuilt (or, for answers, keyed) by it. Code that keeps its own view of the
store (a read-only copy opened in a worker process) reopens it when the number changes.

Writes through the service (:meth:`AppContext.write`) run one at a time, off the event
loop; readers go on meanwhile and answer from the caches of the state before the write
while the document is read and extracted. Oxigraph commits a document's graph in one
transaction (a query never sees half of one); the generation moves on right then, so every
route shows the document at the moment ``/sparql`` can, and once more when the
incremental links refresh that follows is committed. The catalogue and the search index
are rebuilt in the background after each move, so that the next reader does not wait.

- :meth:`AppContext.catalogue`: documents, entities and topics with their names
  (:mod:`graph.read.catalogue`; 9 to 13 s to read for the full UN corpus, 0.5 s from the
  file saved beside the store while it is unchanged). The REST
  routes read everything else from the store per request through :mod:`graph.read`
  (targeted SPARQL); no route builds a networkx view of the whole store.
- :meth:`AppContext.entity_use`: which entities the documents name and how many
  documents mention each (:func:`graph.read.entities.entity_use`), for ``/entities``.
- :meth:`AppContext.mention_index`: which documents mention which entities, as arrays
  of numbers (:mod:`graph.read.mention_index`), for co-mentions and path searches.
- :meth:`AppContext.answer`: REST answers as JSON bytes (:mod:`api.cache`), marked
  ``X-Cache: hit`` or ``miss``.

What is kept per generation is moved out of the collector's sight once built
(:func:`gc.freeze`): a collector walking its many objects added 30 to 120 ms to every
request, ``/sparql`` included.
"""

from __future__ import annotations

import gc
import logging
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox
from fastapi import HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.cache import CACHE_HEADER, ResponseCache
from api.runner import QueryRunner
from api.search_index import SearchIndex
from graph.oxigraph_store import OxigraphStore
from graph.read.catalogue import Catalogue, saved_catalogue
from graph.read.ego_rdf import EntityDescriptions
from graph.read.entities import EntityUse, saved_entity_use
from graph.read.mention_index import MentionIndex, saved_mention_index
from graph.read.saved import store_fingerprint
from graph.store import Store
from policykg.server_file import announce, server_url, withdraw

if TYPE_CHECKING:
    from policykg.settings import Settings

logger = logging.getLogger("policykg.api")

T = TypeVar("T")


class AppContext:
    """State of one running app (one store)."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        #: The embedded store's folder, where whole-store reads are kept (graph.read.saved).
        self.folder = store.path if isinstance(store, OxigraphStore) else None
        self.runner = QueryRunner(settings.query_workers, settings.query_timeout_s)
        self.generation = 0
        self._lock = threading.Lock()  # the generation only: never held while working
        #: One writer at a time (documents, Graph Store Protocol); held for a whole write.
        self.write_lock = threading.Lock()
        self._warm_lock = threading.Lock()
        self._warm_thread: threading.Thread | None = None
        self._warm_again = False
        self._closing = False
        self._announced: Path | None = None
        self._search_lock = threading.Lock()
        self._catalogue_lock = threading.Lock()
        self._catalogue: tuple[int, Catalogue] | None = None
        self._entity_use_lock = threading.Lock()
        self._entity_use: tuple[int, EntityUse] | None = None
        self._mentions_lock = threading.Lock()
        self._mentions: tuple[int, MentionIndex] | None = None
        self._descriptions_lock = threading.Lock()
        self._descriptions: tuple[int, EntityDescriptions] | None = None
        self.answers = ResponseCache()
        index_path = None if settings.is_remote else Path(settings.store) / "search.sqlite3"
        self.search = SearchIndex(index_path)
        self._search_generation = -1

    @property
    def update_token(self) -> str | None:
        token = self.settings.update_token
        return token.get_secret_value() if token is not None else None

    def changed(self) -> None:
        """The store changed (a write was committed): move to the next generation, drop the
        answers of the old one, and rebuild the catalogue and search index in the background."""
        with self._lock:
            self.generation += 1
        # Answers of older generations can never be asked for again.
        self.answers.clear()
        self._warm_up_soon()

    def write(self, job: Callable[[], T], wrote: Callable[[T], bool] | None = None) -> T:
        """Run the write ``job`` alone (one writer at a time), then move to a new generation
        unless ``wrote(result)`` says nothing changed; also when ``job`` failed part-way
        (something may have been written). Call it off the event loop
        (``run_in_threadpool``): it blocks while another write runs."""
        with self.write_lock:
            try:
                result = job()
            except BaseException:
                self.changed()
                raise
            if wrote is None or wrote(result):
                self.changed()
            return result

    def _warm_up_soon(self) -> None:
        """Start one background warm-up, or have the running one go again when it is done
        (writes in a row need one rebuild, not one each)."""
        with self._warm_lock:
            if self._closing:
                return
            if self._warm_thread is not None and self._warm_thread.is_alive():
                self._warm_again = True
                return
            self._warm_thread = threading.Thread(target=self._warm_loop, name="policykg-warm-up", daemon=True)
            self._warm_thread.start()

    def _warm_loop(self) -> None:
        while True:
            self.warm_up()
            with self._warm_lock:
                if not self._warm_again or self._closing:
                    return
                self._warm_again = False

    def announce(self) -> None:
        """Write the store folder's server file (:mod:`policykg.server_file`), so that
        ``policykg ingest`` and ``remove`` send their work here instead of failing on the
        store lock. Only a server that writes to an embedded store announces itself."""
        if self.settings.is_remote or getattr(self.store, "read_only", True):
            return
        folder = Path(self.settings.store)
        try:
            announce(folder, server_url(self.settings.host, self.settings.port))
        except OSError as exc:
            logger.warning("cannot write the server file in %s: %s", folder, exc)
            return
        self._announced = folder

    def close(self, warm_up_wait_s: float = 30.0) -> None:
        """Release what the context holds (the search index, the server file), after a
        background warm-up still running (up to ``warm_up_wait_s``) is done with the store."""
        with self._warm_lock:
            self._closing = True
            thread = self._warm_thread
        if thread is not None:
            thread.join(warm_up_wait_s)
        self.search.close()
        if self._announced is not None:
            withdraw(self._announced)
            self._announced = None

    def has_graph(self, iri: str) -> bool:
        """True when the store holds a named graph ``iri`` (asked, not cached)."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        return bool(self.store.query(f"ASK {{ GRAPH {node} {{ ?s ?p ?o }} }}"))

    def catalogue(self) -> Catalogue:
        """Documents, entities and topics of the current generation (built on first use)."""
        with self._catalogue_lock:
            generation = self.generation
            if self._catalogue is not None and self._catalogue[0] == generation:
                return self._catalogue[1]
            catalogue = saved_catalogue(self.store, self.folder)
            self._catalogue = (generation, catalogue)
            _out_of_collector_sight()
            return catalogue

    def entity_descriptions(self) -> EntityDescriptions:
        """The entities' descriptions read so far by exports, of the current generation."""
        with self._descriptions_lock:
            generation = self.generation
            if self._descriptions is None or self._descriptions[0] != generation:
                self._descriptions = (generation, EntityDescriptions())
            return self._descriptions[1]

    def entity_use(self) -> EntityUse:
        """Which entities the documents name, with their numbers of mentioning documents,
        for the current generation (built on first use, after the catalogue; kept beside
        the store while it is unchanged, as the catalogue is)."""
        with self._entity_use_lock:
            generation = self.generation
            if self._entity_use is not None and self._entity_use[0] == generation:
                return self._entity_use[1]
            use = saved_entity_use(self.store, self.catalogue(), self.folder)
            self._entity_use = (generation, use)
            return use

    def mention_index(self) -> MentionIndex:
        """Which documents mention which entities, in memory, for the current generation
        (:mod:`graph.read.mention_index`: co-mentions and path searches; kept beside the
        store while it is unchanged)."""
        with self._mentions_lock:
            generation = self.generation
            if self._mentions is not None and self._mentions[0] == generation:
                return self._mentions[1]
            self._mentions = None  # the old index goes before the new one is read
            index = saved_mention_index(self.store, self.folder)
            self._mentions = (generation, index)
            return index

    def answer(self, request: Request, build: Callable[[], BaseModel]) -> Response:
        """The JSON answer ``build()`` gives for this request, from the answer cache when
        the same route and parameters were answered in this store generation.

        The key is the path, the query parameters (sorted) and the generation; the answer
        carries ``X-Cache: hit`` or ``miss``. Errors (HTTP exceptions) are not cached.
        """
        key = (request.url.path, tuple(sorted(request.query_params.multi_items())), self.generation)

        def compute() -> bytes:
            return build().model_dump_json(by_alias=True).encode("utf-8")

        body, hit = self.answers.get_or_compute(key, compute)
        return Response(
            body, media_type="application/json", headers={CACHE_HEADER: "hit" if hit else "miss"}
        )

    def warm_up(self) -> None:
        """Fill the caches the REST routes need first (catalogue, entity use, mention
        index, search index), then the entities' descriptions exports need; failures are
        only logged, the routes that need a cache build it again and report their own
        errors."""
        try:
            self.catalogue()
            self.entity_use()
            self.mention_index()
            self.search_index()
            # Last: only exports need them (an ego network names thousands of entities).
            self.entity_descriptions().read_all(self.store)
        except Exception as exc:  # the app may be shutting down, the store closing
            logger.warning("warming up the caches failed: %s", exc)

    def search_index(self) -> SearchIndex:
        """The full-text index, brought up to date with the store first when it changed."""
        with self._search_lock:
            generation = self.generation
            if self._search_generation != generation:
                self.search.sync(self.store, fingerprint=store_fingerprint(self.folder))
                self._search_generation = generation
        return self.search


def _out_of_collector_sight() -> None:
    """Move the long-lived objects just built (a catalogue: up to millions) out of the
    cyclic collector's walks, which otherwise add tens of ms to requests."""
    gc.collect()
    gc.freeze()


def context(request: Request) -> AppContext:
    """The :class:`AppContext` of the app serving ``request`` (a FastAPI dependency)."""
    ctx: AppContext = request.app.state.ctx
    return ctx


def require_update_token(request: Request) -> None:
    """Refuse a write without the update token (a FastAPI dependency): 401 when no bearer
    token is sent, 403 when the token is wrong or the service takes no writes (no
    ``POLICYKG_UPDATE_TOKEN`` configured)."""
    expected = context(request).update_token
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise HTTPException(
            401,
            "writing needs the update token: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": 'Bearer realm="policykg"'},
        )
    if expected is None:
        raise HTTPException(
            403, "this service takes no writes: it runs without an update token (POLICYKG_UPDATE_TOKEN)"
        )
    if not secrets.compare_digest(given.strip().encode(), expected.encode()):
        raise HTTPException(403, "the update token is not the one this service accepts")
