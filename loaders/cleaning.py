"""Boilerplate blanking: web-page and print junk replaced by spaces, offsets kept.

:func:`blank_boilerplate` returns a string of the same length as its input in which every
character of a boilerplate line (site navigation, breadcrumbs, share/print links, pagers,
language switchers, copyright and licence footers, cookie banners, spam keyword lines,
agency end markers, running page headers) is replaced by a space. Line breaks are kept, so
line numbers and every character offset found in the result are offsets into the input.

Single lines are judged by :mod:`loaders.boilerplate_lines` (the shape of a line, never
one site's exact strings). This module adds what needs context: vertical menus (runs of
short menu lines), short labels sandwiched between junk lines, hard-wrapped prose that
only looks like a button ("Allow" followed by "me first to ..."), running headers and
footers repeated on most pages of a PDF, and spans a reader already knows are furniture
(HTML ``<nav>``, ``<footer>``). Lines that carry metadata are kept on purpose: titles,
datelines ("2022-05-23 13:25"), bylines ("China Daily | Updated: 2025-11-28 07:22"),
issuer lines ("The State Council Information Office ... November 2025") and markdown bold
titles.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterable

from loaders.boilerplate_data import load_site_junk
from loaders.boilerplate_lines import (
    classification_form,
    classify_line,
    dominant_script,
    footer_hint_positions,
    is_boilerplate_line,
    is_menu_line,
    is_short_label,
    nav_word_count,
    words_of,
)
from loaders.sidecar import front_matter_span

__all__ = [
    "PAGE_BREAK",
    "blank_boilerplate",
    "blank_spans",
    "boilerplate_spans",
    "dominant_script",
    "is_boilerplate_line",
]

#: What starts each page of a PDF's text (loaders.readers): U+2029 PARAGRAPH SEPARATOR, a
#: line break that XML can carry (a form feed cannot; texts that have one still work).
PAGE_BREAK = "\u2029"
_PAGE_BREAKS = "\f" + PAGE_BREAK
#: Characters that end a line; they are never blanked.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_NON_BREAK = re.compile(f"[^{_LINE_BREAKS}]")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line's content, line breaks excluded."""
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip(_LINE_BREAKS)
        spans.append((pos, pos + len(content)))
        pos += len(line)
    return spans


def _running_headers(text: str, lines: list[tuple[int, int]]) -> set[int]:
    """Indices of lines repeated at the top or bottom of most pages (form-feed separated):
    running headers and footers of a PDF, all but their first occurrence."""
    pages: list[list[int]] = [[]]
    for index, (start, end) in enumerate(lines):
        if end < len(text) and text[end] in _PAGE_BREAKS and start == end:
            pages.append([])
            continue
        if text[start:end].strip():
            pages[-1].append(index)
        if end < len(text) and text[end] in _PAGE_BREAKS:
            pages.append([])
    pages = [page for page in pages if page]
    if len(pages) < 2:
        return set()

    def key(index: int) -> str:
        start, end = lines[index]
        return re.sub(r"\d+", "#", " ".join(text[start:end].split())).lower()

    edges = [list(dict.fromkeys(page[:3] + page[-3:])) for page in pages]
    seen = Counter(k for edge in edges for k in {key(i) for i in edge if len(key(i)) <= 150})
    needed = max(2, math.ceil(0.5 * len(pages)))
    repeated: set[int] = set()
    first_seen: set[str] = set()
    for edge in edges:
        for i in edge:
            k = key(i)
            if seen.get(k, 0) < needed:
                continue
            # The first occurrence stays: on page one a running header is the letterhead
            # ("Permanent Mission of ...") and says who speaks.
            if k in first_seen:
                repeated.add(i)
            first_seen.add(k)
    return repeated


def boilerplate_spans(
    text: str, *, known: Iterable[tuple[int, int]] = (), markdown: bool = False
) -> list[tuple[int, int]]:
    """The (start, end) spans of ``text`` that :func:`blank_boilerplate` blanks, in order.

    ``known`` adds spans the caller already knows are boilerplate (a reader that saw
    ``<nav>`` or ``<footer>`` elements); ``markdown`` also blanks markup-only lines.

    >>> boilerplate_spans("Home > News\\nChina supports the initiative.\\nPrint")
    [(0, 11), (43, 48)]
    """
    lines = _lines(text)
    script = dominant_script(text)
    contents = [text[start:end] for start, end in lines]
    starts = [start for start, _ in lines]
    hinted = {bisect.bisect_right(starts, at) - 1 for at in footer_hint_positions(text)}
    junk = [
        classify_line(line, script, markdown, footer_hint=index in hinted)
        for index, line in enumerate(contents)
    ]

    for index in range(len(contents) - 1):
        # "Allow\nme first to convey ...": a word or two of hard-wrapped prose that
        # happens to look like a button; the next line goes on in lower case.
        follower = contents[index + 1].lstrip()[:1]
        if junk[index] and len(contents[index].split()) <= 3 and "a" <= follower <= "z":
            junk[index] = False

    for index in _running_headers(text, lines) if "\f" in text or PAGE_BREAK in text else ():
        junk[index] = True

    known_spans = sorted((s, e) for s, e in known if e > s)
    front = front_matter_span(text) if text.startswith("---") else None
    if front is not None:
        # A front matter block (pages saved by site scrapers carry one in any format) is
        # metadata, read by loaders.metadata from the text; it is no part of the body.
        known_spans = sorted([*known_spans, front])
    if known_spans:
        # A line wholly inside a known span is junk; this lets the context rules below
        # see structural junk as well.
        k = 0
        for index, (start, end) in enumerate(lines):
            while k < len(known_spans) and known_spans[k][1] <= start:
                k += 1
            inside = k < len(known_spans) and known_spans[k][0] <= start and end <= known_spans[k][1]
            if inside and contents[index].strip():
                junk[index] = True

    nonblank = [i for i, line in enumerate(contents) if line.strip()]
    if known_spans or any(junk):
        # Widgets, captions and related lists come with web furniture; a text without
        # any (a speech as delivered) is not scanned for them.
        _blank_site_widgets(contents, nonblank, junk)
    _blank_menu_runs(contents, nonblank, junk, markdown)
    _blank_sandwiched_labels(contents, nonblank, junk)

    spans = [(lines[i][0], lines[i][1]) for i in nonblank if junk[i]]
    return _merge(spans + known_spans)


