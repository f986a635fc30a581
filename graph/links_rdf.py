"""Derived links -> RDF quads of the links graph (``graph:links``).

The records of :mod:`graph.link_records`, :mod:`graph.stance_links` and
:mod:`graph.connectivity` become resources with stable IRIs under
``https://w3id.org/policykg/links/``, so :mod:`graph.links_refresh` can delete and rewrite
exactly the ones a changed document touches. Terms and date literals come from
:mod:`graph.rdf` (the records-to-triples module); this module is its counterpart for
derived links. Every derived resource has ``prov:wasGeneratedBy`` the activity of the
rule that derived it (``<graph:links#rule-NAME>``, described by :func:`rule_quads`) and
``prov:wasDerivedFrom`` the documents it rests on.

Vocabulary (``pkg:``): classes ``LineageStep``, ``DocumentLink`` (``FollowUp``,
``NewsReportLink``), ``StanceShift``; properties ``lineageOf``, ``stepRole``
(``origin``, ``laterEvent``, ``invocation``), ``document``, ``reportedIn``,
``followsUp``, ``reportsOn``, ``fromDocument``, ``toDocument``, ``via``, ``holder``,
``shiftKind`` (``polarityShift``, ``targetShift``), ``fromStance``, ``toStance``,
``linkHolder``; the event type ``invoke``. A follow-up is one ``FollowUp`` node per
document pair and entity it goes through (the unit :mod:`graph.links_refresh` rewrites when
that entity's origin changes), plus the plain triple ``doc:B pkg:followsUp doc:A``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from graph.evidence import Evidence
from graph.link_records import FOLLOWS_UP, ROLE_EVENT, ROLE_INVOCATION, ROLE_ORIGIN, DocumentLink, LineageStep
from graph.rdf_terms import date_terms, pkg
from graph.stance_links import StanceShift
from ontology.namespace import BASE, DOC, ENTITY, LINKS_GRAPH, OA, PROV, SEM, TOPIC, slug

_DCT = "http://purl.org/dc/terms/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD_DATE = ox.NamedNode(_XSD + "date")
XSD_INTEGER = ox.NamedNode(_XSD + "integer")
DCT_DATE = ox.NamedNode(_DCT + "date")
DCT_SUBJECT = ox.NamedNode(_DCT + "subject")
PROV_ACTIVITY = ox.NamedNode(str(PROV) + "Activity")
PROV_DERIVED_FROM = ox.NamedNode(str(PROV) + "wasDerivedFrom")
PROV_GENERATED_BY = ox.NamedNode(str(PROV) + "wasGeneratedBy")
SEM_HAS_ACTOR = ox.NamedNode(str(SEM) + "hasActor")
OA_ANNOTATION = ox.NamedNode(str(OA) + "Annotation")
OA_MOTIVATED_BY = ox.NamedNode(str(OA) + "motivatedBy")
OA_DESCRIBING = ox.NamedNode(str(OA) + "describing")
OA_HAS_TARGET = ox.NamedNode(str(OA) + "hasTarget")
OA_HAS_SOURCE = ox.NamedNode(str(OA) + "hasSource")
OA_HAS_SELECTOR = ox.NamedNode(str(OA) + "hasSelector")
OA_SPECIFIC_RESOURCE = ox.NamedNode(str(OA) + "SpecificResource")
OA_POSITION_SELECTOR = ox.NamedNode(str(OA) + "TextPositionSelector")
OA_QUOTE_SELECTOR = ox.NamedNode(str(OA) + "TextQuoteSelector")
OA_START = ox.NamedNode(str(OA) + "start")
OA_END = ox.NamedNode(str(OA) + "end")
OA_EXACT = ox.NamedNode(str(OA) + "exact")
PKG_ACTOR = pkg("actor")
PKG_EVENT_TYPE = pkg("eventType")
PKG_EVIDENCE = pkg("evidence")
PKG_FORUM = pkg("forum")
PKG_RULE = pkg("rule")
PKG_SORT_DATE = pkg("sortDate")
PKG_SPEAKER = pkg("speaker")

LINKS_BASE = BASE + "links/"
_G = ox.NamedNode(str(LINKS_GRAPH))

LINEAGE_STEP = pkg("LineageStep")
DOCUMENT_LINK = pkg("DocumentLink")
FOLLOW_UP = pkg("FollowUp")
NEWS_REPORT_LINK = pkg("NewsReportLink")
STANCE_SHIFT = pkg("StanceShift")
LINEAGE_OF = pkg("lineageOf")
STEP_ROLE = pkg("stepRole")
DOCUMENT = pkg("document")
REPORTED_IN = pkg("reportedIn")
FOLLOWS_UP_P = pkg("followsUp")
REPORTS_ON_P = pkg("reportsOn")
FROM_DOCUMENT = pkg("fromDocument")
TO_DOCUMENT = pkg("toDocument")
VIA = pkg("via")
HOLDER = pkg("holder")
SHIFT_KIND = pkg("shiftKind")
FROM_STANCE = pkg("fromStance")
TO_STANCE = pkg("toStance")
LINK_HOLDER = pkg("linkHolder")
ROLES = {ROLE_ORIGIN: pkg("origin"), ROLE_EVENT: pkg("laterEvent"), ROLE_INVOCATION: pkg("invocation")}
SHIFT_KINDS = {"polarity": pkg("polarityShift"), "target": pkg("targetShift")}

#: The rules that derive links: name -> (label, description).
RULES: dict[str, tuple[str, str]] = {
    "lineage-event": (
        "lineage: events",
        "Reports of one event type about one initiative or instrument, with compatible dates "
        "(one a prefix of the other), are one event; its step takes date and quote from the most "
        "precise report. The earliest launch/propose/submit/release/establish/adopt/sign step is "
        "the origin.",
    ),
    "lineage-invocation": (
        "lineage: invocations",
        "A document that mentions an initiative or instrument, and does not report one of its "
        "events as it happens, invokes it on the document's date.",
    ),
    "follow-up": (
        "document follows up",
        "Document B follows up on document A when B, dated after A, mentions an entity whose "
        "origin-type event A reports as it happens, and B is not a news report of A.",
    ),
    "news-report": (
        "news report of a statement",
        "A news_report dated the same day as a statement, or the day after, with the same "
        "speaker (or the same forum and actor), reports that statement; it is not a second "
        "independent statement.",
    ),
    "stance-shift": (
        "stance shift",
        "Per holder and topic, in date order: a stance whose latest earlier stance on the same "
        "target had the other polarity is a polarity shift; consecutive statements whose targets "
        "of one polarity share nothing are a target shift. News reports of statements are left out.",
    ),
}


def rule_node(rule: str) -> ox.NamedNode:
    return ox.NamedNode(f"{LINKS_GRAPH}#rule-{rule}")


def rule_quads() -> list[ox.Quad]:
    """The ``prov:Activity`` of every rule, with its label and description."""
    out = []
    for name, (title, text) in RULES.items():
        node = rule_node(name)
        out.append(ox.Quad(node, RDF_TYPE, PROV_ACTIVITY, _G))
        out.append(ox.Quad(node, RDFS_LABEL, ox.Literal(title), _G))
        out.append(ox.Quad(node, PKG_RULE, ox.Literal(text), _G))
    return out


def _key(iri: str) -> str:
    """The last part of an entity, topic or document IRI, safe in another IRI's path."""
    for base in (str(ENTITY), str(TOPIC), str(DOC)):
        if iri.startswith(base):
            rest = iri[len(base) :]
            if rest and all(c.isalnum() or c in "-._~" for c in rest):
                return rest
    return slug(iri) + "-" + hashlib.sha1(iri.encode()).hexdigest()[:8]


