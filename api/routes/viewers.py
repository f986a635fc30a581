"""The pages an analyst opens, served from the local npm install (no CDN):

- ``/viewer/graph``: the explorer (Cytoscape.js) over ``/explore``: an entity's
  neighbourhood, stances as coloured edges, search, filters, legend, quotes on click;
- ``/viewer/timeline``: the TimelineJS timeline of ``/export?format=timelinejs``;
- ``/viewer/stances``: states by years on a topic, support/oppose marks and shifts,
  each cell linked to its quotes (``/stances``).

When a page's front-end assets are not installed it answers ``503`` with a page saying
which files are missing and how to install them, never a blank page."""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.assets import STATIC_DIR, missing_assets, missing_message

router = APIRouter(tags=["export"])


def page(name: str, path: str) -> HTMLResponse:
    """The page ``static/<name>``, or a 503 page naming its missing assets."""
    missing = {p: files for p, files in missing_assets().items() if p == path}
    if missing:
        text = html.escape(missing_message(missing))
        files = "".join(f"<li><code>{html.escape(f)}</code></li>" for f in missing[path])
        return HTMLResponse(
            f"<!doctype html><html><head><meta charset='utf-8'><title>policykg: assets missing</title>"
            f"</head><body><h1>This page cannot be drawn</h1><p>{text}</p><ul>{files}</ul></body></html>",
            status_code=503,
        )
    return HTMLResponse((STATIC_DIR / name).read_text(encoding="utf-8"))


@router.get("/viewer/graph", response_class=HTMLResponse, summary="The graph drawn with Cytoscape.js")
def graph_viewer() -> HTMLResponse:
    return page("graph.html", "/viewer/graph")


@router.get("/viewer/timeline", response_class=HTMLResponse, summary="The timeline drawn with TimelineJS")
def timeline_viewer() -> HTMLResponse:
    return page("timeline.html", "/viewer/timeline")


@router.get("/viewer/stances", response_class=HTMLResponse, summary="States by years on a topic")
def stance_viewer() -> HTMLResponse:
    return page("stances.html", "/viewer/stances")
