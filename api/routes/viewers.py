"""``/viewer/graph`` and ``/viewer/timeline``: the exports drawn in the browser with
Cytoscape.js and TimelineJS, both served from the local npm install (no CDN). The
pages pass their query string (entity, topic, actor, forum, from, to) to ``/export``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.sparql import STATIC_DIR

router = APIRouter(tags=["export"])


@router.get("/viewer/graph", response_class=HTMLResponse, summary="The graph drawn with Cytoscape.js")
def graph_viewer() -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / "graph.html").read_text(encoding="utf-8"))


@router.get("/viewer/timeline", response_class=HTMLResponse, summary="The timeline drawn with TimelineJS")
def timeline_viewer() -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / "timeline.html").read_text(encoding="utf-8"))
