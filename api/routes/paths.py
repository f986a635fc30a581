"""``/paths``: how two entities connect, each hop justified by a document and its quotes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from api import models
from api.context import AppContext, context
from api.routes.common import document_summary, entity_node, entity_ref, evidence_model
from graph.connectivity import evidence_paths

router = APIRouter(tags=["graph"])


@router.get("/paths", response_model=models.Paths, summary="Evidence paths between two entities")
def get_paths(
    ctx: Annotated[AppContext, Depends(context)],
    source: Annotated[str, Query(alias="from", description="id, label, alias or acronym")],
    target: Annotated[str, Query(alias="to", description="id, label, alias or acronym")],
    max_paths: Annotated[int, Query(ge=1, le=20)] = 3,
    max_hops: Annotated[int, Query(ge=1, le=8)] = 4,
) -> models.Paths:
    """The shortest chains of co-mentions (fewest hops; specific entities first)."""
    graph = ctx.network()
    a = entity_node(graph, source, "from")
    b = entity_node(graph, target, "to")
    if a == b:
        raise HTTPException(422, "from and to name the same entity")
    try:
        found = evidence_paths(graph, a, b, max_paths=max_paths, max_hops=max_hops)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc

    def ref(node: str) -> models.EntityRef:
        out = entity_ref(graph, node)
        assert out is not None
        return out

    paths = []
    for path in found:
        hops = [
            models.PathHop(
                source=ref(h.source),
                target=ref(h.target),
                document=document_summary(graph, h.document.iri),
                source_evidence=evidence_model(graph, h.source_evidence),
                target_evidence=evidence_model(graph, h.target_evidence),
                documents=[str(graph.nodes[d].get("doc_id") or d) for d in h.documents],
            )
            for h in path.hops
        ]
        paths.append(models.EvidencePath(entities=[ref(e) for e in path.entities], hops=hops))
    return models.Paths(source=ref(a), target=ref(b), paths=paths)
