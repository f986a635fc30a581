"""``/documents`` and ``/documents/{id}``: metadata, entities, events, stances, and the
text with every evidence span to highlight (``/documents/{id}/html`` marks them up)."""

from __future__ import annotations

import html
from itertools import pairwise
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse

from api import models
from api.context import AppContext, context
from api.routes import refs
from api.routes.common import FromDate, Limit, Offset, ToDate, page
from graph.dates import period_bounds
from graph.read.documents import document_content, find_document
from graph.read.window import in_window
from graph.solutions import select, text
from graph.terms import fill, iri

router = APIRouter(tags=["documents"])

_MENTIONING = "SELECT DISTINCT ?d WHERE { GRAPH ?g { ?d schema:mentions $entity } }"


@router.get("/documents", response_model=models.Page[models.DocumentSummary], summary="List documents")
def list_documents(
    ctx: Annotated[AppContext, Depends(context)],
    entity: Annotated[str | None, Query(description="only documents that mention this entity")] = None,
    actor: Annotated[str | None, Query(description="only documents of this actor or speaker")] = None,
    forum: Annotated[str | None, Query(description="only documents delivered at this forum")] = None,
    genre: Annotated[
        str | None, Query(description="speech, statement, news_report, white_paper, ...")
    ] = None,
    start: FromDate = None,
    end: ToDate = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> models.Page[models.DocumentSummary]:
    """Documents in date order (then by id), filtered."""
    # From the catalogue, not the networkx view: after a write through the service only
    # the catalogue is rebuilt (seconds on a large store, where the view takes a minute).
    catalogue = ctx.catalogue()
    docs = [d for d in catalogue.documents.values() if d.doc_id]
    if entity:
        node = iri(refs.entity_named(catalogue, entity))
        mentioning = {str(text(row["d"])) for row in select(ctx.store, fill(_MENTIONING, entity=node))}
        docs = [d for d in docs if d.iri in mentioning]
    if actor:
        who = refs.entity_named(catalogue, actor, "actor")
        docs = [d for d in docs if who in (d.actor, d.speaker)]
    if forum:
        where = refs.entity_named(catalogue, forum, "forum")
        docs = [d for d in docs if d.forum == where]
    if genre:
        docs = [d for d in docs if (d.genre or "").casefold() == genre.casefold()]
    low, high = period_bounds(start, end)
    docs = [d for d in docs if in_window(d.sort_date, low, high)]
    docs.sort(key=lambda d: (d.sort_date or "9999", d.doc_id))
    items = [refs.document_summary(catalogue, d) for d in page(docs, limit, offset)]
    return models.Page[models.DocumentSummary](total=len(docs), limit=limit, offset=offset, items=items)


def document_detail(ctx: AppContext, doc_id: str) -> models.DocumentDetail:
    """The page of one document, read from its own graph (:mod:`graph.read.documents`)."""
    catalogue = ctx.catalogue()
    doc = find_document(catalogue, doc_id)
    if doc is None:
        raise HTTPException(404, f"no document has the id {doc_id!r}")
    content = document_content(ctx.store, catalogue, doc)
    summary = refs.document_summary(catalogue, content.document)
    by_entity: dict[str, list[models.Mention]] = {}
    for span in content.mentions:
        by_entity.setdefault(span.entity, []).append(
            models.Mention(start=span.start, end=span.end, quote=span.quote)
        )
    entities = []
    highlights = []
    for entity, mentions in sorted(by_entity.items()):
        mentions.sort(key=lambda m: (m.start, m.end))
        ref = refs.entity_ref(catalogue, entity)
        assert ref is not None
        entities.append(models.EntityMentions(entity=ref, count=len(mentions), mentions=mentions))
        highlights += [
            models.Highlight(start=m.start, end=m.end, kind="mention", node=entity, label=ref.label)
            for m in mentions
        ]
    events = [refs.event_item(catalogue, e) for e in content.events]
    stances = [refs.stance_item(catalogue, s) for s in content.stances]
    for event in events:
        if event.evidence:
            highlights.append(
                models.Highlight(
                    start=event.evidence.start,
                    end=event.evidence.end,
                    kind="event",
                    node=event.iri,
                    label=f"{event.event_type}: {event.subject.label}",
                )
            )
    for stance in stances:
        if stance.evidence:
            highlights.append(
                models.Highlight(
                    start=stance.evidence.start,
                    end=stance.evidence.end,
                    kind="stance",
                    node=stance.iri,
                    label=f"{stance.holder.label} {stance.polarity}s {stance.target}",
                )
            )
    events.sort(key=lambda e: e.evidence.start if e.evidence else -1)
    stances.sort(key=lambda s: s.evidence.start if s.evidence else -1)
    highlights.sort(key=lambda h: (h.start, -h.end, h.kind))
    return models.DocumentDetail(
        **summary.model_dump(),
        source=content.source,
        format=content.format,
        sha256=content.sha256,
        length=len(content.text or ""),
        text=content.text or "",
        entities=entities,
        events=events,
        stances=stances,
        highlights=highlights,
    )


@router.get("/documents/{doc_id}", response_model=models.DocumentDetail, summary="One document")
def get_document(doc_id: str, ctx: Annotated[AppContext, Depends(context)]) -> models.DocumentDetail:
    """Metadata, the entities it mentions (every mention with offsets), its events and
    stances with their evidence, its text, and ``highlights``: every span to mark."""
    return document_detail(ctx, doc_id)


def highlighted_html(detail: models.DocumentDetail) -> str:
    """The text as HTML, evidence of events and stances in ``<mark>``, mentions in
    ``<span class="mention">`` (nested spans are flattened: an outer span ends where an
    inner one starts)."""
    text = detail.text
    boundaries: dict[int, list[str]] = {}
    # Evidence (sentences) and mentions (names) may overlap; render them as layers by
    # cutting the text at every boundary and giving each piece the classes covering it.
    for h in detail.highlights:
        boundaries.setdefault(h.start, [])
        boundaries.setdefault(h.end, [])
    cuts = sorted({0, len(text), *boundaries})
    # Links to a quote (``#q-START``, as the tables and timelines give) land on its first piece.
    quote_starts = {h.start for h in detail.highlights if h.kind != "mention"}
    parts = []
    for a, b in pairwise(cuts):
        covering = [h for h in detail.highlights if h.start <= a and b <= h.end]
        piece = html.escape(text[a:b])
        if not covering:
            parts.append(piece)
            continue
        classes = sorted({h.kind for h in covering})
        title = html.escape("; ".join(h.label for h in covering), quote=True)
        tag = "mark" if any(k != "mention" for k in classes) else "span"
        anchor = f' id="q-{a}"' if a in quote_starts else ""
        parts.append(f'<{tag}{anchor} class="{" ".join(classes)}" title="{title}">{piece}</{tag}>')
    title = html.escape(detail.title or detail.id)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>" + title + "</title><style>"
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;white-space:pre-wrap;line-height:1.5}"
        "mark.event{background:#ffe08a}mark.stance{background:#b8e0ff}:target{outline:3px solid #c0392b}"
        ".mention{text-decoration:underline dotted}"
        "</style></head><body><h1>" + title + "</h1>" + "".join(parts) + "</body></html>"
    )


@router.get(
    "/documents/{doc_id}/html", response_class=HTMLResponse, summary="The text with evidence highlighted"
)
def get_document_html(doc_id: str, ctx: Annotated[AppContext, Depends(context)]) -> HTMLResponse:
    return HTMLResponse(highlighted_html(document_detail(ctx, doc_id)))
