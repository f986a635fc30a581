"""Records -> RDF: the ONE place where extraction records become quads.

Everything here follows the "RDF model" of ``ARCHITECTURE.md``; every reader of the store
(API, links, exports) codes against it, so change both together. Terms are built directly
as ``pyoxigraph`` values (no rdflib on this path): converting a document costs a few
microseconds per quad, which keeps the 10,953-speech UN General Debate corpus cheap.

The main entry points:

- :func:`document_rdf` -- the content of one document's named graph, and apart from it
  the descriptions of the entities it names (they go to the one entities graph);
- :func:`document_quads` -- the document graph alone;
- :func:`entity_description` -- type, labels, acronyms and Wikidata match of one entity;
- :func:`gazetteer_quads` -- the gazetteer's entities, for the ontology graph;
- :func:`date_terms` -- an ISO 8601 date at its precision, plus its sort date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from loaders.records import Entity, ExtractionResult, Span
from ontology.namespace import (
    ENTITIES_GRAPH,
    ENTITY,
    OA,
    PKG,
    PROV,
    SCHEMA,
    SEM,
    TOPIC,
    WD,
    doc_graph_iri,
    doc_iri,
    rule_iri,
    slug,
)

if TYPE_CHECKING:
    from loaders.gazetteer import Gazetteer, GazetteerEntry

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


# Terms used on every call, built once.
RDF_TYPE = _n(_RDF + "type")
RDFS_LABEL = _n(_RDFS + "label")
XSD_DATE = _n(_XSD + "date")
XSD_GYEARMONTH = _n(_XSD + "gYearMonth")
XSD_GYEAR = _n(_XSD + "gYear")
XSD_DATETIME = _n(_XSD + "dateTime")
XSD_INTEGER = _n(_XSD + "integer")
SKOS_PREF = _n(_SKOS + "prefLabel")
SKOS_ALT = _n(_SKOS + "altLabel")
SKOS_EXACT = _n(_SKOS + "exactMatch")
DCT_IDENTIFIER = _n(_DCT + "identifier")
DCT_TITLE = _n(_DCT + "title")
DCT_DATE = _n(_DCT + "date")
DCT_SOURCE = _n(_DCT + "source")
DCT_FORMAT = _n(_DCT + "format")
DCT_SUBJECT = _n(_DCT + "subject")
DCT_LANGUAGE = _n(_DCT + "language")
DCT_PUBLISHER = _n(_DCT + "publisher")
PROV_ENTITY = _n(str(PROV) + "Entity")
PROV_GENERATED_AT = _n(str(PROV) + "generatedAtTime")
PROV_DERIVED_FROM = _n(str(PROV) + "wasDerivedFrom")
PROV_ATTRIBUTED_TO = _n(str(PROV) + "wasAttributedTo")
PROV_GENERATED_BY = _n(str(PROV) + "wasGeneratedBy")
PROV_ACTIVITY = _n(str(PROV) + "Activity")
PROV_USED = _n(str(PROV) + "used")
PROV_ENDED_AT = _n(str(PROV) + "endedAtTime")
SCHEMA_MENTIONS = _n(str(SCHEMA) + "mentions")
SEM_EVENT = _n(str(SEM) + "Event")
SEM_HAS_ACTOR = _n(str(SEM) + "hasActor")
OA_ANNOTATION = _n(str(OA) + "Annotation")
OA_MOTIVATED_BY = _n(str(OA) + "motivatedBy")
OA_IDENTIFYING = _n(str(OA) + "identifying")
OA_DESCRIBING = _n(str(OA) + "describing")
OA_HAS_BODY = _n(str(OA) + "hasBody")
OA_HAS_TARGET = _n(str(OA) + "hasTarget")
OA_HAS_SOURCE = _n(str(OA) + "hasSource")
OA_HAS_SELECTOR = _n(str(OA) + "hasSelector")
OA_SPECIFIC_RESOURCE = _n(str(OA) + "SpecificResource")
OA_POSITION_SELECTOR = _n(str(OA) + "TextPositionSelector")
OA_QUOTE_SELECTOR = _n(str(OA) + "TextQuoteSelector")
OA_START = _n(str(OA) + "start")
OA_END = _n(str(OA) + "end")
OA_EXACT = _n(str(OA) + "exact")


def pkg(local: str) -> ox.NamedNode:
    """A term of the policykg vocabulary: ``pkg("Document")``."""
    return _n(str(PKG) + local)


PKG_DOCUMENT = pkg("Document")
PKG_EVENT = pkg("Event")
PKG_STANCE = pkg("Stance")
PKG_NAMED_ENTITY = pkg("NamedEntity")
PKG_SORT_DATE = pkg("sortDate")
PKG_DATETIME = pkg("dateTime")
PKG_GENRE = pkg("genre")
PKG_ACTOR = pkg("actor")
PKG_SPEAKER = pkg("speaker")
PKG_FORUM = pkg("forum")
PKG_SHA256 = pkg("sha256")
PKG_TEXT = pkg("text")
PKG_WARNING = pkg("warning")
PKG_ACRONYM = pkg("acronym")
PKG_EVENT_TYPE = pkg("eventType")
PKG_SUBJECT = pkg("subject")
PKG_EVIDENCE = pkg("evidence")
PKG_DATE_EVIDENCE = pkg("dateEvidence")
PKG_POLARITY = pkg("polarity")
PKG_TARGET = pkg("target")
PKG_TARGET_ENTITY = pkg("targetEntity")
PKG_CUE = pkg("cue")
PKG_PART_OF = pkg("partOf")
PKG_PROPOSER = pkg("proposer")
PKG_STATE = pkg("state")
PKG_ISO3 = pkg("iso3")
PKG_YEAR = pkg("year")
PKG_RULE = pkg("rule")

#: Entity types of the records, as classes of the vocabulary.
ENTITY_TYPES = ("Initiative", "Instrument", "Forum", "State", "Person", "Organization")
_ENTITY_CLASSES = {name: pkg(name) for name in ENTITY_TYPES}
#: Event types of the records (``Event.type``), as individuals of the vocabulary.
EVENT_TYPES = (
    "launch", "propose", "submit", "release", "adopt", "establish", "convene", "conclude", "update", "sign",
    "host", "meet", "join", "announce", "veto", "enter_into_force", "expire", "agree",
)
POLARITIES = ("support", "oppose")

_YEAR = re.compile(r"^-?\d{4}$")
_YEAR_MONTH = re.compile(r"^(-?\d{4})-(0[1-9]|1[0-2])$")
_DAY = re.compile(r"^(-?\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
_WIKIDATA_ID = re.compile(r"^(?:https?://www\.wikidata\.org/(?:entity|wiki)/)?(Q\d+)$")
_KEY_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")


class RdfError(ValueError):
    """A record cannot be expressed in the RDF model (the message says which field)."""


def date_terms(value: str | None) -> tuple[ox.Literal, ox.Literal] | None:
    """The date literal at its true precision and its ``pkg:sortDate`` (first day).

    Returns ``None`` for a missing value or one that is not ISO 8601 year, year-month or
    day (such values are left out of the graph rather than guessed).

    Examples
    --------
    >>> date, sort = date_terms("2020-09")
    >>> date.value, date.datatype.value.split("#")[1], sort.value
    ('2020-09', 'gYearMonth', '2020-09-01')
    >>> [t.value for t in date_terms("2022-05-23")]
    ['2022-05-23', '2022-05-23']
    >>> date_terms("2020")[1].value, date_terms("sometime") is None
    ('2020-01-01', True)
    """
    if not value:
        return None
    value = value.strip()
    if _DAY.match(value):
        try:
            datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            return None
        day = ox.Literal(value, datatype=XSD_DATE)
        return day, day
    match = _YEAR_MONTH.match(value)
    if match:
        return (
            ox.Literal(value, datatype=XSD_GYEARMONTH),
            ox.Literal(f"{value}-01", datatype=XSD_DATE),
        )
    if _YEAR.match(value):
        return ox.Literal(value, datatype=XSD_GYEAR), ox.Literal(f"{value}-01-01", datatype=XSD_DATE)
    return None


def datetime_term(value: str | None) -> ox.Literal | None:
    """An ``xsd:dateTime`` literal for ``2022-05-23T13:25`` (seconds added when missing).

    >>> datetime_term("2022-05-23T13:25").value
    '2022-05-23T13:25:00'
    >>> datetime_term("2022-05-23") is None
    True
    """
    if not value:
        return None
    match = _DATETIME.match(value.strip())
    if not match:
        return None
    day, hour, minute, second, fraction, zone = match.groups()
    text = f"{day}T{hour}:{minute}:{second or '00'}{fraction or ''}{zone or ''}"
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return ox.Literal(text, datatype=XSD_DATETIME)


def now_term() -> ox.Literal:
    """The current UTC time as an ``xsd:dateTime`` literal (second precision)."""
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return ox.Literal(stamp, datatype=XSD_DATETIME)


def entity_node(key: str) -> ox.NamedNode:
    """The IRI of an entity key (keys that are not IRI-safe are slugged).

    >>> entity_node("global-initiative-on-data-security").value
    'https://w3id.org/policykg/entity/global-initiative-on-data-security'
    """
    return _n(str(ENTITY) + (key if _KEY_SAFE.match(key) else slug(key)))


def topic_node(name: str) -> ox.NamedNode:
    return _n(str(TOPIC) + (name if _KEY_SAFE.match(name) else slug(name)))


def wikidata_node(value: str | None) -> ox.NamedNode | None:
    """``wd:Q47423`` for ``"Q47423"`` or a Wikidata entity URL; ``None`` otherwise."""
    if not value:
        return None
    match = _WIKIDATA_ID.match(value.strip())
    return _n(str(WD) + match.group(1)) if match else None


def entity_class(type_name: str) -> ox.NamedNode:
    """The class of an entity type; types outside the six known ones are pkg:NamedEntity."""
    return _ENTITY_CLASSES.get(type_name, PKG_NAMED_ENTITY)


@dataclass(frozen=True, slots=True)
class EntityDescription:
    """What a graph says about an entity: the same fields for records and gazetteer entries."""

    key: str
    label: str
    type: str
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    wikidata: str | None = None

    @classmethod
    def of_entity(cls, entity: Entity) -> EntityDescription:
        return cls(entity.key, entity.label, entity.type, entity.aliases, entity.acronyms, entity.wikidata)

    @classmethod
    def of_entry(cls, entry: GazetteerEntry) -> EntityDescription:
        return cls(
            entry.key,
            entry.label,
            entry.type,
            entry.aliases,
            (*entry.acronyms, *entry.ambiguous_acronyms),
            entry.wikidata,
        )


def entity_description(
    entity: EntityDescription, graph: ox.NamedNode | ox.DefaultGraph
) -> Iterator[ox.Quad]:
    """Type, labels, acronyms and Wikidata match of one entity, in ``graph``.

    Examples
    --------
    >>> g = ox.NamedNode("https://w3id.org/policykg/graph/doc/d")
    >>> quads = list(entity_description(EntityDescription("unsc", "United Nations Security "
    ...     "Council", "Forum", ("UN Security Council",), ("UNSC",), "Q37470"), g))
    >>> sorted(q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for q in quads)
    ['acronym', 'altLabel', 'exactMatch', 'label', 'prefLabel', 'type']
    """
    node = entity_node(entity.key)
    label = ox.Literal(entity.label)
    yield ox.Quad(node, RDF_TYPE, entity_class(entity.type), graph)
    yield ox.Quad(node, SKOS_PREF, label, graph)
    yield ox.Quad(node, RDFS_LABEL, label, graph)
    acronyms = dict.fromkeys(a for a in entity.acronyms if a)
    for alias in dict.fromkeys(entity.aliases):
        if alias and alias != entity.label and alias not in acronyms:
            yield ox.Quad(node, SKOS_ALT, ox.Literal(alias), graph)
    for acronym in acronyms:
        yield ox.Quad(node, PKG_ACRONYM, ox.Literal(acronym), graph)
    match = wikidata_node(entity.wikidata)
    if match is not None:
        yield ox.Quad(node, SKOS_EXACT, match, graph)


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
        return _n(f"{self.doc.value}#{local}")

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
            self.add(node, PROV_GENERATED_BY, _n(rule_iri(rule)))

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
    out = _DocWriter(doc_id, _n(doc_graph_iri(doc_id)), _n(doc_iri(doc_id)))
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
        add(node, PKG_EVENT_TYPE, pkg(event.type if _KEY_SAFE.match(event.type) else slug(event.type)))
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
    entities_graph = _n(str(ENTITIES_GRAPH))
    descriptions = [
        quad for description in described.values() for quad in entity_description(description, entities_graph)
    ]
    return DocumentRdf(out.quads, descriptions)


def gazetteer_quads(gazetteer: Gazetteer, graph: str) -> list[ox.Quad]:
    """Descriptions of every gazetteer entity (for the entities graph), with its
    ``parent``, ``proposer``, ``state``, ISO 3166 code and year when the entry gives them.

    >>> from loaders.gazetteer import Gazetteer, GazetteerEntry
    >>> gaz = Gazetteer([GazetteerEntry("china", "China", "State", iso3="CHN")])
    >>> [q.object.value for q in gazetteer_quads(gaz, "http://e/g") if q.predicate == PKG_ISO3]
    ['CHN']
    """
    node_graph = _n(graph)
    out: list[ox.Quad] = []
    for entry in gazetteer.entries.values():
        out.extend(entity_description(EntityDescription.of_entry(entry), node_graph))
        node = entity_node(entry.key)
        for predicate, key in ((PKG_PART_OF, entry.parent), (PKG_PROPOSER, entry.proposer),
                               (PKG_STATE, entry.state)):
            if key:
                out.append(ox.Quad(node, predicate, entity_node(key), node_graph))
        if entry.iso3:
            out.append(ox.Quad(node, PKG_ISO3, ox.Literal(entry.iso3), node_graph))
        year = entry.extra.get("year")
        if isinstance(year, int):
            out.append(ox.Quad(node, PKG_YEAR, ox.Literal(f"{year:04d}", datatype=XSD_GYEAR), node_graph))
    return out


def nquads(quads: Sequence[ox.Quad]) -> bytes:
    """N-Quads bytes of ``quads`` (how worker processes hand graphs to the writer)."""
    return "".join(f"{q} .\n" for q in quads).encode("utf-8")


def parse_nquads(data: bytes) -> list[ox.Quad]:
    """Inverse of :func:`nquads`."""
    return list(ox.parse(data, ox.RdfFormat.N_QUADS))


__all__ = [
    "ENTITY_TYPES",
    "EVENT_TYPES",
    "POLARITIES",
    "DocumentRdf",
    "EntityDescription",
    "RdfError",
    "date_terms",
    "datetime_term",
    "document_quads",
    "document_rdf",
    "entity_description",
    "entity_node",
    "gazetteer_quads",
    "nquads",
    "parse_nquads",
    "pkg",
    "topic_node",
    "wikidata_node",
]
