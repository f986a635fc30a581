"""Stances: what the document's own voice supports or opposes.

A stance is read off a clause in three steps, all over plain spans:

1. *frame*: the clause speaks in the document's voice (its actor, "we", an impersonal
   "it is necessary to", an imperative list item, a normative "should"), not reporting
   what others do or say ("certain countries have ...", "the NSG stresses that ...");
2. *cue*: a verb that carries polarity (support, advocate, uphold, welcome, call for /
   oppose, reject, condemn, stop, curb, prevent); under a normative frame any verb
   phrase is something the holder supports, and "should not" / "cannot" / "no nation
   shall" turn it into opposition;
3. *targets*: the verb phrase's object, cut at the clause's end and split where
   coordinated ("oppose cyber-surveillance and attacks, and oppose arms race in
   cyberspace" gives three). Purpose clauses ("so as to prevent ...") are stances too.

Topics come from the SKOS scheme in ``ontology/topics.ttl`` (keywords as hidden labels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from loaders.records import Document, DocumentMeta, Entity, Polarity, Span, Stance
from loaders.sentences import sentence_spans

TOPICS_TTL = Path(__file__).resolve().parents[1] / "ontology" / "topics.ttl"

_V = r"(?:s|es|ed|d|ing)?"
SUPPORT_CUES = (
    rf"support{_V}",
    r"advocat(?:e|es|ed|ing)(?:\s+for)?",
    rf"champion{_V}",
    rf"call{_V}\s+for",
    r"welcom(?:e|es|ed|ing)",
    r"uph(?:old|olds|olding|eld)",
    r"encourag(?:e|es|ed|ing)",
    r"promot(?:e|es|ed|ing)",
    r"endors(?:e|es|ed|ing)",
    r"(?:is|are|am|remains?|stays?|stay|will\s+stay|will\s+remain)\s+(?:firmly\s+)?(?:committed|dedicated)\s+to",
    r"stands?\s+for",
    rf"favou?r{_V}",
    rf"adhere{_V}\s+to",
    rf"safeguard{_V}",
    r"(?:is|are)\s+in\s+favou?r\s+of",
)
OPPOSE_CUES = (
    r"oppos(?:e|es|ed|ing)",
    rf"reject{_V}",
    rf"condemn{_V}",
    rf"object{_V}\s+to",
    r"stop(?:s|ped|ping)?",
    rf"curb{_V}",
    rf"resist{_V}",
    r"(?:is|are)\s+against",
    r"denounc(?:e|es|ed|ing)",
    r"deplor(?:e|es|ed|ing)",
    rf"desist{_V}\s+from",
    r"put(?:s|ting)?\s+an\s+end\s+to",
    rf"refrain{_V}\s+from",
    rf"prevent{_V}",
    rf"combat{_V}",
    rf"avoid{_V}",
    r"(?:does|do|did|will)\s+not\s+(?:and\s+will\s+not\s+)?(?:engage|participate)\s+in",
    r"never\s+(?:seeks?|engages?\s+in)",
)
#: Verbs whose object is something the holder wants gone: "remove undue restrictions" is
#: support for the removal and opposition to the restrictions.
REMOVAL_VERBS = r"(?:remov|abolish|lift|eliminat|abandon|dismantl)\w*"
_CUE = re.compile(
    r"\b(?P<sup>" + "|".join(SUPPORT_CUES) + r")\b|\b(?P<opp>" + "|".join(OPPOSE_CUES) + r")\b",
    re.IGNORECASE,
)
#: Frames in which every verb phrase is a position of the holder.
_NORMATIVE = re.compile(
    r"\b(?:should|must|shall|ought\s+to|needs?\s+to|(?:is|are)\s+(?:urgently\s+)?needed\s+to|"
    r"it\s+is\s+(?:\w+ly\s+)?(?:necessary|imperative|crucial|essential|important|vital|urgent|"
    r"high\s+time|incumbent)\s+(?:for\s+[^,]{1,40}\s+)?to|let\s+us|we\s+need\s+to|"
    r"(?:urge|urges|urged|urging|call\s+on|calls\s+on|called\s+on|ask|asks|request|requests|"
    r"encourage|encourages|invite|invites)\s+[^.;]{1,110}?\s+to|(?:is|are)\s+(?:ready|willing)\s+to|"
    r"stands?\s+ready\s+to|(?:is|are)\s+dedicated\s+to|be\s+supported\s+in)\b",
    re.IGNORECASE,
)
_NEGATED_NORMATIVE = re.compile(
    r"\b(?:should\s+(?:never|not)|must\s+(?:never|not)|shall\s+not|cannot|can\s+not|"
    r"should\s+no\s+longer)\b",
    re.IGNORECASE,
)
_NO_ONE_SHALL = re.compile(
    r"\b[Nn]o\s+(?:nation|country|state|one|party)\s+(?:shall|should|may|must|can)\s+", re.IGNORECASE
)
#: Someone else's voice: the clause reports what others do or say.
_THIRD_PARTY = re.compile(
    r"\b(?:certain|some|individual|a\s+certain|relevant\s+countries\s+have|they|these\s+countries|"
    r"those\s+countries|such\s+countries|other\s+members|developing\s+countries\s+have)\b",
    re.IGNORECASE,
)
#: A clause whose subject is someone else doing things: "they form an exclusive circle".
_THIRD_PARTY_SUBJECT = re.compile(
    r"\b(?:they|certain\s+(?:countries|country|governments|states)|some\s+countries|individual\s+governments|"
    r"these\s+countries)\s+(?:have|has|are|is|were|was|form|engage|impose|adopt|put|keep|continue|"
    r"block|promote|interfere|politici[sz]e|abuse|even|deviate|regard|label|ignore|arbitrarily)\b",
    re.IGNORECASE,
)
#: A lead-in to a list of others' wrongdoings: its imperative-looking items are what the
#: document's voice condemns.
_WRONGDOING_LEAD = re.compile(
    r"\b(?:challenges|wrongdoings|practices|forms|problems|threats|measures)\b[^.]*:\s*$", re.IGNORECASE
)
_ORDINAL_LEAD = re.compile(
    r"(?:First|Second|Third|Fourth|Fifth|Sixth|Firstly|Secondly|Thirdly|Fourthly|Finally|Lastly|"
    r"In\s+particular|Moreover|Furthermore|Besides|Meanwhile)\s*,\s*"
)
_GENERIC_SUBJECT = re.compile(
    r"^(?:we|i|it|the\s+international\s+community|all\s+(?:countries|states|parties|nations)|"
    r"(?:all\s+)?(?:countries|states|nations|parties|governments)|the\s+world|everyone|"
    r"(?:the\s+)?member\s+states|developed\s+countries|major\s+countries)$",
    re.IGNORECASE,
)
_REPORTING = re.compile(
    r"^(?P<who>.{0,80}?)\b(?:stress(?:es|ed)?|emphasi[sz]e[sd]?|highlights?|explains?|"
    r"says?|said|states?|stated|notes?|noted|believes?|holds?|argues?|claims?|acknowledges?|"
    r"pointed\s+out|points?\s+out|underlines?|underscores?)\s+that\b",
    re.IGNORECASE,
)
#: Where a target ends.
_TARGET_END = re.compile(
    r"[.;:!?]|\s[—–]\s|,\s*(?:which|who|where|while|whereas|thereby|but|so\s+that)\b|"
    r"\s+(?:so\s+as\s+to|in\s+order\s+to|with\s+a\s+view\s+to|in\s+the\s+hope\s+of)\b|"
    r",\s*(?:and\s+)?(?:we|it|they)\s+\w+",
    re.IGNORECASE,
)
_PURPOSE = re.compile(
    r"\b(?:so\s+as\s+to|in\s+order\s+to|with\s+a\s+view\s+to|to\s+ensure|in\s+the\s+hope\s+of)\s+",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^(?:[-•*]\s+|\d{1,2}[.)]\s+|\([a-z0-9]\)\s+)")
_GERUND_HEADING = re.compile(
    r"^(?P<cue>Advocating|Upholding|Calling\s+for|Supporting|Promoting|Opposing|Championing|"
    r"Safeguarding|Maintaining|Defending|Rejecting|Working\s+on|Jointly\s+maintaining|"
    r"Providing|Conducting)\b"
)
_LEADING_WORDS = re.compile(
    r"(?:the|a|an|any|all|also|and|or|that|further|actively|vigorously|firmly|resolutely|jointly|"
    r"strongly|always|consistently|further|to|for|of|effectively|better|fully|continue\s+to|"
    r"work\s+to|efforts\s+to)\s+",
    re.IGNORECASE,
)
_BASE_VERBS = frozenset(
    """accelerate achieve address adhere adopt advance advocate avoid ban bridge bring build
    carry combat conduct continue contribute coordinate create curb deepen develop eliminate
    enhance encourage ensure establish expand explore facilitate formulate foster fulfil fulfill
    give help implement improve increase intensify jointly leapfrog lift maintain make manage
    narrow observe oppose optimize optimise practice practise prepare prevent promote protect
    pursue put reduce reform reinforce reject remove respect respond safeguard seek share speed
    standardize standardise step stop strengthen strike support sustain take uphold use utilize
    view work ask desist avoid abolish hold explore encourage look abuse ignore disrupt obstruct
    discredit suppress impose restrict block label regard politicize politicise deviate form
    transform expand implement champion advocate call welcome condemn""".split()
)
_STOP_VERBS = frozenset("stop stops stopped stopping curb curbs prevent prevents avoid avoids desist".split())


@dataclass(frozen=True, slots=True)
class _Target:
    polarity: Polarity
    start: int
    end: int
    cue: str
    #: The clause's own subject when it says what the target is about ("the CD should
    #: carry out work on ..."), prefixed to the target phrase.
    subject: str = ""


@lru_cache(maxsize=1)
def topic_keywords() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(topic local name, keyword pattern) from ``ontology/topics.ttl``, most specific first."""
    import pyoxigraph as ox

    hidden = "http://www.w3.org/2004/02/skos/core#hiddenLabel"
    by_topic: dict[str, list[str]] = {}
    with TOPICS_TTL.open("rb") as handle:
        for triple in ox.parse(handle, format=ox.RdfFormat.TURTLE):
            if triple.predicate.value == hidden:
                name = triple.subject.value.rsplit("/", 1)[-1]
                by_topic.setdefault(name, []).append(triple.object.value)
    out = []
    for name, words in by_topic.items():
        pattern = re.compile(
            r"\b(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")", re.IGNORECASE
        )
        out.append((name, pattern))
    return tuple(out)


