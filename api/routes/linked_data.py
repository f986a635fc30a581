"""Linked Data: the resource IRIs of the graph, served by the API.

Behind ``https://w3id.org/policykg/`` (a w3id redirect of ``/policykg/*`` to this
server's ``/*``), every IRI the graph mints resolves here:

- ``/entity/{key}``: the entity's description (graph:entities) and the documents that
  mention it (``schema:mentions``);
- ``/doc/{id}``: the document's named graph (fragment IRIs ``#m-…``, ``#event-N`` … are
  in it) and the descriptions of the entities it names;
- ``/topic/{name}``: the SKOS concept (graph:ontology);
- ``/ontology``: the vocabulary and topic scheme (``pkg:`` terms are ``/ontology#Term``).

Each answers in Turtle (the default), JSON-LD (with a ``@context``), N-Triples or an HTML
page, by the ``Accept`` header (or ``?format=``), directly (no 303: the document
describing a resource is served at the resource's own IRI, as for hash and slash IRIs
alike here), with ``Vary: Accept``. ``/.well-known/void`` describes the dataset in VoID
and DCAT (:mod:`api.void`).
"""

from __future__ import annotations

import html
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from api import media
from api.context import AppContext, context
from api.exports import jsonld_document
from api.void import void_triples
from graph.entities_graph import ENTITIES, descriptions_named_by
from graph.rdf_terms import PKG_SHA256, RDFS_LABEL, SKOS_PREF, entity_node, topic_node
from ontology.namespace import BASE, ONTOLOGY_GRAPH, PREFIXES, doc_graph_iri, doc_iri

router = APIRouter(tags=["linked data"])

#: What a Linked Data resource is served as; Turtle when the client does not say.
OFFERED = (media.TURTLE, media.JSON_LD, media.N_TRIPLES, media.HTML)
_SCHEMA_MENTIONS = ox.NamedNode("https://schema.org/mentions")
_DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
_ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))

Format = Annotated[
    str | None,
    Query(description="turtle, jsonld, ntriples or html; overrides the Accept header"),
]


def negotiated(request: Request, fmt: str | None) -> media.MediaFormat:
    """The format asked by ``?format=`` or else by ``Accept``; 406 when none is offered."""
    chosen = media.by_name(fmt, OFFERED) if fmt else media.negotiate(request.headers.get("accept"), OFFERED)
    if chosen is None:
        offered = ", ".join(f.media_type for f in OFFERED)
        raise HTTPException(406, f"this resource is served as {offered}")
    return chosen


def rdf_response(chosen: media.MediaFormat, triples: list[ox.Triple], *, iri: str, title: str) -> Response:
    """``triples`` in the negotiated format, with ``Vary: Accept``."""
    if chosen is media.HTML:
        body = html_page(triples, iri=iri, title=title)
    elif chosen is media.JSON_LD:
        body = jsonld_document(triples)
    else:
        assert chosen.rdf is not None
        prefixes = dict(PREFIXES) if chosen is media.TURTLE else None
        body = ox.serialize(triples, format=chosen.rdf, prefixes=prefixes) or b""
    return Response(body, media_type=chosen.content_type, headers={"Vary": "Accept"})


def _about(ctx: AppContext, graph: ox.NamedNode, node: ox.NamedNode) -> list[ox.Triple]:
    """The triples of ``graph`` whose subject is ``node`` (the subject a constant: an
    index lookup)."""
    rows = ctx.store.query(
        f"SELECT ?p ?o WHERE {{ GRAPH {graph} {{ {node} ?p ?o }} }}", union_default_graph=False
    )
    return list(dict.fromkeys(ox.Triple(node, row["p"], row["o"]) for row in rows))


@router.get("/entity/{key}", summary="An entity, as Linked Data", response_class=Response)
def entity_resource(
    key: str, request: Request, ctx: Annotated[AppContext, Depends(context)], format: Format = None
) -> Response:
    """What ``https://w3id.org/policykg/entity/{key}`` names: its description (type,
    labels, acronyms, Wikidata match, gazetteer relations) and the documents that mention
    it. Turtle, JSON-LD, N-Triples or HTML by ``Accept``."""
    chosen = negotiated(request, format)
    node = entity_node(key)
    triples = _about(ctx, ENTITIES, node)
    if not triples:
        raise HTTPException(404, f"no entity is described as {node.value}")
    mentioning = ctx.store.query(
        f"SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ ?d {_SCHEMA_MENTIONS} {node} }} }}",
        union_default_graph=False,
    )
    triples += [ox.Triple(row["d"], _SCHEMA_MENTIONS, node) for row in mentioning]
    return rdf_response(chosen, triples, iri=node.value, title=_label(triples, node) or key)


@router.get("/doc/{doc_id}", summary="A document, as Linked Data", response_class=Response)
def document_resource(
    doc_id: str, request: Request, ctx: Annotated[AppContext, Depends(context)], format: Format = None
) -> Response:
    """What ``https://w3id.org/policykg/doc/{id}`` names: the document's named graph
    (the document, its mentions, quotes, events and stances: the ``#…`` IRIs) and the
    descriptions of the entities it names."""
    chosen = negotiated(request, format)
    graph = doc_graph_iri(doc_id)
    try:
        graph_node = ox.NamedNode(graph)
    except ValueError as exc:
        raise HTTPException(404, f"no document {doc_id!r}") from exc
    triples = [q.triple for q in ctx.store.graph_quads(graph)]
    if not triples:
        raise HTTPException(404, f"no document is stored as {doc_iri(doc_id)}")
    triples = list(
        dict.fromkeys(triples + [q.triple for q in descriptions_named_by(ctx.store, graph_node.value)])
    )
    document = ox.NamedNode(doc_iri(doc_id))
    title = _label(triples, document, (_DCT_TITLE,)) or doc_id
    return rdf_response(chosen, triples, iri=document.value, title=title)