def step_iri(step: LineageStep) -> str:
    """``links/lineage/<entity>/<type>-<date>`` for events, ``.../invoke/<doc>`` for invocations.

    >>> from graph.link_records import DocumentInfo
    >>> info = DocumentInfo("https://w3id.org/policykg/doc/d1", "d1", None, "2022", "2022-01-01",
    ...                     None, None, None, None)
    >>> step_iri(LineageStep("https://w3id.org/policykg/entity/gids", "invocation", "invoke",
    ...                      "2022", "2022-01-01", info, None))
    'https://w3id.org/policykg/links/lineage/gids/invoke/d1'
    """
    entity = _key(step.entity)
    if step.role == ROLE_INVOCATION:
        return f"{LINKS_BASE}lineage/{entity}/invoke/{_key(step.document.iri)}"
    return f"{LINKS_BASE}lineage/{entity}/{step.event_type}-{step.date or 'undated'}"


def document_link_iri(link: DocumentLink, via: str | None = None) -> str:
    """``links/news-report/<B>/<A>``, or ``links/follow-up/<B>/<A>/<entity>`` (one node per
    entity a follow-up goes through)."""
    if link.kind != FOLLOWS_UP:
        return f"{LINKS_BASE}news-report/{_key(link.source)}/{_key(link.target)}"
    return f"{LINKS_BASE}follow-up/{_key(link.source)}/{_key(link.target)}/{_key(via or '')}"


