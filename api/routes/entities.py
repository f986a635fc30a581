"""``/entities`` and ``/entities/{id}``: label, aliases, type, Wikidata link, mentions, events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from api import models
from api.context import AppContext, context
from api.routes import refs
from api.routes.common import Limit, Offset, page
from api.routes.refs import entity_named, entity_ref
from graph.network import ENTITY_TYPES, local_name
from graph.read.documents import event_records
from graph.read.entities import (
    entity_id,
    entity_mentions,
    entity_type,
    find_entities,
    wikidata_links,
)

router = APIRouter(tags=["entities"])


@router.get("/entities", response_model=models.Page[models.EntitySummary], summary="List or find entities")
def list_entities(
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    type: Annotated[
        str | None, Query(description="Initiative, Instrument, Forum, State, Person, Organization")
    ] = None,
    q: Annotated[
        str | None, Query(description="text in the label, an alias or an acronym (any case)")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Entities the documents name, by label; with ``q``, exact names first, then the rest
    by label. ``documents`` counts the documents that mention each."""
    wanted_type = None
    if type:
        wanted_type = entity_type(type)
        if wanted_type is None:
            raise HTTPException(
                422, f"type: unknown entity type {type!r}; use one of {', '.join(ENTITY_TYPES)}"
            )

    def build() -> models.Page[models.EntitySummary]:
        catalogue = ctx.catalogue()
        use = ctx.entity_use()
        found = find_entities(catalogue, use, type=wanted_type, q=q)
        chosen = page(found, limit, offset)
        wikidata = wikidata_links(ctx.store, chosen)
        items = []
        for entity in chosen:
            info = catalogue.entities.get(entity)
            items.append(
                models.EntitySummary(
                    id=entity_id(entity),
                    iri=entity,
                    label=info.label if info is not None else local_name(entity),
                    type=info.type if info is not None else None,
                    aliases=list(info.aliases) if info is not None else [],
                    acronyms=list(info.acronyms) if info is not None else [],
                    wikidata=wikidata.get(entity),
                    documents=use.mentioned_in.get(entity, 0),
                )
            )
        return models.Page[models.EntitySummary](total=len(found), limit=limit, offset=offset, items=items)

    return ctx.answer(request, build)


@router.get("/entities/{entity}", response_model=models.EntityDetail, summary="One entity")
def get_entity(entity: str, request: Request, ctx: Annotated[AppContext, Depends(context)]) -> Response:
    """``entity`` is an id, a label, an alias or an acronym (any case).

    Read from the store for this one entity (its mentions with their count and first
    quote, its events: :mod:`graph.read.entities`, :mod:`graph.read.documents`)."""

    def build() -> models.EntityDetail:
        catalogue = ctx.catalogue()
        node = entity_named(catalogue, entity)
        mentions = [
            models.DocumentMention(
                document=refs.document_summary(catalogue, found.document),
                count=found.count,
                evidence=refs.evidence_model(catalogue, found.first),
            )
            for found in entity_mentions(ctx.store, node)
        ]
        mentions.sort(key=lambda m: (m.document.sort_date or "9999", m.document.id))
        records = event_records(ctx.store, catalogue, subject=node)
        records.sort(key=lambda r: (r.sort_date or "9999", r.document.doc_id, r.event))
        events = [refs.event_item(catalogue, r) for r in records]
        roles = {}
        for rel in ("forum", "actor", "speaker"):
            docs = sorted(catalogue.document(d).doc_id for d in catalogue.roles.get(rel, {}).get(node, []))
            if docs:
                roles[rel] = docs
        info = catalogue.entities.get(node)
        return models.EntityDetail(
            id=entity_id(node),
            iri=node,
            label=info.label if info is not None else local_name(node),
            type=info.type if info is not None else None,
            aliases=list(info.aliases) if info is not None else [],
            acronyms=list(info.acronyms) if info is not None else [],
            wikidata=wikidata_links(ctx.store, [node]).get(node),
            documents=len(mentions),
            mentions=mentions,
            events=events,
            roles=roles,
        )

    return ctx.answer(request, build)


# The co-mention view of ontology/README.md, for one entity (co-mentions are not stored:
# 333,504 pairs for 3,000 speeches): counted over the mention links held in memory
# (graph.read.mention_index), the figures of the SPARQL aggregate in milliseconds.
@router.get(
    "/entities/{entity}/co-mentions",
    response_model=models.Page[models.CoMention],
    summary="Entities mentioned in the same documents",
)
def co_mentions(
    entity: str,
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The entities that share documents with ``entity`` (an id, a label, an alias or an
    acronym), most shared documents first: its co-mention neighbourhood, with weights."""

    def build() -> models.Page[models.CoMention]:
        catalogue = ctx.catalogue()
        node = entity_named(catalogue, entity)
        rows = ctx.mention_index().co_mentions(node)  # the same as the aggregate, in memory
        items = []
        for other_iri, shared in page(rows, limit, offset):
            other = entity_ref(catalogue, other_iri)
            assert other is not None
            items.append(models.CoMention(entity=other, documents=shared))
        return models.Page[models.CoMention](total=len(rows), limit=limit, offset=offset, items=items)

    return ctx.answer(request, build)
