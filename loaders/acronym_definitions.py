"""Acronyms defined in the text: "Long Name (ACR)", and resolution symbols in parentheses.

The acronym's capital letters must come from the words of the name before it (the
shortest part of the capitalised run that accounts for them); a resolution symbol
("A/RES/76/19") in parentheses names the resolution before it. Runs, head nouns and
connectors come from :mod:`loaders.name_patterns`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.gazetteer import token_list
from loaders.name_patterns import CONNECTORS, capitalised_runs, head_type, resolution_title_start, trim_run


@dataclass(frozen=True, slots=True)
class AcronymDefinition:
    """An acronym and the name it is defined for, with their offsets and the name's type."""

    acronym: str
    acronym_start: int
    name: str
    name_start: int
    name_end: int
    type: str


def _initials(name: str) -> str:
    caps = re.findall(r"\b[A-Za-z]|(?<=-)[A-Za-z]", name)
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in CONNECTORS]
    return "".join(c.upper() for c in caps) + "".join(w[0].upper() for w in words)


def _acronym_fits(acronym: str, name: str) -> bool:
    letters = [c for c in acronym if c.isalpha() and c.isupper()]
    pool = list(_initials(name))
    for c in letters:
        if c in pool:
            pool.remove(c)
        else:
            return False
    return len(letters) >= 2


_DEFINITION = re.compile(r"\s*\(\s*([A-Z][A-Za-z0-9&+-]{1,11}|(?:A|S|E)/(?:RES/)?\d{1,3}/\d{1,4})\s*\)")


def find_acronym_definitions(text: str) -> list[AcronymDefinition]:
    """'Long Name (ACR)' definitions: the acronym's letters must come from the name's
    words; a resolution symbol in parentheses names the preceding resolution.

    >>> [(d.acronym, d.name) for d in find_acronym_definitions(
    ...     "an Open-Ended Working Group (OEWG) under the UNGA")]
    [('OEWG', 'Open-Ended Working Group')]
    """
    toks = token_list(text)
    out: list[AcronymDefinition] = []
    for i, j in capitalised_runs(text):
        trimmed = trim_run(text, toks, i, j)
        if trimmed is None:
            continue
        a, b = trimmed
        m = _DEFINITION.match(text, toks[b][1])
        if not m:
            continue
        acronym = m.group(1)
        symbol = "/" in acronym
        # Shortest suffix of the run that still accounts for the acronym's letters.
        best: tuple[int, str] | None = None
        for k in range(b, a - 1, -1):
            if toks[k][2] in CONNECTORS:
                continue
            name = text[toks[k][0] : toks[b][1]]
            if symbol or _acronym_fits(acronym, name):
                best = (k, name)
                if not symbol:
                    break
        if best is None:
            continue
        k, name = best
        type_ = head_type(name)
        if type_ is None and not symbol:
            continue
        name_start = toks[k][0]
        if symbol and type_ == "Instrument":
            name_start += resolution_title_start(name)
            name = text[name_start : toks[b][1]]
        out.append(
            AcronymDefinition(acronym, m.start(1), name, name_start, toks[b][1], type_ or "Instrument")
        )
    return out
