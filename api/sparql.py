"""The SPARQL 1.1 Protocol at ``/sparql``: query, update, service description, editor.

- Query: ``GET ?query=``, ``POST`` form-encoded (``query=``) or ``application/sparql-query``,
  with ``default-graph-uri``/``named-graph-uri`` (which replace the query's own dataset).
  Without a dataset the default graph is the union of the named graphs (every document
  lives in its own graph). Results are negotiated (``Accept``, or ``format=``/``output=``/
  ``results=`` as Fuseki reads them: short names, media types, comma lists; unknown
  values ignored): SPARQL JSON, XML, CSV, TSV; graphs of CONSTRUCT/DESCRIBE as Turtle,
  N-Triples, JSON-LD or RDF/XML. Relative IRIs resolve against the endpoint URL.
- Update: ``POST`` form-encoded (``update=``) or ``application/sparql-update``, with
  ``using-graph-uri``/``using-named-graph-uri``. Refused (403) unless
  ``settings.update_token`` is set, then only with ``Authorization: Bearer <token>``
  (401 otherwise).
- Refused with 400 and a message: ``SERVICE``, ``LOAD``, ``FROM`` of a graph the store does
  not hold, a malformed request (two queries, no query, a syntax error); 415 for a body of
  another media type or charset; 406 when no offered format is acceptable.
- Every query is checked (:mod:`api.sparql_guard`), evaluated and serialised in a worker
  process (:mod:`api.query_pool`) within ``settings.query_timeout_s``: past it the
  worker is killed and the answer is 503, decided before a byte of the result is sent;
  the same past ``settings.query_memory_mb``. Queries wait for a free worker in a queue
  of ``settings.query_queue`` places; when it is full the answer is 503 with
  ``Retry-After``. Request bodies past ``settings.sparql_max_body_bytes`` are refused
  (413). A store living only in this process's memory is queried on a thread
  (:class:`api.runner.QueryRunner`). Results beyond ``settings.max_result_rows`` rows (or triples) are cut,
  the answer is then ``206 Partial Content`` (as Virtuoso does) with
  ``X-Result-Truncated: <cap>``.
- ``GET /sparql`` without a query: the query editor (YASGUI) for a browser, the service
  description (SPARQL 1.1 Service Description) for anything else.
"""

from __future__ import annotations

import io
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api import media
from api.context import AppContext
from api.problems import problem_response
from api.query_pool import PoolBusy, QueryKilled, QueryPool, WorkerCrashed
from api.query_worker import GuardJob, Outcome, QueryJob
from api.runner import QueryTimeout, RunnerBusy
from api.service_description import service_description
from api.sparql_guard import GuardError, QueryLimits, add_using, check_query, check_update
from api.sparql_results import Answer, ProtocolError, serialise_result
from graph.store import QueryTimeout as StoreQueryTimeout
from graph.store import StoreError

router = APIRouter(tags=["SPARQL"])

STATIC_DIR = Path(__file__).resolve().parent / "static"
_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """An RFC 9457 problem details answer, like every other error of the API."""
    return problem_response(status, message, headers=headers)


@dataclass(frozen=True, slots=True)
class Operation:
    """A parsed protocol request."""

    kind: str  # "query" | "update" | "none"
    text: str
    params: list[tuple[str, str]]

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.params if k == name]


# -- parsing the request ----------------------------------------------------------------------


