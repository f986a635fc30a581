"""Event identity across documents: reports of one real event become one event.

Three documents may report one launch at three precisions ("in 2020", "in September 2020",
"on 8 September 2020"). :func:`identify_events` groups such reports: same subject (the
caller passes the reports of one subject), same event type, dates that agree at their
precision, and the same actor where both reports name one. Each real event takes its date
from its most precise report; the other reports stay attached as its sources, undated ones
included when they can belong to one event only.

Dates are ISO 8601 at their true precision (``2020``, ``2020-09``, ``2020-09-08``) and are
shown that way; a year is never shown as 1 January. Items are *sorted* by the first day of
their period (``sort_date``), then by precision (the year before the month before the day
that starts it), so a year-only event sorts before everything dated inside that year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Precision = Literal["day", "month", "year"]
PRECISIONS: dict[int, Precision] = {1: "year", 2: "month", 3: "day"}


def precision_of(value: str | None) -> int:
    """3 for a day, 2 for a month, 1 for a year, 0 for nothing.

    >>> precision_of("2020-09-08"), precision_of("2020-09"), precision_of("2020"), precision_of(None)
    (3, 2, 1, 0)
    """
    return 0 if not value else min(3, value.count("-") + 1)


def precision_name(value: str | None) -> Precision | None:
    """``day``, ``month`` or ``year`` (``None`` for no date).

    >>> precision_name("2020-09"), precision_name(None)
    ('month', None)
    """
    return PRECISIONS.get(precision_of(value))


def dates_agree(a: str | None, b: str | None) -> bool:
    """True when two ISO dates at any precision may name the same moment.

    >>> dates_agree("2020", "2020-09-08"), dates_agree("2020-09-08", "2020-09"), dates_agree("2021", "2020")
    (True, True, False)
    """
    if not a or not b:
        return False
    return a.startswith(b) or b.startswith(a)


@dataclass(frozen=True, slots=True)
class EventReport:
    """One document's report of an event (a ``pkg:Event`` of a document graph).

    ``contemporaneous`` is true when the document dates from the event itself (it reports
    it as it happens): such a report wins a tie of precision. ``doc_sort_date`` and
    ``doc_id`` break the remaining ties (the earliest document first).
    """

    node: str
    event_type: str
    date: str | None
    document: str
    doc_id: str = ""
    doc_sort_date: str | None = None
    actor: str | None = None
    contemporaneous: bool = False
    payload: Any = None  # what the caller needs back (evidence, document info, ...)

    @property
    def rank(self) -> tuple[int, int, str, str]:
        return (
            -precision_of(self.date),
            0 if self.contemporaneous else 1,
            self.doc_sort_date or "9999",
            f"{self.doc_id}\x00{self.node}",
        )


@dataclass(frozen=True, slots=True)
class RealEvent:
    """One real event and every report of it; ``best`` is the most precise report."""

    event_type: str
    reports: tuple[EventReport, ...]

    @property
    def best(self) -> EventReport:
        return self.reports[0]

    @property
    def date(self) -> str | None:
        return self.best.date

    @property
    def precision(self) -> Precision | None:
        return precision_name(self.best.date)

    @property
    def actor(self) -> str | None:
        return next((r.actor for r in self.reports if r.actor), None)

    @property
    def documents(self) -> tuple[str, ...]:
        """The reporting documents, best report's first, each once."""
        return tuple(dict.fromkeys(r.document for r in self.reports))


def _fits(cluster: list[EventReport], report: EventReport) -> bool:
    """No report of ``cluster`` names another actor than ``report`` does."""
    return report.actor is None or all(m.actor is None or m.actor == report.actor for m in cluster)


def identify_events(reports: Iterable[EventReport]) -> list[RealEvent]:
    """Group the reports of ONE subject into real events.

    Reports are taken most precise first; a dated report joins the first event whose
    date agrees with its own and whose actor agrees (when both have one), else starts a
    new event. An undated report joins the one event of its type and actor when there is
    exactly one, the earliest otherwise (an undated mention says nothing against it), or
    stands alone when its type has no dated event.

    Returns the events of every type, ordered by type, then by date.

    Examples
    --------
    >>> r = [EventReport("e1", "launch", "2020", "d1"), EventReport("e2", "launch", "2020-09-08", "d2"),
    ...      EventReport("e3", "launch", "2020-09", "d3"), EventReport("e4", "convene", "2021", "d1"),
    ...      EventReport("e5", "convene", "2022", "d4")]
    >>> for e in identify_events(r):
    ...     print(e.event_type, e.date, e.precision, e.documents)
    convene 2021 year ('d1',)
    convene 2022 year ('d4',)
    launch 2020-09-08 day ('d2', 'd3', 'd1')
    """
    by_type: dict[str, list[EventReport]] = defaultdict(list)
    for report in reports:
        by_type[report.event_type].append(report)
    out: list[RealEvent] = []
    for event_type, group in sorted(by_type.items()):
        clusters: list[list[EventReport]] = []
        undated: list[EventReport] = []
        for report in sorted(group, key=lambda r: r.rank):
            if not report.date:
                undated.append(report)
                continue
            home = next(
                (c for c in clusters if dates_agree(c[0].date, report.date) and _fits(c, report)), None
            )
            if home is None:
                clusters.append([report])
            else:
                home.append(report)
        for report in undated:
            fitting = [c for c in clusters if _fits(c, report)]
            if fitting:
                min(fitting, key=lambda c: (c[0].date or "9999")).append(report)
            else:
                clusters.append([report])
        out.extend(RealEvent(event_type, tuple(c)) for c in clusters)
    out.sort(key=lambda e: (e.event_type, sort_key(e.date)))
    return out


def sort_key(date: str | None) -> tuple[str, int]:
    """The documented order of dated items: first day of the period, then precision.

    >>> sorted(["2020-09-08", "2020", "2020-09", None, "2019-12"], key=sort_key)
    ['2019-12', '2020', '2020-09', '2020-09-08', None]
    """
    if not date:
        return ("9999", 9)
    start = date + "-01-01"[len(date) - 4 :] if len(date) < 10 else date
    return (start, precision_of(date))
