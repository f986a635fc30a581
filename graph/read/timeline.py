"""Timelines read from the store: dated documents, events and stances about an entity, a
topic, an actor or a forum, oldest first.

- ``entity=E``: documents that mention E or have it as forum, actor or speaker, and the
  real events E is the subject of (:mod:`graph.event_identity`: one per event however many
  documents report it);
- ``topic=T`` and/or ``actor=A``: stances on T, held by A (``entity=E`` then keeps the
  stances E holds or is targeted by);
- ``forum=F`` alone: the documents delivered at F and their events; with another
  parameter it keeps the items of documents delivered at F.

Each read asks the store only about what it names, with the topic, holder and date window
inside the query; first-mention quotes can be read for the page shown only
(:func:`with_quotes`). The CLI and the REST API both call :func:`timeline_entries`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from graph.dates import compatible, period_bounds
from graph.event_identity import EventReport
from graph.evidence import evidence_of
from graph.network import local_name
from graph.read.catalogue import Catalogue
from graph.read.mentions import first_mentions
from graph.read.stances import page_in_order, stance_records
from graph.read.window import in_window, window_filter
from graph.solutions import select, text
from graph.store import Store
from graph.timeline_records import TimelineEntry, event_entries

_MENTIONING = "SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ ?d schema:mentions <{entity}> }} }}"

_EVENTS = """
SELECT ?ev ?d ?type ?date ?sort ?actor WHERE {{
  GRAPH ?g {{
    ?ev pkg:subject <{entity}> ; a pkg:Event ; pkg:eventType ?type ; prov:wasDerivedFrom ?d .
    OPTIONAL {{ ?ev dcterms:date ?date }}
    OPTIONAL {{ ?ev pkg:sortDate ?sort }}
    OPTIONAL {{ ?ev sem:hasActor ?actor }}
  }}
  {window}
}}
"""


def event_report(catalogue: Catalogue, event: str, row: Any) -> EventReport:
    """One document's report of an event, from a solution binding ``?d ?type ?date ?sort
    ?actor``; its ``payload`` is the sort date (the event's, else its document's)."""
    doc = str(text(row["d"]))
    info = catalogue.document(doc)
    date = text(row["date"]) or text(row["sort"])
    return EventReport(
        node=event,
        event_type=local_name(str(text(row["type"]))),
        date=date,
        document=doc,
        doc_id=info.doc_id,
        doc_sort_date=info.sort_date,
        actor=text(row["actor"]),
        contemporaneous=compatible(date, info.date),
        payload=text(row["sort"]) or info.sort_date,
    )


def entity_entries(
    store: Store,
    catalogue: Catalogue,
    entity: str,
    start: str | None,
    end: str | None,
    *,
    evidence_for: Iterable[str] | None = None,
) -> list[TimelineEntry]:
    """Documents that mention ``entity`` or have it as forum, actor or speaker, and the
    real events it is the subject of, in the window, oldest first. First-mention quotes
    are read for the documents in ``evidence_for`` (all by default): a page needs only its
    own."""
    low, high = period_bounds(start, end)
    related: dict[str, list[str]] = defaultdict(list)
    for row in select(store, _MENTIONING.format(entity=entity)):
        related[str(text(row["d"]))].append("mentions")
    for role in ("forum", "actor", "speaker"):
        for doc in catalogue.roles.get(role, {}).get(entity, []):
            related[doc].append(role)
    entries: list[TimelineEntry] = []
    for doc, rels in related.items():
        info = catalogue.document(doc)
        if not in_window(info.sort_date, low, high):
            continue
        entries.append(
            TimelineEntry(
                "document",
                info.date,
                info.sort_date,
                ", ".join(rels),
                doc,
                info,
                None,
                subject=entity,
                reports_on=catalogue.reports.get(doc),
            )
        )
    rows = {
        str(text(row["ev"])): row
        for row in select(store, _EVENTS.format(entity=entity, window=window_filter(start, end)))
    }
    quotes = evidence_of(store, rows)
    reports = [event_report(catalogue, event, row) for event, row in rows.items()]
    for entry in event_entries(
        reports,
        entity,
        sort_date=lambda r: r.payload,
        document=catalogue.document,
        evidence=quotes.get,
        reports_on=catalogue.reports.get,
    ):
        if in_window(entry.sort_date, low, high):
            entries.append(entry)
    entries.sort(key=lambda e: e.order_key)
    return with_mention_evidence(store, entity, entries, evidence_for)


def with_mention_evidence(
    store: Store, entity: str, entries: list[TimelineEntry], docs: Iterable[str] | None = None
) -> list[TimelineEntry]:
    """``entries`` with the first mention of ``entity`` as evidence of the document
    entries that mention it (of those in ``docs`` only, when given)."""
    wanted = None if docs is None else set(docs)
    mentioning = [
        e.node
        for e in entries
        if e.kind == "document" and "mentions" in e.what.split(", ") and (wanted is None or e.node in wanted)
    ]
    if not mentioning:
        return entries
    found = first_mentions(store, entity, mentioning)
    return [
        replace(e, evidence=found.get(e.node)) if e.kind == "document" and e.node in found else e
        for e in entries
    ]


# -- stances -----------------------------------------------------------------------------------


def stance_entries(
    store: Store,
    catalogue: Catalogue,
    *,
    entity: str | None,
    topic: str | None,
    holder: str | None,
    start: str | None,
    end: str | None,
    quotes: bool = True,
) -> list[TimelineEntry]:
    """Stance items of a timeline: on ``topic``, held by ``holder``, held by or targeting
    ``entity`` (without their quotes unless ``quotes``: :func:`timeline_page` reads them
    for a page)."""
    records = stance_records(
        store, catalogue, holder=holder, topic=topic, start=start, end=end, quotes=quotes
    )
    entries = [
        TimelineEntry(
            "stance",
            r.date,
            r.sort_date,
            f"{r.polarity}: {r.target}",
            r.stance,
            r.document,
            r.evidence,
            subject=r.holder,
            topic=r.topic,
            reports_on=catalogue.reports.get(r.document.iri),
        )
        for r in records
        if entity is None or entity == r.holder or entity in r.target_entities
    ]
    entries.sort(key=lambda e: e.order_key)
    return entries


def timeline_entries(
    store: Store,
    catalogue: Catalogue,
    *,
    entity: str | None,
    topic: str | None,
    actor: str | None,
    forum: str | None,
    start: str | None,
    end: str | None,
    quotes: bool = True,
) -> list[TimelineEntry]:
    """Entries for resolved IRIs (see the module docstring), oldest first.

    Without ``quotes`` the document and stance entries come without their quote
    (:func:`timeline_page` reads those of the page shown).
    """
    evidence_for: list[str] | None = None if quotes else []
    if topic is not None or actor is not None:
        entries = stance_entries(
            store, catalogue, entity=entity, topic=topic, holder=actor, start=start, end=end, quotes=quotes
        )
    elif entity is not None:
        entries = entity_entries(store, catalogue, entity, start, end, evidence_for=evidence_for)
    elif forum is not None:
        entries = [
            e
            for e in entity_entries(store, catalogue, forum, start, end, evidence_for=evidence_for)
            if e.kind == "event" or "forum" in e.what.split(", ")
        ]
    else:
        raise ValueError("a timeline needs an entity, a topic, an actor or a forum")
    if forum is not None:
        entries = [e for e in entries if e.document.forum == forum]
    return entries


def with_quotes(
    store: Store, entries: list[TimelineEntry], *, entity: str | None, forum: str | None
) -> list[TimelineEntry]:
    """Document entries of an entity (or forum) timeline with their first-mention quote."""
    subject = entity if entity is not None else forum
    if subject is None:
        return entries
    return with_mention_evidence(store, subject, entries)


def timeline_page(
    store: Store,
    entries: list[TimelineEntry],
    limit: int,
    offset: int,
    *,
    entity: str | None,
    forum: str | None,
) -> list[TimelineEntry]:
    """Entries ``offset`` to ``offset + limit`` of a timeline read without quotes
    (``timeline_entries(..., quotes=False)``), in order, with their quotes: only the
    stances of the page (and of the documents it cuts through) have theirs read, since
    their offsets order them within a document."""

    def fill(chosen: Sequence[TimelineEntry]) -> list[TimelineEntry]:
        stances = [e.node for e in chosen if e.kind == "stance" and e.evidence is None]
        found = evidence_of(store, stances) if stances else {}
        filled = [
            replace(e, evidence=found.get(e.node)) if e.kind == "stance" and e.evidence is None else e
            for e in chosen
        ]
        return with_quotes(store, filled, entity=entity, forum=forum)

    return page_in_order(entries, lambda e: e.order_key[:-1], lambda e: e.order_key, limit, offset, fill)


__all__ = [
    "entity_entries",
    "stance_entries",
    "timeline_entries",
    "timeline_page",
    "with_mention_evidence",
    "with_quotes",
]
