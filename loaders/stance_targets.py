"""Target phrases of a stance: the object after a cue, cut at the clause end, trimmed of
function words, and split where verb phrases (or long noun phrases) are coordinated.

"oppose cyber-surveillance and attacks, and oppose arms race in cyberspace" gives three
targets; "openness, security, and stability of X" stays whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.records import Polarity
from loaders.stance_lexicon import Lexicon


@dataclass(frozen=True, slots=True)
class Target:
    """A target span found by a rule, before it becomes a :class:`Stance`."""

    polarity: Polarity
    start: int
    end: int
    cue: str
    rule: str = ""
    #: The clause's own subject when it says what the target is about ("the CD should
    #: carry out work on ..."), prefixed to the target phrase.
    subject: str = ""
    #: Holders other than the document's actor ("the two leaders affirmed ...").
    holders: tuple[str, ...] = ()


def clean_bounds(lex: Lexicon, text: str, start: int, end: int) -> tuple[int, int]:
    """Trim spaces, quotes, framing heads ("our commitment to") and leading function words
    ("and the", "that") off a span."""
    while True:
        before = (start, end)
        while start < end and text[start] in " ,“”\"'‘’(\n\t":
            start += 1
        for pattern in (lex.object_head, lex.leading_words):
            m = pattern.match(text, start, end)
            if m and m.end() > start and m.end() < end:
                start = m.end()
        while end > start and text[end - 1] in " ,“”\"'‘’)\n\t-–—":
            end -= 1
        if (start, end) == before:
            return start, end


def clause_end(lex: Lexicon, text: str, start: int, limit: int) -> int:
    """Where the clause that starts at ``start`` ends (at most ``limit``)."""
    m = lex.target_end.search(text, start, limit)
    return m.start() if m else limit


def split_coordinated(
    lex: Lexicon, text: str, start: int, end: int, nouns: bool = False
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
        if word in lex.not_gerunds or re.match(
            r"(?:especially|particularly|in particular|such as|notably)\b", after
        ):
            continue
        verbish = (
            word in lex.base_verbs
            or (word.endswith("ing") and len(word) > 5)
            or bool(lex.verb.pattern.match(after))
            or bool(lex.modal.match(after))
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
        out.append((s, e, first.group().lower() if first else None))
    return out


def split_nouns(lex: Lexicon, text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Every item of a noun list ("X, Y and Z")."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for m in re.finditer(r",\s*(?:and\s+)?|\s+and\s+", text[start:end]):
        pieces.append((cursor, start + m.start()))
        cursor = start + m.end()
    pieces.append((cursor, end))
    return [clean_bounds(lex, text, s, e) for s, e in pieces if e - s > 2]


def distribute(target: str) -> list[str]:
    """'cyber-surveillance and attacks' -> ['cyber-surveillance', 'cyber-attacks'];
    'openness, security, and stability of global supply chains' -> each with the shared
    complement. Other noun phrases stay whole.

    >>> distribute("cyber-surveillance and attacks")
    ['cyber-surveillance', 'cyber-attacks']
    """
    m = re.fullmatch(r"(\w+)-(\w+)\s+and\s+(\w+)", target)
    if m:
        return [f"{m.group(1)}-{m.group(2)}", f"{m.group(1)}-{m.group(3)}"]
    m = re.fullmatch(r"((?:\w+,\s+)+\w+,?\s+and\s+\w+)\s+(of|in|for|on)\s+(.+)", target)
    if m:
        heads = re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group(1))
        return [f"{h} {m.group(2)} {m.group(3)}" for h in heads if h]
    return [target]


def addressee(lex: Lexicon, frame: str) -> str:
    """Who a call is addressed to when it is a named party, not everyone: "call on Russia
    to", "encourage the NSG and the MTCR to"; "" for "urge all States to". A relative
    clause ("States that have yet to do so") is left out."""
    m = lex.call_on.fullmatch(frame)
    if not m:
        return ""
    who = re.sub(r"\s+", " ", re.split(r"\s+(?:that|who|which)\s", m.group("who"))[0]).strip(" ,")
    if lex.generic_subject.match(who) or len(who.split()) > 10:
        return ""
    return re.sub(r"^(?:the|The)\s+", "", who)


def noun_use(lex: Lexicon, text: str, start: int) -> bool:
    """'receive favorable response and support from': the cue word used as a noun."""
    before = text[max(0, start - 30) : start].lower().split()
    # After a possessive ("Xi's welcome of ...") a cue word is a noun too.
    return bool(before) and (before[-1] in lex.noun_markers or before[-1].endswith(("'s", "’s")))


def targets_after(
    lex: Lexicon,
    text: str,
    start: int,
    limit: int,
    default: Polarity,
    cue: str,
    rule: str,
    subject: str = "",
    nouns: bool = False,
) -> list[Target]:
    """Targets of the verb phrases from ``start`` to the clause end; a piece without a cue
    of its own keeps the polarity of the piece before it."""
    end = clause_end(lex, text, start, limit)
    out: list[Target] = []
    polarity = default
    for s, e, verb in split_coordinated(lex, text, start, end, nouns=nouns):
        s, e = clean_bounds(lex, text, s, e)
        if e - s < 3 or text[s:e].lower().startswith("the following"):
            continue
        piece = text[s:e]
        frame = lex.modal.match(piece)
        if frame and frame.end() < len(piece):
            # "... and urges all States to refrain from X": a call of its own.
            label = frame.group().split()[0].lower()
            who = addressee(lex, frame.group())
            out.extend(targets_after(lex, text, s + frame.end(), e, "support", label, rule, who))
            continue
        inner = lex.verb.pattern.match(piece)
        if inner and not noun_use(lex, text, s):
            polarity = lex.verb.cue(inner).polarity
            s2, e2 = clean_bounds(lex, text, s + inner.end(), e)
            if e2 - s2 >= 3:
                out.append(Target(polarity, s2, e2, inner.group().lower(), rule))
            continue
        if verb in lex.stop_verbs:
            polarity = "oppose"
            s2, e2 = clean_bounds(lex, text, s + len(verb), e)
            out.append(Target("oppose", s2, e2, verb, rule))
            continue
        if verb and lex.removal_verb.fullmatch(verb):
            s2, e2 = clean_bounds(lex, text, s + len(verb), e)
            if e2 - s2 >= 3:
                out.append(Target("oppose", s2, e2, verb, rule))
            out.append(Target("support", s, e, cue, rule))
            continue
        out.append(Target(polarity, s, e, cue, rule, subject))
    return out
