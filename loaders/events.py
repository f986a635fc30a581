"""Events: launches, proposals, adoptions, signings, meetings, entries into force, ... of
initiatives, instruments and forums.

The words are data (``ontology/event_triggers.toml``, compiled by
:mod:`loaders.event_lexicon`); this module holds the rules that apply them:

``event.trigger.<type>``
    A trigger verb and the entity it governs (the object of an active verb, the antecedent
    of a passive participle or of a participle in apposition, a coordinated list of them;
    the entity before the verb for agent triggers such as "met" or "entered into force"),
    dated by a date of the trigger's own stretch of the sentence: "launched in 2020".
``event.trigger.<type>.paragraph_date``
    The same without a date in the sentence: the nearest earlier date of its paragraph
    ("In March. I announced a new plan ...").
``event.trigger.<type>.now``
    A present form after a first-person or future subject ("we launch", "will sign",
    "I would like to propose"): an act of the document's own day, dated by the document.
``event.dated_subject``
    A meeting named with its date and no verb ("the AI Safety Summit on November 1",
    "next year's Summit of the Future"); ``event.dated_subject.recent`` dates "the recent
    Review Conference" by the document's year.

Undated events are not kept: an event is an anchor on a timeline, and background passages
coded as new events are what users of event data complain about most.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace

from loaders.event_lexicon import EventLexicon, Grammar, TriggerSpec, load_event_lexicon
from loaders.records import DateMention, Document, DocumentMeta, Entity, Event, Span
from loaders.sentences import sentence_spans

_ACTOR_TYPES = ("State", "Organization", "Person")
#: A sentence closed by its punctuation (not a fragment cut off at a line end).
_CLOSED = re.compile(r"[.!?]['\"”’)]*$")
#: "X (PPWT), initially submitted ...": a participle in apposition to the name before it.
_APPOSITIVE = re.compile(r"[)\w’']\s*,?\s*(?:\w+ly\s+)?$")
_GAP_TOKENS = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    entity: Entity


@dataclass(frozen=True, slots=True)
class _Trigger:
    spec: TriggerSpec
    present: bool
    start: int
    end: int

    @property
    def kind(self) -> str:
        return self.spec.type


def _paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs start: after a blank line or a line ending a sentence."""
    starts = [0]
    for m in re.finditer(r"\n", text):
        before = text[max(0, m.start() - 3) : m.start()].rstrip()
        if not before or before[-1] in '.!?:"”' or text[m.end() : m.end() + 1] in ("\n", ""):
            starts.append(m.end())
    return starts


class _MentionIndex:
    """Every mention of the document in text order, for slicing by sentence."""

    def __init__(self, entities: tuple[Entity, ...]) -> None:
        found = [_Mention(m.start, m.end, e) for e in entities for m in e.mentions]
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        self.mentions = found
        self.starts = [m.start for m in found]

    def within(self, span: Span) -> list[_Mention]:
        """Outermost mentions inside ``span``: "Review Conference of the NPT", not the NPT."""
        outer: list[_Mention] = []
        for m in self.mentions[bisect_left(self.starts, span.start) : bisect_left(self.starts, span.end)]:
            if m.end > span.end or (outer and m.start < outer[-1].end):
                continue
            outer.append(m)
        return outer


def _all_triggers(text: str, lexicon: EventLexicon) -> list[_Trigger]:
    out: list[_Trigger] = []
    grammar = lexicon.grammar
    for m in lexicon.find_triggers(text, 0, len(text)):
        spec, present = lexicon.trigger_of(m)
        if grammar.participle.fullmatch(m.group()) and grammar.attributive_before.search(
            text, max(0, m.start() - 20), m.start()
        ):
            continue  # "the established procedure": an adjective, no event
        if spec.not_followed_by is not None and spec.not_followed_by.match(text, m.end()):
            continue  # "will meet the challenges"
        out.append(_Trigger(spec, present, m.start(), m.end()))
    return out


def _coordinated_before(text: str, eligible: list[_Mention], index: int, grammar: Grammar) -> list[_Mention]:
    """The mention at ``index`` and those coordinated with it before ("A and the B")."""
    group = [eligible[index]]
    k = index
    while k > 0 and grammar.coordination.match(text[eligible[k - 1].end : eligible[k].start]):
        k -= 1
        group.insert(0, eligible[k])
    return group


