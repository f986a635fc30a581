"""Stances: what the document's own voice supports or opposes.

A stance is read off a sentence in three steps, all over plain spans:

1. *voice*: the sentence is a sentence (not a share box or a menu) and speaks in the
   document's voice (its actor, "we", an impersonal "it is necessary to", an imperative
   list item, a normative "should"), not reporting what others do or say;
2. *cue*: a rule of the ordered registry in :mod:`loaders.stance_rules` finds a cue of
   the lexicon (``ontology/stance_cues.toml``): a verb with polarity, a modal frame under
   which any verb phrase is supported ("should not" turns it into opposition), a noun
   phrase ("our commitment to"), a predicate ("X is unacceptable");
3. *targets*: the object, cut at the clause's end and split where verb phrases are
   coordinated (:mod:`loaders.stance_targets`).

In a readout or a news report, "the two leaders affirmed ..." is a position of both sides.
Topics come from :mod:`loaders.topics`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter

from loaders.gazetteer import Gazetteer, load_gazetteer
from loaders.records import Document, DocumentMeta, Entity, Span, Stance
from loaders.sentences import sentence_spans
from loaders.stance_lexicon import Lexicon, load_lexicon
from loaders.stance_rules import make_sentence, sentence_targets
from loaders.stance_targets import Target, distribute
from loaders.topics import classify_topic

MAX_TARGET_WORDS = 24


def extract_stances(
    doc: Document, meta: DocumentMeta, entities: tuple[Entity, ...], gazetteer: Gazetteer | None = None
) -> tuple[Stance, ...]:
    """Positions the document's own voice takes, with evidence sentences, topics and the
    rule that found each. In a report of others (a news report) the state or the person
    named before a cue holds the position (a person's state from ``gazetteer``)."""
    holder = meta.actor
    if not holder:
        return ()
    lex = load_lexicon()
    keys = {e.label: e.key for e in entities}
    text = doc.body
    positions = tuple(sorted(((m.start, e) for e in entities for m in e.mentions), key=lambda p: p[0]))
    counterpart = _counterpart(positions, holder)
    reported = (meta.genre or "") in lex.reported_genres
    gaz = (gazetteer if gazetteer is not None else load_gazetteer()) if reported else None
    sentences = sentence_spans(text)
    headings = [
        (s.start, s.text) for s in sentences if len(s.text) < 80 and not s.text.endswith((".", ",", ";"))
    ]
    # Bisection over these keeps the stage linear in the document's length.
    heading_starts = [pos for pos, _ in headings]
    mention_starts = [pos for pos, _ in positions]
    out: list[Stance] = []
    seen: set[tuple[str, str, str]] = set()
    wrongdoing_list = False
    for span in sentences:
        sentence = make_sentence(
            lex, text, span.start, span.end, holder, positions, wrongdoing_list, reported
        )
        found = sentence_targets(sentence)
        if lex.wrongdoing_lead.search(span.text) and lex.third_party.search(
            text[max(0, span.start - 600) : span.end]
        ):
            wrongdoing_list = True
        elif wrongdoing_list and lex.list_ender.match(span.text):
            wrongdoing_list = False
        joint = _joint_subject(lex, text, span, found)
        speaker = None
        if gaz is not None and found:
            first = min(t.start for t in found)
            named = positions[bisect_left(mention_starts, span.start) : bisect_left(mention_starts, first)]
            speaker = _state_of(gaz, [e for _, e in named])
        for target in found:
            phrase = _phrase(text, span, target)
            if phrase is None:
                continue
            holders = (
                (holder, counterpart)
                if joint and counterpart and target.start >= joint
                else (speaker or holder,)
            )
            rule = "stance.joint_affirmation" if len(holders) > 1 else target.rule
            before = bisect_left(heading_starts, span.start)
            heading = headings[before - 1][1] if before else ""
            first, last = bisect_left(mention_starts, target.start), bisect_left(mention_starts, target.end)
            inside = positions[first:last]
            target_keys = tuple(dict.fromkeys(e.key for _, e in inside if e.type != "State"))
            for piece in distribute(phrase):
                words = piece.split()
                if len(words) > MAX_TARGET_WORDS:
                    piece = " ".join(words[:MAX_TARGET_WORDS])
                for who in holders:
                    if len(piece) < 3 or (who, target.polarity, piece.lower()) in seen:
                        continue
                    seen.add((who, target.polarity, piece.lower()))
                    out.append(
                        Stance(
                            holder=who,
                            holder_key=keys.get(who) or re.sub(r"[^a-z0-9]+", "-", who.lower()).strip("-"),
                            polarity=target.polarity,
                            target=piece,
                            evidence=Span(span.start, span.end, doc.text[span.start : span.end]),
                            target_span=Span(target.start, target.end, doc.text[target.start : target.end]),
                            topic=classify_topic(piece, span.text, heading),
                            cue=target.cue,
                            target_keys=target_keys,
                            date=meta.date,
                            rule=rule,
                        )
                    )
    return tuple(out)


def _phrase(text: str, span: Span, target: Target) -> str | None:
    """The target phrase on one line, with the clause subject it is about; None for a
    parsing slip."""
    lex = load_lexicon()
    phrase = re.sub(r"\s+", " ", text[target.start : target.end]).strip()
    if not phrase or lex.not_target.match(phrase) or not re.search(r"[A-Za-z]{3}", phrase):
        return None
    if phrase.endswith(" there"):
        place = re.findall(r"\b(outer space|cyberspace|the [A-Z][\w-]+ region)\b", span.text)
        if place:
            phrase = f"{phrase[:-6]} in {place[-1]}"
    if phrase.endswith(".") and not re.search(r"(?:\b[A-Z]\.){2,}$", phrase):
        phrase = phrase[:-1]  # a sentence's full stop after a capital ("AI."), not "U.S."
    if target.subject and not phrase.lower().startswith(target.subject.lower()):
        phrase = f"{target.subject} {phrase}"
    return phrase


def _state_of(gaz: Gazetteer, named: list[Entity]) -> str | None:
    """The state of the first state or person (of a known state) named: who speaks."""
    for entity in named:
        if entity.type == "State":
            return entity.label
        if entity.type == "Person":
            entry = gaz.get(entity.key)
            state = gaz.get(entry.state) if entry is not None and entry.state else None
            if state is not None:
                return state.label
    return None


def _counterpart(positions: tuple[tuple[int, Entity], ...], holder: str) -> str | None:
    """The other side of a two-party text: the state named most often besides the holder."""
    counts = Counter(e.label for _, e in positions if e.type == "State" and e.label != holder)
    return counts.most_common(1)[0][0] if counts else None


def _joint_subject(lex: Lexicon, text: str, span: Span, found: list[Target]) -> int | None:
    """Where the targets of both sides start: after "the two leaders ..." as the subject of
    the sentence's first cue."""
    if not found:
        return None
    m = lex.joint_subject.search(text, span.start, min(t.start for t in found))
    return m.end() if m else None
