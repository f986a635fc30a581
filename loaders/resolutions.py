"""Resolutions cited by number: "resolution 78/265", "Resolution 2758 (XXVI)", "Security
Council resolution 1540 (2004)", "A/RES/76/262", "resolutions 2375 and 2397".

Every citation gets one canonical label, ``<body> resolution <number>``, so that the same
resolution cited in different ways, in different documents, is one entity: the body is
the one the text names, or the one the numbering implies (session/number and
number (roman session) are General Assembly numbers; a plain number is a Security Council
number). The bodies and their names are data (``ontology/name_patterns.json``), as are
other names made of a word and a number ("Executive Order 14110", "COP 28"), found by
:func:`find_numbered_names`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from loaders.name_patterns import SHAPES

#: Canonical body name for each way a text names it ("UNSC" -> "Security Council").
_BODY_NAMES: dict[str, str] = {
    re.sub(r"\s+", " ", alias).lower(): body
    for body, aliases in SHAPES["resolution_bodies"].items()
    for alias in aliases
}
_DEFAULT_BODY: dict[str, str] = SHAPES["resolution_default_body"]
_SYMBOL_BODY: dict[str, str] = SHAPES["resolution_symbol_body"]

_BODY = "|".join(
    r"\s+".join(re.escape(w) for w in alias.split())
    for aliases in SHAPES["resolution_bodies"].values()
    for alias in sorted(aliases, key=len, reverse=True)
)
#: A resolution number: session/number (with an optional part letter), an emergency
#: special session's ES-n/m, or a plain number; then an optional (year) or (roman session).
_NUMBER = r"(?:ES-\d{1,2}/\d{1,4}|\d{1,3}/\d{1,4}(?:\s[A-Z](?![\w/]))?|\d{1,4})(?![\w/])"
_QUALIFIER = r"(?:\s?\((?:1[89]\d\d|20\d\d|[IVXL]{1,7})\))?"
#: "resolution(s)" before a number; the body that may stand before it is looked for
#: only there (an alternation of body names tried at every offset would be slow).
_CITED = re.compile(
    r"\b[Rr]esolutions?\s+(?:[Nn]o\.\s*)?"
    rf"(?P<list>{_NUMBER}{_QUALIFIER}(?:(?:\s*,\s*|\s+and\s+|,\s+and\s+){_NUMBER}{_QUALIFIER})*)"
)
_BODY_BEFORE = re.compile(rf"\b(?P<body>{_BODY})(?:['’]s)?\s+$")
_BODY_NEARBY = re.compile(rf"\b(?P<body>{_BODY})\b")
_ONE = re.compile(rf"(?P<number>{_NUMBER})(?P<qualifier>{_QUALIFIER})")
_SYMBOL = re.compile(
    r"\b(?P<prefix>A/HRC|A|S)/RES/(?P<number>(?:ES-)?\d{1,4}(?:/\d{1,4})?)(?![\w/])"
    rf"(?P<qualifier>{_QUALIFIER})"
)


@dataclass(frozen=True, slots=True)
class ResolutionCitation:
    """``text[start:end]`` cites the resolution ``label`` (its canonical label)."""

    start: int
    end: int
    label: str


def _label(body: str | None, number: str, qualifier: str) -> str:
    number = re.sub(r"\s+", " ", number)
    session = qualifier.strip(" ()")
    roman = bool(session) and not session.isdigit()
    if body is None:
        if "/" in number:
            body = _DEFAULT_BODY["session_number"]
        elif roman:
            body = _DEFAULT_BODY["roman_session"]
        else:
            body = _DEFAULT_BODY["plain_number"]
    # A roman session is part of the old General Assembly numbering, a year is not.
    return f"{body} resolution {number}" + (f" ({session})" if roman else "")


def _body_nearby(text: str, start: int) -> str | None:
    lo = max(0, start - 120)
    window = max(lo, text.rfind(".", lo, max(lo, start - 1)) + 1)
    nearby = list(_BODY_NEARBY.finditer(text, window, start))
    return _BODY_NAMES[re.sub(r"\s+", " ", nearby[-1].group("body")).lower()] if nearby else None


@lru_cache(maxsize=16)
def find_resolutions(text: str) -> tuple[ResolutionCitation, ...]:
    """Every resolution cited by number or symbol in ``text``.

    >>> [(c.label, c.end - c.start) for c in find_resolutions(
    ...     "UN Security Council resolutions 2375 (2017) and 2397, and resolution 76/262.")]
    [('Security Council resolution 2375', 43), ('Security Council resolution 2397', 4), \
('General Assembly resolution 76/262', 17)]
    """
    out: list[ResolutionCitation] = []
    if "esolution" not in text and "/RES/" not in text:
        return ()
    for m in _CITED.finditer(text):
        before = _BODY_BEFORE.search(text, max(0, m.start() - 45), m.start())
        body = _BODY_NAMES[re.sub(r"\s+", " ", before.group("body")).lower()] if before else None
        # "the General Assembly adopted Resolution 2758": the body named just before, in
        # the same sentence, adopted a resolution cited by a plain number.
        nearby_body = body or _body_nearby(text, m.start())
        first = True
        for one in _ONE.finditer(text, m.start("list"), m.end("list")):
            plain = "/" not in one.group("number")
            label = _label(
                body or (nearby_body if plain else None), one.group("number"), one.group("qualifier")
            )
            # The first number's span takes the whole citation ("Security Council
            # resolution 2616 (2021)"); later ones in a list, the number alone.
            start = (before.start() if before else m.start()) if first else one.start()
            out.append(ResolutionCitation(start, one.end(), label))
            first = False
    for m in _SYMBOL.finditer(text):
        label = _label(_SYMBOL_BODY[m.group("prefix")], m.group("number"), m.group("qualifier"))
        out.append(ResolutionCitation(m.start(), m.end(), label))
    return tuple(out)


def _numbered_pattern(spec: dict[str, str]) -> re.Pattern[str]:
    prefix = r"\s+".join(re.escape(w) for w in spec["prefix"].split())
    return re.compile(rf"\b{prefix}(?:\s*-\s*|\s+)?(?:No\.\s*)?(?P<number>\d{{1,6}})(?![\w/])")


_NUMBERED = tuple((_numbered_pattern(spec), spec) for spec in SHAPES["numbered_names"])


@dataclass(frozen=True, slots=True)
class NumberedName:
    """``text[start:end]`` names ``label`` (canonical), an entity of ``type``."""

    start: int
    end: int
    label: str
    type: str


@lru_cache(maxsize=16)
def find_numbered_names(text: str) -> tuple[NumberedName, ...]:
    """Names made of a fixed word and a number, under one canonical label each.

    >>> [(n.label, n.type) for n in find_numbered_names("Executive Order 14110 and COP 28, then COP-29.")]
    [('Executive Order 14110', 'Instrument'), ('COP28', 'Forum'), ('COP29', 'Forum')]
    """
    out: list[NumberedName] = []
    for pattern, spec in _NUMBERED:
        if spec["prefix"] not in text:
            continue
        for m in pattern.finditer(text):
            label = spec["label"].format(number=int(m.group("number")))
            out.append(NumberedName(m.start(), m.end(), label, spec["type"]))
    return tuple(out)
