"""Sentence spans of a body text (offsets into it), for the event and stance stages."""

from __future__ import annotations

import re
from functools import lru_cache

from loaders.records import Span

# A sentence ends at . ! ? followed by space and a capital, a quote, a digit or a list
# marker, or at a line break; abbreviations do not end one.
_END = re.compile(r"[.!?](?=[\"'”’)]?\s+[\"“‘(]?[A-Z0-9\-•])|\n")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Ms|Mrs|Dr|Prof|St|No|Nos|Art|Vol|para|paras|e\.g|i\.e|etc|vs|cf|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Gen|Adm|Amb|Rep|Sen|Gov|H\.\s?E|U\.S|U\.N|U\.K)"
    r"|\b[A-Z])$"
)


def sentence_spans(text: str) -> list[Span]:
    """Non-blank sentences of ``text`` with their offsets (cached per text)."""
    return list(_sentence_spans(text))


@lru_cache(maxsize=16)
def _sentence_spans(text: str) -> tuple[Span, ...]:
    """Non-blank sentences of ``text`` with their offsets, surrounding space trimmed.

    >>> [s.text for s in sentence_spans("Mr. President, thanks. H. E. Li Song spoke.\\n- Oppose war;")]
    ['Mr. President, thanks.', 'H. E. Li Song spoke.', '- Oppose war;']
    """
    out: list[Span] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end() if m.group() != "\n" else m.start()
        if m.group() != "\n" and _ABBREVIATIONS.search(text[max(start, end - 8) : end - 1]):
            continue
        _add(text, start, end, out)
        start = m.end()
    _add(text, start, len(text), out)
    return tuple(out)


def _add(text: str, start: int, end: int, out: list[Span]) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    s = start + lead
    e = s + len(stripped)
    out.append(Span(s, e, text[s:e]))
