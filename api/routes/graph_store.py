"""The SPARQL 1.1 Graph Store Protocol on ``/rdf-graphs``
(https://www.w3.org/TR/sparql11-http-rdf-update/).

A graph is named indirectly (``/rdf-graphs?graph=<IRI>``, or ``?default`` for the store's
default graph) or directly (``/rdf-graphs/<path>`` is the graph whose IRI is that request
URL). ``GET`` and ``HEAD`` are open to everyone and negotiate Turtle, N-Triples, JSON-LD,
RDF/XML, or N-Quads and TriG (which keep the graph's name); 404 for a graph the store
lacks. ``PUT`` replaces a graph, ``POST`` merges into it (``multipart/form-data``: every
part, each with its own type), ``DELETE`` removes it; a ``POST`` to ``/rdf-graphs`` itself
creates a graph with a new IRI (201 with ``Location``). Writes need the update token;
they answer 201 when they create a graph, 204 otherwise; each is one store transaction.

The default graph is the store's own default graph: the one SPARQL Update writes triples
to when they name no graph. (Queries on ``/sparql`` see the union of all graphs as their
default graph.)

A write to a document's graph (``graph:doc/<id>``) is a change to that document: the
derived links are refreshed for it after the commit, as after an ingest, and the store
generation moves on (:meth:`api.context.AppContext.write`) so every cache follows.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api import media
from api.context import AppContext, context, require_update_token
from graph.store import Store, StoreError
from ontology.namespace import GRAPH, PREFIXES

logger = logging.getLogger("policykg.api")

router = APIRouter(tags=["graph store"])

PATH = "/rdf-graphs"
#: What GET offers: graph formats (Turtle first) and dataset formats that keep the name.
OFFERED = (*media.GRAPH_FORMATS, *media.DATASET_FORMATS)
_DOC_GRAPH_PREFIX = str(GRAPH) + "doc/"

_GRAPH_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "graph",
        "in": "query",
        "required": False,
        "description": "IRI of the graph (indirect identification).",
        "schema": {"type": "string", "format": "iri"},
        "example": "https://w3id.org/policykg/graph/links",
    },
    {
        "name": "default",
        "in": "query",
        "required": False,
        "description": "Present (no value): the store's default graph.",
        "allowEmptyValue": True,
        "schema": {"type": "string"},
    },
]
_RDF_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            fmt.media_type: {"schema": {"type": "string"}}
            for fmt in (*media.GRAPH_FORMATS, *media.DATASET_FORMATS)
        }
        | {"multipart/form-data": {"schema": {"type": "object"}}},
    }
}
_READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {f.media_type: {} for f in OFFERED}, "description": "The graph."},
    400: {"description": "No graph, or not an IRI, is named."},
    404: {"description": "The store has no such graph."},
    406: {"description": "None of the accepted media types is offered."},
}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "The graph did not exist and was created."},
    204: {"description": "The graph was changed."},
    400: {"description": "The graph is badly named or the body is not valid RDF."},
    401: {"description": "No bearer token was sent."},
    403: {"description": "The token is wrong, or the service runs without an update token."},
    415: {"description": "The body's media type is not an RDF syntax."},
}


@dataclass(frozen=True, slots=True)
class Target:
    """The graph a request names: an IRI, or None for the default graph."""

    iri: str | None

    @property
    def node(self) -> ox.NamedNode | ox.DefaultGraph:
        return ox.DefaultGraph() if self.iri is None else ox.NamedNode(self.iri)

    @property
    def sparql(self) -> str:
        """The graph in SPARQL Update syntax (``DEFAULT`` or ``GRAPH <iri>``)."""
        return "DEFAULT" if self.iri is None else f"GRAPH {self.node}"

    @property
    def doc_id(self) -> str | None:
        """The document whose graph this is, if it is one."""
        if self.iri is not None and self.iri.startswith(_DOC_GRAPH_PREFIX):
            return self.iri[len(_DOC_GRAPH_PREFIX) :] or None
        return None


def _target(request: Request, path: str | None) -> Target | None:
    """The graph ``request`` names; None when it names none (a POST there creates one)."""
    params = request.query_params
    given = [k for k in ("graph", "default") if k in params]
    if path is not None:
        if given:
            raise HTTPException(400, "a graph named by the request path takes no graph or default parameter")
        return Target(_iri(str(request.url.replace(query="", fragment=""))))
    if len(given) == 2:
        raise HTTPException(400, "name one graph: either ?graph=<IRI> or ?default, not both")
    if "default" in params:
        return Target(None)
    if "graph" in params:
        values = params.getlist("graph")
        if len(values) != 1:
            raise HTTPException(400, "name one graph: ?graph=<IRI> once")
        return Target(_iri(values[0]))
    return None


def _iri(value: str) -> str:
    """``value`` when it is an absolute IRI (400 otherwise)."""
    try:
        node = ox.NamedNode(value)
    except ValueError as exc:
        raise HTTPException(400, f"graph: not an absolute IRI: {value!r} ({exc})") from exc
    if ":" not in node.value:
        raise HTTPException(400, f"graph: not an absolute IRI: {value!r}")
    return node.value


def _exists(store: Store, target: Target) -> bool:
    if target.iri is None:
        return True  # the default graph always exists (it may be empty)
    has_graph = getattr(store, "has_graph", None)
    if callable(has_graph):
        return bool(has_graph(target.iri))
    return target.iri in store.graphs()


def _triples(store: Store, target: Target) -> list[ox.Triple]:
    if target.iri is not None:
        return [quad.triple for quad in store.graph_quads(target.iri)]
    # The store's own default graph, not the union the endpoint's queries see.
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", union_default_graph=False)
    return [t if isinstance(t, ox.Triple) else t.triple for t in result]


# -- reading ---------------------------------------------------------------------------------


def _get(ctx: AppContext, request: Request, path: str | None) -> Response:
    target = _target(request, path)
    if target is None:
        raise HTTPException(
            400, "name a graph: ?graph=<IRI> or ?default (the whole store is at /export?format=trig)"
        )
    fmt = media.negotiate(request.headers.get("accept"), OFFERED)
    if fmt is None or fmt.rdf is None:
        offered = ", ".join(f.media_type for f in OFFERED)
        raise HTTPException(406, f"the graph is available as {offered}")
    if not _exists(ctx.store, target):
        raise HTTPException(404, f"the store has no graph <{target.iri}>")
    headers = {"Vary": "Accept"}
    triples = _triples(ctx.store, target)
    kwargs: dict[str, Any] = {"format": fmt.rdf}
    if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        kwargs["prefixes"] = PREFIXES
    if fmt.rdf.supports_datasets:
        data = ox.serialize(
            [ox.Quad(t.subject, t.predicate, t.object, target.node) for t in triples], **kwargs
        )
    else:
        data = ox.serialize(triples, **kwargs)
    return Response(data or b"", headers={**headers, "Content-Type": fmt.content_type})


@router.get(
    PATH,
    summary="Read a graph (Graph Store Protocol)",
    openapi_extra={"parameters": _GRAPH_PARAMETERS},
    responses=_READ_RESPONSES,
)
def get_graph(request: Request, ctx: Annotated[AppContext, Depends(context)]) -> Response:
    """The graph ``?graph=<IRI>`` (or the default graph, ``?default``) in the negotiated
    format. ``HEAD`` gives the same status and headers without the body (as for every
    ``GET`` route: :class:`api.middleware.HeadMiddleware`)."""
    return _get(ctx, request, None)


@router.get(
    PATH + "/{path:path}",
    summary="Read a graph named by this URL (Graph Store Protocol, direct identification)",
    responses=_READ_RESPONSES,
)
def get_graph_direct(path: str, request: Request, ctx: Annotated[AppContext, Depends(context)]) -> Response:
    """The graph whose IRI is this request's URL."""
    return _get(ctx, request, path)