def _coordinated_after(text: str, eligible: list[_Mention], index: int, limit: int) -> list[_Mention]:
    group = [eligible[index]]
    k = index
    while (
        k + 1 < len(eligible)
        and eligible[k + 1].start < limit
        and re.match(r"^[^.;]{0,80}?\band\s+(?:the\s+)?$", text[eligible[k].end : eligible[k + 1].start])
    ):
        k += 1
        group.append(eligible[k])
    return group


def _subjects(
    text: str, trigger: _Trigger, lower: int, upper: int, mentions: list[_Mention], grammar: Grammar
) -> list[_Mention]:
    actors = [m for m in mentions if m.entity.type in _ACTOR_TYPES]
    eligible = [
        m
        for m in mentions
        if m.entity.type in trigger.spec.subjects
        # "the SCO summit that Xi hosted": the subject is the unnamed summit, not the SCO.
        and not grammar.modifier_of_meeting.match(text, m.end)
    ]
    before = [i for i, m in enumerate(eligible) if lower <= m.start and m.end <= trigger.start]
    nearest_before = eligible[before[-1]] if before else None
    close_before = (
        nearest_before is not None
        and trigger.start - nearest_before.end <= 80
        and not grammar.clause_break.search(text, nearest_before.end, trigger.start)
    )
    if trigger.spec.agent:
        # "The Treaty entered into force": the entity right before the verb, its own clause.
        return _coordinated_before(text, eligible, before[-1], grammar) if close_before else []
    meeting_object = (
        grammar.meeting_object.match(text, trigger.end) if trigger.spec.agent_with_meeting_object else None
    )
    if meeting_object and not any(trigger.end <= m.start < meeting_object.end() for m in eligible):
        # "The Council held an open meeting": an unnamed meeting is the body's own.
        return _coordinated_before(text, eligible, before[-1], grammar) if close_before else []
    window = text[max(lower, trigger.start - 40) : trigger.start]
    relative = grammar.relative_object.search(window)
    if relative is not None and not trigger.present and not grammar.passive_before.search(window):
        # "the Fund, which I established last year with the UN": the object is the name
        # before the relative pronoun, or no entity at all. ("that" may also introduce a
        # clause, "we note that China launched X": only a name right before makes it relative.)
        at = trigger.start - len(window) + relative.start()
        head = [i for i in before if re.fullmatch(r"[\s,]*", text[eligible[i].end : at])]
        if head:
            return _coordinated_before(text, eligible, head[-1], grammar)
        if not relative.group().lower().startswith("that"):
            return []
    passive = bool(grammar.passive_before.search(window))
    after = [
        i
        for i, m in enumerate(eligible)
        if trigger.end <= m.start < upper
        and not grammar.clause_break.search(text, trigger.end, m.start)
        and not (passive and grammar.agent_after.match(text, trigger.end))
    ]
    if not passive and not trigger.present and _APPOSITIVE.search(window):
        comma = text.rfind(",", lower, trigger.start)
        preface = grammar.participle_preface.search(window)
        if preface is not None:
            # "the Pact as agreed to today": the participle still describes the name.
            window = window[: preface.start()]
        space = (
            trigger.start - len(text[max(lower, trigger.start - 40) : trigger.start]) + len(window.rstrip())
        )
        ends_at_name = nearest_before is not None and nearest_before.end == space
        comma_before = comma >= 0 and re.fullmatch(r"\s*(?:\w+ly\s+)?", text[comma + 1 : trigger.start])
        apposition = bool(
            (
                comma_before
                and (any(abs(m.end - comma) <= 1 for m in eligible) or text[:comma].rstrip().endswith(")"))
            )
            or (ends_at_name and grammar.reduced_relative_after.match(text, trigger.end))
        )
        if apposition and before and not grammar.gerund.match(text, trigger.start, trigger.end):
            # "the Statement issued on 7 May", "X (PPWT), initially submitted to ...": the
            # participle describes the name before it, whatever names follow.
            return _coordinated_before(text, eligible, before[-1], grammar)
        name = re.search(r"\b[\w’'-]+\s+$", window)
        if (
            name
            and not name.group().rstrip().endswith("ly")
            and not grammar.gerund.match(text, trigger.start, trigger.end)
            and not ends_at_name
            and grammar.reduced_relative_after.match(text, trigger.end)
            and not grammar.pronoun_subject.fullmatch(name.group().strip())
            and not any(m.end == space for m in actors)
        ):
            # "the Ministers' Statement issued on 7 May", "the message issued yesterday": the
            # word before is the subject (no entity of this type), the names after belong to
            # the next clause. ("China put forward at the end of last year ...": a State
            # before the verb is its agent.)
            return []
    if after and not (passive and trigger.spec.passive_subject_before):
        first = after[0]
        if eligible[first].start - trigger.end <= 160:
            return _coordinated_after(text, eligible, first, upper)
    if before and (passive or not after):
        return _coordinated_before(text, eligible, before[-1], grammar)
    return []


