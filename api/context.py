"""What every route shares: the settings, the open store, the query runner and the caches.

The networkx view of the store (:func:`graph.network.load_network`) is built once and
kept until the store changes through the endpoint (a SPARQL Update bumps
:attr:`AppContext.generation`), so REST calls that walk it cost no store round trips.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import pyoxigraph as ox
from fastapi import Request

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
            graph = load_network(self.store)
            self._network = (generation, graph)
            return graph

    def warm_up(self) -> None:
        """Fill the caches (network view, search index); failures are only logged, the
        routes that need a cache build it again and report their own errors."""
        try:
            self.network()
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


def context(request: Request) -> AppContext:
    """The :class:`AppContext` of the app serving ``request`` (a FastAPI dependency)."""
    ctx: AppContext = request.app.state.ctx
    return ctx
