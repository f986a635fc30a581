"""``/timeline``: dated items (documents, events, stances) with their evidence.

- ``entity=E``: documents that mention E or have it as forum, actor or speaker, and the
  events E is the subject of (:func:`graph.links.timeline`);
- ``topic=T`` and/or ``actor=A``: stances on T, held by A (``entity=E`` then keeps the
  stances E holds or is targeted by);
- ``forum=F`` alone: the documents delivered at F and their events; with another
  parameter it keeps the items of documents delivered at F.
"""

from __future__ import annotations

from typing import Annotated

import networkx as nx
from fastapi import APIRouter, Depends, HTTPException, Query

from api import models
from api.context import AppContext, context
from api.routes.common import (
    FromDate,
    Limit,
    Offset,
    ToDate,
    document_summary,
    entity_node,
    entity_ref,
    evidence_model,
    page,
    topic_node,
    topic_ref,
)
from graph.links import TimelineEntry, timeline

router = APIRouter(tags=["timelines"])


def timeline_entries(
    graph: nx.MultiDiGraph,
    *,
    entity: str | None,
    topic: str | None,
    actor: str | None,
    forum: str | None,
    start: str | None,
    end: str | None,
) -> list[TimelineEntry]:
    """Entries for resolved nodes (see the module docstring), oldest first."""
    if topic is not None or actor is not None:
        entries = timeline(graph, entity=entity, topic=topic, holder=actor, start=start, end=end)
    elif entity is not None:
        entries = timeline(graph, entity=entity, start=start, end=end)
    elif forum is not None:
        entries = [
            e
            for e in timeline(graph, entity=forum, start=start, end=end)
            if e.kind == "event" or "forum" in e.what.split(", ")
        ]
    else:
        raise ValueError("a timeline needs an entity, a topic, an actor or a forum")
    if forum is not None:
        entries = [e for e in entries if e.document.forum == forum]
    return entries


def timeline_item(graph: nx.MultiDiGraph, entry: TimelineEntry) -> models.TimelineItem:
    reported = entry.reports_on
    return models.TimelineItem(
        kind=entry.kind,
        date=entry.date,
        sort_date=entry.sort_date,
        what=entry.what,
        node=entry.node,
        subject=entity_ref(graph, entry.subject),
        topic=topic_ref(graph, entry.topic),
        document=document_summary(graph, entry.document.iri),
        evidence=evidence_model(graph, entry.evidence),
        reports_on=graph.nodes[reported].get("doc_id") if reported and reported in graph else None,
    )


@router.get("/timeline", response_model=models.Timeline, response_model_by_alias=True, summary="A timeline")
def get_timeline(
    ctx: Annotated[AppContext, Depends(context)],
    entity: Annotated[str | None, Query(description="id, label, alias or acronym")] = None,
    topic: Annotated[str | None, Query(description="topic id (outer-space) or label")] = None,
    actor: Annotated[str | None, Query(description="holder of the stances (a state, a person...)")] = None,
    forum: Annotated[str | None, Query(description="forum where the documents were delivered")] = None,
    start: FromDate = None,
    end: ToDate = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> models.Timeline:
    if not any((entity, topic, actor, forum)):
        raise HTTPException(422, "a timeline needs at least one of entity, topic, actor or forum")
    graph = ctx.network()
    entity_iri = entity_node(graph, entity) if entity else None
    topic_iri = topic_node(graph, topic) if topic else None
    actor_iri = entity_node(graph, actor, "actor") if actor else None
    forum_iri = entity_node(graph, forum, "forum") if forum else None
    entries = timeline_entries(
        graph, entity=entity_iri, topic=topic_iri, actor=actor_iri, forum=forum_iri, start=start, end=end
    )
    return models.Timeline.model_validate(
        {
            "entity": entity_ref(graph, entity_iri),
            "topic": topic_ref(graph, topic_iri),
            "actor": entity_ref(graph, actor_iri),
            "forum": entity_ref(graph, forum_iri),
            "from": start,
            "to": end,
            "total": len(entries),
            "limit": limit,
            "offset": offset,
            "items": [timeline_item(graph, e) for e in page(entries, limit, offset)],
        }
    )
