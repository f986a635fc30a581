"""``/stances``: who supports or opposes what, when, with the quote.

One query with every filter (holder, topic, polarity, target, date window) bound inside
it (:func:`api.views.stance_records`); answers are cached per store generation
(:meth:`api.context.AppContext.answer`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api import models
from api.catalogue import Catalogue
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
from api.views import StanceRecord, stance_records

router = APIRouter(tags=["stances"])


def stance_model(catalogue: Catalogue, record: StanceRecord) -> models.StanceItem:
    holder = entity_ref(catalogue, record.holder)
    assert holder is not None
    reported = catalogue.reports.get(record.document.iri)
    return models.StanceItem(
        iri=record.stance,
        holder=holder,
        polarity=record.polarity,
        target=record.target,
        topic=topic_ref(catalogue, record.topic),
        target_entities=[r for r in (entity_ref(catalogue, e) for e in record.target_entities) if r],
        date=record.date,
        document=document_summary(catalogue, record.document),
        evidence=evidence_model(catalogue, record.evidence),
        reports_on=doc_id(catalogue, reported) if reported in catalogue.documents else None,
    )


def build_stances(
    ctx: AppContext,
    *,
    holder: str | None,
    topic: str | None,
    polarity: str | None,
    target: str | None,
    start: str | None,
    end: str | None,
    limit: int,
    offset: int,
) -> models.Page[models.StanceItem]:
    catalogue = ctx.catalogue()
    holder_iri = entity_named(catalogue, holder, "holder") if holder else None
    topic_iri = topic_named(catalogue, topic) if topic else None
    target_iri = entity_named(catalogue, target, "target") if target else None
    found = stance_records(
        ctx.store,
        catalogue,
        holder=holder_iri,
        topic=topic_iri,
        polarity=polarity,
        target=target_iri,
        start=start,
        end=end,
    )
    found.sort(key=lambda r: r.position_key)
    items = [stance_model(catalogue, r) for r in page(found, limit, offset)]
    return models.Page[models.StanceItem](total=len(found), limit=limit, offset=offset, items=items)


@router.get("/stances", response_model=models.Page[models.StanceItem], summary="Stances")
def list_stances(
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    holder: Annotated[str | None, Query(description="who holds it: id, label, alias or acronym")] = None,
    topic: Annotated[str | None, Query(description="topic id (outer-space) or label")] = None,
    polarity: Annotated[Literal["support", "oppose"] | None, Query()] = None,
    target: Annotated[str | None, Query(description="entity the stance is about")] = None,
    start: FromDate = None,
    end: ToDate = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Stances in date order."""
    return ctx.answer(
        request,
        lambda: build_stances(
            ctx,
            holder=holder,
            topic=topic,
            polarity=polarity,
            target=target,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
        ),
    )
