"""Stance rules: an ordered registry of small functions over one sentence.

A sentence first passes the voice gates (:data:`GATES`): it must be a sentence at all (not
a share box or a menu) and speak in the document's voice, not report what others say or
do. Then each rule of :data:`RULES` runs in order; a rule returns ``None`` when it does not
apply, else its targets; an *exclusive* rule that applies ends the sentence. Each target
carries the name of the rule that found it (``Stance.rule``).

All words come from the lexicon (``ontology/stance_cues.toml``, :mod:`loaders.stance_lexicon`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from loaders.records import Entity, Polarity
from loaders.stance_lexicon import Lexicon
from loaders.stance_targets import (
    Target,
    addressee,
    clause_end,
    clean_bounds,
    noun_use,
    split_coordinated,
    split_nouns,
    targets_after,
)

_LIST_ITEM = re.compile(r"(?:[-•*▪◦]\s+|\d{1,2}[.)]\s+|\([a-z0-9]\)\s+)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence and what the rules need to know around it."""

    lex: Lexicon
    text: str  # the document body (offsets are into it)
    start: int
    end: int
    head: int  # after a list marker or an ordinal lead ("First, ")
    actor: str
    entities: tuple[tuple[int, Entity], ...]  # (mention start, entity), in text order
    wrongdoing_list: bool  # inside a list of others' wrongdoings (its items are condemned)
    imperative: bool  # opens with a bare verb ("Maintain an open ...")
    #: A report of others (a news report): a state or person named as the subject is the
    #: holder, not a voice to set aside.
    reported: bool = False

    @property
    def body(self) -> str:
        return self.text[self.start : self.end]

    def entities_between(self, a: int, b: int) -> list[Entity]:
        # Bisection (entities are in text order): linear in the document, not quadratic.
        lo = bisect_left(self.entities, a, key=lambda p: p[0])
        hi = bisect_left(self.entities, b, lo=lo, key=lambda p: p[0])
        return [e for _, e in self.entities[lo:hi]]


def make_sentence(
    lex: Lexicon,
    text: str,
    start: int,
    end: int,
    actor: str,
    entities: tuple[tuple[int, Entity], ...],
    wrongdoing_list: bool,
    reported: bool = False,
) -> Sentence:
    item = _LIST_ITEM.match(text, start, end)
    head = item.end() if item else start
    ordinal = lex.ordinal_lead.match(text, head, end)
    if ordinal:
        head = ordinal.end()
    first = re.match(r"(?:[A-Za-z]+ly\s+)?([A-Za-z]+)", text[head:end])
    imperative = bool(first and first.group(1).lower() in lex.base_verbs)
    return Sentence(lex, text, start, end, head, actor, entities, wrongdoing_list, imperative, reported)


# --- voice gates: True means the sentence holds no position of the document's voice ------


def gate_not_a_sentence(s: Sentence) -> bool:
    """Share boxes, "View more", menus and captions: too few words, a site phrase, or
    mostly capitalised words (checked on short lines only: a long sentence is prose)."""
    body = s.body
    if len(body) > 240:
        return False
    words = _WORD.findall(body)
    if len(words) < s.lex.min_words or s.lex.site_phrase.search(body):
        return True
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised / len(words) > s.lex.max_capitalised_share


def gate_reported_speech(s: Sentence) -> bool:
    """ "The Group stresses that ...": another's words, unless the reporter is the holder,
    "we", or a person speaking for it ("Zhang Jun said that ...")."""
    reported = s.lex.reporting.match(s.body) if "that" in s.body and not s.reported else None
    if not reported:
        return False
    who = reported.group("who").strip()
    own = (
        not who
        or s.actor.lower() in who.lower()
        or s.lex.own_voice.search(who)
        or s.lex.joint_subject.search(who)
        or re.search(r"(?<!\w)(?!The\b|This\b|That\b|Its\b)[A-Z][a-z]+\s+[A-Z][a-z]+$", who)
    )
    return not own


_HEADLINE = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*\s+to\s+[a-z]+\s")


