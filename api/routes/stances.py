"""``/stances``: who supports or opposes what, when, with the quote."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api import models
from api.context import AppContext, context
from api.routes.common import (
    FromDate,
    Limit,
    Offset,
    ToDate,
    entity_node,
    in_window,
    page,
    stance_item,
    topic_node,
)
from graph.links import period_bounds, reporting_documents
from graph.stance_links import positions

router = APIRouter(tags=["stances"])


@router.get("/stances", response_model=models.Page[models.StanceItem], summary="Stances")
def list_stances(
    ctx: Annotated[AppContext, Depends(context)],
    holder: Annotated[str | None, Query(description="who holds it: id, label, alias or acronym")] = None,
    topic: Annotated[str | None, Query(description="topic id (outer-space) or label")] = None,
    polarity: Annotated[Literal["support", "oppose"] | None, Query()] = None,
    target: Annotated[str | None, Query(description="entity the stance is about")] = None,
    start: FromDate = None,
    end: ToDate = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> models.Page[models.StanceItem]:
    """Stances in date order."""
    graph = ctx.network()
    holder_iri = entity_node(graph, holder, "holder") if holder else None
    topic_iri = topic_node(graph, topic) if topic else None
    target_iri = entity_node(graph, target, "target") if target else None
    reports = reporting_documents(graph)
    low, high = period_bounds(start, end)
    found = [
        p
        for p in positions(graph, holder=holder_iri, topic=topic_iri, reports=reports)
        if (polarity is None or p.polarity == polarity)
        and (target_iri is None or target_iri in p.target_entities)
        and in_window(p.sort_date, low, high)
    ]
    items = [stance_item(graph, p.stance, reports) for p in page(found, limit, offset)]
    return models.Page[models.StanceItem](total=len(found), limit=limit, offset=offset, items=items)