def shift_iri(shift: StanceShift) -> str:
    digest = hashlib.sha1(f"{shift.before.stance}|{shift.after.stance}".encode()).hexdigest()[:16]
    topic = _key(shift.topic) if shift.topic else "no-topic"
    return f"{LINKS_BASE}shift/{_key(shift.holder)}/{topic}/{shift.kind}-{digest}"


@dataclass
class _Writer:
    quads: list[ox.Quad]

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, p, o, _G))

    def iri(self, s: ox.NamedNode, p: ox.NamedNode, o: str | None) -> None:
        if o:
            self.add(s, p, ox.NamedNode(o))

    def dated(self, node: ox.NamedNode, date: str | None, sort_date: str | None) -> None:
        terms = date_terms(date)
        if terms is not None:
            self.add(node, DCT_DATE, terms[0])
            self.add(node, PKG_SORT_DATE, terms[1])
        elif sort_date:
            self.add(node, PKG_SORT_DATE, ox.Literal(sort_date, datatype=XSD_DATE))

    def evidence(self, node: ox.NamedNode, evidence: Evidence) -> None:
        """An oa:Annotation of the quote, kept in the links graph so the lineage query
        needs no other graph (IRIs ``<step>#evidence``, ``#target``, ``#position``, ``#quote``)."""
        base = node.value
        annotation, target = ox.NamedNode(base + "#evidence"), ox.NamedNode(base + "#target")
        position, quote = ox.NamedNode(base + "#position"), ox.NamedNode(base + "#quote")
        self.add(node, PKG_EVIDENCE, annotation)
        self.add(annotation, RDF_TYPE, OA_ANNOTATION)
        self.add(annotation, OA_MOTIVATED_BY, OA_DESCRIBING)
        self.add(annotation, OA_HAS_TARGET, target)
        self.add(target, RDF_TYPE, OA_SPECIFIC_RESOURCE)
        self.add(target, OA_HAS_SOURCE, ox.NamedNode(evidence.doc))
        self.add(target, OA_HAS_SELECTOR, position)
        self.add(target, OA_HAS_SELECTOR, quote)
        self.add(position, RDF_TYPE, OA_POSITION_SELECTOR)
        self.add(position, OA_START, ox.Literal(str(evidence.start), datatype=XSD_INTEGER))
        self.add(position, OA_END, ox.Literal(str(evidence.end), datatype=XSD_INTEGER))
        self.add(quote, RDF_TYPE, OA_QUOTE_SELECTOR)
        self.add(quote, OA_EXACT, ox.Literal(evidence.quote))