def classify_topic(*texts: str) -> str | None:
    """The topic whose keywords match first in the most specific text given.

    >>> classify_topic("arms race in outer space")
    'outer-space'
    """
    for text in texts:
        if text:
            topic = _topic_of(text)
            if topic:
                return topic
    return None


@lru_cache(maxsize=4096)
def _topic_of(text: str) -> str | None:
    """The topic with the most keyword hits in ``text`` (the first on a tie). Cached: a
    sentence is classified once for each stance it holds."""
    best: tuple[int, str] | None = None
    for name, pattern in topic_keywords():
        hits = len(pattern.findall(text))
        if hits and (best is None or hits > best[0]):
            best = (hits, name)
    return best[1] if best else None


def _clean_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim spaces, quotes and leading function words ("and the", "that") off a span."""
    while True:
        before = (start, end)
        while start < end and text[start] in " ,“”\"'‘’(\n":
            start += 1
        m = _LEADING_WORDS.match(text, start, end)
        if m and m.end() > start:
            start = m.end()
        while end > start and text[end - 1] in " ,“”\"'‘’)\n":
            end -= 1
        if (start, end) == before:
            return start, end


_NOT_GERUNDS = frozenset(
    "including regarding concerning according following excluding bearing during notwithstanding "
    "pending something nothing anything everything".split()
)


def _split_coordinated(
    text: str, start: int, end: int, nouns: bool = False
) -> list[tuple[int, int, str | None]]:
    """Split a verb-phrase list ("curb the abuse of IT, oppose X, and oppose Y") into
    (start, end, verb) pieces; the verb is the piece's first word when it is one. With
    ``nouns``, a comma list of noun phrases of two words or more is split too."""
    cuts: list[tuple[int, int]] = []
    noun_cuts: list[tuple[int, int]] = []
    for m in re.finditer(
        r",\s*(?:and\s+|or\s+)?(?:to\s+)?|\s+(?:and|or)\s+(?:to\s+)?(?=\w+ing\b|\w+\s)", text[start:end]
    ):
        after = text[start + m.end() : end]
        first = re.match(r"[A-Za-z-]+", after)
        word = first.group().lower() if first else ""
        if word in _NOT_GERUNDS or re.match(
            r"(?:especially|particularly|in particular|such as|notably)\b", after
        ):
            continue
        verbish = (
            word in _BASE_VERBS
            or (word.endswith("ing") and len(word) > 5)
            or bool(_CUE.match(after))
            or bool(_NORMATIVE.match(after))
        )
        if verbish:
            cuts.append((start + m.start(), start + m.end()))
        elif nouns and m.group().startswith(","):
            noun_cuts.append((start + m.start(), start + m.end()))
    if noun_cuts:
        # Split a noun list only when every item is a phrase of its own (two content
        # words or more): "openness, security, and stability of X" stays whole.
        trial = sorted(cuts + noun_cuts)
        bounds = [start, *(x for cut in trial for x in cut), end]
        items = [text[bounds[k] : bounds[k + 1]] for k in range(0, len(bounds), 2)]
        if all(
            len(re.sub(r"^(?:the|a|an|any|its|their)\s+", "", i.strip(), flags=re.I).split()) >= 2
            for i in items
        ):
            cuts = trial
    pieces: list[tuple[int, int]] = []
    cursor = start
    for a, b in cuts:
        pieces.append((cursor, a))
        cursor = b
    pieces.append((cursor, end))
    pieces = [
        (a, b)
        for a, b in pieces
        if not re.match(r"\s*(?:in|at|on|with|under|within|through|during)\s", text[a:b])
    ]
    if not pieces:
        return []
    # A one-word piece ("formulate and improve X", "financing,") belongs to its neighbour.
    merged: list[tuple[int, int]] = []
    for s, e in pieces:
        if merged and len(text[merged[-1][0] : merged[-1][1]].split()) < 2:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    if len(merged) > 1 and len(text[merged[-1][0] : merged[-1][1]].split()) < 2:
        last = merged.pop()
        merged[-1] = (merged[-1][0], last[1])
    out: list[tuple[int, int, str | None]] = []
    for s, e in merged:
        first = re.match(r"[A-Za-z-]+", text[s:e])
        verb = first.group().lower() if first else None
        out.append((s, e, verb))
    return out


def _distribute(target: str) -> list[str]:
    """'cyber-surveillance and attacks' -> ['cyber-surveillance', 'cyber-attacks'];
    'openness, security, and stability of global supply chains' -> each with the shared
    complement. Other noun phrases stay whole."""
    m = re.fullmatch(r"(\w+)-(\w+)\s+and\s+(\w+)", target)
    if m:
        return [f"{m.group(1)}-{m.group(2)}", f"{m.group(1)}-{m.group(3)}"]
    m = re.fullmatch(r"((?:\w+,\s+)+\w+,?\s+and\s+\w+)\s+(of|in|for|on)\s+(.+)", target)
    if m:
        heads = re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group(1))
        return [f"{h} {m.group(2)} {m.group(3)}" for h in heads if h]
    return [target]


def _polarity_of(verb: str | None, default: Polarity) -> Polarity:
    if verb and (verb in _STOP_VERBS or (_CUE.fullmatch(verb) and _CUE.fullmatch(verb).group("opp"))):  # type: ignore[union-attr]
        return "oppose"
    return default


def _targets_after(
    text: str,
    start: int,
    limit: int,
    default: Polarity,
    cue: str,
    subject: str = "",
    nouns: bool = False,
) -> list[_Target]:
    """Targets of the verb phrases from ``start`` to the clause end; a piece without a cue
    of its own keeps the polarity of the piece before it."""
    end_match = _TARGET_END.search(text, start, limit)
    end = end_match.start() if end_match else limit
    explicit = nouns
    out: list[_Target] = []
    polarity = default
    for s, e, verb in _split_coordinated(text, start, end, nouns=explicit):
        s, e = _clean_bounds(text, s, e)
        if e - s < 3 or text[s:e].lower().startswith("the following"):
            continue
        piece = text[s:e]
        frame = _NORMATIVE.match(piece)
        if frame and frame.end() < len(piece):
            # "... and urges all States to refrain from X": a call of its own.
            label = frame.group().split()[0].lower()
            out.extend(_targets_after(text, s + frame.end(), e, "support", label))
            continue
        inner = _CUE.match(piece)
        if inner and not _noun_use(text, s):
            polarity = "oppose" if inner.group("opp") else "support"
            s2, e2 = _clean_bounds(text, s + inner.end(), e)
            if e2 - s2 >= 3:
                out.append(_Target(polarity, s2, e2, inner.group().lower()))
            continue
        if verb in _STOP_VERBS:
            polarity = "oppose"
            s2, e2 = _clean_bounds(text, s + len(verb), e)
            out.append(_Target("oppose", s2, e2, verb))
            continue
        if verb and re.fullmatch(REMOVAL_VERBS, verb):
            s2, e2 = _clean_bounds(text, s + len(verb), e)
            if e2 - s2 >= 3:
                out.append(_Target("oppose", s2, e2, verb))
            out.append(_Target("support", s, e, cue))
            continue
        out.append(_Target(polarity, s, e, cue, subject))
    return out


def _noun_use(text: str, start: int) -> bool:
    """'receive favorable response and support from': the cue word used as a noun."""
    before = text[max(0, start - 30) : start].lower().split()
    return bool(before) and before[-1] in _NOUN_MARKERS


_NOUN_MARKERS = frozenset(
    "a an the its their our his her favorable favourable strong wide broad full firm "
    "international political financial technical receive receives received with for of "
    "gained gain won enjoy enjoys".split()
)


def _prevent_from(text: str, start: int, end: int, polarity: Polarity, cue: str) -> list[_Target]:
    """'prevent terrorists from using the internet' -> 'terrorists using the internet'."""
    piece = text[start:end]
    m = re.search(r"\bfrom\s+(?=\w+ing\b)", piece)
    if m and polarity == "oppose":
        # Keep one span: the holder opposes the actor doing the thing.
        return [_Target("oppose", start, end, cue)]
    return [_Target(polarity, start, end, cue)]


def _voice_ok(clause_before: str, actor: str | None, entities_before: list[Entity]) -> bool:
    """Whether the words before a cue leave it in the document's own voice."""
    if _THIRD_PARTY.search(clause_before):
        return False
    return not any(e.type == "State" and actor and e.label != actor for e in entities_before)