def gate_headline(s: Sentence) -> bool:
    """A news headline ("Ministry to curb ...", "Leaders to meet ..."): a line of names, then
    "to" and a verb, without a closing full stop. It announces others' acts."""
    body = s.body
    return len(body) < 160 and not body.endswith((".", "!", ";", ":")) and bool(_HEADLINE.match(body))


def gate_question(s: Sentence) -> bool:
    """A question asks; it takes no position."""
    return s.body.rstrip("”’\"' ").endswith("?")


def gate_third_party_subject(s: Sentence) -> bool:
    """ "Certain countries have imposed ...": others' conduct, not a position."""
    return bool(s.lex.third_party_subject.search(s.body))


def gate_outside_wrongdoing_list(s: Sentence) -> bool:
    """In a list of others' wrongdoings only the imperative-looking items count."""
    return s.wrongdoing_list and not s.imperative


GATES: tuple[tuple[str, Callable[[Sentence], bool]], ...] = (
    ("voice.not_a_sentence", gate_not_a_sentence),
    ("voice.question", gate_question),
    ("voice.headline", gate_headline),
    ("voice.reported_speech", gate_reported_speech),
    ("voice.third_party_subject", gate_third_party_subject),
    ("voice.outside_wrongdoing_list", gate_outside_wrongdoing_list),
)


# --- rules ---------------------------------------------------------------------------------


def voice_ok(s: Sentence, before: str, entities_before: list[Entity]) -> bool:
    """Whether the words before a cue leave it in the document's own voice."""
    if s.lex.third_party.search(before):
        return False
    if s.reported:
        return True
    return not any(e.type == "State" and e.label != s.actor for e in entities_before)


def rule_wrongdoing_list(s: Sentence, found: list[Target]) -> list[Target] | None:
    """Items of a list of others' wrongdoings ("- Impose unilateral sanctions") are condemned."""
    if not s.wrongdoing_list:
        return None
    return [
        Target("oppose", *clean_bounds(s.lex, s.text, a, b), "condemn", "stance.wrongdoing_list")
        for a, b, _ in split_coordinated(s.lex, s.text, s.head, clause_end(s.lex, s.text, s.head, s.end))
        if b - a > 3
    ]


def rule_no_one_shall(s: Sentence, found: list[Target]) -> list[Target] | None:
    """ "No nation shall X, Y and Z": opposition to every verb phrase."""
    m = s.lex.no_one_shall.search(s.text, s.start, s.end)
    if not m:
        return None
    return [
        Target("oppose", t.start, t.end, "no one shall", "stance.no_one_shall")
        for t in targets_after(s.lex, s.text, m.end(), s.end, "oppose", "no one shall", "stance.no_one_shall")
    ]


def rule_modal_negated(s: Sentence, found: list[Target]) -> list[Target] | None:
    """ "Outer space should not become a battlefield": opposition to the subject doing it;
    "X and Y must not be condemned ..." passive: opposition to each of X, Y."""
    lex, text = s.lex, s.text
    m = lex.negated_modal.search(text, s.start, s.end)
    if not m:
        return None
    clause_start = max(text.rfind(",", s.start, m.start()) + 1, s.head)
    before = text[clause_start : m.start()]
    if re.match(r"\s*(?:they|we|it|i|you|this|that|one|there)?\s*$", before, re.I):
        return None
    # The complement of a support cue ("we affirm that a nuclear war cannot be won") is
    # the holder's position as a whole.
    cues = list(lex.verb.pattern.finditer(text, s.head, m.start()))
    if (
        cues
        and lex.verb.cue(cues[-1]).polarity == "support"
        and re.match(r"\s+that\b", text[cues[-1].end() :])
    ):
        return None
    stop = clause_end(lex, text, m.end(), s.end)
    passive = re.search(r"\bbe\s+(?:\w+ly\s+)?(?:condemned|rejected|opposed)\b", text[m.start() : stop])
    if passive:
        a, b = clean_bounds(lex, text, clause_start, m.start())
        return [
            Target("oppose", pa, pb, "condemn", "stance.modal_negated")
            for pa, pb in split_nouns(lex, text, a, b)
        ]
    a, b = clean_bounds(lex, text, clause_start, stop)
    return [Target("oppose", a, b, m.group().lower(), "stance.modal_negated")] if b - a >= 3 else []


