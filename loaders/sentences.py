"""Sentence spans of a body text (offsets into it), for the event and stance stages."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from loaders.records import Span

# A sentence ends at . ! ? followed by space and a capital, a quote, a digit or a list
# marker, or at a line break; abbreviations do not end one.
_END = re.compile(r"[.!?](?=[\"'”’)]?\s+[\"“‘(]?[A-Z0-9\-•])|\n")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Ms|Mrs|Dr|Prof|St|No|Nos|Art|Vol|para|paras|e\.g|i\.e|etc|vs|cf|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Gen|Adm|Amb|Rep|Sen|Gov|H\.\s?E|U\.S|U\.N|U\.K|Jr|Sr)"
    r"|\b[A-Z])$"
)
#: A line that ends a paragraph or a heading whatever comes next.
_LINE_CLOSED = re.compile(r"[.!?:;]['\"”’)]*\s*$")
#: A line that starts an item of its own.
_LINE_OPENS_ITEM = re.compile(r"\s*(?:[-•*▪◦]\s|[a-z_]+:\s|-{3}|\d{1,2}[.)]\s|\([a-z0-9]{1,3}\)\s|#)")


def sentence_spans(text: str) -> list[Span]:
    """Non-blank sentences of ``text`` with their offsets (cached per text)."""
    return list(_sentence_spans(text))


@lru_cache(maxsize=16)
def _sentence_spans(text: str) -> tuple[Span, ...]:
    """Non-blank sentences of ``text`` with their offsets, surrounding space trimmed.

    >>> [s.text for s in sentence_spans("Mr. President, thanks. H. E. Li Song spoke.\\n- Oppose war;")]
    ['Mr. President, thanks.', 'H. E. Li Song spoke.', '- Oppose war;']
    """
    soft = _soft_breaks(text)
    out: list[Span] = []
    start = 0
    for m in _END.finditer(text):
        if m.group() == "\n" and m.start() in soft:
            continue
        end = m.end() if m.group() != "\n" else m.start()
        if m.group() != "\n" and _ABBREVIATIONS.search(text[max(start, end - 8) : end - 1]):
            continue
        _add(text, start, end, out)
        start = m.end()
    _add(text, start, len(text), out)
    return tuple(out)


def _soft_breaks(text: str) -> frozenset[int]:
    """Offsets of line breaks that only wrap a paragraph at a fixed width.

    A text is hard-wrapped when most of its lines are short (nine in ten at most 100
    characters) and most long lines end without closing punctuation. There a break is soft
    when its line is long (at least half the wrap width), not closed by punctuation, and
    the next line is neither blank nor a list item of its own.

    >>> t = "We firmly support the peaceful use of\\nouter space by all nations.\\n"
    >>> sorted(_soft_breaks(t * 8))[:1]
    [37]
    """
    lines = text.split("\n")
    filled = [line.rstrip() for line in lines if line.strip()]
    if len(filled) < 6:
        return frozenset()
    lengths = sorted(len(line) for line in filled)
    width = lengths[int(len(lengths) * 0.9)]
    long_lines = [line for line in filled if len(line) >= min(40, width // 2)]
    open_lines = [line for line in long_lines if not _LINE_CLOSED.search(line)]
    if width > 100 or not long_lines or len(open_lines) * 2 < len(long_lines):
        return frozenset()
    soft: set[int] = set()
    offset = 0
    for line, following in pairwise(lines):
        offset += len(line)
        body = line.rstrip()
        if (
            len(body) >= width // 2
            and not _LINE_CLOSED.search(body)
            and following.strip()
            and not _LINE_OPENS_ITEM.match(following)
        ):
            soft.add(offset)
        offset += 1
    return frozenset(soft)


def _add(text: str, start: int, end: int, out: list[Span]) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    s = start + lead
    e = s + len(stripped)
    out.append(Span(s, e, text[s:e]))