def _actor(lower: int, trigger: _Trigger, mentions: list[_Mention]) -> Entity | None:
    states = [
        m for m in mentions if m.entity.type in ("State", "Organization") and lower <= m.start < trigger.start
    ]
    return states[0].entity if states else None


def _dates_for(
    text: str, trigger: _Trigger, lower: int, upper: int, dates: list[DateMention], grammar: Grammar
) -> list[DateMention]:
    # The trigger's stretch ends at the next clause: "met in Hiroshima, which ... in 1945".
    cut = grammar.clause_break.search(text, trigger.end, upper)
    if cut is not None:
        upper = cut.start()
    after = [d for d in dates if trigger.end <= d.span.start < upper]
    if after:
        # "in 2017, and again in 2022": the first date and those coordinated with it, not
        # the date of a later phrase ("signed on 27 January, and the Act of 2 March").
        chain = after[:1]
        for d in after[1:]:
            if not grammar.date_coordination.fullmatch(text, chain[-1].span.end, d.span.start):
                break
            chain.append(d)
        return chain
    return [d for d in dates if lower <= d.span.start < trigger.start]


def _document_date(meta: DocumentMeta, at: int, text: str) -> DateMention | None:
    if not meta.date:
        return None
    return DateMention(Span(at, at, text[at:at]), meta.date, relative=True)


class _Collector:
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


