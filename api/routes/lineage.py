"""``/lineage/{entity}``: an initiative's or instrument's history in date order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api import models
from api.context import AppContext, context
from api.routes.common import document_summary, entity_node, entity_ref, evidence_model
from graph.links import lineage

router = APIRouter(tags=["timelines"])


@router.get("/lineage/{entity}", response_model=models.Lineage, summary="Lineage of an initiative")
def get_lineage(entity: str, ctx: Annotated[AppContext, Depends(context)]) -> models.Lineage:
    """Its origin (launch, proposal, ...), later events (each once, however many documents
    report it) and every later document that invokes it, each with the quote."""
    graph = ctx.network()
    node = entity_node(graph, entity)
    found = lineage(graph, node)
    ref = entity_ref(graph, node)
    assert ref is not None
    steps = []
    for step in found.steps:
        steps.append(
            models.LineageStep(
                role=step.role,
                event_type=step.event_type,
                date=step.date,
                actor=entity_ref(graph, step.actor),
                document=document_summary(graph, step.document.iri),
                evidence=evidence_model(graph, step.evidence),
                reported_in=[str(graph.nodes[d].get("doc_id") or d) for d in step.reported_in],
            )
        )
    return models.Lineage(entity=ref, steps=steps)
