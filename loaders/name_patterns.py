"""Shapes of names the gazetteer does not know, found as plain data (spans, no entities).

A name of this domain is a capitalised phrase, possibly with lower-case connectors ("of",
"on", "for", "the", "in", "and", "to", "against"), whose *head noun* says what it is:
Initiative, Guidelines, Code of Conduct, Strategy, Position Paper -> Initiative; Treaty,
Convention, Agreement, Resolution, Charter, Declaration, Roadmap -> Instrument;
Conference, Committee, Working Group, Summit, Regime, Mechanism -> Forum; Ministry,
Center, Force -> Organization. The head nouns, their types and the other word lists
are data (``ontology/name_patterns.json``); this module holds no names.

Acronyms defined in the text ("Long Name (ACR)") are found on the same capitalised runs
by :mod:`loaders.acronym_definitions`; persons and their titles by
:mod:`loaders.person_names`; where known words and phrases occur by
:mod:`loaders.word_search`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from loaders.gazetteer import token_list


def _load_shapes() -> dict[str, Any]:
    text = resources.files("ontology").joinpath("name_patterns.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


#: ``ontology/name_patterns.json``: head nouns and their types, connectors, person titles,
#: resolution-citing bodies (schema in tests/test_name_patterns_data.py).
SHAPES = _load_shapes()
HEAD_TYPES: dict[str, str] = {word: type_ for type_, words in SHAPES["head_types"].items() for word in words}
#: Multi-word heads, matched on the lower-cased name before single words.
PHRASE_HEADS: tuple[tuple[str, str], ...] = tuple((p, t) for p, t in SHAPES["phrase_heads"])
#: Words of names that say little about which thing is meant (used to judge whether a
#: document's context supports an ambiguous acronym).
GENERIC_NAME_WORDS = frozenset(SHAPES["generic_name_words"])
CONNECTORS = frozenset(SHAPES["connectors"])
#: Connectors allowed only after certain words ("Parties *to* the Treaty").
BOUND_CONNECTORS: dict[str, frozenset[str]] = {
    word: frozenset(after) for word, after in SHAPES["bound_connectors"].items()
}
#: Capitalised words that begin a sentence or a clause but are not part of a name.
LEADING_NOISE = frozenset(SHAPES["leading_noise"])
MONTH_WORDS = frozenset(SHAPES["month_words"])
_COMPLEMENT_STARTERS = frozenset(SHAPES["complement_starters"])


@dataclass(frozen=True, slots=True)
class FoundName:
    """A name found by its shape: its span, text, entity type and the rule that found it."""

    start: int
    end: int
    name: str
    type: str
    rule: str = "entity.pattern.head_noun"


def head_type(name: str) -> str | None:
    """The entity type a name's head noun says, or None.

    >>> head_type("Tianjin Biosecurity Guidelines for the Codes of Conduct for Scientists")
    'Initiative'
    >>> head_type("UNGA Resolution Promoting International Cooperation on Peaceful Uses")
    'Instrument'
    >>> head_type("Group of Governmental Experts on Developments in the Field of ICTs")
    'Forum'
    >>> head_type("Madam President") is None
    True
    """
    low = name.lower().replace("’", "'")
    words = re.findall(r"[a-z0-9']+", low)
    if not words:
        return None
    # The head stands before the first connector ("Treaty *on* the ..."), except in
    # "Group of Governmental Experts", "Code of Conduct" and the like.
    for phrase, type_ in PHRASE_HEADS:
        if phrase in low:
            return type_
    # The head is the last head word of the name's core, which ends at the first
    # complement ("Treaty *on* the ...", "Cooperation Initiative *on* Data Security");
    # "of" stays inside ("China-League of Arab States Cooperation Initiative").
    core: list[str] = []
    for w in words:
        if w in _COMPLEMENT_STARTERS and core:
            break
        core.append(w)
    for w in reversed(core):
        if w in HEAD_TYPES:
            return HEAD_TYPES[w]
    return None


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper() or (tok[:1].isdigit() and len(tok) >= 2)


@lru_cache(maxsize=16)
def capitalised_runs(text: str) -> tuple[tuple[int, int], ...]:
    """Maximal runs of capitalised words as (first, last) token indices over
    ``token_list(text)`` (see :func:`_scan_runs`); names and acronym definitions are
    found on them."""
    return tuple(_scancapitalised_runs(text))


def _scancapitalised_runs(text: str) -> Iterator[tuple[int, int]]:
    """Maximal runs of capitalised words joined by connectors, hyphens, "+", "&" and
    possessive "'s", as (first token index, last token index) over ``tokens(text)``."""
    toks = token_list(text)
    n = len(toks)
    i = 0
    while i < n:
        if not _is_cap(toks[i][2]) or toks[i][2].lower() in MONTH_WORDS:
            i += 1
            continue
        j = i
        last_cap = i
        while j + 1 < n:
            nxt = toks[j + 1]
            word = nxt[2]
            gap = text[toks[j][1] : nxt[0]]
            if "\n" in gap:
                if not _wrapped_line(text, toks[j][1], gap):
                    break
                gap = " "  # a line wrapped inside running prose is one space
            if gap and not gap.isspace():
                break
            if _is_cap(word) and word.lower() not in MONTH_WORDS and not word.isdigit():
                j += 1
                last_cap = j
            elif (
                (word in CONNECTORS and gap == " ")
                or (word in BOUND_CONNECTORS and gap == " " and toks[j][2].lower() in BOUND_CONNECTORS[word])
                or (word in ("-", "–") and gap == "" and j + 2 < n and toks[j + 2][0] == nxt[1])
                or (word in ("+", "&") and j + 2 < n)
            ):
                j += 1
            elif word in ("'", "’") and j + 2 < n and toks[j + 2][2] == "s" and gap == "":
                j += 2
                last_cap = j
            elif (
                word in ("'", "’")
                and gap == ""
                and toks[j][2].endswith("s")
                and j + 2 < n
                and text[nxt[1] : toks[j + 2][0]] == " "
                and _is_cap(toks[j + 2][2])
            ):
                j += 1  # plural possessive inside a name ("Ministers’ Statement")
            elif word == "." and gap == "" and _dotted_abbreviation(text, toks, j):
                j += 1  # "U.N.", "U.S.": the dots belong to the name
                last_cap = j
                if j + 1 < n and toks[j + 1][2].lower() in LEADING_NOISE:
                    break  # "... of the U.N. We": the abbreviation ended the sentence
            elif word.isdigit() and toks[j][2] == "of" and gap == " ":
                j += 1  # "Group of 20"
                last_cap = j
            elif (
                word == "("
                and _inner_acronym(text, toks, j + 2)
                and head_type(text[toks[i][0] : toks[j][1]]) is None
            ):
                # "Hiroshima Artificial Intelligence (AI) Process": the acronym of words
                # without a head noun, inside a name that goes on with its head noun
                # (but "... Weapons (NPT) Review Conference" defines the NPT).
                j += 3
            else:
                break
        yield i, last_cap
        i = j + 1


def _dotted_abbreviation(text: str, toks: tuple[tuple[int, int, str], ...], j: int) -> bool:
    """``toks[j]`` is a capital letter of "U.N." / "U.S." followed by its dot."""
    letter = toks[j][2]
    if len(letter) != 1 or not letter.isupper():
        return False
    nxt = toks[j + 2] if j + 2 < len(toks) else None
    before_letter = nxt is not None and nxt[0] == toks[j + 1][1] and len(nxt[2]) == 1 and nxt[2].isupper()
    after_letter = j >= 1 and toks[j - 1][2] == "." and toks[j - 1][1] == toks[j][0]
    return before_letter or after_letter


def _wrapped_line(text: str, line_end: int, gap: str) -> bool:
    """A single line break inside running prose (a hard-wrapped paragraph line of 40 or
    more characters), not the end of a heading or of a paragraph."""
    if gap.count("\n") != 1:
        return False
    return "\n" not in text[max(0, line_end - 40) : line_end] and line_end >= 40


def _inner_acronym(text: str, toks: tuple[tuple[int, int, str], ...], k: int) -> bool:
    """``toks[k-1:k+3]`` is "( ACR ) Head" with a short capitalised acronym and a head noun."""
    if k + 2 >= len(toks):
        return False
    acr, close, head = toks[k], toks[k + 1], toks[k + 2]
    return (
        close[2] == ")"
        and acr[2][:1].isupper()
        and len(acr[2]) <= 8
        and text[close[1] : head[0]] == " "
        and head[2].lower() in HEAD_TYPES
    )


def trim_run(text: str, toks: tuple[tuple[int, int, str], ...], i: int, j: int) -> tuple[int, int] | None:
    """A run without the sentence openers before it and the connectors after it, or None."""
    while i <= j and (toks[i][2].lower() in LEADING_NOISE or not toks[i][2][:1].isalnum()):
        i += 1
    while j >= i and (toks[j][2] in CONNECTORS or not toks[j][2][:1].isalnum()):
        j -= 1
    return (i, j) if i <= j else None


_RESOLUTION_TITLE = re.compile(r"\b[Rr]esolution\s+(?:entitled|titled|on)\s+[“\"]([^”\"\n]{10,200})[”\"]")
_DESCRIPTIVE = re.compile(
    r"\b(?:[Pp]osition [Pp]aper|[Ww]hite [Pp]aper)\s+(?:on|concerning|regarding)\s+"
    r"((?:[a-z][a-z\-]*|AI|ICTs?)(?:\s+(?:[a-z][a-z\-]*|AI|ICTs?))*?)"
    r"(?=\s*[,.;:(]|\s+(?:which|that|and\s+(?:the|its|a)|to|with|in\s+\d|at|as|is|was|has|had|by)\b)"
)


#: "a community with a shared future for humanity in cyberspace": a named vision written
#: in lower case, cited across years.
_COMMUNITY = re.compile(
    r"\b((?:[Cc]ommunity|[Cc]ommunities)\s+(?:with|of)\s+(?:a\s+)?shared\s+future"
    r"(?:\s+for\s+(?:humanity|mankind|all))?"
    r"(?:\s+in\s+(?:the\s+)?(?:[a-z]+|AI)(?:\s+(?:[a-z]+|AI)){0,7}?)?)"
    r"(?<!shared\sfuture)"
    r"(?=\s*[,.;:(]|\s+(?:has|have|is|was|which|that|offering|to|by|with|as|for|at|under)\b)"
)
#: The object of "convened/held/hosted a ... meeting": a meeting without a proper name.
_CONVENED_MEETING = re.compile(
    r"\b(?:convened|held|hosted|organi[sz]ed)\s+(?:an?|the)\s+"
    r"((?:[A-Za-z][\w-]*\s+){0,3}?(?:meeting|summit|conference|seminar|dialogue|briefing|debate|session)"
    r"(?:\s+on\s+[a-z][a-z ]{3,80}?)?)(?=\s*[,.;:(]|\s+(?:to|in|on|at|with|which|that|where)\b)"
)


def resolution_title_start(name: str) -> int:
    """Offset of the title in "UNGA Resolution Promoting ...": the resolution is named by
    its title, so that every way of citing it gets one key."""
    m = re.search(r"\bResolution\s+(?=[A-Z][a-z]+ing\b)", name)
    return m.end() if m else 0


def _split_coordination(toks: tuple[tuple[int, int, str], ...], a: int, b: int) -> list[tuple[int, int]]:
    """Split "Tenth Review Conference of the NPT and the Ninth Review Conference of the
    BWC" into two names when the part before "and" has a head noun of its own."""
    for k in range(a + 1, b):
        if toks[k][2] != "and":
            continue
        left = " ".join(t[2] for t in toks[a:k])
        right_start = k + 1 + (toks[k + 1][2].lower() == "the")
        right = " ".join(t[2] for t in toks[right_start : b + 1])
        both_named = head_type(left) and head_type(right)
        and_the = toks[k + 1][2].lower() == "the"
        if right_start <= b and (both_named or and_the) and toks[right_start][2][:1].isupper():
            return [(a, k - 1), *_split_coordination(toks, right_start, b)]
    return [(a, b)]


