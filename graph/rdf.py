"""Records -> RDF: one document's named graph, and the descriptions of the entities it names.

Everything here follows the "RDF model" of ``ARCHITECTURE.md``; every reader of the store
(API, links, exports) codes against it, so change both together. Terms are built directly
as ``pyoxigraph`` values (no rdflib on this path; :mod:`graph.rdf_terms`): converting a
document costs a few microseconds per quad, which keeps the 10,953-speech UN General
Debate corpus cheap.

- :func:`document_rdf` -- the content of one document's named graph, and apart from it
  the descriptions of the entities it names (they go to the one entities graph;
  :mod:`graph.entity_descriptions`);
- :func:`document_quads` -- the document graph alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.entity_descriptions import EntityDescription, entity_description
from graph.rdf_terms import (
    DCT_DATE,
    DCT_FORMAT,
    DCT_IDENTIFIER,
    DCT_LANGUAGE,
    DCT_PUBLISHER,
    DCT_SOURCE,
    DCT_SUBJECT,
    DCT_TITLE,
    KEY_SAFE,
    OA_ANNOTATION,
    OA_DESCRIBING,
    OA_END,
    OA_EXACT,
    OA_HAS_BODY,
    OA_HAS_SELECTOR,
    OA_HAS_SOURCE,
    OA_HAS_TARGET,
    OA_IDENTIFYING,
    OA_MOTIVATED_BY,
    OA_POSITION_SELECTOR,
    OA_QUOTE_SELECTOR,
    OA_SPECIFIC_RESOURCE,
    OA_START,
    PKG_ACTOR,
    PKG_CUE,
    PKG_DATE_EVIDENCE,
    PKG_DATETIME,
    PKG_DOCUMENT,
    PKG_EVENT,
    PKG_EVENT_TYPE,
    PKG_EVIDENCE,
    PKG_FORUM,
    PKG_GENRE,
    PKG_POLARITY,
    PKG_SHA256,
    PKG_SORT_DATE,
    PKG_SPEAKER,
    PKG_STANCE,
    PKG_SUBJECT,
    PKG_TARGET,
    PKG_TARGET_ENTITY,
    PKG_TEXT,
    PKG_WARNING,
    PROV_ATTRIBUTED_TO,
    PROV_DERIVED_FROM,
    PROV_ENTITY,
    PROV_GENERATED_AT,
    PROV_GENERATED_BY,
    RDF_TYPE,
    SCHEMA_MENTIONS,
    SEM_EVENT,
    SEM_HAS_ACTOR,
    XSD_INTEGER,
    date_terms,
    datetime_term,
    entity_node,
    now_term,
    pkg,
    topic_node,
)
from loaders.records import ExtractionResult, Span
from ontology.namespace import ENTITIES_GRAPH, doc_graph_iri, doc_iri, rule_iri, slug

if TYPE_CHECKING:
    from loaders.gazetteer import Gazetteer


class RdfError(ValueError):
    """A record cannot be expressed in the RDF model (the message says which field)."""


@dataclass
class _DocWriter:
    """Accumulates the quads of one document graph (selectors shared by span)."""

    doc_id: str
    graph: ox.NamedNode
    doc: ox.NamedNode
    quads: list[ox.Quad] = field(default_factory=list)
    targets: set[tuple[int, int]] = field(default_factory=set)
    annotations: set[str] = field(default_factory=set)

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, p, o, self.graph))

    def fragment(self, local: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.doc.value}#{local}")

    def target(self, span: Span) -> ox.NamedNode:
        """The oa:SpecificResource of a span, with its position and quote selectors."""
        start, end = span.start, span.end
        name = f"{start}-{end}"
        node = self.fragment("t-" + name)
        if (start, end) in self.targets:
            return node
        self.targets.add((start, end))
        position = self.fragment("p-" + name)
        quote = self.fragment("q-" + name)
        add = self.add
        add(node, RDF_TYPE, OA_SPECIFIC_RESOURCE)
        add(node, OA_HAS_SOURCE, self.doc)
        add(node, OA_HAS_SELECTOR, position)
        add(node, OA_HAS_SELECTOR, quote)
        add(position, RDF_TYPE, OA_POSITION_SELECTOR)
        add(position, OA_START, ox.Literal(str(start), datatype=XSD_INTEGER))
        add(position, OA_END, ox.Literal(str(end), datatype=XSD_INTEGER))
        add(quote, RDF_TYPE, OA_QUOTE_SELECTOR)
        add(quote, OA_EXACT, ox.Literal(span.text))
        return node

    def mention(self, span: Span, body: ox.NamedNode, rule: str = "") -> None:
        node = self.fragment(f"m-{span.start}-{span.end}")
        if node.value in self.annotations:
            # Two entities on one span: the annotation simply gets a second body.
            self.add(node, OA_HAS_BODY, body)
            self.generated_by(node, rule)
            return
        self.annotations.add(node.value)
        self.add(node, RDF_TYPE, OA_ANNOTATION)
        self.add(node, OA_MOTIVATED_BY, OA_IDENTIFYING)
        self.add(node, OA_HAS_BODY, body)
        self.add(node, OA_HAS_TARGET, self.target(span))
        self.generated_by(node, rule)

    def generated_by(self, node: ox.NamedNode, rule: str) -> None:
        """``prov:wasGeneratedBy`` the extraction rule that produced the fact, when known."""
        if rule:
            self.add(node, PROV_GENERATED_BY, ox.NamedNode(rule_iri(rule)))

    def evidence(self, span: Span) -> ox.NamedNode:
        node = self.fragment(f"e-{span.start}-{span.end}")
        if node.value not in self.annotations:
            self.annotations.add(node.value)
            self.add(node, RDF_TYPE, OA_ANNOTATION)
            self.add(node, OA_MOTIVATED_BY, OA_DESCRIBING)
            self.add(node, OA_HAS_TARGET, self.target(span))
        return node

    def dated(self, node: ox.NamedNode, value: str | None) -> None:
        terms = date_terms(value)
        if terms is not None:
            self.add(node, DCT_DATE, terms[0])
            self.add(node, PKG_SORT_DATE, terms[1])


def _check_span(span: Span, text: str, what: str, doc_id: str) -> None:
    if not (0 <= span.start <= span.end <= len(text)):
        raise RdfError(f"{doc_id}: {what} span {span.start}-{span.end} lies outside the text")


@dataclass(frozen=True, slots=True)
class DocumentRdf:
    """The RDF of one document, in two parts that live in different graphs.

    ``quads`` is what the document says (document node, mentions, quotes, events,
    stances), all in the document's named graph ``graph:doc/<doc_id>``; ``descriptions``
    describes every entity those quads name (type, labels, acronyms, Wikidata match), in
    the one entities graph ``graph:entities`` shared by all documents, so that the union
    default graph holds each description once however many documents name the entity.
    """

    quads: list[ox.Quad]
    descriptions: list[ox.Quad]


def document_quads(
    result: ExtractionResult,
    *,
    gazetteer: Gazetteer | None = None,
    generated_at: ox.Literal | None = None,
) -> list[ox.Quad]:
    """The quads of one document's named graph (``document_rdf(...).quads``); the
    descriptions of the entities it names are :func:`document_rdf`'s ``descriptions``."""
    return document_rdf(result, gazetteer=gazetteer, generated_at=generated_at).quads