def rule_passive_condemned(s: Sentence, found: list[Target]) -> list[Target] | None:
    """ "Such practices as X and Y should be condemned": opposition to X and to Y."""
    m = s.lex.passive_oppose.search(s.body)
    if not m:
        return None
    a, b = clean_bounds(s.lex, s.text, s.head, s.start + m.start())
    such = re.search(r"\bas\s+", s.text[a:b])
    if such and re.search(r"\bsuch\b", s.text[a : a + such.start()], re.I):
        a += such.end()
    return [
        Target("oppose", pa, pb, m.group(1).lower(), "stance.passive_condemned")
        for pa, pb in split_nouns(s.lex, s.text, a, b)
    ]


def rule_modal_passive(s: Sentence, found: list[Target]) -> list[Target] | None:
    """ "A code of conduct should be developed", "the NPT must be upheld": support for the
    subject (exclusive)."""
    if found:
        return None
    text = s.text
    out: list[Target] = []
    previous_end = s.head
    # "X must be observed by all, Y must be upheld by all": each clause its own subject.
    for m in s.lex.passive_support.finditer(text, s.head, s.end):
        clause_start = max(text.rfind(",", s.head, m.start()) + 1, s.head, previous_end)
        if not voice_ok(s, text[clause_start : m.start()], []):
            continue
        stop_match = re.search(r"[.;:!?]|,\s", text[m.end() : s.end])
        stop = m.end() + stop_match.start() if stop_match else s.end
        a, b = clean_bounds(s.lex, text, clause_start, stop)
        out.append(Target("support", a, b, "should", "stance.modal_passive"))
        previous_end = stop
    return out or None


def rule_gerund_heading(s: Sentence, found: list[Target]) -> list[Target] | None:
    """ "Advocating comprehensive governance of outer space security." (a heading)."""
    g = s.lex.gerund_heading.match(s.text, s.head, s.end)
    if not g or s.end - s.start >= 200:
        return None
    cue = re.sub(r"\s+", " ", g.group("cue").lower())
    polarity: Polarity = "oppose" if cue in s.lex.gerund_oppose else "support"
    return targets_after(s.lex, s.text, g.end(), s.end, polarity, cue, "stance.gerund_heading", nouns=True)


def rule_imperative(s: Sentence, found: list[Target]) -> list[Target] | None:
    """Imperative list items and sentences: "- Maintain an open ...", "Encourage ..."."""
    if not s.imperative:
        return None
    return targets_after(s.lex, s.text, s.head, s.end, "support", "imperative", "stance.imperative")


