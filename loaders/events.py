"""Events: launches, proposals, releases, submissions, adoptions, establishments,
meetings, conclusions and updates of initiatives, instruments and forums.

Per sentence, trigger verbs are found first; each trigger takes as subject the entity it
governs (the object of an active verb, the antecedent of a passive participle, or a
coordinated list of them) and the dates of its own stretch of the sentence. Only dated
events are kept: an event is an anchor on a timeline, and GDELT's users' main complaint
is background passages coded as new events, so the date must come from the same
sentence, distinguishing "launched in 2020" from the document's own date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.records import DateMention, Document, DocumentMeta, Entity, Event, Span
from loaders.sentences import sentence_spans

#: Trigger patterns and the event type they signal. Verb forms only (past, participle,
#: gerund, "put forward"), not bare nouns such as "launch sites".
TRIGGERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("launch", r"\b(?:launch(?:ed|ing)|unveil(?:ed|ing)|put(?:ting)?\s+forth|initiated|rolled out)\b"),
        ("propose", r"\b(?:propos(?:ed|ing)|put(?:ting)?\s+forward|tabled)\b"),
        ("release", r"\b(?:releas(?:ed|ing)|issued|published)\b"),
        ("submit", r"\bsubmit(?:ted|ting)\b"),
        ("adopt", r"\b(?:adopted|agreed\s+(?:on|upon)|endorsed|approved|adoption\s+of)\b"),
        ("establish", r"\b(?:established|set\s+up|created|founded|establishment\s+of|creation\s+of)\b"),
        (
            "convene",
            r"\b(?:convened|held|hosted|(?<=its\s)(?=(?:19|20)\d\d\s+(?:summit|conference|meeting|session)\b))",
        ),
        ("conclude", r"\b(?:concluded|conclusion\s+of)\b"),
        ("sign", r"\b(?:signed|signing\s+of)\b"),
        ("update", r"\b(?:updated|revised)\b"),
    )
)
#: Which entity types can undergo which event.
SUBJECT_TYPES: dict[str, frozenset[str]] = {
    "convene": frozenset({"Forum"}),
    "establish": frozenset({"Forum", "Initiative", "Instrument"}),
}
DEFAULT_SUBJECT_TYPES = frozenset({"Initiative", "Instrument"})
_PASSIVE = re.compile(r"(?:\b(?:was|were|be|been|being|is|are)\s+(?:\w+ly\s+)?|\band\s+)$")
#: "X (PPWT), initially submitted ...": a participle in apposition to the name before it.
_APPOSITIVE = re.compile(r"[)\w]\s*,\s*(?:\w+ly\s+)?$")
_COORDINATION = re.compile(r"^[\s,]*(?:and|or|as well as|including)?\s*(?:the\s+)?$")
_CLAUSE_BREAK = re.compile(r";|\bwhich\b|\bwho\b|\bwhile\b")
_PRONOUN_SUBJECT = re.compile(r"\b(?:we|it|our|its|they)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    entity: Entity


@dataclass(frozen=True, slots=True)
class _Trigger:
    kind: str
    start: int
    end: int


def _mentions_in(entities: tuple[Entity, ...], span: Span) -> list[_Mention]:
    found = [
        _Mention(m.start, m.end, e)
        for e in entities
        for m in e.mentions
        if span.start <= m.start and m.end <= span.end
    ]
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    # Keep outermost mentions: "Review Conference of the NPT" is the subject, not the NPT.
    outer: list[_Mention] = []
    for m in found:
        if outer and m.start < outer[-1].end:
            continue
        outer.append(m)
    return outer


def _triggers_in(text: str, span: Span) -> list[_Trigger]:
    chunk = text[span.start : span.end]
    out = [
        _Trigger(kind, span.start + m.start(), span.start + m.end())
        for kind, pattern in TRIGGERS
        for m in pattern.finditer(chunk)
    ]
    out.sort(key=lambda t: t.start)
    deduped: list[_Trigger] = []
    for t in out:
        if deduped and t.start < deduped[-1].end:
            continue
        deduped.append(t)
    return deduped


def _coordinated_before(text: str, eligible: list[_Mention], index: int) -> list[_Mention]:
    """The mention at ``index`` and those coordinated with it before ("A and the B")."""
    group = [eligible[index]]
    k = index
    while k > 0 and _COORDINATION.match(text[eligible[k - 1].end : eligible[k].start]):
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
    text: str, trigger: _Trigger, lower: int, upper: int, mentions: list[_Mention]
) -> list[_Mention]:
    types = SUBJECT_TYPES.get(trigger.kind, DEFAULT_SUBJECT_TYPES)
    eligible = [m for m in mentions if m.entity.type in types]
    after = [
        i
        for i, m in enumerate(eligible)
        if trigger.end <= m.start < upper and not _CLAUSE_BREAK.search(text[trigger.end : m.start])
    ]
    window = text[max(lower, trigger.start - 40) : trigger.start]
    passive = bool(_PASSIVE.search(window))
    if not passive and _APPOSITIVE.search(window):
        comma = text.rfind(",", lower, trigger.start)
        passive = any(abs(m.end - comma) <= 1 for m in eligible) or text[:comma].rstrip().endswith(")")
    if after and not (passive and trigger.kind in ("convene", "submit", "update", "adopt")):
        first = after[0]
        if eligible[first].start - trigger.end <= 160:
            return _coordinated_after(text, eligible, first, upper)
    before = [i for i, m in enumerate(eligible) if lower <= m.start and m.end <= trigger.start]
    if before:
        return _coordinated_before(text, eligible, before[-1])
    return []


def _actor(
    text: str, lower: int, trigger: _Trigger, mentions: list[_Mention], meta: DocumentMeta
) -> Entity | None:
    states = [
        m for m in mentions if m.entity.type in ("State", "Organization") and lower <= m.start < trigger.start
    ]
    if states:
        return states[0].entity
    return None


def _dates_for(
    text: str, trigger: _Trigger, lower: int, upper: int, dates: list[DateMention]
) -> list[DateMention]:
    after = [d for d in dates if trigger.end <= d.span.start < upper]
    if after:
        # "in 2017, and again in 2022": every date of the trigger's own stretch.
        return after
    before = [d for d in dates if lower <= d.span.start < trigger.start]
    return before


def extract_events(
    doc: Document,
    meta: DocumentMeta,
    entities: tuple[Entity, ...],
    dates: tuple[DateMention, ...],
) -> tuple[Event, ...]:
    """Dated events the document reports, each with its evidence sentence."""
    text = doc.body
    state_by_label = {e.label: e for e in entities if e.type == "State"}
    events: list[Event] = []
    seen: set[tuple[str, str, str | None]] = set()
    for sentence in sentence_spans(text):
        sentence_dates = [d for d in dates if sentence.start <= d.span.start < sentence.end]
        if not sentence_dates:
            continue
        triggers = _triggers_in(text, sentence)
        if not triggers:
            continue
        mentions = _mentions_in(entities, sentence)
        respectively = "respectively" in sentence.text
        previous: list[_Mention] = []
        for k, trigger in enumerate(triggers):
            lower = triggers[k - 1].end if k else sentence.start
            upper = triggers[k + 1].start if k + 1 < len(triggers) else sentence.end
            subjects = _subjects(text, trigger, lower, upper, mentions)
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
            when = _dates_for(text, trigger, lower, upper, sentence_dates)
            if (
                not when
                and k + 1 < len(triggers)
                and re.fullmatch(r"\s*and\s*", text[trigger.end : triggers[k + 1].start])
            ):
                # "updated and submitted again in 2015": the date of the chain.
                nxt = triggers[k + 1]
                upper2 = triggers[k + 2].start if k + 2 < len(triggers) else sentence.end
                when = [d for d in sentence_dates if nxt.end <= d.span.start < upper2]
            if not when:
                continue
            if respectively and len(when) == len(subjects):
                pairs = list(zip(subjects, when, strict=True))
            elif len(when) > 1 and len(subjects) == 1:
                pairs = [(subjects[0], d) for d in when]
            else:
                nearest = min(when, key=lambda d: abs(d.span.start - trigger.start))
                pairs = [(s, nearest) for s in subjects]
            actor = _actor(text, sentence.start, trigger, mentions, meta)
            if actor is None and meta.actor and _PRONOUN_SUBJECT.search(text[lower : trigger.start]):
                actor = state_by_label.get(meta.actor)
            for subject, date in pairs:
                marker = (trigger.kind, subject.entity.key, date.value)
                if marker in seen:
                    continue
                seen.add(marker)
                events.append(
                    Event(
                        type=trigger.kind,
                        subject_key=subject.entity.key,
                        subject=subject.entity.label,
                        evidence=Span(sentence.start, sentence.end, doc.text[sentence.start : sentence.end]),
                        actor=actor.label
                        if actor
                        else (meta.actor if _PRONOUN_SUBJECT.search(text[lower : trigger.start]) else None),
                        actor_key=actor.key if actor else None,
                        date=date.value,
                        date_span=date.span,
                    )
                )
    return tuple(events)
