"""Typed records that flow out of extraction.

Data flows one way: a :class:`Document` goes through pure extraction stages, each of
which returns records carrying character offsets into ``Document.text`` (the text as
the reader decoded it). :class:`ExtractionResult` gathers them; ``graph.rdf`` is the only
module that turns them into triples, and :meth:`ExtractionResult.to_json` is the
extraction contract of ``../shared/eval/GUIDELINES.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EntityType = Literal["Initiative", "Instrument", "Forum", "State", "Person", "Organization"]
Polarity = Literal["support", "oppose"]
# The genre list of the extraction contract (../shared/eval/GUIDELINES.md).
Genre = Literal[
    "speech",
    "statement",
    "joint_statement",
    "readout",
    "press_release",
    "news_report",
    "op_ed",
    "position_paper",
    "white_paper",
    "resolution",
    "treaty",
    "transcript",
    "other",
]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of ``Document.text``: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Document:
    """A document as read: decoded text plus what the reader learned on the way.

    ``body`` has the same length as ``text``; boilerplate (navigation, share links, spam
    lines, footers) is blanked with spaces there, so every offset found in ``body`` is
    also an offset into ``text``.
    """

    doc_id: str
    source: str
    text: str
    body: str
    media_type: str
    sha256: str
    sidecar: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    title: str | None = None
    date: str | None = None  # ISO 8601 at its true precision: 2020, 2020-09, 2020-09-08
    datetime: str | None = None  # 2022-05-23T13:25 when the text gives a time
    genre: str | None = None
    actor: str | None = None  # canonical label of the state or organisation speaking
    speaker: str | None = None
    forum: str | None = None  # canonical label of the forum addressed
    publisher: str | None = None
    language: str = "en"

    def to_json(self) -> dict[str, Any]:
        out = {
            "title": self.title,
            "date": self.date,
            "genre": self.genre,
            "actor": self.actor,
            "speaker": self.speaker,
            "forum": self.forum,
        }
        if self.datetime:
            out["datetime"] = self.datetime
        if self.publisher:
            out["publisher"] = self.publisher
        return out


@dataclass(frozen=True, slots=True)
class Entity:
    """One real thing named in a document, with every mention of it.

    ``key`` is the stable identifier (gazetteer id, or a slug derived from the canonical
    name for names the gazetteer does not know); the same real thing gets the same key in
    every document.
    """

    key: str
    label: str
    type: str
    mentions: tuple[Span, ...]
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    wikidata: str | None = None
    in_gazetteer: bool = False
    rule: str = ""  # the rule that found it (gazetteer match, name pattern, ...)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.key,
            "label": self.label,
            "type": self.type,
            "aliases": sorted(set(self.aliases) | set(self.acronyms)),
            "mentions": [m.to_json() for m in self.mentions],
        }
        if self.wikidata:
            out["wikidata"] = self.wikidata
        if self.rule:
            out["rule"] = self.rule
        return out


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression and its resolved value (ISO 8601 at the precision the text supports)."""

    span: Span
    value: str
    relative: bool = False

    def to_json(self) -> dict[str, Any]:
        return {**self.span.to_json(), "value": self.value, "relative": self.relative}


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to an initiative, instrument or forum: launch, proposal, ..."""

    type: str  # launch, propose, submit, release, adopt, establish, convene, conclude, update, sign
    subject_key: str
    subject: str  # canonical label of the subject entity
    evidence: Span
    actor: str | None = None  # canonical label
    actor_key: str | None = None
    date: str | None = None
    date_span: Span | None = None
    rule: str = ""  # the rule that produced it (a name in the event trigger lexicon)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "subject": self.subject,
            "subject_id": self.subject_key,
            "actor": self.actor,
            "date": self.date,
            "evidence": self.evidence.to_json(),
        }
        if self.rule:
            out["rule"] = self.rule
        return out


@dataclass(frozen=True, slots=True)
class Stance:
    """A position the document's own voice takes: holder supports or opposes a target."""

    holder: str  # canonical label
    holder_key: str
    polarity: Polarity
    target: str  # short target phrase, as in the text
    evidence: Span  # the sentence
    target_span: Span | None = None
    topic: str | None = None  # local name of a concept in ontology/topics.ttl
    cue: str | None = None  # the cue word: oppose, support, call for, ...
    target_keys: tuple[str, ...] = ()  # entities named inside the target
    date: str | None = None
    rule: str = ""  # the rule that produced it (a name in the stance rule registry)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "holder": self.holder,
            "polarity": self.polarity,
            "target": self.target,
            "topic": self.topic,
            "cue": self.cue,
            "evidence": self.evidence.to_json(),
        }
        if self.rule:
            out["rule"] = self.rule
        return out


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    document: Document
    meta: DocumentMeta
    entities: tuple[Entity, ...] = ()
    dates: tuple[DateMention, ...] = ()
    events: tuple[Event, ...] = ()
    stances: tuple[Stance, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The extraction record of GUIDELINES.md (plus a few extra keys it ignores)."""
        return {
            "id": self.document.doc_id,
            "source": self.document.source,
            "document": self.meta.to_json(),
            "entities": [e.to_json() for e in self.entities],
            "dates": [d.to_json() for d in self.dates],
            "events": [e.to_json() for e in self.events],
            "stances": [s.to_json() for s in self.stances],
            "warnings": list(self.document.warnings),
        }
