"""Flat tables of events and stances, the way GDELT, ACLED or Datasette users start.

One row per real event (reports of one event by several documents are one row: see
:mod:`graph.event_identity`) or per stance, each with its date at its precision, who, what,
where, the document (id, title, link to its highlighted page) and the quote. The same rows
feed ``GET /events`` and ``GET /stances`` (JSON, CSV, TSV) and ``policykg events`` /
``policykg stances``.

Filters are bound into the SPARQL pattern as terms (:mod:`graph.terms`); the rest
(text query, sorting, paging) happens on the rows.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from graph.dates import period_bounds
from graph.event_identity import EventReport, identify_events, precision_name, sort_key
from graph.evidence import evidence_of
from graph.read.catalogue import Catalogue
from graph.read.stances import StanceRecord, page_in_order, stance_records, with_quotes
from graph.read.timeline import event_report
from graph.solutions import select, text
from graph.store import Store
from graph.terms import bound_patterns, fill, iri
from ontology.namespace import DOC, ENTITY, PKG, doc_graph_iri

_EVENT_ROWS = """
SELECT ?ev ?d ?type ?subject ?date ?sort ?actor WHERE {
  GRAPH ?g {
    ?ev a pkg:Event ; pkg:eventType ?type ; pkg:subject ?subject ; prov:wasDerivedFrom ?d .
    $bound
    OPTIONAL { ?ev dcterms:date ?date }
    OPTIONAL { ?ev pkg:sortDate ?sort }
    OPTIONAL { ?ev sem:hasActor ?actor }
  }
}
"""

#: Columns of the events table, in order (CSV/TSV header and JSON keys).
EVENT_COLUMNS = (
    "date", "precision", "actor", "event_type", "subject", "subject_id", "subject_type", "forum", "doc_id",
    "title", "document_date", "genre", "link", "start", "end", "quote", "sources", "source_documents",
)
#: Columns of the stances table, in order.
STANCE_COLUMNS = (
    "date", "precision", "holder", "polarity", "target", "topic", "target_entities", "doc_id", "title",
    "document_date", "genre", "forum", "link", "start", "end", "quote",
)
SORTS = ("date", "actor", "subject", "type")


@dataclass(frozen=True, slots=True)
class EventRow:
    """One real event: dated at its most precise report, with the number of reports."""

    date: str | None
    precision: str | None
    actor: str | None
    event_type: str
    subject: str
    subject_id: str
    subject_type: str | None
    forum: str | None
    doc_id: str
    title: str | None
    document_date: str | None
    genre: str | None
    link: str
    start: int | None
    end: int | None
    quote: str | None
    sources: int
    source_documents: str  # the reporting documents' ids, ";"-separated, most precise first

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class StanceRow:
    """One stance: who supports or opposes what, where and when, with the quote."""

    date: str | None
    precision: str | None
    holder: str
    polarity: str
    target: str
    topic: str | None
    target_entities: str  # labels, ";"-separated
    doc_id: str
    title: str | None
    document_date: str | None
    genre: str | None
    forum: str | None
    link: str
    start: int | None
    end: int | None
    quote: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def document_link(doc_id: str, start: int | None = None) -> str:
    """The document's highlighted page (relative to the service root), at the quote.

    >>> document_link("cd-2020", 120)
    '/documents/cd-2020/html#q-120'
    """
    anchor = f"#q-{start}" if start is not None else ""
    return f"/documents/{doc_id}/html{anchor}"


def _entity_id(entity: str) -> str:
    return entity.removeprefix(str(ENTITY))


def info_type(catalogue: Catalogue, entity: str) -> str | None:
    """The entity's type (Initiative, Instrument, Forum, State, ...), when known."""
    info = catalogue.entities.get(entity)
    return info.type if info is not None else None


_ACTED = """
SELECT DISTINCT ?subject ?type WHERE {
  GRAPH ?g { ?ev sem:hasActor $actor ; pkg:subject ?subject ; pkg:eventType ?type }
}
"""

_IN_GRAPH = """
SELECT DISTINCT ?subject ?type WHERE {
  GRAPH $graph { ?ev a pkg:Event ; pkg:subject ?subject ; pkg:eventType ?type }
}
"""


def _actor_pairs(store: Store, catalogue: Catalogue, actor: str) -> set[tuple[str, str]]:
    """The (subject, event type) pairs of the events ``actor`` acts in, or reported in a
    document of ``actor`` (each document asked in its own graph)."""
    pairs = {
        (str(text(r["subject"])), str(text(r["type"]))) for r in select(store, fill(_ACTED, actor=iri(actor)))
    }
    for doc in catalogue.roles.get("actor", {}).get(actor, []):
        graph = iri(doc_graph_iri(doc.removeprefix(str(DOC))))
        found = select(store, fill(_IN_GRAPH, graph=graph))
        pairs.update((str(text(r["subject"])), str(text(r["type"]))) for r in found)
    return pairs


