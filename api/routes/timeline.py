"""``/timeline``: dated items (documents, events, stances) with their evidence.

- ``entity=E``: documents that mention E or have it as forum, actor or speaker, and the
  events E is the subject of (as :func:`graph.links.timeline`);
- ``topic=T`` and/or ``actor=A``: stances on T, held by A (``entity=E`` then keeps the
  stances E holds or is targeted by);
- ``forum=F`` alone: the documents delivered at F and their events; with another
  parameter it keeps the items of documents delivered at F.

Each request asks the store only about what it names, with the topic, holder and date
window inside the query (:mod:`graph.read.views`); the first-mention quotes are read for the
page sent only. Answers are cached per store generation
(:meth:`api.context.AppContext.answer`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from api import models
from api.context import AppContext, context
from api.routes.common import FromDate, Limit, Offset, ToDate, page
from api.routes.refs import (
    doc_id,
    document_summary,
    entity_named,
    entity_ref,
    evidence_model,
    topic_named,
    topic_ref,
)
from graph.links import TimelineEntry
from graph.read.catalogue import Catalogue
from graph.read.views import entity_entries, stance_entries, with_mention_evidence
from graph.store import Store

router = APIRouter(tags=["timelines"])


def timeline_entries(
    store: Store,
    catalogue: Catalogue,
    *,
    entity: str | None,
    topic: str | None,
    actor: str | None,
    forum: str | None,
    start: str | None,
    end: str | None,
    quotes: bool = True,
) -> list[TimelineEntry]:
    """Entries for resolved IRIs (see the module docstring), oldest first.

    Without ``quotes`` the document entries come without their first-mention quote
    (:func:`with_quotes` adds it to the ones a page shows).
    """
    evidence_for: list[str] | None = None if quotes else []
    if topic is not None or actor is not None:
        entries = stance_entries(
            store, catalogue, entity=entity, topic=topic, holder=actor, start=start, end=end
        )
    elif entity is not None:
        entries = entity_entries(store, catalogue, entity, start, end, evidence_for=evidence_for)
    elif forum is not None:
        entries = [
            e
            for e in entity_entries(store, catalogue, forum, start, end, evidence_for=evidence_for)
            if e.kind == "event" or "forum" in e.what.split(", ")
        ]
    else:
        raise ValueError("a timeline needs an entity, a topic, an actor or a forum")
    if forum is not None:
        entries = [e for e in entries if e.document.forum == forum]
    return entries


def with_quotes(
    store: Store, entries: list[TimelineEntry], *, entity: str | None, forum: str | None
) -> list[TimelineEntry]:
    """Document entries of an entity (or forum) timeline with their first-mention quote."""
    subject = entity if entity is not None else forum
    if subject is None:
        return entries
    return with_mention_evidence(store, subject, entries)


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
    entity_iri = entity_named(catalogue, entity) if entity else None
    topic_iri = topic_named(catalogue, topic) if topic else None
    actor_iri = entity_named(catalogue, actor, "actor") if actor else None
    forum_iri = entity_named(catalogue, forum, "forum") if forum else None
    entries = timeline_entries(
        ctx.store,
        catalogue,
        entity=entity_iri,
        topic=topic_iri,
        actor=actor_iri,
        forum=forum_iri,
        start=start,
        end=end,
        quotes=False,
    )
    shown = with_quotes(ctx.store, page(entries, limit, offset), entity=entity_iri, forum=forum_iri)
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