def rule_cues(s: Sentence, found: list[Target]) -> list[Target] | None:
    """Cue verbs ("stance.cue_verb") and modal frames ("stance.modal_should"), left to right."""
    if s.imperative:
        return None
    lex, text, end = s.lex, s.text, s.end
    out: list[Target] = []
    # What an earlier rule read as a whole (a negated clause) is not read again.
    covered = [(t.start, t.end) for t in found]
    pos = s.head
    cue: re.Match[str] | None = None
    norm: re.Match[str] | None = None
    searched_cue = searched_norm = -1
    while pos < end:
        # A match still ahead of ``pos`` is the next one: search again only past it.
        if (cue is None and searched_cue < 0) or (cue is not None and cue.start() < pos):
            cue = lex.verb.pattern.search(text, pos, end)
            while cue is not None and noun_use(lex, text, cue.start()):
                cue = lex.verb.pattern.search(text, cue.end(), end)
            searched_cue = pos
        if (norm is None and searched_norm < 0) or (norm is not None and norm.start() < pos):
            norm = lex.modal.search(text, pos, end)
            searched_norm = pos
        if cue is None and norm is None:
            break
        polarity: Polarity
        if norm is not None and (cue is None or norm.start() <= cue.start()):
            match, polarity, label, rule = (
                norm,
                "support",
                norm.group().split()[0].lower(),
                "stance.modal_should",
            )
        else:
            assert cue is not None
            match, polarity, label = cue, lex.verb.cue(cue).polarity, re.sub(r"\s+", " ", cue.group().lower())
            rule = "stance.cue_" + lex.verb.cue(cue).kind
        clause_start = max(text.rfind(";", s.start, match.start()) + 1, s.head)
        before = text[clause_start : match.start()]
        skip = (
            (re.search(r"\b(?:not|never)\s+$|\bno\s+longer\s+$", before) and not re.search(r"\bnot\b", label))
            or any(a <= match.start() < b for a, b in covered)
            # A capitalised cue inside a sentence is part of a title ("on Preventing Nuclear War").
            or (match.start() > s.head and text[match.start()].isupper() and text[match.start() - 1] != "\n")
            or (match is norm and re.match(r"\s+(?:not|never|no\s+longer)\b", text[match.end() : end]))
            # "what you need to know": addressed to the reader.
            or (match is norm and re.search(r"\byou\s+$", before, re.I))
            or re.search(r"\b(?:in\s+order|so\s+as)\s+(?:to\s+)?$", before)
            or before.count("“") > before.count("”")
            or (
                match is cue
                and label.endswith("ed")
                and not re.search(rf"\b(?:we|it|{re.escape(s.actor.lower())})\b", before, re.I)
                and not lex.own_voice.search(before)
                and not lex.joint_subject.search(before)
                and not re.search(r"(?:^|[.;]\s*)(?:[A-Z][a-z]+\s+){1,3}(?:also\s+)?$", before)
            )
        )
        if skip:
            pos = match.end()
            continue
        if not voice_ok(s, before, s.entities_between(clause_start, match.start())):
            stop = lex.target_end.search(text, match.end(), end)
            pos = stop.end() if stop else end
            continue
        that = re.match(r"\s+that\s+", text[match.end() : end]) if match is cue else None
        if that:
            # "we affirm that X": the complement as a whole when it holds a negated modal
            # or no cue of its own; else its own cues and modals speak.
            a = match.end() + that.end()
            inner = lex.negated_modal.search(text, a, end)
            if inner or not (lex.modal.search(text, a, end) or lex.verb.pattern.search(text, a, end)):
                b = clause_end(lex, text, a, end)
                a, b = clean_bounds(lex, text, a, b)
                if b - a >= 3:
                    out.append(Target(polarity, a, b, label, rule))
                pos = end
            else:
                pos = a
            continue
        subject = re.sub(r"\s+", " ", before.rsplit(",", 1)[-1]).strip(" ,")
        keep_subject = (
            match is norm
            and subject
            and not lex.generic_subject.match(subject)
            and subject.lower() != s.actor.lower()
            and len(subject.split()) <= 6
        )
        subject = re.sub(r"^(?:the|The)\s+", "", subject) if keep_subject else ""
        if match is norm:
            subject = addressee(lex, match.group()) or subject
        targets = targets_after(
            lex, text, match.end(), end, polarity, label, rule, subject, nouns=match is cue
        )
        out.extend(targets)
        pos = max([match.end(), *(t.end for t in targets)])
        stop = lex.target_end.search(text, match.end(), end)
        if stop:
            pos = max(pos, stop.end())
    return out


def rule_noun_cue(s: Sentence, found: list[Target]) -> list[Target] | None:
    """ "our commitment to X", "our firm support for X": the holder's own noun phrase."""
    out: list[Target] = []
    for m in s.lex.noun.pattern.finditer(s.text, s.head, s.end):
        before = s.text[max(s.head, m.start() - 40) : m.start()]
        own = s.lex.own_possessive.search(before) or re.search(
            re.escape(s.actor) + r"[’']s?\s+(?:\w+\s+)?$", before, re.I
        )
        if not own or not voice_ok(s, s.text[s.head : m.start()], []):
            continue
        cue = s.lex.noun.cue(m)
        a, b = clean_bounds(s.lex, s.text, m.end(), clause_end(s.lex, s.text, m.end(), s.end))
        if b - a >= 3:
            out.append(Target(cue.polarity, a, b, cue.name, "stance.noun_cue"))
    return out or None