def event_rows(
    store: Store,
    catalogue: Catalogue,
    *,
    actor: str | None = None,
    subject: str | None = None,
    event_type: str | None = None,
    forum: str | None = None,
    document: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[EventRow]:
    """Real events matching every filter (entity and document IRIs; ``event_type`` a
    local name such as ``launch``; a window of partial ISO dates), in date order.

    ``actor`` matches the event's actor, else its document's; ``forum`` the document's forum.
    """
    wanted_type = f"{PKG}{event_type}" if event_type else None
    if actor is not None and subject is None and document is None:
        # Only the (subject, type) pairs the actor has a report of can give it a real
        # event (reports of one subject and type are identified together): reading those
        # takes a second for a state on the UN corpus, reading every event four.
        pairs: list[tuple[str | None, str | None]] = sorted(
            p for p in _actor_pairs(store, catalogue, actor) if wanted_type in (None, p[1])
        )
    else:
        pairs = [(subject, wanted_type)]
    rows: dict[str, Any] = {}
    for pair_subject, pair_type in pairs:
        bound = bound_patterns("ev", [
            ("pkg:subject", iri(pair_subject) if pair_subject else None),
            ("pkg:eventType", iri(pair_type) if pair_type else None),
            ("prov:wasDerivedFrom", iri(document) if document else None),
        ])
        rows.update((str(text(r["ev"])), r) for r in select(store, fill(_EVENT_ROWS, bound=bound)))
    by_subject: dict[str, list[EventReport]] = defaultdict(list)
    for event, row in rows.items():
        by_subject[str(text(row["subject"]))].append(event_report(catalogue, event, row))
    low, high = period_bounds(start, end)
    chosen = []
    for subject_iri, reports in by_subject.items():
        for real in identify_events(reports):
            best = real.best
            info = catalogue.document(best.document)
            who = real.actor or info.actor
            if actor is not None and who != actor:
                continue
            if forum is not None and info.forum != forum:
                continue
            if not (low <= (best.payload or "9999") <= high):
                continue
            chosen.append((subject_iri, real, who))
    quotes = evidence_of(store, (real.best.node for _, real, _ in chosen))
    out = []
    for subject_iri, real, who in chosen:
        best = real.best
        info = catalogue.document(best.document)
        quote = quotes.get(best.node)
        out.append(
            EventRow(
                date=best.date,
                precision=real.precision,
                actor=catalogue.entity_label(who) if who else None,
                event_type=real.event_type,
                subject=catalogue.entity_label(subject_iri),
                subject_id=_entity_id(subject_iri),
                subject_type=info_type(catalogue, subject_iri),
                forum=catalogue.entity_label(info.forum) if info.forum else None,
                doc_id=info.doc_id,
                title=info.title,
                document_date=info.date,
                genre=info.genre,
                link=document_link(info.doc_id, quote.start if quote else None),
                start=quote.start if quote else None,
                end=quote.end if quote else None,
                quote=quote.quote if quote else None,
                sources=len(real.documents),
                source_documents=";".join(catalogue.document(d).doc_id for d in real.documents),
            )
        )
    out.sort(key=lambda r: (*sort_key(r.date), r.subject, r.event_type))
    return out


def stance_rows(
    store: Store,
    catalogue: Catalogue,
    *,
    holder: str | None = None,
    topic: str | None = None,
    polarity: str | None = None,
    target: str | None = None,
    forum: str | None = None,
    document: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[StanceRow]:
    """Stances matching every filter (as :func:`graph.read.stances.stance_records`, plus the
    document's ``forum`` and the ``document`` itself), in date order."""
    records = _stance_records(
        store, catalogue, holder=holder, topic=topic, polarity=polarity, target=target, forum=forum,
        document=document, start=start, end=end, quotes=True,
    )
    records.sort(key=lambda r: r.position_key)
    return [_stance_row(catalogue, r) for r in records]


def stance_rows_page(
    store: Store,
    catalogue: Catalogue,
    *,
    limit: int,
    offset: int,
    holder: str | None = None,
    topic: str | None = None,
    polarity: str | None = None,
    target: str | None = None,
    forum: str | None = None,
    document: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> tuple[int, list[StanceRow]]:
    """The number of rows of :func:`stance_rows` and rows ``offset`` to ``offset + limit``
    of them in ``date`` order (:func:`sorted_rows`), the quotes of those rows only read."""
    records = _stance_records(
        store, catalogue, holder=holder, topic=topic, polarity=polarity, target=target, forum=forum,
        document=document, start=start, end=end, quotes=False,
    )
    chosen = page_in_order(
        records,
        lambda r: (sort_key(r.date), r.position_key[:2]),
        lambda r: (sort_key(r.date), r.position_key),
        limit,
        offset,
        lambda some: with_quotes(store, some),
    )
    return len(records), [_stance_row(catalogue, r) for r in chosen]


def _stance_records(
    store: Store,
    catalogue: Catalogue,
    *,
    holder: str | None,
    topic: str | None,
    polarity: str | None,
    target: str | None,
    forum: str | None,
    document: str | None,
    start: str | None,
    end: str | None,
    quotes: bool,
) -> list[StanceRecord]:
    records = stance_records(
        store, catalogue, holder=holder, topic=topic, polarity=polarity, target=target, start=start, end=end,
        quotes=quotes,
    )
    if forum is not None:
        records = [r for r in records if r.document.forum == forum]
    if document is not None:
        records = [r for r in records if r.document.iri == document]
    return records


def _stance_row(catalogue: Catalogue, r: StanceRecord) -> StanceRow:
    return StanceRow(
        date=r.date,
        precision=precision_name(r.date),
        holder=catalogue.entity_label(r.holder),
        polarity=r.polarity,
        target=r.target,
        topic=catalogue.topics.get(r.topic) if r.topic else None,
        target_entities=";".join(catalogue.entity_label(e) for e in r.target_entities),
        doc_id=r.document.doc_id,
        title=r.document.title,
        document_date=r.document.date,
        genre=r.document.genre,
        forum=catalogue.entity_label(r.document.forum) if r.document.forum else None,
        link=document_link(r.document.doc_id, r.evidence.start if r.evidence else None),
        start=r.evidence.start if r.evidence else None,
        end=r.evidence.end if r.evidence else None,
        quote=r.evidence.quote if r.evidence else None,
    )


def matching(rows: Iterable[Any], query: str | None) -> list[Any]:
    """Rows any of whose text cells contains ``query`` (any case); all rows without one."""
    if not query:
        return list(rows)
    wanted = query.casefold()
    def contains(row: Any) -> bool:
        cells = (getattr(row, f.name) for f in fields(row))
        return any(isinstance(v, str) and wanted in v.casefold() for v in cells)

    return [row for row in rows if contains(row)]


def sorted_rows(rows: Sequence[Any], sort: str) -> list[Any]:
    """Rows in ``sort`` order: ``date`` (the documented date order), ``actor``, ``subject``
    or ``type`` (then by date); a leading ``-`` reverses it (``-date``: newest first).
    Stance rows sort ``actor`` by holder, ``subject`` by target and ``type`` by polarity.

    >>> rows = [StanceRow("2021", "year", "Chile", "oppose", "x", None, "", "d", None, None, None,
    ...                   None, "", None, None, None),
    ...         StanceRow("2020", "year", "Peru", "support", "y", None, "", "d", None, None, None,
    ...                   None, "", None, None, None)]
    >>> [r.holder for r in sorted_rows(rows, "date")], [r.holder for r in sorted_rows(rows, "-actor")]
    (['Peru', 'Chile'], ['Peru', 'Chile'])
    """
    def by(name: str) -> Callable[[Any], Any]:
        return lambda row: (str(getattr(row, name, None) or "").casefold(), sort_key(row.date))

    keys: dict[str, Callable[[Any], Any]] = {
        "date": lambda row: sort_key(row.date),
        "actor": by("actor") if rows and hasattr(rows[0], "actor") else by("holder"),
        "subject": by("subject") if rows and hasattr(rows[0], "subject") else by("target"),
        "type": by("event_type") if rows and hasattr(rows[0], "event_type") else by("polarity"),
    }
    name = sort.removeprefix("-")
    if name not in keys:
        raise ValueError(f"unknown sort {sort!r}: one of {', '.join(SORTS)}, or one of them after '-'")
    return sorted(rows, key=keys[name], reverse=sort.startswith("-"))


def delimited(rows: Iterable[Any], columns: Sequence[str], delimiter: str = ",") -> str:
    r'''Rows as CSV (RFC 4180: CRLF line ends, quoted where needed) or TSV, with a header.

    >>> row = StanceRow("2020", "year", "China", "oppose", 'arms "race", now', None, "", "d",
    ...                 None, "2020", None, None, "/documents/d/html", 0, 5, "quote")
    >>> delimited([row], STANCE_COLUMNS[:5])
    'date,precision,holder,polarity,target\r\n2020,year,China,oppose,"arms ""race"", now"\r\n'
    '''
    buffer = io.StringIO()
    if delimiter == "\t":
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    else:
        writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        record = row.to_json()
        writer.writerow(["" if record[c] is None else _one_line(record[c], delimiter) for c in columns])
    return buffer.getvalue()


def _one_line(value: Any, delimiter: str) -> Any:
    """TSV cannot quote: tabs and line breaks inside a cell become spaces there."""
    if delimiter == "\t" and isinstance(value, str):
        return " ".join(value.split())
    return value