_HEADING_PREFIX = re.compile(r"[\sIVXivx\d.)*#-]*")
_HEADING_SUFFIX = re.compile(r"[\s.*:]*")


def _is_heading(text: str, start: int, end: int) -> bool:
    """A name that fills its whole line (but for a numbering before it and a colon after
    it) is a section heading or a title, not a mention. Looks at most a few characters
    either side, so that a document of one long line costs linear time."""
    lo = max(0, start - 24)
    before = text.rfind("\n", lo, start)
    if before < 0 and lo > 0:
        return False
    hi = min(len(text), end + 12)
    after = text.find("\n", end, hi)
    if after < 0 and hi < len(text):
        return False
    prefix = text[before + 1 : start]
    suffix = text[end : after if after >= 0 else hi]
    return bool(_HEADING_PREFIX.fullmatch(prefix) and _HEADING_SUFFIX.fullmatch(suffix))


#: "President of the European Council" names a post, not the council.
_POST = re.compile(
    r"(?:Vice[- ])?(?:President|Chancellor|Minister|Secretary|Secretary-General|Chair|Chairman|"
    r"Chairperson|Prime|King|Queen|Prince|Ambassador|Director|Director-General|Head|Deputy|"
    r"Commissioner|Representative|High Representative|Special Envoy|Envoy|Spokesperson)\b"
)


