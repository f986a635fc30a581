"""TimelineJS 3 slides that tell what happened, one real event at a time.

Each slide has a sentence headline built from the facts (:mod:`graph.headlines`: "China
launches the Global Initiative on Data Security"), its date at its precision (a year is
shown as the year: TimelineJS gets only the parts the date has, and ``display_date``
says it in words), the quote, the document's title and date with a link to the
highlighted page at the quote, and for an event the other documents that report it.
The whole-corpus timeline (no filter) holds every document and every real event.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from graph.event_identity import sort_key
from graph.evidence import Evidence
from graph.headlines import document_headline, event_headline, stance_headline
from graph.read.catalogue import Catalogue
from graph.read.tables import EventRow, document_link
from graph.timeline_records import TimelineEntry

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def date_parts(value: str | None) -> dict[str, str] | None:
    """TimelineJS date parts, only those the date has.

    >>> date_parts("2020"), date_parts("2020-09-08")
    ({'year': '2020'}, {'year': '2020', 'month': '9', 'day': '8'})
    """
    if not value:
        return None
    parts = value[:10].split("-")
    out = {"year": parts[0]}
    if len(parts) > 1:
        out["month"] = str(int(parts[1]))
    if len(parts) > 2:
        out["day"] = str(int(parts[2]))
    return out


def display_date(value: str | None) -> str:
    """A date in words at its precision.

    >>> display_date("2020-09-08"), display_date("2020-09"), display_date("2020"), display_date(None)
    ('8 September 2020', 'September 2020', '2020', 'undated')
    """
    if not value:
        return "undated"
    parts = value[:10].split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def _source_line(doc_id: str, title: str | None, date: str | None, start: int | None) -> str:
    link = html.escape(document_link(doc_id, start))
    return f'<a href="{link}">{html.escape(title or doc_id)}</a>, {html.escape(display_date(date))}'


def _slide(
    date: str | None, headline: str, body: list[str], group: str, unique: str
) -> dict[str, Any] | None:
    start = date_parts(date)
    if start is None:
        return None
    return {
        "start_date": start,
        "display_date": display_date(date),
        "text": {"headline": html.escape(headline, quote=False), "text": "".join(body)},
        "group": group,
        "unique_id": unique,
    }


def _start(evidence: Evidence | None) -> int | None:
    return evidence.start if evidence is not None else None


def entry_slide(entry: TimelineEntry, catalogue: Catalogue, index: int) -> dict[str, Any] | None:
    """The slide of one timeline entry (an event, a document or a stance)."""
    doc = entry.document
    if entry.kind == "event":
        subject = entry.subject or ""
        info = catalogue.entities.get(subject)
        actor = entry.actor or doc.actor
        headline = event_headline(
            entry.what, catalogue.entity_label(subject), subject_type=info.type if info else None,
            actor=catalogue.entity_label(actor) if actor else None,
        )
    elif entry.kind == "stance":
        polarity, _, target = entry.what.partition(": ")
        headline = stance_headline(catalogue.entity_label(entry.subject or ""), polarity, target)
    else:
        who = doc.speaker or doc.actor
        headline = document_headline(doc.title or doc.doc_id, catalogue.entity_label(who) if who else None)
    body = []
    if entry.evidence is not None:
        body.append(f"<blockquote>{html.escape(entry.evidence.quote)}</blockquote>")
    body.append(f"<p>{_source_line(doc.doc_id, doc.title, doc.date, _start(entry.evidence))}</p>")
    others = [s for s in entry.sources if s.document.iri != doc.iri]
    if others:
        items = "".join(
            f"<li>{_source_line(s.document.doc_id, s.document.title, s.document.date, _start(s.evidence))}"
            f" (dates it {html.escape(display_date(s.date))})</li>"
            for s in others
        )
        body.append(f"<p>Also reported in:</p><ul>{items}</ul>")
    unique = f"{index}-" + _UNSAFE.sub("-", entry.node.rsplit("/", 1)[-1])[:60]
    return _slide(entry.date or entry.sort_date, headline, body, entry.kind, unique)


def event_row_slide(row: EventRow, index: int) -> dict[str, Any] | None:
    """The slide of one row of the events table (the whole-corpus timeline)."""
    headline = event_headline(row.event_type, row.subject, subject_type=row.subject_type, actor=row.actor)
    body = [f"<blockquote>{html.escape(row.quote)}</blockquote>"] if row.quote else []
    body.append(f"<p>{_source_line(row.doc_id, row.title, row.document_date, row.start)}</p>")
    if row.sources > 1:
        reporting = html.escape(row.source_documents.replace(";", ", "))
        body.append(f"<p>Reported in {row.sources} documents: {reporting}</p>")
    return _slide(row.date, headline, body, "event", f"{index}-event-{_UNSAFE.sub('-', row.subject_id)[:50]}")


def document_slides(catalogue: Catalogue, docs: Iterable[str], first_index: int = 0) -> list[dict[str, Any]]:
    """A slide per document (its title and who speaks), dated by the document."""
    out = []
    for index, iri in enumerate(docs, first_index):
        doc = catalogue.document(iri)
        who = doc.speaker or doc.actor
        headline = document_headline(doc.title or doc.doc_id, catalogue.entity_label(who) if who else None)
        body = [f"<p>{_source_line(doc.doc_id, doc.title, doc.date, None)}</p>"]
        unique = f"{index}-doc-{_UNSAFE.sub('-', doc.doc_id)[:60]}"
        slide = _slide(doc.date, headline, body, "document", unique)
        if slide is not None:
            out.append(slide)
    return out


def timelinejs(slides: Iterable[dict[str, Any] | None], title: str) -> dict[str, Any]:
    """TimelineJS 3 JSON of the slides (undated ones left out), in date order."""
    events = [s for s in slides if s is not None]
    events.sort(key=lambda s: sort_key("-".join(
        f"{int(v):02d}" if k != "year" else v for k, v in s["start_date"].items()
    )))
    return {
        "title": {"text": {"headline": html.escape(title), "text": f"<p>{len(events)} dated items</p>"}},
        "events": events,
    }
