"""The HTTP application: ``create_app(settings)`` (what ``policykg serve`` runs).

The store is opened in the app's lifespan, never at import time: read-only when no
update token is configured (the endpoint cannot write then, whatever it is sent), for
writing when one is. Errors are JSON everywhere: ``{"error": "<what was wrong>",
"status": <code>}``.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.context import AppContext
from api.routes import documents, entities, export, lineage, paths, search, stances, timeline, viewers
from api.sparql import STATIC_DIR
from api.sparql import router as sparql_router
from graph.store import Store, open_store
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


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _open(settings: Settings) -> Store:
    if settings.is_remote:
        return open_store(settings)
    read_only = settings.update_token is None and Path(settings.store).is_dir()
    return open_store(settings, read_only=read_only)


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
        served = store if store is not None else _open(settings)
        ctx = AppContext(settings, served)
        app.state.ctx = ctx
        # Build the networkx view and the search index in the background, so that the
        # first REST call does not pay for them; /sparql answers meanwhile.
        threading.Thread(target=ctx.warm_up, name="policykg-warm-up", daemon=True).start()
        try:
            yield
        finally:
            ctx.search.close()
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
    )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(exc.detail), "status": exc.status_code},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail: Any = jsonable(exc.errors())
        return JSONResponse(
            {"error": _validation_message(exc), "status": 422, "detail": detail}, status_code=422
        )

    # Any web page may query the endpoint (as Fuseki and Oxigraph allow): a hosted YASGUI,
    # a notebook. Updates still need the bearer token, which a page cannot borrow.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "Accept"],
        expose_headers=["X-Result-Truncated"],
    )
    app.include_router(sparql_router)
    for module in (documents, entities, timeline, lineage, stances, paths, search, export, viewers):
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

    return app


def jsonable(value: Any) -> Any:
    """Validation error details with anything JSON cannot hold turned into text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


__all__ = ["AppContext", "create_app"]
