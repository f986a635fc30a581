"""The store interface: where the graph lives.

Two implementations share it: :class:`graph.oxigraph_store.OxigraphStore` (embedded,
persistent, the default) and :class:`graph.remote.RemoteStore` (any SPARQL 1.1 endpoint
with Update and the Graph Store Protocol: Virtuoso, Fuseki, ...). Quads are
``pyoxigraph.Quad`` values everywhere; query answers are pyoxigraph result objects
(``QuerySolutions``, ``QueryBoolean`` or ``QueryTriples``/an iterator of ``Triple``), so the
API serialises them the same way whichever store answered.

This module holds the interface and its errors only, so that both implementations import
it without it importing them back; :func:`graph.open_store.open_store` opens a store by
kind. Open a store there (or construct one), never at import time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox


class StoreError(Exception):
    """A store operation failed; the message says what and where."""


class QueryTimeout(StoreError):
    """The query ran past its time limit and was cancelled."""


@runtime_checkable
class Store(Protocol):
    """What ingest, links and the API need from a store."""

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        union_default_graph: bool = True,
        timeout_s: float | None = None,
    ) -> Any:
        """Run a SPARQL query string. ``default_graph``/``named_graphs`` are the dataset of
        the SPARQL protocol (``default-graph-uri``/``named-graph-uri``); without them the
        default graph is the union of all named graphs."""
        ...

    def update(self, sparql: str) -> None: ...

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Atomically replace the content of one named graph (quads must name ``graph``)."""
        ...

    def replace_graphs(self, graphs: dict[str, list[ox.Quad]]) -> None:
        """Replace several named graphs in one transaction (batched ingest)."""
        ...

    def drop_graph(self, graph: str) -> bool:
        """Remove one named graph; True when it existed."""
        ...

    def graphs(self) -> list[str]: ...

    def graph_quads(self, graph: str) -> Iterable[ox.Quad]: ...

    def quad_count(self, graph: str | None = None) -> int: ...

    def close(self) -> None: ...