def _trigger_events(
    doc: Document,
    text: str,
    sentence: Span,
    triggers: list[_Trigger],
    paragraph_dates: list[DateMention],
    previous_sentence: Span | None,
    sentence_dates: list[DateMention],
    mentions: list[_Mention],
    meta: DocumentMeta,
    lexicon: EventLexicon,
    state_by_label: dict[str, Entity],
    out: _Collector,
) -> set[str]:
    """Events of the trigger rules in one sentence; returns the subject keys they used."""
    used: set[str] = set()
    respectively = "respectively" in sentence.text
    previous: list[_Mention] = []
    for k, trigger in enumerate(triggers):
        lower = triggers[k - 1].end if k else sentence.start
        upper = triggers[k + 1].start if k + 1 < len(triggers) else sentence.end
        now = trigger.present and bool(
            lexicon.now_before.search(text, max(sentence.start, trigger.start - 60), trigger.start)
        )
        if trigger.present and not now and not trigger.spec.agent:
            continue  # "the launch of", "a sign of": present forms are acts only when performed
        subjects = _subjects(text, trigger, lower, upper, mentions, lexicon.grammar)
        if not subjects and trigger.spec.otherwise is not None and not trigger.present:
            # "G7 leaders agreed on the importance of ...": no instrument agreed on, the G7 agreed.
            trigger = replace(trigger, spec=lexicon.spec(trigger.spec.otherwise))
            subjects = _subjects(text, trigger, lower, upper, mentions, lexicon.grammar)
        between = text[lower : trigger.start]
        chained = (
            k > 0
            and len(between) <= 80
            and "," not in between
            and re.search(r"(?:^|\band)\s*(?:\w+ly\s+)?$", between)
        )
        if not subjects and chained:
            # "submitted to the CD in 2008 and updated in 2014": same subject.
            subjects = previous
        previous = subjects
        if not subjects:
            continue
        rule = f"event.trigger.{trigger.kind}"
        when = _dates_for(text, trigger, lower, upper, sentence_dates, lexicon.grammar)
        if (
            not when
            and k + 1 < len(triggers)
            and re.fullmatch(r"\s*and\s*", text[trigger.end : triggers[k + 1].start])
        ):
            # "updated and submitted again in 2015": the date of the chain.
            nxt = triggers[k + 1]
            upper2 = triggers[k + 2].start if k + 2 < len(triggers) else sentence.end
            when = [d for d in sentence_dates if nxt.end <= d.span.start < upper2]
        if not when and now:
            today = _document_date(meta, trigger.start, doc.text)
            when = [today] if today else []
            rule += ".now"
        if (
            not when
            and not trigger.present
            and previous_sentence is not None
            and (len(previous_sentence.text) <= 40 or not _CLOSED.search(previous_sentence.text))
        ):
            # "In March. I announced a new plan": the date of a fragment cut off just before,
            # in the same paragraph, that reports no event of its own.
            when = [
                x for x in paragraph_dates if previous_sentence.start <= x.span.start < previous_sentence.end
            ]
            when = when[-1:]
            rule += ".paragraph_date"
        if not when:
            continue
        if respectively and len(when) == len(subjects):
            pairs = list(zip(subjects, when, strict=True))
        elif len(when) > 1 and len(subjects) == 1:
            pairs = [(subjects[0], d) for d in when]
        else:
            nearest = min(when, key=lambda d: abs(d.span.start - trigger.start))
            pairs = [(s, nearest) for s in subjects]
        actor = _actor(sentence.start, trigger, mentions)
        pronoun = bool(lexicon.grammar.pronoun_subject.search(text, lower, trigger.start))
        if actor is None and meta.actor and pronoun:
            actor = state_by_label.get(meta.actor)
        for subject, date in pairs:
            used.add(subject.entity.key)
            out.add(
                Event(
                    type=trigger.kind,
                    subject_key=subject.entity.key,
                    subject=subject.entity.label,
                    evidence=Span(sentence.start, sentence.end, doc.text[sentence.start : sentence.end]),
                    actor=actor.label if actor else (meta.actor if pronoun else None),
                    actor_key=actor.key if actor else None,
                    date=date.value,
                    date_span=date.span if date.span.end > date.span.start else None,
                    rule=rule,
                )
            )
    return used


def _is_meeting(mention: _Mention, text: str, lexicon: EventLexicon, known: dict[str, bool]) -> bool:
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


def _dated_subject_events(
    doc: Document,
    text: str,
    sentence: Span,
    sentence_dates: list[DateMention],
    mentions: list[_Mention],
    meta: DocumentMeta,
    lexicon: EventLexicon,
    used: set[str],
    meetings: dict[str, bool],
    out: _Collector,
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


def _places_of_meetings(entities: tuple[Entity, ...], lexicon: EventLexicon) -> dict[str, Entity]:
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


def _place_meeting_events(
    doc: Document,
    text: str,
    sentence: Span,
    sentence_dates: list[DateMention],
    places: dict[str, Entity],
    lexicon: EventLexicon,
    used: set[str],
    out: _Collector,
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
    index = _MentionIndex(entities)
    paragraphs = _paragraph_starts(doc.body)
    ordered_dates = sorted(dates, key=lambda x: x.span.start)
    date_starts = [x.span.start for x in ordered_dates]
    all_triggers = _all_triggers(text, lexicon)
    trigger_starts = [t.start for t in all_triggers]
    places = _places_of_meetings(entities, lexicon)
    recent_at = [m.start() for m in lexicon.recent_any.finditer(text)] if meta.date else []
    out = _Collector()
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
        triggers = all_triggers[
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
                used = _trigger_events(
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
                _dated_subject_events(
                    doc, text, sentence, sentence_dates, mentions, meta, lexicon, used, meetings, out
                )
        if sentence_dates and places:
            _place_meeting_events(doc, text, sentence, sentence_dates, places, lexicon, used, out)
        # A sentence that reports its own event does not date the next one.
        previous = None if has_trigger else sentence
    return tuple(out.events)
