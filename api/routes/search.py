"""``/search?q=``: full text over documents and evidence quotes (SQLite FTS5 index)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query

from api import models
from api.context import AppContext, context
from api.routes.common import Limit, Offset

router = APIRouter(tags=["search"])


@router.get("/search", response_model=models.Page[models.SearchHit], summary="Full-text search")
def search(
    ctx: Annotated[AppContext, Depends(context)],
    q: Annotated[str, Query(min_length=1, description='words (all must occur; stemmed) and "phrases"')],
    kind: Annotated[Literal["document", "event", "stance"] | None, Query()] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> models.Page[models.SearchHit]:
    """Best matches first: documents (offsets and a snippet of their first match) and
    evidence quotes of events and stances (their offsets in the document)."""
    index = ctx.search_index()
    try:
        total, hits = index.search(q, kind=kind, limit=limit, offset=offset)
    except ValueError as exc:
        raise HTTPException(422, f"q: {exc}") from exc
    items = [
        models.SearchHit(
            kind=h.kind,
            document=h.doc,
            doc_id=h.doc_id,
            title=h.title,
            date=h.date,
            node=h.node,
            start=h.start,
            end=h.end,
            snippet=h.snippet,
            score=h.score,
        )
        for h in hits
    ]
    return models.Page[models.SearchHit](total=total, limit=limit, offset=offset, items=items)
