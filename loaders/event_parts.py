"""What the event rules share: a sentence's mentions in text order, and the events kept.

:class:`MentionIndex` gives the outermost mentions inside a sentence; the trigger rules
(:mod:`loaders.event_trigger_rules`) and the dated-meeting rules
(:mod:`loaders.event_meeting_rules`) add what they find to one :class:`EventCollector`,
which keeps one event per type, subject and date.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from loaders.records import Entity, Event, Span


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of an entity: its span in the text."""

    start: int
    end: int
    entity: Entity


class MentionIndex:
    """Every mention of the document in text order, for slicing by sentence."""

    def __init__(self, entities: tuple[Entity, ...]) -> None:
        found = [Mention(m.start, m.end, e) for e in entities for m in e.mentions]
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        self.mentions = found
        self.starts = [m.start for m in found]

    def within(self, span: Span) -> list[Mention]:
        """Outermost mentions inside ``span``: "Review Conference of the NPT", not the NPT."""
        outer: list[Mention] = []
        for m in self.mentions[bisect_left(self.starts, span.start) : bisect_left(self.starts, span.end)]:
            if m.end > span.end or (outer and m.start < outer[-1].end):
                continue
            outer.append(m)
        return outer


class EventCollector:
    """Events found so far, one per type, subject and date: a date that only repeats a
    more precise one of the same event ("2022-11" beside "2022-11-16") is dropped."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, event: Event) -> None:
        for i, old in enumerate(self.events):
            if (
                old.type != event.type
                or old.subject_key != event.subject_key
                or not old.date
                or not event.date
            ):
                continue
            if old.date.startswith(event.date):
                return
            if event.date.startswith(old.date):
                self.events[i] = event
                return
        self.events.append(event)