def _media_type(request: Request) -> tuple[str, str | None]:
    header = request.headers.get("content-type")
    if not header:
        return "", None
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for param in parts[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the {what} is not valid UTF-8 ({exc})") from exc


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or 413 as soon as it passes ``limit`` bytes (announced by
    ``Content-Length`` or counted while it streams in)."""
    declared = request.headers.get("content-length")
    too_large = ProtocolError(
        413,
        f"the request body is larger than {limit:,} bytes, the most this endpoint takes "
        "(POLICYKG_SPARQL_MAX_BODY_BYTES)",
    )
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def parse_request(request: Request, limit: int) -> Operation:
    """Read a protocol request (a body of at most ``limit`` bytes); :class:`ProtocolError`
    when it is malformed."""
    params = list(request.query_params.multi_items())
    if request.method == "GET":
        if any(k == "update" for k, _ in params):
            raise ProtocolError(405, "SPARQL Update must be sent with POST, not GET", {"Allow": "GET, POST"})
        queries = [v for k, v in params if k == "query"]
        if len(queries) > 1:
            raise ProtocolError(
                400, f"the request carries {len(queries)} 'query' parameters; send exactly one"
            )
        if not queries:
            return Operation("none", "", params)
        return Operation("query", queries[0], params)

    media_type, charset = _media_type(request)
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, f"the body must be UTF-8, not {charset}")
    body = await read_body(request, limit)
    if media_type == _FORM:
        form = parse_qsl(_decode(body, "form body"), keep_blank_values=True)
        queries = [v for k, v in form if k == "query"]
        updates = [v for k, v in form if k == "update"]
        if len(queries) + len(updates) != 1:
            if not queries and not updates:
                raise ProtocolError(400, "the form carries no 'query' or 'update' parameter")
            raise ProtocolError(
                400,
                f"the form carries {len(queries)} 'query' and {len(updates)} 'update' parameters; "
                "send exactly one",
            )
        rest = [(k, v) for k, v in form if k not in ("query", "update")]
        if queries:
            return Operation("query", queries[0], params + rest)
        return Operation("update", updates[0], params + rest)
    if media_type == _QUERY:
        return Operation("query", _decode(body, "query"), params)
    if media_type == _UPDATE:
        return Operation("update", _decode(body, "update"), params)
    shown = media_type or "no Content-Type"
    raise ProtocolError(
        415,
        f"a POST to /sparql must be {_FORM}, {_QUERY} or {_UPDATE}; got {shown}",
    )


def _graph_params(op: Operation, names: tuple[str, str]) -> tuple[list[str] | None, list[str] | None]:
    default, named = op.values(names[0]), op.values(names[1])
    for iri in (*default, *named):
        try:
            node = ox.NamedNode(iri)
        except ValueError as exc:
            raise ProtocolError(400, f"not an absolute IRI: {iri!r} ({exc})") from exc
        if ":" not in node.value:
            raise ProtocolError(400, f"not an absolute IRI: {iri!r}")
    if not default and not named:
        return None, None
    return default, named


def endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


def _with_base(text: str, base: str) -> str:
    # On the first line, so that line numbers of syntax errors stay right.
    return f"BASE <{base}> {text}"


# -- running -----------------------------------------------------------------------------------


def _format_parameters(op: Operation) -> list[str]:
    return [v for k, v in op.params if k in media.FORMAT_PARAMETERS]


def _check_output_format(op: Operation, accept: str | None) -> tuple[media.MediaFormat | None, ...]:
    """The formats of a SELECT, an ASK and a graph answer: named by ``format``/``output``/
    ``results`` parameters (short names, media types or comma lists, as Fuseki reads
    them), else negotiated from ``Accept``. Unknown parameter values are ignored. A
    parameter naming a format of another kind only (``format=csv`` for an ASK) gives that
    kind's default format rather than 406: the client asked for something, not nothing."""
    parameters = _format_parameters(op)
    out = []
    for offered in (media.SELECT_FORMATS, media.BOOLEAN_FORMATS, media.GRAPH_FORMATS):
        chosen, named = media.choose(parameters, accept, offered)
        out.append(chosen if chosen is not None or not named else offered[0])
    return tuple(out)


def _answer_response(answer: Answer, cap: int) -> Response:
    headers = {"Vary": "Accept"}
    status = 200
    if answer.truncated:
        status = 206
        headers["X-Result-Truncated"] = str(cap)
    return Response(answer.body, status_code=status, media_type=answer.fmt.content_type, headers=headers)


def query_limits(ctx: AppContext) -> QueryLimits:
    settings = ctx.settings
    return QueryLimits(settings.max_query_bytes, settings.max_query_tokens, settings.max_query_depth)


def query_pool(request: Request) -> QueryPool | None:
    pool: QueryPool | None = getattr(request.app.state, "query_pool", None)
    return pool


async def run_query(ctx: AppContext, request: Request, op: Operation) -> Response:
    if not op.text.strip():
        raise ProtocolError(400, "the query is empty")
    default_graph, named_graphs = _graph_params(op, ("default-graph-uri", "named-graph-uri"))
    if op.values("using-graph-uri") or op.values("using-named-graph-uri"):
        raise ProtocolError(
            400,
            "using-graph-uri/using-named-graph-uri belong to updates; a query takes "
            "default-graph-uri/named-graph-uri",
        )
    formats = _check_output_format(op, request.headers.get("accept"))
    if not any(formats):
        raise ProtocolError(
            406,
            "none of the result formats is acceptable: SPARQL JSON, XML, CSV, TSV results, or Turtle, "
            "N-Triples, JSON-LD, RDF/XML graphs",
        )
    sparql = _with_base(op.text, endpoint_url(request))
    cap = ctx.settings.max_result_rows
    limits = query_limits(ctx)
    pool = query_pool(request)
    if pool is not None:
        job = QueryJob(
            sparql,
            None if default_graph is None else tuple(default_graph),
            None if named_graphs is None else tuple(named_graphs),
            tuple(f.name if f is not None else None for f in formats),  # type: ignore[arg-type]
            cap,
            limits,
        )
        outcome = await _run_in_pool(ctx, pool, job)
        if outcome.status != 200 or outcome.format_name is None:
            raise ProtocolError(outcome.status, outcome.message)
        answer = Answer(outcome.body, media.format_named(outcome.format_name), outcome.truncated)
        return _answer_response(answer, cap)

    # A store in this process's memory only: the query runs on a thread (api.runner).
    def job_on_thread(cancel: threading.Event) -> Answer:
        check_query(sparql, ctx.has_graph, limits)
        result = ctx.store.query(sparql, default_graph=default_graph, named_graphs=named_graphs)
        return serialise_result(result, formats, cap, cancel)

    answer = await _run(ctx, job_on_thread)
    return _answer_response(answer, cap)


async def _run_in_pool(ctx: AppContext, pool: QueryPool, job: QueryJob | GuardJob) -> Outcome:
    limit = ctx.settings.query_timeout_s
    try:
        return await pool.run(job, limit)
    except PoolBusy as exc:
        raise ProtocolError(503, str(exc), {"Retry-After": "5"}) from exc
    except TimeoutError as exc:
        raise ProtocolError(
            503, f"query timeout: no query worker became free within {limit:g} s", {"Retry-After": "5"}
        ) from exc
    except QueryKilled as exc:
        if exc.reason == "memory":
            raise ProtocolError(
                503,
                f"the query was stopped: it needed more than {ctx.settings.query_memory_mb} MiB "
                "(POLICYKG_QUERY_MEMORY_MB); narrow it down",
            ) from exc
        raise ProtocolError(
            503,
            f"query timeout: the query ran longer than the {limit:g} s limit and was stopped",
            {"Retry-After": "1"},
        ) from exc
    except WorkerCrashed as exc:
        raise ProtocolError(
            400, f"the query could not be evaluated: {exc}; it is probably too large or too deeply nested"
        ) from exc


async def _run(ctx: AppContext, job: Any) -> Any:
    try:
        return await ctx.runner.run(job)
    except (QueryTimeout, StoreQueryTimeout) as exc:
        raise ProtocolError(503, f"query timeout: {exc}", {"Retry-After": "1"}) from exc
    except RunnerBusy as exc:
        raise ProtocolError(503, str(exc), {"Retry-After": "5"}) from exc
    except GuardError as exc:
        raise ProtocolError(exc.status, str(exc)) from exc
    except SyntaxError as exc:
        raise ProtocolError(400, f"SPARQL syntax error: {exc}") from exc
    except ProtocolError:
        raise
    except (StoreError, OSError, ValueError) as exc:
        raise ProtocolError(500, f"the store failed to answer: {exc}") from exc


def _authorise(ctx: AppContext, request: Request) -> None:
    token = ctx.update_token
    if token is None:
        raise ProtocolError(
            403,
            "SPARQL Update is disabled: this endpoint is read-only (set POLICYKG_UPDATE_TOKEN to enable "
            "updates with Authorization: Bearer <token>)",
        )
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), token.encode()):
        raise ProtocolError(
            401,
            "SPARQL Update needs the update token: send Authorization: Bearer <token>",
            {"WWW-Authenticate": 'Bearer realm="policykg"'},
        )