def _stances_in_sentence(
    text: str,
    sentence: Span,
    actor: str | None,
    entities: list[tuple[int, Entity]],
    wrongdoing_list: bool = False,
) -> list[_Target]:
    start, end = sentence.start, sentence.end
    body = text[start:end]
    reported = _REPORTING.match(body)
    if reported:
        who = reported.group("who").strip()
        own = (
            not who
            or (actor and actor.lower() in who.lower())
            or re.search(r"\b(?:we|i|it|the\s+initiative)\b", who, re.IGNORECASE)
            # A speaker's name: "Zhang Jun said that ..." (not "The Group stresses ...").
            or re.search(r"(?<!\w)(?!The\b|This\b|That\b|Its\b)[A-Z][a-z]+\s+[A-Z][a-z]+$", who)
        )
        if not own:
            return []
    if _THIRD_PARTY_SUBJECT.search(body):
        return []
    item = _LIST_ITEM.match(body)
    head = start + (item.end() if item else 0)
    ordinal = _ORDINAL_LEAD.match(text, head, end)
    if ordinal:
        head = ordinal.end()
    out: list[_Target] = []

    def entities_between(a: int, b: int) -> list[Entity]:
        return [e for pos, e in entities if a <= pos < b]

    first = re.match(r"(?:[A-Za-z]+ly\s+)?([A-Za-z]+)", text[head:end])
    imperative = bool(first and first.group(1).lower() in _BASE_VERBS)
    if wrongdoing_list:
        if not imperative:
            return []
        return [
            _Target("oppose", *_clean_bounds(text, s, e), "condemn")
            for s, e, _ in _split_coordinated(text, head, end)
            if e - s > 3
        ]
    # "No nation shall X, Y and Z": opposition to every verb phrase.
    m = _NO_ONE_SHALL.search(text, start, end)
    if m:
        return [
            _Target("oppose", t.start, t.end, "no one shall")
            for t in _targets_after(text, m.end(), end, "oppose", "no one shall")
        ]
    # "X should not / cannot Y": opposition to the subject doing Y.
    m = _NEGATED_NORMATIVE.search(text, start, end)
    if m:
        clause_start = max(text.rfind(",", start, m.start()) + 1, head)
        if not re.match(
            r"\s*(?:they|we|it|i|you|this|that|one|there)?\s*$", text[clause_start : m.start()], re.I
        ):
            end_match = _TARGET_END.search(text, m.end(), end)
            stop = end_match.start() if end_match else end
            s, e = _clean_bounds(text, clause_start, stop)
            passive = re.search(
                r"\bbe\s+(?:\w+ly\s+)?(?:condemned|rejected|opposed)\b", text[m.start() : stop]
            )
            if passive:
                s, e = _clean_bounds(text, clause_start, m.start())
                return [_Target("oppose", p_s, p_e, "condemn") for p_s, p_e in _split_nouns(text, s, e)]
            if e - s >= 3:
                out.append(_Target("oppose", s, e, m.group()))
            return out
    # Passive condemnation: "such practices as X and Y should be condemned".
    m = re.search(r"\b(?:should|must)\s+be\s+(?:\w+ly\s+)?(condemned|rejected|opposed|stopped)\b", body)
    if m:
        s, e = _clean_bounds(text, head, start + m.start())
        s = _after_such_as(text, s, e)
        out.extend(_Target("oppose", p_s, p_e, m.group(1)) for p_s, p_e in _split_nouns(text, s, e))
    # Passive normative: "Code of conduct for scientists should be developed ...",
    # "Developing countries must be supported in using ...": support for the subject.
    m = re.search(
        r"\b(?:should|must|shall|need\s+to)\s+(?:also\s+)?be\s+(?:\w+ly\s+)?"
        r"(?!condemned|rejected|opposed|stopped)\w+(?:ed|en|wn|ght|lt|nt)\b",
        body,
    )
    if m and not out:
        clause_start = max(text.rfind(",", head, start + m.start()) + 1, head)
        if _voice_ok(text[clause_start : start + m.start()], actor, []):
            end_match = re.search(r"[.;:!?]", text[start + m.end() : end])
            stop = start + m.end() + end_match.start() if end_match else end
            s, e = _clean_bounds(text, clause_start, stop)
            out.append(_Target("support", s, e, "should"))
            return out
    # Gerund headings: "Advocating comprehensive governance of outer space security."
    g = _GERUND_HEADING.match(text[head:end])
    if g and len(body) < 200:
        cue = g.group("cue")
        polarity: Polarity = "oppose" if cue.lower().startswith(("oppos", "reject")) else "support"
        out.extend(_targets_after(text, head + g.end(), end, polarity, cue.lower(), nouns=True))
        return out
    # Imperative list items and sentences: "- Maintain an open ...", "Encourage ...".
    if imperative:
        out.extend(_targets_after(text, head, end, "support", "imperative"))
        cursor = end
    else:
        cursor = start
    # Explicit cues and normative frames, left to right.
    pos = max(cursor, head)
    while pos < end:
        cue = _CUE.search(text, pos, end)
        while cue is not None and _noun_use(text, cue.start()):
            cue = _CUE.search(text, cue.end(), end)
        norm = _NORMATIVE.search(text, pos, end)
        if cue is None and norm is None:
            break
        if norm is not None and (cue is None or norm.start() <= cue.start()):
            match, polarity, label = norm, "support", norm.group().split()[0].lower()
        else:
            assert cue is not None
            match = cue
            polarity = "oppose" if cue.group("opp") else "support"
            label = cue.group().lower()
        clause_start = max(text.rfind(";", start, match.start()) + 1, head)
        before = text[clause_start : match.start()]
        if re.search(r"\bnot\s+$|\bno\s+longer\s+$", before) and not label.startswith(
            ("does", "do", "did", "will")
        ):
            pos = match.end()
            continue
        if re.search(r"\b(?:in\s+order|so\s+as)\s+$", before) or before.count("“") > before.count("”"):
            pos = match.end()
            continue
        if (
            match is cue
            and label.endswith("ed")
            and not re.search(rf"\b(?:we|it|{re.escape((actor or 'we').lower())})\b", before, re.I)
        ):
            pos = match.end()
            continue
        if _voice_ok(before, actor, entities_between(clause_start, match.start())):
            subject = re.sub(r"\s+", " ", before.rsplit(",", 1)[-1]).strip(" ,")
            if (
                match is norm
                and subject
                and not _GENERIC_SUBJECT.match(subject)
                and subject.lower() != (actor or "").lower()
                and len(subject.split()) <= 6
            ):
                subject = re.sub(r"^(?:the|The)\s+", "", subject)
            else:
                subject = ""
            targets = _targets_after(text, match.end(), end, polarity, label, subject, nouns=match is cue)
            out.extend(targets)
            pos = max([match.end(), *(t.end for t in targets)])
            clause_end = _TARGET_END.search(text, match.end(), end)
            if clause_end:
                pos = max(pos, clause_end.end())
        else:
            clause_end = _TARGET_END.search(text, match.end(), end)
            pos = clause_end.end() if clause_end else end
    # Purpose clauses of the holder's own actions, when their verb is a cue
    # ("so as to prevent the misuse of biotech").
    if out:
        for p in _PURPOSE.finditer(text, start, end):
            cue = _CUE.match(text, p.end(), end)
            removal = re.match(REMOVAL_VERBS + r"\b|ensur", text[p.end() : end])
            if cue or removal:
                out.extend(_targets_after(text, p.end(), end, "support", "purpose"))
    return out


