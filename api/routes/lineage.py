"""``/lineage/{entity}``: an initiative's or instrument's history in date order.

Read from the precomputed lineage steps of the links graph in one indexed query, or
computed for this one entity when the store has none (:func:`graph.read.lineage.lineage_page`),
a page at a time (the quotes of the page only); answers are cached per store generation
(:meth:`api.context.AppContext.answer`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api import models
from api.context import AppContext, context
from api.routes.common import Limit, Offset
from api.routes.refs import document_summary, entity_named, entity_ref, evidence_model
from graph.event_identity import precision_name
from graph.read.lineage import lineage_page

router = APIRouter(tags=["timelines"])


def build_lineage(ctx: AppContext, entity: str, limit: int, offset: int) -> models.Lineage:
    catalogue = ctx.catalogue()
    node = entity_named(catalogue, entity)
    ref = entity_ref(catalogue, node)
    assert ref is not None
    total, page = lineage_page(ctx.store, catalogue, node, limit=limit, offset=offset)
    steps = [
        models.LineageStep(
            role=step.role,
            event_type=step.event_type,
            date=step.date,
            precision=precision_name(step.date),
            actor=entity_ref(catalogue, step.actor),
            document=document_summary(catalogue, step.document),
            evidence=evidence_model(catalogue, step.evidence),
            reported_in=[catalogue.document(d).doc_id for d in step.reported_in],
        )
        for step in page
    ]
    return models.Lineage(entity=ref, total=total, limit=limit, offset=offset, steps=steps)


@router.get("/lineage/{entity}", response_model=models.Lineage, summary="Lineage of an initiative")
def get_lineage(
    entity: str,
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Its origin (launch, proposal, ...), later events (each once, however many documents
    report it) and every later document that invokes it, each with the quote; a page of
    ``limit`` steps from ``offset`` (a charter invoked by 5,000 speeches has as many steps),
    with the number of all of them in ``total``."""
    return ctx.answer(request, lambda: build_lineage(ctx, entity, limit, offset))