@router.get("/topic/{name}", summary="A topic, as Linked Data", response_class=Response)
def topic_resource(
    name: str, request: Request, ctx: Annotated[AppContext, Depends(context)], format: Format = None
) -> Response:
    """What ``https://w3id.org/policykg/topic/{name}`` names: the SKOS concept of the
    topic scheme (labels, definition, broader/narrower)."""
    chosen = negotiated(request, format)
    node = topic_node(name)
    triples = _about(ctx, _ONTOLOGY, node)
    if not triples:
        raise HTTPException(404, f"no topic is described as {node.value}")
    return rdf_response(chosen, triples, iri=node.value, title=_label(triples, node) or name)


@router.get("/ontology", summary="The policykg vocabulary", response_class=Response)
def ontology_resource(
    request: Request, ctx: Annotated[AppContext, Depends(context)], format: Format = None
) -> Response:
    """What ``https://w3id.org/policykg/ontology`` (and every ``pkg:`` term,
    ``…/ontology#Term``) names: the OWL vocabulary and the SKOS topic scheme."""
    chosen = negotiated(request, format)
    triples = [
        q.triple
        for q in ctx.store.graph_quads(_ONTOLOGY.value)
        if not (q.subject == _ONTOLOGY and q.predicate == PKG_SHA256)  # the loader's bookkeeping
    ]
    if not triples:
        raise HTTPException(404, "the vocabulary is not loaded (run `policykg ingest` once)")
    return rdf_response(chosen, triples, iri=str(PREFIXES["pkg"]), title="The policykg vocabulary")


@router.get("/.well-known/void", summary="VoID and DCAT description of the dataset", response_class=Response)
def void_description(
    request: Request, ctx: Annotated[AppContext, Depends(context)], format: Format = None
) -> Response:
    """The dataset described in VoID and DCAT: size (``void:triples`` = the distinct
    triples of the union default graph, what ``policykg stats`` calls ``triples``),
    vocabularies, SPARQL endpoint, example resources, distributions."""
    chosen = negotiated(request, format)
    base = str(request.base_url)
    triples = void_triples(ctx, base)
    return rdf_response(chosen, triples, iri=base + ".well-known/void", title="policykg dataset")


def _label(
    triples: list[ox.Triple],
    node: ox.NamedNode,
    predicates: tuple[ox.NamedNode, ...] = (SKOS_PREF, RDFS_LABEL),
) -> str | None:
    """The first literal ``node`` has for one of ``predicates`` (in their order)."""
    for predicate in predicates:
        for triple in triples:
            if (
                triple.subject == node
                and triple.predicate == predicate
                and isinstance(triple.object, ox.Literal)
            ):
                return triple.object.value
    return None


# -- HTML ------------------------------------------------------------------------------------------


def local_href(iri: str) -> str:
    """Where a browser on this server finds ``iri``: the path for the project's own IRIs
    (``https://w3id.org/policykg/entity/x`` -> ``/entity/x``), the IRI itself otherwise.

    >>> local_href("https://w3id.org/policykg/doc/d1#event-1"), local_href("http://e.org/x")
    ('/doc/d1#event-1', 'http://e.org/x')
    """
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


def _compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _term_html(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f'<a href="{html.escape(local_href(term.value))}">{html.escape(_compact(term.value))}</a>'
    if isinstance(term, ox.Literal):
        text = term.value if len(term.value) <= 2000 else term.value[:2000] + "…"
        datatype = term.datatype.value
        suffix = "" if datatype.endswith("#string") else f" <small>{html.escape(_compact(datatype))}</small>"
        return f"{html.escape(text)}{suffix}"
    return html.escape(str(term))


def html_page(triples: list[ox.Triple], *, iri: str, title: str) -> bytes:
    """A plain HTML page of ``triples``, one table per subject, the page's resource first."""
    subjects: list[Any] = list(dict.fromkeys(t.subject for t in triples))
    subjects.sort(key=lambda s: (str(s.value) != iri, str(s.value)))
    sections = []
    for subject in subjects:
        rows = "".join(
            f"<tr><td>{_term_html(t.predicate)}</td><td>{_term_html(t.object)}</td></tr>"
            for t in triples
            if t.subject == subject
        )
        name = str(subject.value)
        anchor = name.split("#", 1)[1] if "#" in name else ""
        heading = _term_html(subject)
        sections.append(
            f'<section id="{html.escape(anchor)}"><h2>{heading}</h2><table>{rows}</table></section>'
        )
    alternates = "".join(f'<a href="?format={f.name}">{f.name}</a> ' for f in OFFERED if f is not media.HTML)
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td{padding:2px 8px;vertical-align:top}"
        "tr:nth-child(odd){background:#f4f4f4}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p><code>{html.escape(iri)}</code></p>"
        f'<p>Also as: {alternates}· <a href="/sparql">SPARQL</a></p>' + "".join(sections) + "</body></html>"
    )
    return page.encode("utf-8")