def _after_such_as(text: str, start: int, end: int) -> int:
    m = re.search(r"\bas\s+", text[start:end])
    return start + m.end() if m and re.search(r"\bsuch\b", text[start : start + m.start()]) else start


def _split_nouns(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    cursor = start
    for m in re.finditer(r",\s*(?:and\s+)?|\s+and\s+", text[start:end]):
        pieces.append((cursor, start + m.start()))
        cursor = start + m.end()
    pieces.append((cursor, end))
    return [_clean_bounds(text, s, e) for s, e in pieces if e - s > 2]


MAX_TARGET_WORDS = 24
#: A "target" that starts a new clause is a parsing slip, not a position.
_NOT_A_TARGET = re.compile(
    r"(?:and|but|or|so|i|we|you|it|they|this|that|there|say|which|who)\b", re.IGNORECASE
)
#: Sentence openings that end a list of imperative-looking items.
_NOT_IMPERATIVE = re.compile(
    r"(?:The|These|This|Those|It|They|Such|Certain|In|As|On|We|Our|China|[A-Z][a-z]+s\b|\d|[IVX]+\.)"
)


def extract_stances(doc: Document, meta: DocumentMeta, entities: tuple[Entity, ...]) -> tuple[Stance, ...]:
    """Positions the document's own voice takes, with evidence sentences and topics."""
    holder = meta.actor
    if not holder:
        return ()
    holder_entity = next((e for e in entities if e.label == holder), None)
    holder_key = holder_entity.key if holder_entity else re.sub(r"[^a-z0-9]+", "-", holder.lower()).strip("-")
    text = doc.body
    positions = sorted(((m.start, e) for e in entities for m in e.mentions), key=lambda p: p[0])
    headings = [
        (s.start, s.text)
        for s in sentence_spans(text)
        if len(s.text) < 80 and not s.text.endswith((".", ",", ";"))
    ]
    out: list[Stance] = []
    seen: set[tuple[str, str]] = set()
    wrongdoing_list = False
    for sentence in sentence_spans(text):
        found = _stances_in_sentence(text, sentence, holder, positions, wrongdoing_list)
        if _WRONGDOING_LEAD.search(sentence.text) and _THIRD_PARTY.search(
            text[max(0, sentence.start - 600) : sentence.end]
        ):
            wrongdoing_list = True
        elif wrongdoing_list and re.match(_NOT_IMPERATIVE, sentence.text):
            wrongdoing_list = False
        for target in found:
            phrase = re.sub(r"\s+", " ", text[target.start : target.end]).strip()
            if _NOT_A_TARGET.match(phrase):
                continue
            if phrase.endswith(" there"):
                place = re.findall(r"\b(outer space|cyberspace|the [A-Z][\w-]+ region)\b", sentence.text)
                if place:
                    phrase = f"{phrase[:-6]} in {place[-1]}"
            if target.subject and not phrase.lower().startswith(target.subject.lower()):
                phrase = f"{target.subject} {phrase}"
            for piece in _distribute(phrase):
                words = piece.split()
                if not words or len(words) > MAX_TARGET_WORDS:
                    piece = " ".join(words[:MAX_TARGET_WORDS])
                if len(piece) < 3 or (target.polarity, piece.lower()) in seen:
                    continue
                seen.add((target.polarity, piece.lower()))
                heading = next((h for pos, h in reversed(headings) if pos < sentence.start), "")
                keys = tuple(
                    e.key for pos, e in positions if target.start <= pos < target.end and e.type != "State"
                )
                out.append(
                    Stance(
                        holder=holder,
                        holder_key=holder_key,
                        polarity=target.polarity,
                        target=piece,
                        evidence=Span(sentence.start, sentence.end, doc.text[sentence.start : sentence.end]),
                        target_span=Span(target.start, target.end, doc.text[target.start : target.end]),
                        topic=classify_topic(piece, sentence.text, heading),
                        cue=target.cue,
                        target_keys=tuple(dict.fromkeys(keys)),
                        date=meta.date,
                    )
                )
    return tuple(out)
