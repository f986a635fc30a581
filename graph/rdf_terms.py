"""The RDF vocabulary as pyoxigraph terms, and the helpers that make terms from record values.

What :mod:`graph.rdf` (document graphs), :mod:`graph.entity_descriptions` and
:mod:`graph.links_rdf` write with: the terms of RDF, RDFS, XSD, SKOS, DCTERMS, PROV-O,
SEM, Web Annotation, schema.org and the policykg vocabulary (:func:`pkg`), built once;
dates at their true precision with their sort date (:func:`date_terms`); the IRIs of
entities and topics; N-Quads bytes (how worker processes hand graphs to the writer).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

import pyoxigraph as ox

from ontology.namespace import ENTITY, OA, PKG, PROV, SCHEMA, SEM, TOPIC, WD, slug

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

_YEAR = re.compile(r"^-?\d{4}$")
_YEAR_MONTH = re.compile(r"^(-?\d{4})-(0[1-9]|1[0-2])$")
_DAY = re.compile(r"^(-?\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
_WIKIDATA_ID = re.compile(r"^(?:https?://www\.wikidata\.org/(?:entity|wiki)/)?(Q\d+)$")
KEY_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")


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
    return _n(str(ENTITY) + (key if KEY_SAFE.match(key) else slug(key)))


def topic_node(name: str) -> ox.NamedNode:
    """The IRI of a topic of the SKOS scheme (names that are not IRI-safe are slugged)."""
    return _n(str(TOPIC) + (name if KEY_SAFE.match(name) else slug(name)))


def wikidata_node(value: str | None) -> ox.NamedNode | None:
    """``wd:Q47423`` for ``"Q47423"`` or a Wikidata entity URL; ``None`` otherwise."""
    if not value:
        return None
    match = _WIKIDATA_ID.match(value.strip())
    return _n(str(WD) + match.group(1)) if match else None


def entity_class(type_name: str) -> ox.NamedNode:
    """The class of an entity type; types outside the six known ones are pkg:NamedEntity."""
    return _ENTITY_CLASSES.get(type_name, PKG_NAMED_ENTITY)


def nquads(quads: Sequence[ox.Quad]) -> bytes:
    """N-Quads bytes of ``quads`` (how worker processes hand graphs to the writer)."""
    return "".join(f"{q} .\n" for q in quads).encode("utf-8")


def parse_nquads(data: bytes) -> list[ox.Quad]:
    """Inverse of :func:`nquads`."""
    return list(ox.parse(data, ox.RdfFormat.N_QUADS))
