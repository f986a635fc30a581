"""``/explore``: an entity's bounded neighbourhood for the graph explorer (``/viewer/graph``).

Nodes are entities and topics (never stances or documents); edges are co-mentions
(weighted by shared documents) and stances (holder -> target entity or topic, coloured by
polarity), each with its evidence: quotes with links to the highlighted document page.
At most ``max_nodes`` nodes come back; ``left_out`` counts the rest per type, so a viewer
can prompt to narrow. Without ``entity`` the answer lists the most mentioned entities, to
start from.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from api.context import AppContext, context
from api.routes.common import FromDate, ToDate
from api.routes.refs import entity_named, topic_named
from graph.read.neighbourhood import co_mention_evidence, neighbourhood

router = APIRouter(tags=["export"])

NodeType = Literal["State", "Person", "Initiative", "Instrument", "Forum", "Organization", "Topic"]


@router.get("/explore", summary="An entity's neighbourhood, bounded, for the graph explorer")
def explore(
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    entity: Annotated[str | None, Query(description="id, label, alias or acronym",
                                        examples=["Global Initiative on Data Security"])] = None,
    depth: Annotated[int, Query(ge=1, le=2, description="1: its neighbours; 2: theirs too")] = 1,
    max_nodes: Annotated[int, Query(ge=2, le=300, description="most nodes drawn")] = 60,
    types: Annotated[list[NodeType] | None, Query(description="node types to keep")] = None,
    topic: Annotated[str | None, Query(description="stances on this topic only")] = None,
    actor: Annotated[str | None, Query(description="stances held by this actor only")] = None,
    start: FromDate = None,
    end: ToDate = None,
) -> Response:
    """The neighbourhood of ``entity``, or, without one, the entities to start from."""

    def build() -> Any:
        catalogue = ctx.catalogue()
        if entity is None:
            counts: dict[str, int] = {}
            for info in catalogue.entities.values():
                counts[info.type or "Entity"] = counts.get(info.type or "Entity", 0) + 1
            return {"focus": None, "nodes": [], "edges": [], "truncated": False, "left_out": counts}
        focus = entity_named(catalogue, entity)
        found = neighbourhood(
            ctx.store, catalogue, focus, depth=depth, max_nodes=max_nodes, types=types,
            topic=topic_named(catalogue, topic) if topic else None,
            actor=entity_named(catalogue, actor, "actor") if actor else None, start=start, end=end,
        )
        return found.to_json()

    key = (request.url.path, tuple(sorted(request.query_params.multi_items())), ctx.generation)
    body, _ = ctx.answers.get_or_compute(key, lambda: json.dumps(build(), ensure_ascii=False).encode("utf-8"))
    return Response(body, media_type="application/json")


@router.get("/explore/shared", summary="The documents behind a co-mention edge")
def shared(
    ctx: Annotated[AppContext, Depends(context)],
    a: Annotated[str, Query(description="one entity (id, label, alias or acronym)")],
    b: Annotated[str, Query(description="the other entity")],
) -> JSONResponse:
    """The documents that mention both entities, newest first, with links."""
    catalogue = ctx.catalogue()
    first, second = entity_named(catalogue, a, "a"), entity_named(catalogue, b, "b")
    return JSONResponse(co_mention_evidence(ctx.store, catalogue, first, second))
