"""Opening a store by kind: a folder (embedded Oxigraph) or a remote SPARQL endpoint.

Where a store lives is a plain value: a :class:`pathlib.Path` for the embedded store, a
:class:`RemoteEndpoints` for a remote one. The entry points (CLI, ``create_app``) turn
their settings into one of these; everything below takes the value or the open store.
The implementations are imported only when opened, so that opening an embedded store
does not load the HTTP client.

Examples
--------
>>> store = open_store(RemoteEndpoints("http://127.0.0.1:3030/ds/query",
...                                    update="http://127.0.0.1:3030/ds/update"))
>>> (store.query_endpoint, store.update_endpoint, store.graph_store_endpoint)
('http://127.0.0.1:3030/ds/query', 'http://127.0.0.1:3030/ds/update', None)
>>> store.close()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graph.store import Store, StoreError

__all__ = ["RemoteEndpoints", "StoreLocation", "open_store"]


@dataclass(frozen=True, slots=True)
class RemoteEndpoints:
    """Where a remote store answers, and how to log in.

    Attributes
    ----------
    query
        The SPARQL 1.1 query endpoint (an http(s) URL).
    update
        The SPARQL 1.1 Update endpoint; None: the query endpoint.
    graph_store
        The Graph Store Protocol endpoint; None: graphs are replaced by SPARQL Update.
    user, password, auth
        Credentials for updates (``auth``: ``"digest"`` or ``"basic"``).
    timeout_s
        Time limit of one query, in seconds.
    """

    query: str
    update: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "digest"
    timeout_s: float = 60.0


#: Where a store lives: a folder, or the endpoints of a remote store.
StoreLocation = Path | RemoteEndpoints


def open_store(location: StoreLocation, *, read_only: bool = False) -> Store:
    """Open the store at ``location``.

    Parameters
    ----------
    location
        A folder (embedded Oxigraph store) or the endpoints of a remote store.
    read_only
        Open an embedded store read-only (a remote store's rights are the server's).

    Raises
    ------
    StoreError
        The store cannot be opened (no store in a read-only folder, a lock held by
        another process, a bad ``auth``); the message says where.
    """
    if isinstance(location, RemoteEndpoints):
        if not location.query.startswith(("http://", "https://")):
            raise StoreError(f"store {location.query!r} is not an http(s) URL of a SPARQL endpoint")
        from graph.remote import RemoteStore

        return RemoteStore(
            location.query,
            update_endpoint=location.update,
            graph_store_endpoint=location.graph_store,
            user=location.user,
            password=location.password,
            auth=location.auth,
            timeout_s=location.timeout_s,
        )
    from graph.oxigraph_store import OxigraphStore

    return OxigraphStore(location, read_only=read_only)