def document_rdf(
    result: ExtractionResult,
    *,
    gazetteer: Gazetteer | None = None,
    generated_at: ox.Literal | None = None,
) -> DocumentRdf:
    """One document's named graph (``graph:doc/<doc_id>``) and the descriptions of the
    entities it names (in ``graph:entities``).

    Parameters
    ----------
    result
        The extraction result of the document.
    gazetteer
        Resolves the labels of ``DocumentMeta.actor``/``speaker``/``forum`` (and stance
        holders and targets outside the document's entities) to entity keys; without it,
        or for names it does not know, the key is the slug of the label.
    generated_at
        ``prov:generatedAtTime`` of the document node (default: now).

    Raises
    ------
    RdfError
        A span lies outside the document text.

    Examples
    --------
    >>> from loaders.records import Document, DocumentMeta, Entity, Span
    >>> text = "China launched the Global Initiative on Data Security."
    >>> doc = Document("d1", "d1.txt", text, text, "text/plain", "ab12")
    >>> gids = Entity("gids", "Global Initiative on Data Security", "Initiative",
    ...               (Span(19, 53, text[19:53]),), acronyms=("GIDS",))
    >>> result = ExtractionResult(doc, DocumentMeta(title="T", date="2020-09"), (gids,))
    >>> rdf = document_rdf(result)
    >>> from graph.rdf_terms import PKG_ACRONYM
    >>> quads = rdf.quads
    >>> {q.graph_name.value for q in quads}
    {'https://w3id.org/policykg/graph/doc/d1'}
    >>> {q.graph_name.value for q in rdf.descriptions}
    {'https://w3id.org/policykg/graph/entities'}
    >>> sorted(q.object.value for q in rdf.descriptions if q.predicate == PKG_ACRONYM)
    ['GIDS']
    >>> sorted(q.object.value for q in quads if q.predicate.value.endswith("sortDate"))
    ['2020-09-01']
    >>> [q.object.value for q in quads if q.predicate.value.endswith("#exact")]
    ['Global Initiative on Data Security']
    """
    document, meta = result.document, result.meta
    doc_id = document.doc_id
    out = _DocWriter(doc_id, ox.NamedNode(doc_graph_iri(doc_id)), ox.NamedNode(doc_iri(doc_id)))
    add, doc = out.add, out.doc
    described: dict[str, EntityDescription] = {}

    for entity in result.entities:
        described.setdefault(entity.key, EntityDescription.of_entity(entity))

    def reference(label: str | None, key: str | None = None, type_name: str = "") -> ox.NamedNode | None:
        """The entity node of a key or label met outside the entity list; described too.

        A key wins over a label; a label is matched against the document's entities,
        then the gazetteer, and is slugged as a last resort."""
        found: EntityDescription | None = None
        if key:
            if key in described:
                return entity_node(key)
            entry = gazetteer.get(key) if gazetteer is not None else None
            found = (
                EntityDescription.of_entry(entry)
                if entry is not None
                else EntityDescription(key, label or key, type_name)
            )
        elif label:
            found = next(
                (d for d in described.values() if d.label == label or label in d.aliases), None
            )
            if found is None and gazetteer is not None:
                entry = gazetteer.lookup(label)
                if entry is not None:
                    found = EntityDescription.of_entry(entry)
            if found is None:
                found = EntityDescription(slug(label), label, type_name)
        else:
            return None
        described.setdefault(found.key, found)
        return entity_node(found.key)

    # -- the document ----------------------------------------------------------------
    add(doc, RDF_TYPE, PKG_DOCUMENT)
    add(doc, RDF_TYPE, PROV_ENTITY)
    add(doc, DCT_IDENTIFIER, ox.Literal(doc_id))
    if meta.title:
        add(doc, DCT_TITLE, ox.Literal(meta.title))
    out.dated(doc, meta.date)
    moment = datetime_term(meta.datetime)
    if moment is not None:
        add(doc, PKG_DATETIME, moment)
    if meta.genre:
        add(doc, PKG_GENRE, ox.Literal(meta.genre))
    for predicate, label, type_name in (
        (PKG_ACTOR, meta.actor, ""),
        (PKG_SPEAKER, meta.speaker, "Person"),
        (PKG_FORUM, meta.forum, "Forum"),
    ):
        node = reference(label, type_name=type_name) if label else None
        if node is not None:
            add(doc, predicate, node)
    if meta.publisher:
        add(doc, DCT_PUBLISHER, ox.Literal(meta.publisher))
    if meta.language:
        add(doc, DCT_LANGUAGE, ox.Literal(meta.language))
    add(doc, DCT_SOURCE, ox.Literal(document.source))
    add(doc, PKG_SHA256, ox.Literal(document.sha256))
    add(doc, DCT_FORMAT, ox.Literal(document.media_type))
    add(doc, PKG_TEXT, ox.Literal(document.text))
    add(doc, PROV_GENERATED_AT, generated_at if generated_at is not None else now_term())
    for warning in document.warnings:
        add(doc, PKG_WARNING, ox.Literal(warning))

    # -- mentions ----------------------------------------------------------------------
    text = document.text
    for entity in result.entities:
        body = entity_node(entity.key)
        add(doc, SCHEMA_MENTIONS, body)
        for span in entity.mentions:
            _check_span(span, text, f"mention of {entity.key}", doc_id)
            out.mention(span, body, entity.rule)

    # -- events ------------------------------------------------------------------------
    for number, event in enumerate(result.events, 1):
        _check_span(event.evidence, text, f"evidence of event {number}", doc_id)
        node = out.fragment(f"event-{number}")
        add(node, RDF_TYPE, PKG_EVENT)
        add(node, RDF_TYPE, SEM_EVENT)
        add(node, PKG_EVENT_TYPE, pkg(event.type if KEY_SAFE.match(event.type) else slug(event.type)))
        subject = reference(event.subject, event.subject_key)
        if subject is not None:
            add(node, PKG_SUBJECT, subject)
        actor = reference(event.actor, event.actor_key) if (event.actor or event.actor_key) else None
        if actor is not None:
            add(node, SEM_HAS_ACTOR, actor)
        out.dated(node, event.date)
        add(node, PKG_EVIDENCE, out.evidence(event.evidence))
        if event.date_span is not None:
            _check_span(event.date_span, text, f"date of event {number}", doc_id)
            add(node, PKG_DATE_EVIDENCE, out.evidence(event.date_span))
        add(node, PROV_DERIVED_FROM, doc)
        out.generated_by(node, event.rule)

    # -- stances -----------------------------------------------------------------------
    for number, stance in enumerate(result.stances, 1):
        _check_span(stance.evidence, text, f"evidence of stance {number}", doc_id)
        node = out.fragment(f"stance-{number}")
        add(node, RDF_TYPE, PKG_STANCE)
        add(node, RDF_TYPE, PROV_ENTITY)
        holder = reference(stance.holder, stance.holder_key or None)
        if holder is not None:
            add(node, PROV_ATTRIBUTED_TO, holder)
        add(node, PKG_POLARITY, pkg(stance.polarity))
        add(node, PKG_TARGET, ox.Literal(stance.target))
        if stance.topic:
            add(node, DCT_SUBJECT, topic_node(stance.topic))
        for key in dict.fromkeys(stance.target_keys):
            target = reference(None, key)
            if target is not None:
                add(node, PKG_TARGET_ENTITY, target)
        if stance.cue:
            add(node, PKG_CUE, ox.Literal(stance.cue))
        out.dated(node, stance.date or meta.date)
        add(node, PKG_EVIDENCE, out.evidence(stance.evidence))
        add(node, PROV_DERIVED_FROM, doc)
        out.generated_by(node, stance.rule)

    # -- descriptions of every entity the graph names, for the entities graph -----------
    entities_graph = ox.NamedNode(str(ENTITIES_GRAPH))
    descriptions = [
        quad for description in described.values() for quad in entity_description(description, entities_graph)
    ]
    return DocumentRdf(out.quads, descriptions)


__all__ = ["DocumentRdf", "RdfError", "document_quads", "document_rdf"]