_POST_OF = re.compile(rf"{_POST.pattern}(?:\s+[A-Z][a-z]+)?\s+of\s+(?:the\s+)?(?=[A-Z])")


def _only_generic(name: str) -> bool:
    words = re.findall(r"[a-z]+", name.lower())
    return all(w in GENERIC_NAME_WORDS or w in HEAD_TYPES or w in CONNECTORS for w in words)


def find_names(text: str) -> list[FoundName]:
    """Capitalised names with a head noun, resolution titles and symbols, descriptive
    references ("position paper on ..."), as spans of ``text``.

    >>> [(f.name, f.type) for f in find_names("China launched the Global Initiative on Data Security.")]
    [('Global Initiative on Data Security', 'Initiative')]
    """
    toks = token_list(text)
    out: list[FoundName] = []
    for i, j in capitalised_runs(text):
        trimmed = trim_run(text, toks, i, j)
        if trimmed is None:
            continue
        for a, b in _split_coordination(toks, *trimmed):
            start, end = toks[a][0], toks[b][1]
            if text[end : end + 1] == "/":
                continue
            name = text[start:end]
            type_ = head_type(name)
            if type_ is None or (len(name.split()) < 2 and not name.isupper()):
                continue
            if (post := _POST_OF.match(name)) is not None:
                # "Chair of the International Fund for ...": the post is not named, the body is.
                start += post.end()
                name = text[start:end]
                type_ = head_type(name)
                if type_ is None:
                    continue
            if _only_generic(name) or _is_heading(text, start, end) or _POST.match(name):
                continue
            if " " in name and name.isupper():
                continue  # a shouted label ("SENIOR ADMINISTRATION OFFICIAL:"), not a name
            if type_ == "Instrument":
                shift = resolution_title_start(name)
                if shift:
                    start += shift
                    name = text[start:end]
            out.append(FoundName(start, end, name, type_))
    for m in _RESOLUTION_TITLE.finditer(text):
        rule = "entity.pattern.resolution_title"
        out.append(FoundName(m.start(1), m.end(1), m.group(1), "Instrument", rule))
    for m in _DESCRIPTIVE.finditer(text):
        out.append(FoundName(m.start(), m.end(), m.group(), "Initiative", "entity.pattern.descriptive"))
    for m in _COMMUNITY.finditer(text):
        out.append(FoundName(m.start(1), m.end(1), m.group(1), "Initiative", "entity.pattern.shared_future"))
    for m in _CONVENED_MEETING.finditer(text):
        out.append(FoundName(m.start(1), m.end(1), m.group(1), "Forum", "entity.pattern.convened_meeting"))
    out.extend(_quoted_titles(text))
    return out


