"""The dated-meeting rules of the event stage: meetings named with their date, no verb.

``event.dated_subject``
    A meeting named with its date and no verb ("the AI Safety Summit on November 1",
    "next year's Summit of the Future"); ``event.dated_subject.recent`` dates "the recent
    Review Conference" by the document's year; ``event.dated_subject.owner`` is the meeting
    of a body named before its date ("the Movement ... since its 1998 summit");
    ``event.dated_subject.place`` the document's named meeting referred to by its place
    ("the meeting in Woodside, California in November 2023").

Meeting names, link words and the patterns are data (``ontology/event_triggers.toml``,
:mod:`loaders.event_lexicon`); :mod:`loaders.events` runs these rules sentence by sentence.
"""

from __future__ import annotations

import re

from loaders.event_lexicon import EventLexicon
from loaders.event_parts import EventCollector, Mention
from loaders.records import DateMention, Document, DocumentMeta, Entity, Event, Span

_GAP_TOKENS = re.compile(r"[\s,]+")


def _is_meeting(mention: Mention, text: str, lexicon: EventLexicon, known: dict[str, bool]) -> bool:
    """Whether the mention names a meeting (by its name or an alias), not a standing body."""
    if mention.entity.type != "Forum":
        return False
    surface = " ".join(text[mention.start : mention.end].split())
    if lexicon.meeting_names.search(surface):
        return True
    key = mention.entity.key
    if key not in known:
        names = (mention.entity.label, *mention.entity.aliases)
        known[key] = any(lexicon.meeting_names.search(" ".join(name.split())) for name in names)
    return known[key]


def _linked(gap: str, lexicon: EventLexicon) -> bool:
    """Whether only link words and place names stand between a meeting and its date."""
    if len(gap) > lexicon.max_gap or any(ch in gap for ch in ".;:()"):
        return False
    tokens = [t for t in _GAP_TOKENS.split(gap) if t]
    return all(lexicon.links.fullmatch(t) or t[:1].isupper() for t in tokens)


def dated_subject_events(
    doc: Document,
    text: str,
    sentence: Span,
    sentence_dates: list[DateMention],
    mentions: list[Mention],
    meta: DocumentMeta,
    lexicon: EventLexicon,
    used: set[str],
    meetings: dict[str, bool],
    out: EventCollector,
) -> None:
    """Meetings named with their date in the sentence, and no trigger that took them."""
    grammar = lexicon.grammar
    for owned in sentence_dates:
        # "the Movement ... since its 1998 summit": the meeting of the body named before.
        if not grammar.owner_before.search(
            text, max(sentence.start, owned.span.start - 12), owned.span.start
        ):
            continue
        if not grammar.modifier_of_meeting.match(text, owned.span.end):
            continue
        owners = [m for m in mentions if m.end <= owned.span.start and m.entity.type == "Forum"]
        if owners and owners[-1].entity.key not in used:
            owner = owners[-1].entity
            used.add(owner.key)
            out.add(
                Event(
                    type=lexicon.dated_subject_type,
                    subject_key=owner.key,
                    subject=owner.label,
                    evidence=Span(sentence.start, sentence.end, doc.text[sentence.start : sentence.end]),
                    date=owned.value,
                    date_span=owned.span,
                    rule="event.dated_subject.owner",
                )
            )
    for k, mention in enumerate(mentions):
        if mention.entity.key in used or not _is_meeting(mention, text, lexicon, meetings):
            continue
        limit = mentions[k + 1].start if k + 1 < len(mentions) else sentence.end
        after = [d for d in sentence_dates if mention.end <= d.span.start < limit]
        date: DateMention | None = None
        rule = "event.dated_subject"
        if after and _linked(text[mention.end : after[0].span.start], lexicon):
            date = after[0]
        else:
            floor = mentions[k - 1].end if k else sentence.start
            before = [d for d in sentence_dates if floor <= d.span.start and d.span.end <= mention.start]
            if before and lexicon.before_gap.match(text[before[-1].span.end : mention.start]):
                date = before[-1]
            elif meta.date and lexicon.recent_before.search(
                text, max(floor, mention.start - 40), mention.start
            ):
                date = DateMention(Span(mention.start, mention.start, ""), meta.date[:4], relative=True)
                rule = "event.dated_subject.recent"
        if date is None:
            continue
        used.add(mention.entity.key)
        out.add(
            Event(
                type=lexicon.dated_subject_type,
                subject_key=mention.entity.key,
                subject=mention.entity.label,
                evidence=Span(sentence.start, sentence.end, doc.text[sentence.start : sentence.end]),
                date=date.value,
                date_span=date.span if date.span.end > date.span.start else None,
                rule=rule,
            )
        )


def places_of_meetings(entities: tuple[Entity, ...], lexicon: EventLexicon) -> dict[str, Entity]:
    """Capitalised words of the document's named meetings, each naming one meeting only."""
    found: dict[str, set[str]] = {}
    by_key = {}
    for e in entities:
        names = (e.label, *e.aliases)
        if e.type != "Forum" or not any(lexicon.meeting_names.search(n) for n in names):
            continue
        by_key[e.key] = e
        for name in names:
            for word in re.findall(r"\b[A-Z][\w’-]+", name):
                if not lexicon.meeting_names.search(word):
                    found.setdefault(word, set()).add(e.key)
    return {word: by_key[next(iter(keys))] for word, keys in found.items() if len(keys) == 1}


def place_meeting_events(
    doc: Document,
    text: str,
    sentence: Span,
    sentence_dates: list[DateMention],
    places: dict[str, Entity],
    lexicon: EventLexicon,
    used: set[str],
    out: EventCollector,
) -> None:
    """ "the two leaders' meeting in Woodside, California in November 2023": the
    document's named meeting at that place (the Woodside Summit), at the date that follows."""
    for m in lexicon.place_reference.finditer(text, sentence.start, sentence.end):
        meeting = places.get(m.group(1))
        if meeting is None or meeting.key in used:
            continue
        after = [d for d in sentence_dates if d.span.start >= m.end()]
        if not after or not _linked(text[m.end() : after[0].span.start], lexicon):
            continue
        used.add(meeting.key)
        out.add(
            Event(
                type=lexicon.dated_subject_type,
                subject_key=meeting.key,
                subject=meeting.label,
                evidence=Span(sentence.start, sentence.end, doc.text[sentence.start : sentence.end]),
                date=after[0].value,
                date_span=after[0].span,
                rule="event.dated_subject.place",
            )
        )
