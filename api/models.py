"""Pydantic response models of the REST API (what ``/docs`` shows).

Identifiers are stable: a document's ``id`` is its ``dcterms:identifier`` (the ``doc_id``
of ``https://w3id.org/policykg/doc/<id>``), an entity's ``id`` the key of
``https://w3id.org/policykg/entity/<key>``; every item also carries its full ``iri``.
Dates are ISO 8601 at their true precision (``2020``, ``2020-09``, ``2020-09-08``).
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Evidence(BaseModel):
    """A quote: ``quote == text[start:end]`` of document ``doc_id``."""

    document: str = Field(description="IRI of the document")
    doc_id: str
    start: int
    end: int
    quote: str


class EntityRef(BaseModel):
    id: str
    iri: str
    label: str
    type: str | None = None


class TopicRef(BaseModel):
    id: str
    iri: str
    label: str


Precision = Literal["day", "month", "year"]


class DocumentSummary(BaseModel):
    id: str
    iri: str
    title: str | None = None
    date: str | None = Field(default=None, description="ISO 8601 at its precision: 2020, 2020-09, 2020-09-08")
    precision: Precision | None = Field(default=None, description="day, month or year")
    sort_date: str | None = Field(default=None, description="first day of the date's period (to sort by)")
    genre: str | None = None
    actor: EntityRef | None = None
    speaker: EntityRef | None = None
    forum: EntityRef | None = None


class Page(BaseModel, Generic[T]):
    total: int
    limit: int
    offset: int
    items: list[T]


class EventItem(BaseModel):
    iri: str
    event_type: str
    date: str | None = None
    subject: EntityRef
    actor: EntityRef | None = None
    document: DocumentSummary
    evidence: Evidence | None = None


class StanceItem(BaseModel):
    iri: str
    holder: EntityRef
    polarity: str
    target: str
    topic: TopicRef | None = None
    target_entities: list[EntityRef] = []
    date: str | None = None
    precision: Literal["day", "month", "year"] | None = Field(default=None, description="day, month or year")
    document: DocumentSummary
    link: str | None = Field(default=None, description="the document's highlighted page, at the quote")
    evidence: Evidence | None = None
    reports_on: str | None = Field(None, description="id of the statement a news report repeats")


class Mention(BaseModel):
    start: int
    end: int
    quote: str


class EntityMentions(BaseModel):
    entity: EntityRef
    count: int
    mentions: list[Mention]


class Highlight(BaseModel):
    """A span of the text to highlight: a mention, or the evidence of an event or stance."""

    start: int
    end: int
    kind: str = Field(description="mention | event | stance")
    node: str = Field(description="IRI of the entity, event or stance")
    label: str


class DocumentDetail(DocumentSummary):
    source: str | None = None
    format: str | None = None
    sha256: str | None = None
    length: int
    text: str
    entities: list[EntityMentions]
    events: list[EventItem]
    stances: list[StanceItem]
    highlights: list[Highlight] = Field(description="every evidence span, sorted by start")


class EntitySummary(EntityRef):
    aliases: list[str] = []
    acronyms: list[str] = []
    wikidata: str | None = None
    documents: int = Field(0, description="number of documents that mention it")


class CoMention(BaseModel):
    entity: EntityRef
    documents: int = Field(description="number of documents that mention both entities")


class DocumentMention(BaseModel):
    document: DocumentSummary
    count: int | None = None
    evidence: Evidence | None = Field(None, description="the first mention")


class EntityDetail(EntitySummary):
    mentions: list[DocumentMention]
    events: list[EventItem]
    roles: dict[str, list[str]] = Field(
        default_factory=dict, description="ids of the documents where it is forum, actor or speaker"
    )


class EventSource(BaseModel):
    """One document's report of a real event, with its quote."""

    document: DocumentSummary
    reported_date: str | None = Field(default=None, description="the event's date as this document gives it")
    evidence: Evidence | None = None


class TimelineItem(BaseModel):
    kind: str = Field(description="document | event | stance")
    date: str | None = Field(default=None, description="ISO 8601 at its precision: 2020, 2020-09, 2020-09-08")
    precision: Literal["day", "month", "year"] | None = Field(default=None, description="day, month or year")
    sort_date: str | None = Field(default=None, description="first day of the date's period (to sort by)")
    what: str
    node: str
    subject: EntityRef | None = None
    topic: TopicRef | None = None
    document: DocumentSummary
    evidence: Evidence | None = None
    reports_on: str | None = None
    sources: list[EventSource] = Field(
        default_factory=list, description="events: every document reporting the event, the most precise first"
    )


class Timeline(BaseModel):
    entity: EntityRef | None = None
    topic: TopicRef | None = None
    actor: EntityRef | None = None
    forum: EntityRef | None = None
    start: str | None = Field(None, alias="from")
    end: str | None = Field(None, alias="to")
    total: int
    limit: int
    offset: int
    items: list[TimelineItem]

    model_config = {"populate_by_name": True}


class LineageStep(BaseModel):
    role: str = Field(description="origin | event | invocation")
    event_type: str
    date: str | None = None
    precision: Precision | None = Field(default=None, description="day, month or year")
    actor: EntityRef | None = None
    document: DocumentSummary
    evidence: Evidence | None = None
    reported_in: list[str] = Field(default_factory=list, description="ids of other documents reporting it")


class Lineage(BaseModel):
    entity: EntityRef
    total: int = Field(description="steps in the whole lineage")
    limit: int
    offset: int
    steps: list[LineageStep] = Field(description="the steps offset to offset + limit, oldest first")


class PathHop(BaseModel):
    source: EntityRef
    target: EntityRef
    document: DocumentSummary
    source_evidence: Evidence | None = None
    target_evidence: Evidence | None = None
    documents: list[str] = Field(description="ids of every document that mentions both")


class EvidencePath(BaseModel):
    entities: list[EntityRef]
    hops: list[PathHop]


class Paths(BaseModel):
    source: EntityRef
    target: EntityRef
    paths: list[EvidencePath]


class SearchHit(BaseModel):
    kind: str = Field(description="document | event | stance")
    document: str
    doc_id: str
    title: str | None = None
    date: str | None = None
    node: str | None = None
    start: int
    end: int
    snippet: str
    score: float


class ErrorBody(BaseModel):
    error: str
    status: int
