"""``/entities`` and ``/entities/{id}``: label, aliases, type, Wikidata link, mentions, events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from api import models
from api.context import AppContext, context
from api.routes import refs
from api.routes.common import (
    Limit,
    Offset,
    casefold_contains,
    entity_id,
    page,
)
from api.routes.refs import entity_named, entity_ref
from graph.network import ENTITY_TYPES, NetworkBuilder, local_name, nodes_of_kind, sources
from graph.read.neighbourhood import co_mentions as co_mentions_of
from ontology.namespace import sparql_prefixes

router = APIRouter(tags=["entities"])

_WIKIDATA = """
SELECT ?e ?w WHERE {{ VALUES ?e {{ {values} }} ?e skos:exactMatch ?w .
  FILTER(STRSTARTS(STR(?w), "http://www.wikidata.org/entity/")) }}
"""


def _wikidata(ctx: AppContext, entities: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(entities), 500):
        values = " ".join(f"<{e}>" for e in entities[i : i + 500])
        for row in ctx.store.query(sparql_prefixes() + _WIKIDATA.format(values=values)):
            out.setdefault(str(row["e"].value), str(row["w"].value))
    return out


def _summary(ctx: AppContext, entity: str, wikidata: dict[str, str]) -> models.EntitySummary:
    graph = ctx.network()
    attrs = graph.nodes[entity]
    return models.EntitySummary(
        id=entity_id(entity),
        iri=entity,
        label=attrs.get("label") or local_name(entity),
        type=attrs.get("type"),
        aliases=list(attrs.get("aliases", ())),
        acronyms=list(attrs.get("acronyms", ())),
        wikidata=wikidata.get(entity),
        documents=len(sources(graph, entity, "mentions")),
    )


@router.get("/entities", response_model=models.Page[models.EntitySummary], summary="List or find entities")
def list_entities(
    ctx: Annotated[AppContext, Depends(context)],
    type: Annotated[
        str | None, Query(description="Initiative, Instrument, Forum, State, Person, Organization")
    ] = None,
    q: Annotated[
        str | None, Query(description="text in the label, an alias or an acronym (any case)")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> models.Page[models.EntitySummary]:
    """Entities by label; with ``q``, exact names first, then the rest by label."""
    graph = ctx.network()
    wanted_type = None
    if type:
        wanted_type = next((t for t in ENTITY_TYPES if t.casefold() == type.strip().casefold()), None)
        if wanted_type is None:
            raise HTTPException(
                422, f"type: unknown entity type {type!r}; use one of {', '.join(ENTITY_TYPES)}"
            )
    found = []
    needle = " ".join((q or "").split()).casefold()
    for entity in nodes_of_kind(graph, "entity"):
        attrs = graph.nodes[entity]
        if wanted_type and attrs.get("type") != wanted_type:
            continue
        names = [
            attrs.get("label") or local_name(entity),
            *attrs.get("aliases", ()),
            *attrs.get("acronyms", ()),
        ]
        if needle:
            if (
                not any(casefold_contains(n, needle) for n in names)
                and needle != entity_id(entity).casefold()
            ):
                continue
            exact = any(" ".join(n.split()).casefold() == needle for n in names)
        else:
            exact = False
        found.append((0 if exact else 1, str(attrs.get("label") or "").casefold(), entity))
    found.sort()
    chosen = [e for _, _, e in page(found, limit, offset)]
    wikidata = _wikidata(ctx, chosen)
    items = [_summary(ctx, e, wikidata) for e in chosen]
    return models.Page[models.EntitySummary](total=len(found), limit=limit, offset=offset, items=items)


@router.get("/entities/{entity}", response_model=models.EntityDetail, summary="One entity")
def get_entity(entity: str, request: Request, ctx: Annotated[AppContext, Depends(context)]) -> Response:
    """``entity`` is an id, a label, an alias or an acronym (any case).

    Read from the store for this one entity (its mentions with their count and first
    quote, its events), never from the networkx view of the whole store: on the UN General
    Debate corpus the NPT's 1,460 mentioning speeches take 2 s, the view minutes."""

    def build() -> models.EntityDetail:
        catalogue = ctx.catalogue()
        node = entity_named(catalogue, entity)
        builder = NetworkBuilder(ctx.store)
        builder.add_mention_evidence(entities=[node])
        builder.add_events(subjects=[node])
        graph = builder.graph
        mentions = []
        for doc in sources(graph, node, "mentions"):
            edge = graph.edges[doc, node, "mentions"]
            mentions.append(
                models.DocumentMention(
                    document=refs.document_summary(catalogue, doc),
                    count=edge.get("count"),
                    evidence=refs.evidence_model(catalogue, edge.get("evidence")),
                )
            )
        mentions.sort(key=lambda m: (m.document.sort_date or "9999", m.document.id))
        events = [refs.event_item(catalogue, graph, e) for e in sources(graph, node, "subject")]
        events.sort(key=lambda e: (graph.nodes[e.iri].get("sort_date") or "9999", e.document.id, e.iri))
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
            wikidata=_wikidata(ctx, [node]).get(node),
            documents=len(mentions),
            mentions=mentions,
            events=events,
            roles=roles,
        )

    return ctx.answer(request, build)


# The co-mention view of ontology/README.md, for one entity: one aggregate over the
# documents that mention it (co-mentions are not stored: 333,504 pairs for 3,000 speeches).
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
        rows = co_mentions_of(ctx.store, node)
        items = []
        for other_iri, shared in page(rows, limit, offset):
            other = entity_ref(catalogue, other_iri)
            assert other is not None
            items.append(models.CoMention(entity=other, documents=shared))
        return models.Page[models.CoMention](total=len(rows), limit=limit, offset=offset, items=items)

    return ctx.answer(request, build)