#: A line this long is prose, never a widget, caption or headline.
_WIDGET_CHARS = 400
#: Headings of related lists and the first lines of boxes are short.
_HEADING_CHARS = 40
#: A related-content list: headlines are short and do not end a sentence.
_HEADLINE_CHARS = 160
_SENTENCE_END = (".", "。", ";")


def _blank_site_widgets(contents: list[str], nonblank: list[int], junk: list[bool]) -> None:
    """Site junk described in ``ontology/boilerplate.toml``: widget lines, multi-line
    boxes, captions with their photo credits, related-headline lists after a heading."""
    site = load_site_junk()
    stripped = {i: contents[i].strip() for i in nonblank}
    for position, i in enumerate(nonblank):
        text = stripped[i]
        if len(text) > _WIDGET_CHARS:
            continue
        if len(text) > _HEADLINE_CHARS and not text.endswith(")") and text[:1] not in "Ss":
            continue  # a long line is prose unless it ends in a credit or offers a share
        if site.junk_line.fullmatch(text):
            junk[i] = True
        elif text.endswith(")") and (credit := site.caption_credit.search(text)) is not None:
            junk[i] = True
            if credit.start() == 0 and position > 0:
                # A credit on its own line: the caption is the line above it.
                above = nonblank[position - 1]
                if len(stripped[above]) <= _WIDGET_CHARS:
                    junk[above] = True
        if len(text) > _HEADING_CHARS:
            continue
        for box in site.boxes:
            if box.start.fullmatch(text):
                window = nonblank[position + 1 : position + 1 + box.max_lines]
                ends = [j for j in window if box.end.fullmatch(stripped[j])]
                if ends:
                    for j in nonblank[max(0, position - box.before) : nonblank.index(ends[-1]) + 1]:
                        junk[j] = True
        if site.related_heading.fullmatch(text):
            run = []
            for j in nonblank[position + 1 :]:
                line = stripped[j]
                if len(line) > _HEADLINE_CHARS or line.endswith(_SENTENCE_END):
                    break
                run.append(j)
            if len(run) >= 2:
                for j in [i, *run]:
                    junk[j] = True


def _blank_menu_runs(contents: list[str], nonblank: list[int], junk: list[bool], markdown: bool) -> None:
    """A vertical menu: three or more short Title-Case lines in a row (no blank line
    between), two or more of them menu words ("Home", "News", "Contact")."""
    run: list[int] = []

    def close_run() -> None:
        words = [w for i in run for w in words_of(classification_form(contents[i], markdown))]
        if len(run) >= 3 and nav_word_count(words) >= 2:
            for i in run:
                junk[i] = True
        run.clear()

    previous = -2
    for i in nonblank:
        if i != previous + 1:  # a blank line ends a menu
            close_run()
        previous = i
        if is_menu_line(classification_form(contents[i], markdown)):
            run.append(i)
        else:
            close_run()
    close_run()


def _blank_sandwiched_labels(contents: list[str], nonblank: list[int], junk: list[bool]) -> None:
    """A short label between junk lines (a section name between the language switcher and
    the breadcrumb), or after the last junk line at the end, is junk too."""
    for position, i in enumerate(nonblank):
        if junk[i] or not is_short_label(contents[i]):
            continue
        before = nonblank[position - 1] if position > 0 else None
        after = nonblank[position + 1] if position + 1 < len(nonblank) else None
        if before is not None and junk[before] and (after is None or junk[after]):
            junk[i] = True


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with every character inside ``spans`` except line breaks replaced by a space.

    >>> blank_spans("ab\\ncd", [(1, 4)])
    'a \\n d'
    """
    out: list[str] = []
    pos = 0
    for start, end in _merge([(max(0, s), min(len(text), e)) for s, e in spans if e > s]):
        out.append(text[pos:start])
        out.append(_NON_BREAK.sub(" ", text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def blank_boilerplate(text: str, *, known: Iterable[tuple[int, int]] = (), markdown: bool = False) -> str:
    """``text`` with boilerplate replaced by spaces: same length, same line breaks.

    >>> body = blank_boilerplate("Home > Meetings\\nRemarks by the Ambassador\\nSuggest to a friend")
    >>> body
    '               \\nRemarks by the Ambassador\\n                   '
    >>> len(body) == len("Home > Meetings\\nRemarks by the Ambassador\\nSuggest to a friend")
    True
    """
    return blank_spans(text, boilerplate_spans(text, known=known, markdown=markdown))
