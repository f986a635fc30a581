"""The records timelines are made of: :class:`TimelineEntry` and the reports of an event.

:mod:`graph.read.timeline` reads an entity's, topic's, actor's or forum's timeline from
the store into these records, for the CLI and REST alike; :func:`event_entries` makes one
entry per real event however many documents report it (:mod:`graph.event_identity`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.event_identity import EventReport, Precision, identify_events, precision_name, precision_of
from graph.evidence import Evidence
from graph.link_records import NEWS_GENRE, DocumentInfo, evidence_start
from graph.network import label


@dataclass(frozen=True, slots=True)
class EventSource:
    """One document's report of a timeline event (see :mod:`graph.event_identity`)."""

    node: str
    document: DocumentInfo
    date: str | None
    evidence: Evidence | None

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "node": self.node,
            **self.document.to_json(graph),
            "reported_date": self.date,
            "evidence": self.evidence.to_json() if self.evidence else None,
        }


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated item of a timeline.

    ``kind`` is ``document`` (``what`` says how it relates: mentions, forum, actor,
    speaker), ``event`` (``what`` is the event type; dated by the event) or ``stance``
    (``what`` is ``support: target`` / ``oppose: target``). ``reports_on`` names the
    statement a news report covers (it repeats that statement, it is not a new one).
    An event is one real event however many documents report it: ``document`` and
    ``evidence`` are its most precise report, ``sources`` every report (that one first).

    ``date`` keeps its precision (``precision``: day, month or year) and is shown so;
    items are ordered by the first day of their period, then by precision (a year before
    the months and days inside it), then news reports after statements, events before
    documents before stances.
    """

    kind: str
    date: str | None
    sort_date: str | None
    what: str
    node: str
    document: DocumentInfo
    evidence: Evidence | None
    subject: str | None = None
    topic: str | None = None
    reports_on: str | None = None
    sources: tuple[EventSource, ...] = ()
    actor: str | None = None  # events: the actor a report names

    @property
    def precision(self) -> Precision | None:
        return precision_name(self.date)

    @property
    def order_key(self) -> tuple[str, int, int, int, str, int]:
        kind_rank = {"event": 0, "document": 1, "stance": 2}[self.kind]
        news = 1 if self.document.genre == NEWS_GENRE else 0
        return (
            self.sort_date or "9999", precision_of(self.date), news, kind_rank, self.document.doc_id,
            evidence_start(self.evidence),
        )

    def to_json(self, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "date": self.date,
            "precision": self.precision,
            "what": self.what,
            "node": self.node,
            "subject": label(graph, self.subject) if graph is not None else self.subject,
            "topic": label(graph, self.topic) if graph is not None else self.topic,
            **self.document.to_json(graph),
            "evidence": self.evidence.to_json() if self.evidence else None,
            "reports_on": self.reports_on,
            "sources": [source.to_json(graph) for source in self.sources],
        }


def event_entries(
    reports: list[EventReport],
    subject: str,
    *,
    sort_date: Callable[[EventReport], str | None],
    document: Callable[[str], DocumentInfo],
    evidence: Callable[[str], Evidence | None],
    reports_on: Callable[[str], str | None],
) -> list[TimelineEntry]:
    """One timeline entry per real event of ``subject`` (:func:`identify_events`): dated
    and quoted by its most precise report, with every report (that one first) as a source."""
    out = []
    for real in identify_events(reports):
        best = real.best
        out.append(
            TimelineEntry(
                "event",
                best.date,
                sort_date(best),
                real.event_type,
                best.node,
                document(best.document),
                evidence(best.node),
                subject=subject,
                reports_on=reports_on(best.document),
                actor=real.actor,
                sources=tuple(
                    EventSource(other.node, document(other.document), other.date, evidence(other.node))
                    for other in real.reports
                ),
            )
        )
    return out
