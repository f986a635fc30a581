"""Where known words and short forms occur in a text, each found in one pass.

Whole-word, case-sensitive occurrences of names and acronyms (:func:`find_words`) and of
short forms after "the" (:func:`find_phrases`: "the Council"), linear in the text's
length however many words are asked for. The entity stage (:mod:`loaders.entities`) and
:mod:`loaders.person_names` find every occurrence of a name with them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


def find_word(text: str, word: str) -> Iterator[tuple[int, int]]:
    """Whole-word, case-sensitive occurrences of ``word``."""
    for m in re.finditer(rf"(?<![\w/]){re.escape(word)}(?![\w/])", text):
        yield m.start(), m.end()


_WORD_RUN = re.compile(r"\w+")
_WORD_OR_SLASH = re.compile(r"[\w/]")


def find_words(text: str, words: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """What :func:`find_word` finds for each of ``words``, in one pass over ``text``:
    linear in its length however many words there are (a regex scan per word made
    extraction quadratic in the document's length, since long texts name more people).

    >>> find_words("Li Song met Li Wei and Li Song again", ["Li Song", "Li Wei", "Wei"])
    {'Li Song': [(0, 7), (23, 30)], 'Li Wei': [(12, 18)], 'Wei': [(15, 18)]}
    """
    out: dict[str, list[tuple[int, int]]] = {word: [] for word in words}
    by_head: dict[str, list[str]] = {}
    for word in out:
        head = _WORD_RUN.match(word)
        if head is None:  # starts with a non-word character: scanned for alone
            out[word] = list(find_word(text, word))
        else:
            by_head.setdefault(head.group(), []).append(word)
    last_end = dict.fromkeys(out, 0)
    if not by_head:
        return out
    # The heads as whole word runs (find_word also refuses a "/" before), found by one
    # regex scan: a loop over every word of the text in Python is several times slower.
    heads = "|".join(re.escape(h) for h in sorted(by_head, key=len, reverse=True))
    for run in re.finditer(rf"(?<![\w/])(?:{heads})(?!\w)", text):
        candidates = by_head[run.group()]
        start = run.start()
        for word in candidates:
            end = start + len(word)
            whole = text.startswith(word, start) and not _WORD_OR_SLASH.match(text, end)
            if whole and start >= last_end[word]:
                out[word].append((start, end))
                last_end[word] = end
    return out


def find_phrase(text: str, phrase: str) -> Iterator[tuple[int, int]]:
    """Occurrences of a short form such as "the Council" (leading article optional,
    the rest case-sensitive); the span excludes the article."""
    bare = re.sub(r"^(?:the|The)\s+", "", phrase)
    for m in re.finditer(rf"\b[Tt]he\s+({re.escape(bare)})\b(?!\s+(?:of|on|for)\b)", text):
        yield m.start(1), m.end(1)


_THE = re.compile(r"\b[Tt]he\s+")


def find_phrases(text: str, phrases: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """What :func:`find_phrase` finds for each of ``phrases``, in one pass over ``text``:
    each phrase's own pattern is tried only where "the" is followed by its first word.

    >>> find_phrases("The Council met. the Council of Europe; the Assembly", ["the Council", "Assembly"])
    {'the Council': [(4, 11)], 'Assembly': [(44, 52)]}
    """
    out: dict[str, list[tuple[int, int]]] = {phrase: [] for phrase in phrases}
    patterns: dict[str, re.Pattern[str]] = {}
    by_head: dict[str, list[str]] = {}
    for phrase in out:
        bare = re.sub(r"^(?:the|The)\s+", "", phrase)
        patterns[phrase] = re.compile(rf"\b[Tt]he\s+({re.escape(bare)})\b(?!\s+(?:of|on|for)\b)")
        head = _WORD_RUN.match(bare)
        if head is None:
            out[phrase] = list(find_phrase(text, phrase))
        else:
            by_head.setdefault(head.group(), []).append(phrase)
    last_end = dict.fromkeys(out, 0)
    for the in _THE.finditer(text):
        word = _WORD_RUN.match(text, the.end())
        for phrase in by_head.get(word.group(), ()) if word else ():
            found = patterns[phrase].match(text, the.start()) if the.start() >= last_end[phrase] else None
            if found:
                out[phrase].append((found.start(1), found.end(1)))
                last_end[phrase] = found.end()
    return out
