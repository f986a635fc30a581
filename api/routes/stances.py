"""``/stances``: who supports or opposes what, when, with the quote.

One query with every filter (holder, topic, polarity, target, date window) bound inside
it (:func:`graph.read.stances.stance_records`); answers are cached per store generation
(:meth:`api.context.AppContext.answer`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from api import models
from api.context import AppContext, context
from api.routes.common import FromDate, Offset, ToDate
from api.routes.events import Format, Sort
from api.routes.refs import entity_named, stance_item, topic_named
from api.tables import table_format, table_response
from graph.event_identity import precision_name
from graph.read.catalogue import Catalogue
from graph.read.stances import StanceRecord, position_page, stance_records
from graph.read.tables import (
    STANCE_COLUMNS,
    StanceRow,
    document_link,
    matching,
    sorted_rows,
    stance_rows,
    stance_rows_page,
)

router = APIRouter(tags=["stances"])


def stance_model(catalogue: Catalogue, record: StanceRecord) -> models.StanceItem:
    """A stance as ``/stances`` lists it: a document page's item with its date's precision
    and the link to its quote."""
    return stance_item(catalogue, record).model_copy(
        update={
            "precision": precision_name(record.date),
            "link": document_link(record.document.doc_id, record.evidence.start if record.evidence else None),
        }
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
        quotes=False,
    )
    # The quotes of the page only (a state holds thousands of stances).
    items = [stance_model(catalogue, r) for r in position_page(ctx.store, found, limit, offset)]
    return models.Page[models.StanceItem](total=len(found), limit=limit, offset=offset, items=items)


@router.get(
    "/stances",
    response_model=models.Page[models.StanceItem],
    summary="Stances",
    responses={200: {"content": {"text/csv": {}, "text/tab-separated-values": {}}}},
)
def list_stances(
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    holder: Annotated[str | None, Query(description="who holds it: id, label, alias or acronym",
                                        examples=["China"])] = None,
    topic: Annotated[str | None, Query(description="topic id (outer-space) or label")] = None,
    polarity: Annotated[Literal["support", "oppose"] | None, Query(description="support or oppose")] = None,
    target: Annotated[str | None, Query(description="entity the stance is about")] = None,
    forum: Annotated[str | None, Query(description="forum where the document was delivered")] = None,
    document: Annotated[str | None, Query(description="a document id")] = None,
    q: Annotated[str | None, Query(description="text the row contains (quote, target, title)")] = None,
    sort: Sort = "date",
    start: FromDate = None,
    end: ToDate = None,
    limit: Annotated[int, Query(ge=1, le=100_000, description="page size")] = 100,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Stances in date order: JSON items with their document and quote, or the flat table
    (``Accept: text/csv`` or ``format=csv``/``tsv``; the JSON also with ``forum``,
    ``document``, ``q`` or ``sort``)."""
    chosen = table_format(request, fmt)
    flat = chosen != "json" or any((forum, document, q)) or sort != "date"
    if not flat:
        if limit > 1000:
            raise HTTPException(422, "limit: at most 1000 items a page (the CSV and TSV tables allow more)")
        return ctx.answer(
            request,
            lambda: build_stances(
                ctx, holder=holder, topic=topic, polarity=polarity, target=target, start=start, end=end,
                limit=limit, offset=offset,
            ),
        )
    catalogue = ctx.catalogue()
    holder_iri = entity_named(catalogue, holder, "holder") if holder else None
    topic_iri = topic_named(catalogue, topic) if topic else None
    target_iri = entity_named(catalogue, target, "target") if target else None
    forum_iri = entity_named(catalogue, forum, "forum") if forum else None
    document_iri = catalogue.by_doc_id.get(document, "") if document else None
    if document and not document_iri:
        raise HTTPException(404, f"document: no document has the id {document!r}")

    def build() -> tuple[int, list[StanceRow]]:
        if not q and sort == "date":  # the quotes of the page only
            return stance_rows_page(
                ctx.store, catalogue, limit=limit, offset=offset, holder=holder_iri, topic=topic_iri,
                polarity=polarity, target=target_iri, forum=forum_iri, document=document_iri, start=start,
                end=end,
            )
        rows = stance_rows(
            ctx.store, catalogue, holder=holder_iri, topic=topic_iri, polarity=polarity, target=target_iri,
            forum=forum_iri, document=document_iri, start=start, end=end,
        )
        rows = sorted_rows(matching(rows, q), sort)
        return len(rows), rows[offset : offset + limit]

    return table_response(ctx, request, chosen, STANCE_COLUMNS, build, limit=limit, offset=offset)
