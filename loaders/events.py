"""Events: launches, proposals, adoptions, signings, meetings, entries into force, ... of
initiatives, instruments and forums.

The words are data (``ontology/event_triggers.toml``, compiled by
:mod:`loaders.event_lexicon`); :func:`extract_events` runs the rules that apply them
sentence by sentence, the trigger rules (:mod:`loaders.event_trigger_rules`) then the
dated-meeting rules (:mod:`loaders.event_meeting_rules`). Each module's docstring lists its
rules (``event.trigger.<type>``, ``.paragraph_date``, ``.now``; ``event.dated_subject``
and its variants); every event names the rule that found it.

Undated events are not kept: an event is an anchor on a timeline, and background passages
coded as new events are what users of event data complain about most.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from loaders.event_lexicon import EventLexicon, load_event_lexicon
from loaders.event_meeting_rules import dated_subject_events, place_meeting_events, places_of_meetings
from loaders.event_parts import EventCollector, MentionIndex
from loaders.event_trigger_rules import all_triggers, trigger_events
from loaders.records import DateMention, Document, DocumentMeta, Entity, Event, Span
from loaders.sentences import sentence_spans


def _paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs start: after a blank line or a line ending a sentence."""
    starts = [0]
    for m in re.finditer(r"\n", text):
        before = text[max(0, m.start() - 3) : m.start()].rstrip()
        if not before or before[-1] in '.!?:"”' or text[m.end() : m.end() + 1] in ("\n", ""):
            starts.append(m.end())
    return starts


def extract_events(
    doc: Document,
    meta: DocumentMeta,
    entities: tuple[Entity, ...],
    dates: tuple[DateMention, ...],
    lexicon: EventLexicon | None = None,
) -> tuple[Event, ...]:
    """Dated events the document reports, each with its evidence sentence and rule."""
    lexicon = lexicon if lexicon is not None else load_event_lexicon()
    text = doc.body
    state_by_label = {e.label: e for e in entities if e.type == "State"}
    index = MentionIndex(entities)
    paragraphs = _paragraph_starts(doc.body)
    ordered_dates = sorted(dates, key=lambda x: x.span.start)
    date_starts = [x.span.start for x in ordered_dates]
    text_triggers = all_triggers(text, lexicon)
    trigger_starts = [t.start for t in text_triggers]
    places = places_of_meetings(entities, lexicon)
    recent_at = [m.start() for m in lexicon.recent_any.finditer(text)] if meta.date else []
    out = EventCollector()
    meetings: dict[str, bool] = {}
    p = 0
    previous: Span | None = None
    for sentence in sentence_spans(text):
        new_paragraph = False
        while p + 1 < len(paragraphs) and paragraphs[p + 1] <= sentence.start:
            p += 1
            new_paragraph = True
        if new_paragraph:
            previous = None
        triggers = text_triggers[
            bisect_left(trigger_starts, sentence.start) : bisect_left(trigger_starts, sentence.end)
        ]
        has_trigger = bool(triggers)
        first = bisect_left(date_starts, previous.start if previous else sentence.start)
        paragraph_dates = ordered_dates[first : bisect_left(date_starts, sentence.end)]
        sentence_dates = [x for x in paragraph_dates if x.span.start >= sentence.start]
        recent = bisect_left(recent_at, sentence.start) < bisect_left(recent_at, sentence.end)
        mentions = index.within(sentence) if (has_trigger or sentence_dates or recent) else []
        used: set[str] = set()
        if mentions:
            if has_trigger:
                used = trigger_events(
                    doc,
                    text,
                    sentence,
                    triggers,
                    paragraph_dates,
                    previous,
                    sentence_dates,
                    mentions,
                    meta,
                    lexicon,
                    state_by_label,
                    out,
                )
            if sentence_dates or recent:
                dated_subject_events(
                    doc, text, sentence, sentence_dates, mentions, meta, lexicon, used, meetings, out
                )
        if sentence_dates and places:
            place_meeting_events(doc, text, sentence, sentence_dates, places, lexicon, used, out)
        # A sentence that reports its own event does not date the next one.
        previous = None if has_trigger else sentence
    return tuple(out.events)