async def run_update(ctx: AppContext, request: Request, op: Operation) -> Response:
    _authorise(ctx, request)
    if op.values("default-graph-uri") or op.values("named-graph-uri"):
        raise ProtocolError(
            400,
            "default-graph-uri/named-graph-uri belong to queries; an update takes "
            "using-graph-uri/using-named-graph-uri",
        )
    if not op.text.strip():
        raise ProtocolError(400, "the update is empty")
    using, using_named = _graph_params(op, ("using-graph-uri", "using-named-graph-uri"))
    limits = query_limits(ctx)
    pool = query_pool(request)
    # The guard's parser runs in a worker process (deep recursion, killable), or on a thread.
    if pool is not None:
        outcome = await _run_in_pool(ctx, pool, GuardJob(op.text, limits))
        if outcome.status != 200:
            raise ProtocolError(outcome.status, outcome.message)
    else:
        await _run(ctx, lambda cancel: check_update(op.text, limits))
    try:
        text = add_using(op.text, using or [], using_named or [])
    except GuardError as exc:
        raise ProtocolError(exc.status, str(exc)) from exc
    sparql = _with_base(text, endpoint_url(request))

    def job(cancel: threading.Event) -> None:
        ctx.store.update(sparql)

    try:
        # An update is one transaction: it is never abandoned half-way, so no time limit.
        await _run_unlimited(ctx, job)
    finally:
        ctx.changed()
    return Response(status_code=204)