# -- writing ---------------------------------------------------------------------------------


def _parse(data: bytes, content_type: str | None, base: str | None, what: str) -> list[ox.Triple]:
    """The triples of an RDF body; 415 for a type that is no RDF syntax, 400 for bad RDF."""
    if not content_type:
        raise HTTPException(
            415, f"{what}: send the RDF with a Content-Type (text/turtle, application/n-triples, ...)"
        )
    fmt = ox.RdfFormat.from_media_type(content_type.split(";", 1)[0].strip())
    if fmt is None:
        raise HTTPException(415, f"{what}: {content_type!r} is not an RDF syntax this store reads")
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=base))
    except (SyntaxError, ValueError) as exc:
        raise HTTPException(400, f"{what}: not valid {fmt.name}: {exc}") from exc
    named = {str(q.graph_name) for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
    if named:
        raise HTTPException(
            400, f"{what}: the body names graphs ({', '.join(sorted(named)[:3])}); send one graph"
        )
    return [q.triple for q in quads]


async def _body_triples(request: Request, base: str | None) -> list[ox.Triple]:
    """The triples of the request body, every part of a ``multipart/form-data`` body merged."""
    content_type = request.headers.get("content-type")
    if content_type and content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
        triples: list[ox.Triple] = []
        async with request.form() as form:
            for name, part in form.multi_items():
                if not isinstance(part, UploadFile):
                    raise HTTPException(400, f"part {name!r}: send RDF as a file part with its Content-Type")
                triples += _parse(await part.read(), part.content_type, base, f"part {name!r}")
        return triples
    return _parse(await request.body(), content_type, base, "body")


def _insert_data(target: Target, triples: list[ox.Triple]) -> str:
    """``INSERT DATA`` of ``triples`` into ``target`` (N-Triples term syntax is SPARQL's)."""
    if not triples:
        return ""
    lines = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    if target.iri is None:
        return f"INSERT DATA {{\n{lines}}}"
    return f"INSERT DATA {{ {target.sparql} {{\n{lines}}} }}"


def _mark_pending(ctx: AppContext, target: Target) -> None:
    """Before a write to a document's graph: note that the links do not cover it yet, so
    that a crash before the refresh below is repaired by the next one (as for ingest)."""
    if target.doc_id is not None and ctx.settings.auto_links:
        from graph.links_state import mark_pending

        mark_pending(ctx.store, [target.doc_id])


def _refresh_links(ctx: AppContext, target: Target, *, removed: bool) -> None:
    """After a write to a document's graph: a new generation at once (every route follows
    the committed graph), then the derived links of that document (the write's own new
    generation follows them)."""
    doc_id = target.doc_id
    if doc_id is None or not ctx.settings.auto_links:
        return
    ctx.changed()
    from graph.links_refresh import refresh_links

    try:
        refresh_links(ctx.store, changed=[] if removed else [doc_id], removed=[doc_id] if removed else [])
    except Exception:  # the graph write is committed; the links are what failed
        logger.exception("refreshing derived links after a write to <%s> failed", target.iri)


def _write(ctx: AppContext, target: Target, triples: list[ox.Triple], *, replace: bool) -> bool:
    """Replace (PUT) or merge into (POST) one graph in one transaction; True when the
    graph was created."""

    def job() -> bool:
        created = not _exists(ctx.store, target)
        parts = []
        if replace:
            parts.append(f"DROP SILENT {target.sparql}")
        if target.iri is not None:
            parts.append(f"CREATE SILENT {target.sparql}")  # an empty graph still exists
        insert = _insert_data(target, triples)
        if insert:
            parts.append(insert)
        try:
            _mark_pending(ctx, target)
            ctx.store.update(" ;\n".join(parts))
        except (StoreError, OSError, SyntaxError, ValueError) as exc:
            raise HTTPException(500, f"writing the graph failed: {exc}") from exc
        _refresh_links(ctx, target, removed=False)
        return created

    return ctx.write(job)


def _written(created: bool, location: str | None = None) -> Response:
    headers = {"Location": location} if location else None
    return Response(status_code=201 if created else 204, headers=headers)


async def _put(ctx: AppContext, request: Request, target: Target | None) -> Response:
    if target is None:
        raise HTTPException(400, "name the graph to replace: ?graph=<IRI> or ?default")
    triples = await _body_triples(request, target.iri or str(request.url))
    created = await run_in_threadpool(_write, ctx, target, triples, replace=True)
    return _written(created)


async def _post(ctx: AppContext, request: Request, target: Target | None) -> Response:
    location = None
    if target is None:
        # A new graph named by the service, readable at its own URL (direct identification).
        location = str(request.url.replace(query="", fragment="")).rstrip("/") + "/" + uuid.uuid4().hex
        target = Target(location)
    triples = await _body_triples(request, target.iri or str(request.url))
    created = await run_in_threadpool(_write, ctx, target, triples, replace=False)
    return _written(created, location)


async def _delete(ctx: AppContext, target: Target | None) -> Response:
    if target is None:
        raise HTTPException(400, "name the graph to remove: ?graph=<IRI> or ?default")

    def job() -> bool:
        if not _exists(ctx.store, target):
            return False
        try:
            _mark_pending(ctx, target)
            ctx.store.update(f"DROP {target.sparql}")
        except (StoreError, OSError) as exc:
            raise HTTPException(500, f"removing the graph failed: {exc}") from exc
        _refresh_links(ctx, target, removed=True)
        return True

    if not await run_in_threadpool(ctx.write, job, bool):
        raise HTTPException(404, f"the store has no graph <{target.iri}>")
    return Response(status_code=204)


#: The writing methods: the update token first, whatever the request.
writes = APIRouter(
    tags=["graph store"], dependencies=[Depends(require_update_token)], responses=_WRITE_RESPONSES
)


@writes.put(PATH, summary="Replace a graph", openapi_extra={"parameters": _GRAPH_PARAMETERS, **_RDF_BODY})
async def put_graph(request: Request, ctx: Annotated[AppContext, Depends(context)]) -> Response:
    """Replace the graph's content with the body (creating the graph when missing)."""
    return await _put(ctx, request, _target(request, None))


@writes.post(
    PATH,
    summary="Merge into a graph, or create one",
    openapi_extra={"parameters": _GRAPH_PARAMETERS, **_RDF_BODY},
)
async def post_graph(request: Request, ctx: Annotated[AppContext, Depends(context)]) -> Response:
    """Add the body's triples to the graph (RDF merge: blank nodes stay apart); without a
    graph parameter, create a new graph and answer 201 with its IRI in ``Location``."""
    return await _post(ctx, request, _target(request, None))


@writes.delete(PATH, summary="Remove a graph", openapi_extra={"parameters": _GRAPH_PARAMETERS})
async def delete_graph(request: Request, ctx: Annotated[AppContext, Depends(context)]) -> Response:
    """Remove the graph (404 when the store has none of that name; ``?default`` empties
    the default graph)."""
    return await _delete(ctx, _target(request, None))


@writes.put(PATH + "/{path:path}", summary="Replace the graph named by this URL", openapi_extra=_RDF_BODY)
async def put_graph_direct(
    path: str, request: Request, ctx: Annotated[AppContext, Depends(context)]
) -> Response:
    """Replace the graph whose IRI is this request's URL."""
    return await _put(ctx, request, _target(request, path))


@writes.post(PATH + "/{path:path}", summary="Merge into the graph named by this URL", openapi_extra=_RDF_BODY)
async def post_graph_direct(
    path: str, request: Request, ctx: Annotated[AppContext, Depends(context)]
) -> Response:
    """Add the body's triples to the graph whose IRI is this request's URL."""
    return await _post(ctx, request, _target(request, path))


@writes.delete(PATH + "/{path:path}", summary="Remove the graph named by this URL")
async def delete_graph_direct(
    path: str, request: Request, ctx: Annotated[AppContext, Depends(context)]
) -> Response:
    """Remove the graph whose IRI is this request's URL."""
    return await _delete(ctx, _target(request, path))


router.include_router(writes)
