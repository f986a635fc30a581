"""``/paths``: how two entities connect, each hop justified by a document and its quotes.

Searched in the store over the co-mentions of the two ends (:mod:`graph.read.paths`), never
over a view of the whole store. A search is bounded three ways: its time (the query time
limit), the entities whose co-mentions it may read, and the searches running at once
(:data:`CONCURRENT_SEARCHES` per app; a request waits for a free one at most the time
limit, then gets 503 with ``Retry-After``), so that many clients asking for paths leave
the other routes their threads and cores. Answers are cached per store generation.
"""

from __future__ import annotations

import threading
import weakref
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from api import models
from api.context import AppContext, context
from api.routes.refs import document_summary, entity_named, entity_ref, evidence_model
from graph.read.paths import SearchLimit, evidence_paths

router = APIRouter(tags=["graph"])

#: Path searches running at once in one app (each keeps a core busy while it runs).
CONCURRENT_SEARCHES = 2

_slots: weakref.WeakKeyDictionary[AppContext, threading.BoundedSemaphore] = weakref.WeakKeyDictionary()
_slots_lock = threading.Lock()


def _search_slots(ctx: AppContext) -> threading.BoundedSemaphore:
    with _slots_lock:
        slots = _slots.get(ctx)
        if slots is None:
            slots = _slots[ctx] = threading.BoundedSemaphore(CONCURRENT_SEARCHES)
        return slots


@router.get("/paths", response_model=models.Paths, summary="Evidence paths between two entities")
def get_paths(
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    source: Annotated[str, Query(alias="from", description="id, label, alias or acronym")],
    target: Annotated[str, Query(alias="to", description="id, label, alias or acronym")],
    max_paths: Annotated[int, Query(ge=1, le=20)] = 3,
    max_hops: Annotated[int, Query(ge=1, le=8)] = 4,
) -> Response:
    """The shortest chains of co-mentions (fewest hops; specific entities first). 503 when
    the search runs past the query time limit or waits that long for a free search."""
    catalogue = ctx.catalogue()
    a = entity_named(catalogue, source, "from")
    b = entity_named(catalogue, target, "to")
    if a == b:
        raise HTTPException(422, "from and to name the same entity")
    limit = ctx.settings.query_timeout_s

    def build() -> models.Paths:
        slots = _search_slots(ctx)
        if not slots.acquire(timeout=limit):
            raise HTTPException(
                503, f"too many path searches: none became free within {limit:g} s", {"Retry-After": "5"}
            )
        try:
            found = evidence_paths(
                ctx.store, catalogue, a, b, max_paths=max_paths, max_hops=max_hops, time_limit_s=limit,
                mentions=ctx.mention_index(),
            )
        except SearchLimit as exc:
            raise HTTPException(
                503, f"{exc} (limit {limit:g} s): ask for fewer hops", {"Retry-After": "1"}
            ) from exc
        finally:
            slots.release()

        def ref(node: str) -> models.EntityRef:
            out = entity_ref(catalogue, node)
            assert out is not None
            return out

        paths = []
        for path in found:
            hops = [
                models.PathHop(
                    source=ref(h.source),
                    target=ref(h.target),
                    document=document_summary(catalogue, h.document.iri),
                    source_evidence=evidence_model(catalogue, h.source_evidence),
                    target_evidence=evidence_model(catalogue, h.target_evidence),
                    documents=[catalogue.document(d).doc_id for d in h.documents],
                )
                for h in path.hops
            ]
            paths.append(models.EvidencePath(entities=[ref(e) for e in path.entities], hops=hops))
        return models.Paths(source=ref(a), target=ref(b), paths=paths)

    return ctx.answer(request, build)