def step_quads(steps: Iterable[LineageStep]) -> Iterator[ox.Quad]:
    """Quads of lineage steps."""
    out = _Writer([])
    for step in steps:
        node = ox.NamedNode(step_iri(step))
        out.add(node, RDF_TYPE, LINEAGE_STEP)
        out.iri(node, LINEAGE_OF, step.entity)
        out.add(node, STEP_ROLE, ROLES[step.role])
        out.add(node, PKG_EVENT_TYPE, pkg(step.event_type))
        out.dated(node, step.date, step.sort_date)
        out.iri(node, DOCUMENT, step.document.iri)
        out.iri(node, PKG_FORUM, step.document.forum)
        out.iri(node, PKG_SPEAKER, step.document.speaker)
        out.iri(node, PKG_ACTOR, step.document.actor)
        out.iri(node, SEM_HAS_ACTOR, step.actor)
        for doc in step.reported_in:
            out.iri(node, REPORTED_IN, doc)
        for doc in (step.document.iri, *step.reported_in):
            out.iri(node, PROV_DERIVED_FROM, doc)
        rule = "lineage-invocation" if step.role == ROLE_INVOCATION else "lineage-event"
        out.add(node, PROV_GENERATED_BY, rule_node(rule))
        if step.evidence is not None:
            out.evidence(node, step.evidence)
    yield from out.quads


def document_link_quads(links: Iterable[DocumentLink]) -> Iterator[ox.Quad]:
    """Quads of document links: the plain triple (``doc:B pkg:followsUp doc:A``) plus a
    qualified node carrying the rule, the documents and the entity it goes through (one
    node per entity for follow-ups)."""
    out = _Writer([])
    for link in links:
        follow = link.kind == FOLLOWS_UP
        source, target = ox.NamedNode(link.source), ox.NamedNode(link.target)
        out.add(source, FOLLOWS_UP_P if follow else REPORTS_ON_P, target)
        for entity in link.via if follow else (None,):
            node = ox.NamedNode(document_link_iri(link, entity))
            out.add(node, RDF_TYPE, DOCUMENT_LINK)
            out.add(node, RDF_TYPE, FOLLOW_UP if follow else NEWS_REPORT_LINK)
            out.add(node, FROM_DOCUMENT, source)
            out.add(node, TO_DOCUMENT, target)
            out.iri(node, VIA, entity)
            out.add(node, PROV_DERIVED_FROM, source)
            out.add(node, PROV_DERIVED_FROM, target)
            out.add(node, PROV_GENERATED_BY, rule_node("follow-up" if follow else "news-report"))
    yield from out.quads


def shift_quads(shifts: Iterable[StanceShift]) -> Iterator[ox.Quad]:
    out = _Writer([])
    for shift in shifts:
        node = ox.NamedNode(shift_iri(shift))
        out.add(node, RDF_TYPE, STANCE_SHIFT)
        out.iri(node, HOLDER, shift.holder)
        out.iri(node, DCT_SUBJECT, shift.topic)
        out.add(node, SHIFT_KIND, SHIFT_KINDS[shift.kind])
        out.iri(node, FROM_STANCE, shift.before.stance)
        out.iri(node, TO_STANCE, shift.after.stance)
        out.dated(node, shift.after.date, shift.after.sort_date)
        for doc in dict.fromkeys((shift.before.document, shift.after.document)):
            out.iri(node, PROV_DERIVED_FROM, doc)
        out.add(node, PROV_GENERATED_BY, rule_node("stance-shift"))
    yield from out.quads


def holder_quads(holders: Mapping[str, Iterable[str]]) -> Iterator[ox.Quad]:
    """The snapshot of each document's stance holders the links were computed from
    (``doc:D pkg:linkHolder entity:H``): whose stance shifts :mod:`graph.links_refresh` must
    revisit when the document changes or goes."""
    for doc, holder_iris in holders.items():
        node = ox.NamedNode(doc)
        for holder in holder_iris:
            yield ox.Quad(node, LINK_HOLDER, ox.NamedNode(holder), _G)