#: A title-cased phrase in quotation marks: the name of a programme, initiative or
#: network ("the “Youth Champions for Disarmament” financed by ...").
_QUOTED = re.compile(
    # Words apart by white space (a separator that may be empty let "abc" split 2^n
    # ways: 13 s a megabyte of backtracking at every quotation mark without its close).
    r"[“\"]((?:[A-Z][\w’'-]*|\d[\w-]*)"
    r"(?:(?:[ \t]+\n?[ \t]*|\n[ \t]*)(?:[A-Z][\w’'-]*|\d[\w-]*|[a-z]+|&)){1,9})[”\"]"
)


def _quoted_titles(text: str) -> Iterator[FoundName]:
    """Quoted phrases whose every word but the connectors is capitalised, with two
    capitalised words or more; a head noun gives the type, else Initiative."""
    for m in _QUOTED.finditer(text):
        name = m.group(1)
        words = name.split()
        if words[0].lower() in LEADING_NOISE:
            continue  # "“We Will Win”": a quoted sentence, not a title
        if any(w[:1].islower() and w not in CONNECTORS for w in words) or words[-1] in CONNECTORS:
            continue
        capitalised = [w for w in words if w[:1].isupper()]
        if len(capitalised) < 2 or name.isupper() or _only_generic(name):
            continue
        start, end = m.start(1), m.end(1)
        yield FoundName(start, end, name, head_type(name) or "Initiative", "entity.pattern.quoted_title")


def clean_label(name: str) -> str:
    """A found name as a label: single spaces, no leading article, straight apostrophes,
    "and" for "&".

    >>> clean_label("the G7 Digital &  Tech Ministers’ Statement")
    "G7 Digital and Tech Ministers' Statement"
    """
    label = re.sub(r"\s+", " ", name.replace("’", "'")).strip().replace(" & ", " and ")
    return re.sub(r"^(?:the|The)\s+", "", label)
