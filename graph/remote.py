"""A store behind any SPARQL 1.1 endpoint: Virtuoso, Apache Jena Fuseki, GraphDB, ...

:class:`RemoteStore` speaks the three W3C protocols over HTTP (httpx):

* SPARQL 1.1 Protocol queries (``POST`` form ``query=`` with ``default-graph-uri`` /
  ``named-graph-uri``). Answers are parsed into the same pyoxigraph objects the embedded
  store returns (``QuerySolutions``, ``QueryBoolean``, ``QueryTriples``), so the API
  serialises them the same way whichever store answered.
* SPARQL 1.1 Update (``POST`` with ``Content-Type: application/sparql-update``).
* SPARQL 1.1 Graph Store HTTP Protocol (``PUT``/``GET ?graph=``) when a Graph Store
  endpoint is configured; otherwise graphs are replaced with ``DROP SILENT GRAPH`` +
  ``INSERT DATA { GRAPH ... }`` inside one update request.

Server quirks handled here (each was observed on Virtuoso 7.2):

* an ``ASK`` is answered as a one-row table with the variable ``__ASK_RETVAL``: turned back
  into a boolean;
* HTTP 206 means the server cut the result short (``ResultSetMaxRows``, or an "anytime"
  query timeout): raised as an error instead of returning a silently partial answer;
* ``INSERT DATA`` must name a ``GRAPH`` (it always does here) and a single ``INSERT DATA``
  of more than about 5,000 triples exhausts the SPARQL parser ("SP030 ... memory
  exhausted"): data are split into several ``INSERT DATA`` operations of the same request;
* updates need digest authentication at ``/sparql-auth`` (Graph Store:
  ``/sparql-graph-crud-auth``), which ``store_auth="digest"`` provides.

Examples
--------
>>> store = RemoteStore("http://127.0.0.1:8890/sparql",
...     update_endpoint="http://127.0.0.1:8890/sparql-auth",
...     graph_store_endpoint="http://127.0.0.1:8890/sparql-graph-crud-auth",
...     user="dba", password="dba")
>>> store.update_endpoint
'http://127.0.0.1:8890/sparql-auth'
>>> store.close()

Open one from a :class:`graph.open_store.RemoteEndpoints` with
:func:`graph.open_store.open_store`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from graph.store import QueryTimeout, StoreError
from graph.terms import fill

__all__ = ["RemoteStore", "query_form"]

#: Triples per ``INSERT DATA`` operation: Virtuoso's SPARQL parser gives up near 5,000.
INSERT_DATA_TRIPLES = 2000
#: Upper bound on the size of one update request of :meth:`RemoteStore.replace_graphs`.
MAX_UPDATE_BYTES = 8 * 1024 * 1024

_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_VIRTUOSO_ASK_VARIABLE = "__ASK_RETVAL"
_GRAPH_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH $graph { ?s ?p ?o } }"
_GRAPH_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH $graph { ?s ?p ?o } }"

# The prologue of a query: comments, BASE and PREFIX declarations, before the query form.
_PROLOGUE_ITEM = re.compile(
    r"\s+|#[^\n\r]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>",
    re.IGNORECASE,
)
_QUERY_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(sparql: str) -> str:
    """The form of a SPARQL query: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.

    Only the prologue (comments, ``BASE``, ``PREFIX``) is skipped, so ``#`` inside IRIs of
    the prologue does not confuse it.

    Parameters
    ----------
    sparql
        The query text.

    Returns
    -------
    str
        The upper-case keyword of the query form.

    Raises
    ------
    StoreError
        When no query form follows the prologue (an update, or not SPARQL at all).

    Examples
    --------
    >>> query_form("PREFIX ex: <http://example.org/#>\\n# a comment\\nask { ?s ?p ?o }")
    'ASK'
    >>> query_form("CONSTRUCT WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    pos = 0
    while True:
        match = _PROLOGUE_ITEM.match(sparql, pos)
        if match is None or match.end() == pos:
            break
        pos = match.end()
    form = _QUERY_FORM.match(sparql, pos)
    if form is None:
        raise StoreError(f"not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE): {sparql[:80]!r}")
    return form.group(1).upper()


def _graph_term(graph: str) -> ox.NamedNode:
    """The IRI of a named graph as a term; a clear error when it is not an IRI."""
    try:
        return ox.NamedNode(graph)
    except ValueError as exc:
        raise StoreError(f"not a valid graph IRI: {graph!r} ({exc})") from exc


def _triple_line(quad: ox.Quad | ox.Triple) -> str:
    # pyoxigraph prints terms in N-Triples syntax, which SPARQL's data blocks accept as is.
    return f"{quad.subject} {quad.predicate} {quad.object} ."


def _has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def graph_update(graph: str, quads: Sequence[ox.Quad]) -> str:
    """The SPARQL Update that replaces one named graph: ``DROP SILENT GRAPH`` then the
    data in ``INSERT DATA { GRAPH <g> {...} }`` operations of at most
    :data:`INSERT_DATA_TRIPLES` triples each.

    Triples with blank nodes all go into one ``INSERT {...} WHERE {}`` operation, because
    blank node labels are scoped to the operation that carries them (and Virtuoso refuses
    them in ``INSERT DATA``).

    Examples
    --------
    >>> q = ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.Literal("a \\"b\\""),
    ...             ox.NamedNode("http://ex/g"))
    >>> print(graph_update("http://ex/g", [q]))
    DROP SILENT GRAPH <http://ex/g> ;
    INSERT DATA { GRAPH <http://ex/g> {
    <http://ex/s> <http://ex/p> "a \\"b\\"" .
    } }
    """
    target = _graph_term(graph)
    plain: list[str] = []
    with_blank: list[str] = []
    for quad in quads:
        if quad.graph_name != target:
            raise StoreError(f"quad {quad} is not in graph <{graph}> it is meant to replace")
        (with_blank if _has_blank_node(quad) else plain).append(_triple_line(quad))
    operations = [fill("DROP SILENT GRAPH $graph", graph=target)]
    for i in range(0, len(plain), INSERT_DATA_TRIPLES):
        chunk = plain[i : i + INSERT_DATA_TRIPLES]
        operations.append(fill("INSERT DATA { GRAPH $graph {\n", graph=target) + "\n".join(chunk) + "\n} }")
    if with_blank:
        # Virtuoso refuses blank nodes in INSERT DATA; a template with an empty WHERE mints
        # the same fresh nodes on every server.
        template = fill("INSERT { GRAPH $graph {\n", graph=target)
        operations.append(template + "\n".join(with_blank) + "\n} } WHERE {}")
    return " ;\n".join(operations)


class RemoteStore:
    """The :class:`graph.store.Store` protocol over a SPARQL 1.1 endpoint.

    Parameters
    ----------
    query_endpoint
        URL of the SPARQL query endpoint (``http://host:8890/sparql``,
        ``http://host:3030/ds/query``).
    update_endpoint
        URL of the SPARQL Update endpoint; defaults to ``query_endpoint``.
    graph_store_endpoint
        URL of the Graph Store Protocol endpoint (``/sparql-graph-crud-auth``,
        ``/ds/data``); without it graphs are read and replaced through SPARQL.
    user, password, auth
        Credentials, sent with ``auth`` = ``"digest"`` or ``"basic"`` to every endpoint.
    timeout_s
        Default time limit of a query, in seconds.
    write_timeout_s
        Time limit of an update or a graph upload.

    Notes
    -----
    A query that names no dataset runs against the server's default graph. The embedded
    store makes that the union of all named graphs; configure the server alike (Virtuoso
    does so by default, Fuseki with ``tdb2:unionDefaultGraph true``).

    Examples
    --------
    >>> store = RemoteStore("http://127.0.0.1:3030/ds/query",
    ...                     update_endpoint="http://127.0.0.1:3030/ds/update")
    >>> store.update_endpoint
    'http://127.0.0.1:3030/ds/update'
    >>> store.graph_store_endpoint is None
    True
    >>> store.close()
    """

    def __init__(
        self,
        query_endpoint: str,
        *,
        update_endpoint: str | None = None,
        graph_store_endpoint: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: str = "digest",
        timeout_s: float = 60.0,
        write_timeout_s: float = 600.0,
        max_connections: int = 32,
    ) -> None:
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or query_endpoint
        self.graph_store_endpoint = graph_store_endpoint
        self.timeout_s = timeout_s
        self.write_timeout_s = write_timeout_s
        credentials: httpx.Auth | None = None
        if user is not None:
            if auth == "digest":
                credentials = httpx.DigestAuth(user, password or "")
            elif auth == "basic":
                credentials = httpx.BasicAuth(user, password or "")
            else:
                raise StoreError(f"store_auth must be 'digest' or 'basic', not {auth!r}")
        self._client = httpx.Client(
            auth=credentials,
            timeout=httpx.Timeout(timeout_s, connect=10.0),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"User-Agent": "policykg"},
        )
        # Digest auth keeps a nonce count per client; writes also must not interleave.
        self._write_lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"RemoteStore(query={self.query_endpoint}, update={self.update_endpoint}, "
            f"graph_store={self.graph_store_endpoint})"
        )

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP ---------------------------------------------------------------------------

    def _send(self, method: str, url: str, *, what: str, timeout_s: float, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(
                method, url, timeout=httpx.Timeout(timeout_s, connect=10.0), **kwargs
            )
        except httpx.TimeoutException as exc:
            raise QueryTimeout(f"{what} at {url} ran past {timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"{what} at {url} failed: cannot reach the server ({exc})") from exc
        if response.status_code in (401, 403):
            raise StoreError(
                f"{what} at {url} refused (HTTP {response.status_code}): check store_user, "
                f"store_password and store_auth ({response.text[:200].strip()})"
            )
        if response.status_code == 206:
            # Virtuoso: the result was cut at ResultSetMaxRows or by an anytime timeout.
            state = response.headers.get("X-SQL-State", "")
            message = response.headers.get("X-SQL-Message", "")
            if state == "S1TAT" or "timeout" in message.lower():
                raise QueryTimeout(
                    f"{what} at {url} ran past the server's time limit: partial result refused"
                )
            raise StoreError(
                f"{what} at {url}: the server returned a truncated result (HTTP 206 {message}); "
                "raise its result limit (Virtuoso: [SPARQL] ResultSetMaxRows)"
            )
        if response.status_code >= 400:
            raise StoreError(
                f"{what} at {url} failed (HTTP {response.status_code}): {response.text[:500].strip()}"
            )
        return response

    # -- reading -------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        union_default_graph: bool = True,
        timeout_s: float | None = None,
    ) -> Any:
        """Run a query at the endpoint and return pyoxigraph result objects.

        ``default_graph``/``named_graphs`` become ``default-graph-uri``/``named-graph-uri``.
        With neither, ``union_default_graph=False`` asks for an empty default graph (as
        the embedded store has, all data living in named graphs) while named graphs stay
        reachable through ``GRAPH``.
        """
        form = query_form(sparql)
        data: list[tuple[str, str]] = [("query", sparql)]
        data += [("default-graph-uri", g) for g in default_graph or ()]
        data += [("named-graph-uri", g) for g in named_graphs or ()]
        if not default_graph and not named_graphs and not union_default_graph:
            data.append(("default-graph-uri", "urn:x-policykg:empty-default-graph"))
        accept = _RESULTS_ACCEPT if form in ("SELECT", "ASK") else _GRAPH_ACCEPT
        limit = timeout_s if timeout_s is not None else self.timeout_s
        response = self._send(
            "POST",
            self.query_endpoint,
            what="query",
            timeout_s=limit,
            content=urlencode(data).encode("ascii"),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
        return self._parse_answer(form, response)

    def _parse_answer(self, form: str, response: httpx.Response) -> Any:
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if form in ("SELECT", "ASK"):
            results_format = ox.QueryResultsFormat.from_media_type(media_type)
            if results_format is None:
                raise StoreError(f"query at {self.query_endpoint}: unexpected result type {media_type!r}")
            try:
                results = ox.parse_query_results(response.content, results_format)
            except (SyntaxError, ValueError) as exc:
                raise StoreError(
                    f"query at {self.query_endpoint}: unreadable {media_type} result: {exc}"
                ) from exc
            if form == "ASK" and isinstance(results, ox.QuerySolutions):
                return _virtuoso_ask(results)
            cap = response.headers.get("X-SPARQL-MaxRows")
            if cap and cap.isdigit() and isinstance(results, ox.QuerySolutions):
                # Virtuoso cuts a table at ResultSetMaxRows with HTTP 200, saying so only here.
                if sum(1 for _ in results) >= int(cap):
                    raise StoreError(
                        f"query at {self.query_endpoint}: the server cut the result at {cap} rows "
                        "(Virtuoso: raise [SPARQL] ResultSetMaxRows, or page with LIMIT/OFFSET)"
                    )
                # The count used up the iterator: parse the (small, capped) answer again.
                return ox.parse_query_results(response.content, results_format)
            return results
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise StoreError(f"query at {self.query_endpoint}: unexpected graph result type {media_type!r}")
        # Loading the triples into an in-memory store hands out a genuine QueryTriples,
        # which serialises exactly as the embedded store's answers do.
        scratch = ox.Store()
        try:
            scratch.load(response.content, rdf_format)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(
                f"query at {self.query_endpoint}: unreadable {media_type} result: {exc}"
            ) from exc
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def _select(self, sparql: str) -> list[ox.QuerySolution]:
        return list(self.query(sparql))

    def graphs(self) -> list[str]:
        """Every named graph the endpoint lists, sorted (Virtuoso adds a few of its own)."""
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def graph_quads(self, graph: str) -> Iterator[ox.Quad]:
        """The quads of one named graph (through the Graph Store Protocol when configured)."""
        name = _graph_term(graph)
        if self.graph_store_endpoint:
            response = self._client_get_graph(graph)
            if response is None:
                return iter(())
            media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
            triples = ox.parse(response.content, rdf_format)
        else:
            triples = self.query(fill(_GRAPH_TRIPLES, graph=name))
        quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
        expected = self.quad_count(graph)
        if len(quads) < expected:
            # Virtuoso truncates CONSTRUCT and Graph Store reads at ResultSetMaxRows, silently.
            raise StoreError(
                f"reading graph <{graph}> returned {len(quads)} of its {expected} triples: the server "
                "caps results (Virtuoso: raise [SPARQL] ResultSetMaxRows)"
            )
        return iter(quads)

    def _client_get_graph(self, graph: str) -> httpx.Response | None:
        assert self.graph_store_endpoint is not None
        try:
            return self._send(
                "GET",
                self.graph_store_endpoint,
                what=f"reading graph <{graph}>",
                timeout_s=self.write_timeout_s,
                params={"graph": graph},
                headers={"Accept": _GRAPH_ACCEPT},
            )
        except StoreError as exc:
            if "HTTP 404" in str(exc):
                return None
            raise

    def quad_count(self, graph: str | None = None) -> int:
        """Quads in one named graph, or in all named graphs."""
        if graph:
            query = fill(_GRAPH_COUNT, graph=_graph_term(graph))
        else:
            query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        rows = self._select(query)
        return int(rows[0]["n"].value) if rows else 0

    # -- writing -------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        """Send one SPARQL Update request (all its operations) to the update endpoint."""
        with self._write_lock:
            self._send(
                "POST",
                self.update_endpoint,
                what="update",
                timeout_s=self.write_timeout_s,
                content=sparql.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            )

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Replace one named graph in one request: a Graph Store ``PUT`` when an endpoint
        for it is configured, else ``DROP SILENT GRAPH`` + ``INSERT DATA``."""
        quads = list(quads)
        if not self.graph_store_endpoint or not quads:
            self.update(graph_update(graph, quads))
            return
        target = _graph_term(graph)
        for quad in quads:
            if quad.graph_name != target:
                raise StoreError(f"quad {quad} is not in graph <{graph}> it is meant to replace")
        body = ox.serialize(
            [ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES
        )
        with self._write_lock:
            # N-Triples is Turtle, the one RDF syntax every Graph Store implementation reads.
            self._send(
                "PUT",
                self.graph_store_endpoint,
                what=f"replacing graph <{graph}>",
                timeout_s=self.write_timeout_s,
                params={"graph": graph},
                content=body,
                headers={"Content-Type": "text/turtle; charset=utf-8"},
            )

    def replace_graphs(self, graphs: dict[str, list[ox.Quad]]) -> None:
        """Replace several named graphs with as few update requests as possible.

        Each graph is replaced by one request (never split), so a reader sees either its old
        or its new content; requests stay under :data:`MAX_UPDATE_BYTES` where the graphs
        allow it. Fuseki runs a request as one transaction; Virtuoso too, in its default
        transaction mode.
        """
        batch: list[str] = []
        size = 0
        for graph, quads in graphs.items():
            text = graph_update(graph, quads)
            if batch and size + len(text) > MAX_UPDATE_BYTES:
                self.update(" ;\n".join(batch))
                batch, size = [], 0
            batch.append(text)
            size += len(text)
        if batch:
            self.update(" ;\n".join(batch))

    def drop_graph(self, graph: str) -> bool:
        """Remove one named graph; True when it held any triple."""
        node = _graph_term(graph)
        existed = bool(self.query(fill("ASK { GRAPH $graph { ?s ?p ?o } }", graph=node)))
        self.update(fill("DROP SILENT GRAPH $graph", graph=node))
        return existed

    def close(self) -> None:
        self._client.close()


def _virtuoso_ask(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """Virtuoso answers ASK with one row binding ``__ASK_RETVAL`` to 1 or 0."""
    names = [variable.value for variable in solutions.variables]
    rows = list(solutions)
    value = False
    if rows and names:
        term = rows[0][names[0]]
        value = term is not None and term.value not in ("0", "false")
    answer = ox.parse_query_results(
        '{"head":{},"boolean":%s}' % ("true" if value else "false"), ox.QueryResultsFormat.JSON
    )
    assert isinstance(answer, ox.QueryBoolean)
    return answer
