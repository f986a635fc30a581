"""``/export``: the graph for Gephi, Cytoscape, networkx, TimelineJS and RDF tools."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api import exports, media
from api.context import AppContext, context
from api.routes.common import FromDate, ToDate, entity_node, topic_node
from api.routes.timeline import timeline_entries

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
    their triples merged. GEXF is version 1.3; GraphML node ids are escaped IRIs (the IRI
    is the ``iri`` attribute); quote offsets are ``start_offset``/``end_offset``."""
    graph = ctx.network()
    filters = exports.Filters(
        entity=entity_node(graph, entity) if entity else None,
        topic=topic_node(graph, topic) if topic else None,
        actor=entity_node(graph, actor, "actor") if actor else None,
        forum=entity_node(graph, forum, "forum") if forum else None,
        start=start,
        end=end,
    )
    media_type, extension = _MEDIA[format]
    if format in _RDF:
        rdf = _RDF[format].rdf
        assert rdf is not None
        body = exports.rdf_export(ctx.store, graph, filters, rdf, default_graph=default_graph)
    elif format == "timelinejs":
        if filters.entity or filters.topic or filters.actor or filters.forum:
            entries = timeline_entries(
                ctx.store,
                ctx.catalogue(),
                entity=filters.entity,
                topic=filters.topic,
                actor=filters.actor,
                forum=filters.forum,
                start=start,
                end=end,
            )
            names = [
                graph.nodes[n].get("label")
                for n in (filters.entity, filters.topic, filters.actor, filters.forum)
                if n and n in graph
            ]
            title = "Timeline: " + ", ".join(str(n) for n in names if n)
        else:
            entries = exports.document_entries(graph, exports.selected_documents(graph, filters))
            title = "Timeline of the documents"
        body = exports.to_json_bytes(exports.timelinejs(entries, graph, title))
    else:
        subgraph = exports.select(graph, filters)
        if format == "graphml":
            body = exports.graphml(subgraph)
        elif format == "gexf":
            body = exports.gexf(subgraph)
        elif format == "cytoscape":
            body = exports.to_json_bytes(exports.cytoscape(subgraph))
        else:
            body = exports.to_json_bytes(exports.node_link(subgraph))
    headers = {}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="policykg.{extension}"'
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml", "trig", "n-quads"))
    content_type = f"{media_type}; charset=utf-8" if textual else media_type
    return Response(body, media_type=content_type, headers=headers)
