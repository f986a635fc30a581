"""``/timeline``: dated items (documents, events, stances) with their evidence.

The items are :func:`graph.read.timeline.timeline_entries` (what ``policykg timeline``
prints too); the first-mention quotes are read for the page sent only. Answers are cached
per store generation (:meth:`api.context.AppContext.answer`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from api import models
from api.context import AppContext, context
from api.routes.common import FromDate, Limit, Offset, ToDate
from api.routes.refs import (
    doc_id,
    document_summary,
    entity_ref,
    evidence_model,
    timeline_filters,
    topic_ref,
)
from graph.read.catalogue import Catalogue
from graph.read.timeline import timeline_entries, timeline_page
from graph.timeline_records import TimelineEntry

router = APIRouter(tags=["timelines"])


def timeline_item(catalogue: Catalogue, entry: TimelineEntry) -> models.TimelineItem:
    return models.TimelineItem(
        kind=entry.kind,
        date=entry.date,
        precision=entry.precision,
        sort_date=entry.sort_date,
        what=entry.what,
        node=entry.node,
        subject=entity_ref(catalogue, entry.subject),
        topic=topic_ref(catalogue, entry.topic),
        document=document_summary(catalogue, entry.document),
        evidence=evidence_model(catalogue, entry.evidence),
        reports_on=doc_id(catalogue, entry.reports_on) if entry.reports_on in catalogue.documents else None,
        sources=[
            models.EventSource(
                document=document_summary(catalogue, source.document),
                reported_date=source.date,
                evidence=evidence_model(catalogue, source.evidence),
            )
            for source in entry.sources
        ],
    )


def build_timeline(
    ctx: AppContext,
    *,
    entity: str | None,
    topic: str | None,
    actor: str | None,
    forum: str | None,
    start: str | None,
    end: str | None,
    limit: int,
    offset: int,
) -> models.Timeline:
    catalogue = ctx.catalogue()
    named = timeline_filters(catalogue, entity=entity, topic=topic, actor=actor, forum=forum)
    entity_iri, topic_iri, actor_iri, forum_iri = named.entity, named.topic, named.actor, named.forum
    entries = timeline_entries(
        ctx.store, catalogue, entity=entity_iri, topic=topic_iri, actor=actor_iri, forum=forum_iri,
        start=start, end=end, quotes=False,
    )
    shown = timeline_page(ctx.store, entries, limit, offset, entity=entity_iri, forum=forum_iri)
    return models.Timeline.model_validate(
        {
            "entity": entity_ref(catalogue, entity_iri),
            "topic": topic_ref(catalogue, topic_iri),
            "actor": entity_ref(catalogue, actor_iri),
            "forum": entity_ref(catalogue, forum_iri),
            "from": start,
            "to": end,
            "total": len(entries),
            "limit": limit,
            "offset": offset,
            "items": [timeline_item(catalogue, e) for e in shown],
        }
    )


@router.get("/timeline", response_model=models.Timeline, response_model_by_alias=True, summary="A timeline")
def get_timeline(
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    entity: Annotated[str | None, Query(description="id, label, alias or acronym")] = None,
    topic: Annotated[str | None, Query(description="topic id (outer-space) or label")] = None,
    actor: Annotated[str | None, Query(description="holder of the stances (a state, a person...)")] = None,
    forum: Annotated[str | None, Query(description="forum where the documents were delivered")] = None,
    start: FromDate = None,
    end: ToDate = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> Response:
    if not any((entity, topic, actor, forum)):
        raise HTTPException(422, "a timeline needs at least one of entity, topic, actor or forum")
    return ctx.answer(
        request,
        lambda: build_timeline(
            ctx,
            entity=entity,
            topic=topic,
            actor=actor,
            forum=forum,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
        ),
    )