async def _run_unlimited(ctx: AppContext, job: Any) -> Any:
    try:
        return await ctx.runner.run(job, timeout_s=float("inf"))
    except SyntaxError as exc:
        raise ProtocolError(400, f"SPARQL Update syntax error: {exc}") from exc
    except RunnerBusy as exc:
        raise ProtocolError(503, str(exc), {"Retry-After": "5"}) from exc
    except (StoreError, OSError, ValueError) as exc:
        raise ProtocolError(500, f"the update failed: {exc}") from exc


# -- service description and editor -------------------------------------------------------------


def editor_page() -> HTMLResponse:
    """The YASGUI query editor, served from the local npm install (no CDN)."""
    page = (STATIC_DIR / "sparql.html").read_text(encoding="utf-8")
    if not (STATIC_DIR / "node_modules" / "@zazuko" / "yasgui" / "build" / "yasgui.min.js").is_file():
        # Without `npm ci --prefix api/static` the page degrades to its plain form editor.
        page = page.replace("<!--no-yasgui-->", "<script>window.POLICYKG_NO_YASGUI = true;</script>")
    return HTMLResponse(page)


async def describe_service(ctx: AppContext, request: Request, op: Operation) -> Response:
    accept = request.headers.get("accept")
    parameters = _format_parameters(op)
    if not parameters and media.prefers_html(accept):
        return editor_page()
    fmt, _ = media.choose(parameters, accept, media.GRAPH_FORMATS)
    if fmt is None:
        raise ProtocolError(
            406, "the service description is available as Turtle, N-Triples, JSON-LD or RDF/XML"
        )
    assert fmt.rdf is not None
    out = io.BytesIO()
    ox.serialize(service_description(ctx, endpoint_url(request)), out, fmt.rdf)
    return Response(out.getvalue(), media_type=fmt.content_type, headers={"Vary": "Accept"})


# -- routes --------------------------------------------------------------------------------------


async def sparql_endpoint(request: Request) -> Response:
    ctx: AppContext = request.app.state.ctx
    try:
        if request.method not in ("GET", "POST"):
            raise ProtocolError(
                405,
                f"{request.method} is not a SPARQL protocol operation: use GET or POST",
                {"Allow": "GET, POST"},
            )
        op = await parse_request(request, ctx.settings.sparql_max_body_bytes)
        if op.kind == "none":
            return await describe_service(ctx, request, op)
        if op.kind == "query":
            return await run_query(ctx, request, op)
        return await run_update(ctx, request, op)
    except ProtocolError as exc:
        return error_response(exc.status, exc.message, exc.headers)


_SPARQL_DOC = (
    "SPARQL 1.1 Protocol endpoint: `query` (GET or POST), `update` (POST, with the update token), "
    "`default-graph-uri`, `named-graph-uri`, `using-graph-uri`, `using-named-graph-uri`, `format`. "
    "Without a query: the service description, or the query editor for a browser."
)
# One route per method: OpenAPI operation ids must be unique.
for _method in ("GET", "POST"):
    router.add_api_route(
        "/sparql",
        sparql_endpoint,
        methods=[_method],
        summary=f"SPARQL 1.1 Protocol ({_method})",
        description=_SPARQL_DOC,
        operation_id=f"sparql_{_method.lower()}",
    )
router.add_api_route("/sparql", sparql_endpoint, methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
router.add_api_route(
    "/sparql/", sparql_endpoint, methods=["GET", "POST", "PUT", "DELETE", "PATCH"], include_in_schema=False
)
