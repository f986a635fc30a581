"""Response-model pieces built from the :class:`graph.read.catalogue.Catalogue` and the
records of :mod:`graph.read`: name resolution (404 for an unknown name, 422 for an
ambiguous one) and the references to entities, topics, documents, quotes, events and
stances every REST answer carries."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException

from api import models
from graph.event_identity import precision_name
from graph.evidence import Evidence
from graph.link_records import DocumentInfo
from graph.network import local_name
from graph.read.catalogue import Catalogue
from graph.read.documents import EventRecord
from graph.read.stances import StanceRecord
from ontology.namespace import ENTITY, TOPIC


def entity_named(catalogue: Catalogue, name: str, what: str = "entity") -> str:
    """The entity IRI ``name`` designates (IRI, id, label, alias or acronym, any case)."""
    try:
        return catalogue.resolve_entity(name.strip())
    except LookupError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)  # KeyError's str() adds quotes
        status = 422 if "several" in message else 404
        raise HTTPException(status, f"{what}: {message}") from exc


def topic_named(catalogue: Catalogue, name: str) -> str:
    """The topic IRI ``name`` designates (IRI, id such as ``outer-space``, or label)."""
    found = catalogue.resolve_topic(name)
    if found is None:
        raise HTTPException(404, f"topic: no topic is called {name!r}")
    return found


def entity_ref(catalogue: Catalogue, iri: str | None) -> models.EntityRef | None:
    if not iri:
        return None
    info = catalogue.entities.get(iri)
    ident = iri.removeprefix(str(ENTITY)) if iri.startswith(str(ENTITY)) else iri
    return models.EntityRef(
        id=ident,
        iri=iri,
        label=info.label if info is not None else local_name(iri),
        type=info.type if info is not None else None,
    )


def topic_ref(catalogue: Catalogue, iri: str | None) -> models.TopicRef | None:
    if not iri:
        return None
    ident = iri.removeprefix(str(TOPIC)) if iri.startswith(str(TOPIC)) else local_name(iri)
    return models.TopicRef(id=ident, iri=iri, label=catalogue.topics.get(iri) or ident)


def document_summary(catalogue: Catalogue, doc: DocumentInfo | str) -> models.DocumentSummary:
    record = catalogue.document(doc if isinstance(doc, str) else doc.iri)
    return models.DocumentSummary(
        id=record.doc_id,
        iri=record.iri,
        title=record.title,
        date=record.date,
        precision=precision_name(record.date),
        sort_date=record.sort_date,
        genre=record.genre,
        actor=entity_ref(catalogue, record.actor),
        speaker=entity_ref(catalogue, record.speaker),
        forum=entity_ref(catalogue, record.forum),
    )


def evidence_model(catalogue: Catalogue, evidence: Evidence | None) -> models.Evidence | None:
    if evidence is None:
        return None
    return models.Evidence(
        document=evidence.doc,
        doc_id=catalogue.document(evidence.doc).doc_id,
        start=evidence.start,
        end=evidence.end,
        quote=evidence.quote,
    )


def event_item(catalogue: Catalogue, record: EventRecord) -> models.EventItem:
    """An event report, named through the catalogue."""
    subject = entity_ref(catalogue, record.subject)
    assert subject is not None
    return models.EventItem(
        iri=record.event,
        event_type=record.event_type,
        date=record.date,
        subject=subject,
        actor=entity_ref(catalogue, record.actor),
        document=document_summary(catalogue, record.document),
        evidence=evidence_model(catalogue, record.evidence),
    )


def stance_item(catalogue: Catalogue, record: StanceRecord) -> models.StanceItem:
    """A stance as a document's page lists it (no ``precision`` or ``link``: the page is
    the link; ``/stances`` adds both)."""
    holder = entity_ref(catalogue, record.holder)
    assert holder is not None
    reported = catalogue.reports.get(record.document.iri)
    return models.StanceItem(
        iri=record.stance,
        holder=holder,
        polarity=record.polarity,
        target=record.target,
        topic=topic_ref(catalogue, record.topic),
        target_entities=[r for r in (entity_ref(catalogue, e) for e in record.target_entities) if r],
        date=record.date,
        document=document_summary(catalogue, record.document),
        evidence=evidence_model(catalogue, record.evidence),
        reports_on=doc_id(catalogue, reported) if reported in catalogue.documents else None,
    )


def doc_id(catalogue: Catalogue, iri: str | None) -> str | None:
    """The id of a document (None for None)."""
    return None if not iri else catalogue.document(iri).doc_id


@dataclass(frozen=True, slots=True)
class TimelineFilters:
    """The IRIs a timeline's filters name (``None`` where not given)."""

    entity: str | None
    topic: str | None
    actor: str | None
    forum: str | None

    def named(self) -> list[tuple[str, str]]:
        """``(kind, IRI)`` of each filter given, in order."""
        pairs = (("entity", self.entity), ("topic", self.topic), ("actor", self.actor), ("forum", self.forum))
        return [(kind, iri) for kind, iri in pairs if iri]


def timeline_filters(
    catalogue: Catalogue, *, entity: str | None, topic: str | None, actor: str | None, forum: str | None
) -> TimelineFilters:
    """The filters of a timeline resolved to IRIs; unknown names are 404, ambiguous 422."""
    return TimelineFilters(
        entity=entity_named(catalogue, entity) if entity else None,
        topic=topic_named(catalogue, topic) if topic else None,
        actor=entity_named(catalogue, actor, "actor") if actor else None,
        forum=entity_named(catalogue, forum, "forum") if forum else None,
    )
