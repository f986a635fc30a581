"""``/events``: every real event as a flat table (JSON, CSV, TSV), filterable and sortable.

One row per real event however many documents report it (:mod:`graph.event_identity`),
with its date at its precision, actor, type, subject, forum, the most precise report's
document (id, title, link to the highlighted page) and quote, and the number and ids of
the reporting documents. Rows come from :func:`graph.read.tables.event_rows`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from api.context import AppContext, context
from api.routes.common import FromDate, Offset, ToDate
from api.routes.refs import entity_named
from api.tables import TableFormat, table_format, table_response
from graph.read.tables import EVENT_COLUMNS, SORTS, EventRow, event_rows, matching, sorted_rows

router = APIRouter(tags=["tables"])

#: Rows per page of a table (a spreadsheet user asks for many at once).
TableLimit = Annotated[int, Query(ge=1, le=100_000, description="rows per page", examples=[1000])]
Sort = Annotated[
    str,
    Query(pattern="^-?(date|actor|subject|type)$", description=f"{', '.join(SORTS)}; a leading - reverses"),
]
Format = Annotated[TableFormat | None, Query(alias="format", description="json, csv or tsv (else Accept)")]


@router.get(
    "/events",
    summary="Events as a table",
    responses={200: {"content": {"text/csv": {}, "text/tab-separated-values": {}}}},
)
def list_events(
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    actor: Annotated[str | None, Query(description="who acted: id, label, alias or acronym",
                                       examples=["China"])] = None,
    subject: Annotated[str | None, Query(description="what the event is about (an initiative, "
                                         "instrument or forum)")] = None,
    event_type: Annotated[str | None, Query(alias="type", pattern="^[a-z_]+$",
                                            description="launch, adopt, sign, convene, ...")] = None,
    forum: Annotated[str | None, Query(description="forum where the report was delivered")] = None,
    document: Annotated[str | None, Query(description="a document id")] = None,
    q: Annotated[str | None, Query(description="text the row contains (quote, names, title)")] = None,
    start: FromDate = None,
    end: ToDate = None,
    sort: Sort = "date",
    limit: TableLimit = 1000,
    offset: Offset = 0,
    fmt: Format = None,
) -> Response:
    """Real events in date order (or ``sort``), with their quotes."""
    chosen = table_format(request, fmt)
    catalogue = ctx.catalogue()
    actor_iri = entity_named(catalogue, actor, "actor") if actor else None
    subject_iri = entity_named(catalogue, subject, "subject") if subject else None
    forum_iri = entity_named(catalogue, forum, "forum") if forum else None
    document_iri = catalogue.by_doc_id.get(document, "") if document else None
    if document and not document_iri:
        raise HTTPException(404, f"document: no document has the id {document!r}")

    def build() -> tuple[int, list[EventRow]]:
        rows = event_rows(
            ctx.store, catalogue, actor=actor_iri, subject=subject_iri, event_type=event_type,
            forum=forum_iri, document=document_iri, start=start, end=end,
        )
        rows = sorted_rows(matching(rows, q), sort)
        return len(rows), rows[offset : offset + limit]

    return table_response(ctx, request, chosen, EVENT_COLUMNS, build, limit=limit, offset=offset)
