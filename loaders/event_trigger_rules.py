"""The trigger rules of the event stage: a trigger verb and the entities it governs.

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

The trigger words and the grammar's patterns are data (``ontology/event_triggers.toml``,
:mod:`loaders.event_lexicon`); :mod:`loaders.events` runs these rules sentence by sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from loaders.event_lexicon import EventLexicon, Grammar, TriggerSpec
from loaders.event_parts import EventCollector, Mention
from loaders.records import DateMention, Document, DocumentMeta, Entity, Event, Span

_ACTOR_TYPES = ("State", "Organization", "Person")
#: A sentence closed by its punctuation (not a fragment cut off at a line end).
_CLOSED = re.compile(r"[.!?]['\"”’)]*$")
#: "X (PPWT), initially submitted ...": a participle in apposition to the name before it.
_APPOSITIVE = re.compile(r"[)\w’']\s*,?\s*(?:\w+ly\s+)?$")


@dataclass(frozen=True, slots=True)
class Trigger:
    """A trigger word found in the text: its spec, whether it is a present form, its span."""

    spec: TriggerSpec
    present: bool
    start: int
    end: int

    @property
    def kind(self) -> str:
        return self.spec.type


def all_triggers(text: str, lexicon: EventLexicon) -> list[Trigger]:
    """The triggers of the whole text, in order (adjectival participles and excluded
    complements left out)."""
    out: list[Trigger] = []
    grammar = lexicon.grammar
    for m in lexicon.find_triggers(text, 0, len(text)):
        spec, present = lexicon.trigger_of(m)
        if grammar.participle.fullmatch(m.group()) and grammar.attributive_before.search(
            text, max(0, m.start() - 20), m.start()
        ):
            continue  # "the established procedure": an adjective, no event
        if spec.not_followed_by is not None and spec.not_followed_by.match(text, m.end()):
            continue  # "will meet the challenges"
        out.append(Trigger(spec, present, m.start(), m.end()))
    return out


def _coordinated_before(text: str, eligible: list[Mention], index: int, grammar: Grammar) -> list[Mention]:
    """The mention at ``index`` and those coordinated with it before ("A and the B")."""
    group = [eligible[index]]
    k = index
    while k > 0 and grammar.coordination.match(text[eligible[k - 1].end : eligible[k].start]):
        k -= 1
        group.insert(0, eligible[k])
    return group


def _coordinated_after(text: str, eligible: list[Mention], index: int, limit: int) -> list[Mention]:
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
    text: str, trigger: Trigger, lower: int, upper: int, mentions: list[Mention], grammar: Grammar
) -> list[Mention]:
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


def _actor(lower: int, trigger: Trigger, mentions: list[Mention]) -> Entity | None:
    states = [
        m for m in mentions if m.entity.type in ("State", "Organization") and lower <= m.start < trigger.start
    ]
    return states[0].entity if states else None


def _dates_for(
    text: str, trigger: Trigger, lower: int, upper: int, dates: list[DateMention], grammar: Grammar
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


def trigger_events(
    doc: Document,
    text: str,
    sentence: Span,
    triggers: list[Trigger],
    paragraph_dates: list[DateMention],
    previous_sentence: Span | None,
    sentence_dates: list[DateMention],
    mentions: list[Mention],
    meta: DocumentMeta,
    lexicon: EventLexicon,
    state_by_label: dict[str, Entity],
    out: EventCollector,
) -> set[str]:
    """Events of the trigger rules in one sentence; returns the subject keys they used."""
    used: set[str] = set()
    respectively = "respectively" in sentence.text
    previous: list[Mention] = []
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
