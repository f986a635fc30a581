"""The HTTP application: ``create_app(settings)`` (what ``policykg serve`` runs).

The store is opened in the app's lifespan, never at import time: read-only when no
update token is configured (the endpoint cannot write then, whatever it is sent), for
writing when one is. Errors are RFC 9457 problem details everywhere
(:mod:`api.problems`); every ``GET`` also answers ``HEAD``, carries an ``ETag`` keyed to the
store generation and is compressed when large (:mod:`api.middleware`).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Scope

from api import problems
from api.assets import missing_assets, missing_message
from api.context import AppContext
from api.middleware import ConditionalGetMiddleware, HeadMiddleware
from api.openapi import complete_openapi
from api.query_pool import query_pool_for
from api.routes import (
    document_writes,
    documents,
    entities,
    events,
    explore,
    export,
    graph_store,
    lineage,
    linked_data,
    paths,
    search,
    stances,
    timeline,
    viewers,
)
from api.sparql import STATIC_DIR
from api.sparql import router as sparql_router
from graph.open_store import open_store
from graph.read import entities as entities_read
from graph.read import mention_index
from graph.read.catalogue import saved_catalogue_current
from graph.read.saved import is_current
from graph.store import Store
from policykg.settings import Settings, get_settings

DESCRIPTION = """
A policy-position knowledge graph: documents, initiatives, instruments, forums, actors,
events and stances, every fact pointing back to the exact quote (character offsets) in
the exact document.

- `/sparql`: SPARQL 1.1 Protocol (a query editor in the browser);
- REST: documents, entities, timelines, lineages, stances, paths, full-text search;
- `/export`: GraphML, GEXF, Cytoscape.js, node-link JSON, TimelineJS, JSON-LD, Turtle,
  TriG, N-Quads, with the same filters as the timelines.

Entity parameters accept an id, a label, an alias or an acronym (any case).
"""


logger = logging.getLogger("policykg.api")

#: Answers smaller than this are sent uncompressed (gzip would not pay for itself).
GZIP_MINIMUM_BYTES = 1024
#: zlib's default level: Starlette's 9 took three times the CPU for 5 % smaller bodies
#: (0.32 s against 0.11 s for an 18 MB export, in the answer's time).
GZIP_LEVEL = 6


def operation_id(route: APIRoute) -> str:
    """OpenAPI operation ids are the route functions' names (``list_documents``)."""
    return route.name


def _generation(scope: Scope) -> int | None:
    ctx = getattr(scope["app"].state, "ctx", None)
    return ctx.generation if ctx is not None else None


def _open(settings: Settings) -> Store:
    read_only = not settings.is_remote and settings.update_token is None and Path(settings.store).is_dir()
    return open_store(settings.store_location(), read_only=read_only)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """The policykg HTTP app.

    Parameters
    ----------
    settings
        The one settings object (``get_settings()`` when omitted).
    store
        An already open store to serve (it is left open at shutdown); by default the
        store ``settings.store`` names is opened at startup and closed at shutdown.
    """
    settings = settings if settings is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        missing = missing_assets()
        if missing:
            logger.warning("%s", missing_message(missing))
        served = store if store is not None else _open(settings)
        ctx = AppContext(settings, served)
        app.state.ctx = ctx
        # /sparql queries run in worker processes that can be killed (api.query_pool).
        pool = query_pool_for(settings, served)
        app.state.query_pool = pool
        if pool is not None:
            pool.start()
        if store is None:
            ctx.announce()  # where `policykg ingest` finds this server (policykg.server_file)
        # Whole-store reads saved for the store as it is (the catalogue, the entities in
        # use, the mention links) load in a fraction of a second each: loaded before the
        # first request, which then neither waits for them nor shares the process with
        # their loading. Otherwise they are read from the store in the background
        # (seconds to a minute on a large store), and /sparql answers meanwhile.
        if saved_catalogue_current(ctx.folder):
            ctx.catalogue()
            if is_current(ctx.folder, entities_read.SAVED_NAME, entities_read.SAVED_VERSION):
                ctx.entity_use()
            if is_current(ctx.folder, mention_index.SAVED_NAME, mention_index.SAVED_VERSION):
                ctx.mention_index()
            gc.freeze()  # long-lived: out of the collector's walks (as AppContext does)
        threading.Thread(target=ctx.warm_up, name="policykg-warm-up", daemon=True).start()
        try:
            yield
        finally:
            if pool is not None:
                pool.close()
            ctx.close()
            if store is None:
                served.close()

    app = FastAPI(
        title="policykg",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # /docs is served below from the local npm install (no CDN); no ReDoc page.
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    app.add_exception_handler(StarletteHTTPException, problems.http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, problems.validation_error)  # type: ignore[arg-type]

    # Any web page may query the endpoint (as Fuseki and Oxigraph allow): a hosted YASGUI,
    # a notebook. Updates still need the bearer token, which a page cannot borrow.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["Authorization", "Content-Type", "Accept", "If-None-Match"],
        expose_headers=["X-Result-Truncated", "ETag"],
    )
    app.add_middleware(ConditionalGetMiddleware, generation=_generation)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL)
    app.include_router(sparql_router)
    modules = (documents, document_writes, entities, timeline, events, lineage, stances, paths, search)
    for module in (*modules, export, explore, viewers, graph_store, linked_data):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        assets = "/static/node_modules/swagger-ui-dist"
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="policykg API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
        )

    @app.get("/", include_in_schema=False)
    async def index() -> RedirectResponse:
        return RedirectResponse("/docs")

    @app.get(
        "/healthz",
        tags=["service"],
        responses={503: {"description": "the store does not answer"}},
        summary="Liveness and readiness of the service",
    )
    async def health() -> JSONResponse:
        """``200 {"status": "ok", ...}`` when the store answers, ``503`` when it does not."""
        ctx: AppContext | None = getattr(app.state, "ctx", None)
        if ctx is None:
            return problems.problem_response(503, "the store is not open yet")
        body: dict[str, Any] = {"status": "ok", "missing_assets": sorted(missing_assets())}
        try:
            ctx.store.query("ASK { }")
        except Exception as exc:  # any store failure makes the service unready
            return problems.problem_response(503, f"the store does not answer: {exc}")
        body["generation"] = ctx.generation
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    complete_openapi(app)
    return app


__all__ = ["AppContext", "create_app"]
