"""What every route shares: the settings, the open store, the query runner and the caches.

Every cache belongs to a store generation: a SPARQL Update through the endpoint bumps
:attr:`AppContext.generation`, and each cache is rebuilt (or, for answers, keyed) by it.

- :meth:`AppContext.catalogue`: documents, entities and topics with their names
  (:mod:`api.catalogue`; about 2 s and tens of MB for the full UN corpus). The REST
  timelines, lineages and stances read everything else from the store per request
  (:mod:`api.views`).
- :meth:`AppContext.answer`: REST answers as JSON bytes (:mod:`api.cache`), marked
  ``X-Cache: hit`` or ``miss``.
- :meth:`AppContext.network`: the networkx view of the whole store
  (:func:`graph.network.load_network`), built only for the routes that run graph
  algorithms or export whole subgraphs (paths, exports, documents, entities). It is
  large (45 s and 2 GB for 3,000 speeches), so it is built on first use, not at start-up,
  and then moved out of the collector's sight (:func:`gc.freeze`, as the catalogue is): a
  collector walking its millions of objects added 30 to 120 ms to every request,
  ``/sparql`` included.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.cache import CACHE_HEADER, ResponseCache
from api.catalogue import Catalogue, load_catalogue
from api.runner import QueryRunner
from api.search_index import SearchIndex
from graph.network import load_network
from graph.store import Store

if TYPE_CHECKING:
    from policykg.settings import Settings

logger = logging.getLogger("policykg.api")


class AppContext:
    """State of one running app (one store)."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.runner = QueryRunner(settings.query_workers, settings.query_timeout_s)
        self.generation = 0
        self._lock = threading.Lock()  # the generation only: never held while working
        self._network_lock = threading.Lock()
        self._search_lock = threading.Lock()
        self._network: tuple[int, nx.MultiDiGraph] | None = None
        self._catalogue_lock = threading.Lock()
        self._catalogue: tuple[int, Catalogue] | None = None
        self.answers = ResponseCache()
        index_path = None if settings.is_remote else Path(settings.store) / "search.sqlite3"
        self.search = SearchIndex(index_path)
        self._search_generation = -1

    @property
    def update_token(self) -> str | None:
        token = self.settings.update_token
        return token.get_secret_value() if token is not None else None

    def changed(self) -> None:
        """The store changed: drop every cache."""
        with self._lock:
            self.generation += 1
        # Answers of older generations can never be asked for again.
        self.answers.clear()

    def has_graph(self, iri: str) -> bool:
        """True when the store holds a named graph ``iri`` (asked, not cached)."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        return bool(self.store.query(f"ASK {{ GRAPH {node} {{ ?s ?p ?o }} }}"))

    def network(self) -> nx.MultiDiGraph:
        """The networkx view of the whole store (built on first use, then cached).

        Callers must not modify it.
        """
        with self._network_lock:
            generation = self.generation
            if self._network is not None and self._network[0] == generation:
                return self._network[1]
            self._network = None  # the old view goes before the new one is built
            graph = load_network(self.store)
            self._network = (generation, graph)
            _out_of_collector_sight()
            return graph

    def catalogue(self) -> Catalogue:
        """Documents, entities and topics of the current generation (built on first use)."""
        with self._catalogue_lock:
            generation = self.generation
            if self._catalogue is not None and self._catalogue[0] == generation:
                return self._catalogue[1]
            catalogue = load_catalogue(self.store)
            self._catalogue = (generation, catalogue)
            _out_of_collector_sight()
            return catalogue

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
        """Fill the caches the REST routes need first (catalogue, search index); failures
        are only logged, the routes that need a cache build it again and report their own
        errors. The networkx view is left to the routes that need it (see the module
        docstring)."""
        try:
            self.catalogue()
            self.search_index()
        except Exception as exc:  # the app may be shutting down, the store closing
            logger.warning("warming up the caches failed: %s", exc)

    def search_index(self) -> SearchIndex:
        """The full-text index, brought up to date with the store first when it changed."""
        with self._search_lock:
            generation = self.generation
            if self._search_generation != generation:
                self.search.sync(self.store)
                self._search_generation = generation
        return self.search


def _out_of_collector_sight() -> None:
    """Move the long-lived objects just built (a catalogue, a networkx view: up to millions)
    out of the cyclic collector's walks, which otherwise add tens of ms to requests."""
    gc.collect()
    gc.freeze()


def context(request: Request) -> AppContext:
    """The :class:`AppContext` of the app serving ``request`` (a FastAPI dependency)."""
    ctx: AppContext = request.app.state.ctx
    return ctx
