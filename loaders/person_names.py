"""Persons named in a text, and the titles before their names.

A person is named with a title ("Ambassador Zhang Jun"), in apposition ("Zhang Jun,
Permanent Representative of ...") or as the subject of a reporting verb ("... said");
every other occurrence of the name follows. One capitalised word after a title is a
surname to resolve (:func:`find_titled_surnames`). The titles are data:
``ontology/name_patterns.json`` and the offices of ``ontology/person_titles.toml``.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

from loaders.gazetteer import token_list
from loaders.name_patterns import SHAPES, FoundName
from loaders.word_search import find_words


def _alternation(phrases: list[str]) -> str:
    """A regex alternation of literal phrases, longest first, any white space between words."""
    ordered = sorted(phrases, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in ordered)


def _person_titles() -> list[str]:
    """Titles of ``name_patterns.json`` and the offices of ``ontology/person_titles.toml``
    (the metadata stage's list, in any language: "vice statsminister")."""
    titles = list(SHAPES["person_titles"])
    offices = resources.files("ontology").joinpath("person_titles.toml")
    if offices.is_file():
        offices_data = tomllib.loads(offices.read_text(encoding="utf-8"))
        titles += [t for t in offices_data.get("titles", []) if t.strip()]
    return sorted(set(titles))


#: Titles before a person's name ("Prime Minister", "Shri", "H. E."), from the data files;
#: several may stand in a row ("H. E. Ambassador").
PERSON_TITLES = _person_titles()
_TITLE = rf"(?:{_alternation(PERSON_TITLES)})(?![\w-])"
_TITLES = rf"(?:{_TITLE}(?:\s+{_TITLE})*)"
_NAME = r"((?:[A-Z][a-zà-ÿ]+(?:-[A-Za-zà-ÿ]+)?)(?:\s+[A-Z][a-zà-ÿ]+(?:-[A-Za-zà-ÿ]+)?){1,3})"
_TITLED = re.compile(rf"\b{_TITLES}(?:\s+and\s+{_TITLES})?\s+{_NAME}")
_APPOSITIVE = re.compile(
    rf"(?:^|(?<=[.\n]\s)|(?<=\n)|(?<=, ))\s*{_NAME},\s+(?:the\s+)?(?:{_TITLES}|Permanent Representative|"
    r"Deputy|Head|Chief|Director)\b"
)
_REPORTING = re.compile(
    rf"(?:^|(?<=[.\n])\s+|(?<=\n))\s*{_NAME}\s+(?:said|says|stated|noted|pointed out|emphasi[sz]ed|"
    r"stressed|added|told|urged|called|underlined|underscored|reiterated|remarked)\b",
    re.MULTILINE,
)
#: Capitalised words that end or rule out a name found by its shape ("Security Council",
#: "Madam", "Chinese"): ``not_person_name_words`` of ``ontology/name_patterns.json``.
NOT_NAME_WORDS = frozenset(SHAPES["not_person_name_words"])


def find_persons(text: str) -> list[FoundName]:
    """Persons named in ``text`` (see :func:`_find_persons`)."""
    return list(_find_persons(text))


@lru_cache(maxsize=16)
def _find_persons(text: str) -> tuple[FoundName, ...]:
    """Persons named with a title ("Ambassador Zhang Jun"), in apposition ("Zhang Jun,
    Permanent Representative of China") or as the subject of a reporting verb, and every
    other occurrence of the same names.

    >>> sorted({f.name for f in find_persons(
    ...     "Remarks by H. E. Ambassador Li Song of China. Mr. President, Li Song said so.")})
    ['Li Song']
    """
    names: set[str] = set()
    titled = (m for p in _title_positions(text) if (m := _TITLED.match(text, p)) is not None)
    for matches in (titled, _APPOSITIVE.finditer(text), _REPORTING.finditer(text)):
        for m in matches:
            name = m.group(m.lastindex or 1)
            words = name.split()
            while words and words[-1] in NOT_NAME_WORDS:
                words.pop()
            if len(words) < 2 or any(w in NOT_NAME_WORDS for w in words):
                continue
            names.add(" ".join(words))
    out: list[FoundName] = []
    found = find_words(text, sorted(names))
    for name in sorted(names):
        for start, end in found[name]:
            out.append(FoundName(start, end, name, "Person", "entity.person.name"))
    return tuple(out)


_TITLED_SURNAME = re.compile(rf"\b{_TITLES}\s+([A-Z][\w'’-]*[^\W\d_])(?![\w-]|\s+[A-Z][a-z])")
_TITLE_BEFORE = re.compile(rf"(?<![\w-]){_TITLES}\s+$")


@lru_cache(maxsize=16)
def find_titled_surnames(text: str) -> tuple[FoundName, ...]:
    """One capitalised word after a title ("President Putin", "Premier Li"): a person's
    surname, to be resolved against the persons the document or the gazetteer knows.
    The span is the surname's.

    >>> [f.name for f in find_titled_surnames("Later, President Putin met Secretary Yellen.")]
    ['Putin', 'Yellen']
    """
    out: list[FoundName] = []
    for position in _title_positions(text):
        m = _TITLED_SURNAME.match(text, position)
        if m is not None and (not out or out[-1].start != m.start(1)):
            out.append(FoundName(m.start(1), m.end(1), m.group(1), "Person"))
    return tuple(out)


#: First words of the titles: the title patterns are tried only where one stands (one
#: big alternation tried at every offset of a long speech is slow).
_TITLE_FIRST_WORDS = frozenset(token_list(title)[0][2] for title in PERSON_TITLES)


@lru_cache(maxsize=16)
def _title_positions(text: str) -> tuple[int, ...]:
    return tuple(start for start, _, word in token_list(text) if word in _TITLE_FIRST_WORDS)


def title_before(text: str, start: int) -> str | None:
    """The title written right before ``text[start:]`` ("President " before "Biden"), or None.

    >>> title_before("with Shri Narendra Modi", 10)
    'Shri'
    """
    m = _TITLE_BEFORE.search(text, max(0, start - 60), start)
    return m.group().strip() if m else None