def rule_predicate(s: Sentence, found: list[Target]) -> list[Target] | None:
    """ "X and Y are dangerous and unacceptable", "X is a welcome contribution": the subject
    is the target."""
    m = s.lex.predicate.pattern.search(s.text, s.head, s.end)
    if not m:
        return None
    clause_start = max(s.text.rfind(";", s.head, m.start()) + 1, s.head)
    stop = re.search(r",\s*(?=\w+\s)", s.text[clause_start : m.start()])
    # A subject after an introductory phrase: "In this regard, X is welcome".
    if stop and stop.end() < m.start() - clause_start - 3:
        lead = s.text[clause_start : clause_start + stop.start()]
        if re.match(r"(?:In|At|For|On|With|To|As|By)\b", lead):
            clause_start += stop.end()
    a, b = clean_bounds(s.lex, s.text, clause_start, m.start())
    subject = s.text[a:b]
    if b - a < 3 or s.lex.not_target.match(subject) or len(subject.split()) > 30:
        return None
    if any(e.type == "State" and e.label != s.actor and pos == a for pos, e in s.entities) and not re.search(
        r"[’']s?\s", subject
    ):
        return None
    cue = s.lex.predicate.cue(m)
    return [Target(cue.polarity, a, b, cue.name, "stance.cue_predicate")]


def rule_purpose(s: Sentence, found: list[Target]) -> list[Target] | None:
    """Purpose clauses of the holder's own actions, when their verb is a cue ("so as to
    prevent the misuse of biotech")."""
    if not found:
        return None
    out: list[Target] = []
    for p in s.lex.purpose.finditer(s.text, s.start, s.end):
        cue = s.lex.verb.pattern.match(s.text, p.end(), s.end)
        removal = s.lex.removal_verb.match(s.text, p.end(), s.end) or s.text.startswith("ensur", p.end())
        if cue or removal:
            out.extend(targets_after(s.lex, s.text, p.end(), s.end, "support", "purpose", "stance.purpose"))
    return out


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    apply: Callable[[Sentence, list[Target]], list[Target] | None]
    exclusive: bool  # when it applies, later rules do not run on the sentence


RULES: tuple[Rule, ...] = (
    Rule("stance.wrongdoing_list", rule_wrongdoing_list, exclusive=True),
    Rule("stance.no_one_shall", rule_no_one_shall, exclusive=True),
    Rule("stance.modal_negated", rule_modal_negated, exclusive=False),
    Rule("stance.passive_condemned", rule_passive_condemned, exclusive=True),
    Rule("stance.modal_passive", rule_modal_passive, exclusive=True),
    Rule("stance.gerund_heading", rule_gerund_heading, exclusive=True),
    Rule("stance.imperative", rule_imperative, exclusive=False),
    Rule("stance.cues", rule_cues, exclusive=False),
    Rule("stance.noun_cue", rule_noun_cue, exclusive=False),
    Rule("stance.cue_predicate", rule_predicate, exclusive=False),
    Rule("stance.purpose", rule_purpose, exclusive=False),
)


def sentence_targets(s: Sentence) -> list[Target]:
    """Targets of one sentence: the gates, then the rules in registry order."""
    if not (
        s.imperative
        or s.wrongdoing_list
        or s.lex.triggers.occurs(s.text, s.start, s.end)
        or s.lex.gerund_heading.match(s.text, s.head, s.end)
    ):
        return []  # no word that any rule starts from
    if any(gate(s) for _, gate in GATES):
        return []
    found: list[Target] = []
    for rule in RULES:
        result = rule.apply(s, found)
        if result is None:
            continue
        found.extend(result)
        if rule.exclusive:
            break
    return found
