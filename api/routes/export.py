"""``/export``: the graph for Gephi, Cytoscape, networkx, TimelineJS and RDF tools."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import chain, islice
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse

from api import export_graph, exports, media, timeline_slides
from api.context import AppContext, context
from api.export_rdf import rdf_stream
from api.routes.common import FromDate, ToDate
from api.routes.refs import entity_named, timeline_filters, topic_named
from graph.dates import period_bounds
from graph.read.ego import MentionLink, ego_facts
from graph.read.ego_rdf import ego_quads
from graph.read.selection import Filters, selected_documents, widened
from graph.read.tables import event_rows
from graph.read.timeline import timeline_entries
from graph.read.window import in_window

router = APIRouter(tags=["export"])

ExportFormat = Literal[
    "graphml", "gexf", "cytoscape", "nodelink", "jsonld", "turtle", "trig", "nquads", "timelinejs"
]

_MEDIA = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "cytoscape": ("application/json", "cyjs"),
    "nodelink": ("application/json", "json"),
    "timelinejs": ("application/json", "json"),
    "jsonld": (media.JSON_LD.media_type, "jsonld"),
    "turtle": (media.TURTLE.media_type, "ttl"),
    "trig": (media.TRIG.media_type, "trig"),
    "nquads": (media.N_QUADS.media_type, "nq"),
}
_RDF = {"jsonld": media.JSON_LD, "turtle": media.TURTLE, "trig": media.TRIG, "nquads": media.N_QUADS}


@router.get("/export", summary="Export the graph", response_class=Response)
def export(
    ctx: Annotated[AppContext, Depends(context)],
    format: Annotated[
        ExportFormat,
        Query(description="graphml, gexf, cytoscape, nodelink, jsonld, turtle, trig, nquads or timelinejs"),
    ] = "graphml",
    entity: Annotated[str | None, Query(description="documents about this entity")] = None,
    topic: Annotated[str | None, Query(description="documents with stances on this topic")] = None,
    actor: Annotated[str | None, Query(description="documents of this actor, or with its stances")] = None,
    forum: Annotated[str | None, Query(description="documents delivered at this forum")] = None,
    start: FromDate = None,
    end: ToDate = None,
    depth: Annotated[
        int,
        Query(
            ge=1,
            le=2,
            description="with a filter: 1 keeps the documents it selects and what they hold (an ego "
            "network around an entity); 2 adds the documents about every entity those name "
            "(in the date window). Grows fast: on a large corpus depth 2 around a state is most of it",
        ),
    ] = 1,
    facts: Annotated[
        Literal["ego", "all"],
        Query(
            description="with entity or actor: ego (an ego network) keeps the documents, every entity "
            "they name, the first mention of the entity in each (with its quote) and only the events "
            "and stances of the entity (subject, actor, holder or target), with their quotes; RDF "
            "formats give these facts' quads in the documents' graphs and each document's description "
            "without its text. all keeps the documents' whole graphs: every event and stance (much "
            "larger on a large corpus; streamed)"
        ),
    ] = "ego",
    default_graph: Annotated[
        bool,
        Query(
            description="RDF formats: every triple in the default graph, without named graphs "
            "(for tools that read one graph, such as rdflib's Graph; Turtle always is)"
        ),
    ] = False,
    download: Annotated[bool, Query(description="send as an attachment")] = False,
) -> Response:
    """The documents the filters keep (all of them without filters), with their entities,
    events, stances and topics; RDF formats give the documents' named graphs and the
    descriptions of the entities they name (graph:entities), or with ``default_graph``
    their triples merged; without filters every graph of the store. With an entity or an
    actor the export is its ego network (``facts=ego``, see :mod:`graph.read.ego`), read
    with a few queries keyed by the entity. Exports stream: RDF formats graph by graph,
    graph formats a chunk of documents at a time. GEXF is version 1.3; GraphML node ids are
    escaped IRIs (the IRI is the ``iri`` attribute); quote offsets are
    ``start_offset``/``end_offset``."""
    media_type, extension = _MEDIA[format]
    headers = {}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="policykg.{extension}"'
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml", "trig", "n-quads"))
    content_type = f"{media_type}; charset=utf-8" if textual else media_type
    if format == "timelinejs":
        body = exports.to_json_bytes(
            timeline_export(ctx, entity=entity, topic=topic, actor=actor, forum=forum, start=start, end=end)
        )
        return Response(body, media_type=content_type, headers=headers)
    docs: list[str] | None = None  # None: the whole store
    egos: list[str] = []
    if any((entity, topic, actor, forum, start, end)):
        catalogue = ctx.catalogue()
        filters = Filters(
            entity=entity_named(catalogue, entity) if entity else None,
            topic=topic_named(catalogue, topic) if topic else None,
            actor=entity_named(catalogue, actor, "actor") if actor else None,
            forum=entity_named(catalogue, forum, "forum") if forum else None,
            start=start,
            end=end,
        )
        docs = selected_documents(ctx.store, catalogue, filters, ctx.mention_index())
        if depth > 1:
            docs = widened(ctx.store, catalogue, docs, filters, depth)
        egos = [e for e in (filters.entity, filters.actor) if e]
    if format in _RDF:
        rdf = _RDF[format].rdf
        assert rdf is not None
        ego = None
        if egos and facts == "ego":
            # The ego network as RDF, read before the answer starts (a bounded read); the
            # mention links from the in-memory index, as below.
            links = [MentionLink(d, e) for d, e in ctx.mention_index().links(docs or [])]
            ego = ego_quads(ctx.store, egos, docs or [], links=links, descriptions=ctx.entity_descriptions())
        pieces = rdf_stream(
            ctx.store, docs, rdf, default_graph=default_graph, pieces=ego, block=2**20 if ego else 0
        )
        return StreamingResponse(pieces, media_type=content_type, headers=headers)
    writer = _GRAPH_WRITERS[format]
    stream: Iterator[bytes]
    if egos and facts == "ego":
        stream = _ego_network_stream(ctx, writer, egos, docs or [])
    else:
        # Everything the documents hold, read chunk by chunk as the answer streams.
        kept = docs if docs is not None else sorted(ctx.catalogue().documents)
        stream = writer(exports.document_pieces(ctx.store, kept))
    return StreamingResponse(stream, media_type=content_type, headers=headers)


def _ego_network_stream(
    ctx: AppContext,
    writer: Callable[[Iterable[exports.Piece]], Iterator[bytes]],
    egos: list[str],
    docs: list[str],
) -> Iterator[bytes]:
    """An ego network in a graph format (:func:`api.exports.ego_pieces`): the store reads
    the egos' mentions, events and stances on another thread while this one writes the
    documents and who they name (the mention links come from the in-memory index: 51,000
    links of a state's 1,500 UN speeches, 0.7 s as a store read). The reads end before the
    answer starts (a bounded read), so that a failure is an error status."""
    catalogue = ctx.catalogue()
    links = [MentionLink(d, e) for d, e in ctx.mention_index().links(docs)]
    with ThreadPoolExecutor(1) as pool:
        read = pool.submit(ego_facts, ctx.store, egos, docs, links=links)
        stream = writer(exports.ego_pieces(catalogue, egos, docs, links, read.result))
        written = list(islice(stream, 2))  # the head and the first piece
        read.result()
    return chain(written, stream)


_GRAPH_WRITERS: dict[str, Callable[[Iterable[exports.Piece]], Iterator[bytes]]] = {
    "graphml": export_graph.graphml_stream,
    "gexf": export_graph.gexf_stream,
    "cytoscape": export_graph.cytoscape_stream,
    "nodelink": export_graph.node_link_stream,
}


def timeline_export(
    ctx: AppContext,
    *,
    entity: str | None,
    topic: str | None,
    actor: str | None,
    forum: str | None,
    start: str | None,
    end: str | None,
) -> dict[str, Any]:
    """TimelineJS JSON: the timeline of the filters (as ``/timeline``), or without filters
    every document and every real event of the store (:mod:`api.timeline_slides`)."""
    catalogue = ctx.catalogue()
    named = timeline_filters(catalogue, entity=entity, topic=topic, actor=actor, forum=forum)
    if named.named():
        entries = timeline_entries(
            ctx.store,
            catalogue,
            entity=named.entity,
            topic=named.topic,
            actor=named.actor,
            forum=named.forum,
            start=start,
            end=end,
        )
        names = [
            catalogue.topic_label(iri) if kind == "topic" else catalogue.entity_label(iri)
            for kind, iri in named.named()
        ]
        return timeline_slides.timelinejs(
            (timeline_slides.entry_slide(e, catalogue, i) for i, e in enumerate(entries)),
            "Timeline: " + ", ".join(names),
        )
    low, high = period_bounds(start, end)
    docs = [d for d, info in catalogue.documents.items() if in_window(info.sort_date, low, high)]
    rows = event_rows(ctx.store, catalogue, start=start, end=end)
    slides: list[dict[str, Any] | None] = list(timeline_slides.document_slides(catalogue, docs))
    slides += [timeline_slides.event_row_slide(row, len(slides) + i) for i, row in enumerate(rows)]
    return timeline_slides.timelinejs(slides, "Timeline of the documents and events")
