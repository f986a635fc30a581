"""The gazetteer: real entities of the domain, loaded from ``ontology/gazetteer/*.jsonl``.

The gazetteer is data, not code: each line of a JSON Lines file is one entity (id, label,
type, aliases, acronyms, Wikidata id, ...). This module only indexes it:

- by normalised name (label and aliases), for exact lookups;
- by *signature*, the bag of content words of a name after light stemming and expansion
  of domain abbreviations, so that "Global Data Security Initiative" and "Global
  Initiative on Data Security" (same words, other order) are one entity;
- by acronym (case-sensitive), with ambiguous acronyms kept apart so that the entity
  stage accepts them only when the document's context supports them;
- as a token trie, so that the entity stage finds every known name in one pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

#: The gazetteer's folder inside the ``ontology`` package (read with importlib.resources).
GAZETTEER_FOLDER = "gazetteer"

# Words (letters of any script, digits) and single punctuation marks; a possessive "'s"
# becomes its own tokens so that "China's" contains the name "China".
_WORD = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

#: Words that carry no identity in a name ("Initiative *on* Data Security").
STOPWORDS = frozenset("a an the of on for in and to at by with from into under its their his her our".split())
#: Domain abbreviations expanded before signatures are compared ("AI" = "artificial
#: intelligence"); applied to whole words only.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "ai": ("artificial", "intelligence"),
    "ict": ("information", "communication", "technology"),
    "icts": ("information", "communication", "technology"),
    "un": ("united", "nations"),
    "u.n.": ("united", "nations"),
    "unga": ("united", "nations", "general", "assembly"),
    "unsc": ("united", "nations", "security", "council"),
    "prc": ("people", "republic", "china"),
    "wmd": ("weapon", "mass", "destruction"),
    "wmds": ("weapon", "mass", "destruction"),
    "gge": ("group", "governmental", "expert"),
    "ungge": ("united", "nations", "group", "governmental", "expert"),
    "oewg": ("open", "ended", "working", "group"),
    "organisation": ("organization",),
    "organisations": ("organization",),
    "behaviour": ("behavior",),
    "programme": ("program",),
    "defence": ("defense",),
    "communications": ("communication",),
    "telecommunications": ("telecommunication",),
}


def normalise(text: str) -> str:
    """Lower-case, apostrophes unified, possessive 's dropped, punctuation to spaces,
    no leading article.

    >>> normalise("The People’s Republic of China")
    'people republic of china'
    """
    low = text.lower().replace("’", "'").replace("'s ", " ").replace("'s", "")
    low = _NON_ALNUM.sub(" ", low).strip()
    low = re.sub(r"^(the|a|an) ", "", low)
    return re.sub(r"\s+", " ", low)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def signature(name: str) -> frozenset[str]:
    """The content words of a name, stemmed and with domain abbreviations expanded.

    >>> signature("Global Data Security Initiative") == signature("Global Initiative on Data Security")
    True
    >>> sorted(signature("position paper on military applications of AI"))
    ['application', 'artificial', 'intelligence', 'military', 'paper', 'position']
    """
    words: list[str] = []
    for raw in normalise(name).split():
        expanded = EXPANSIONS.get(raw)
        words.extend(expanded if expanded else (raw,))
    return frozenset(_stem(w) for w in words if w not in STOPWORDS)


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    key: str
    label: str
    type: str
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    ambiguous_acronyms: tuple[str, ...] = ()
    context_aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    wikidata: str | None = None
    parent: str | None = None
    proposer: str | None = None
    state: str | None = None
    iso3: str | None = None
    surname: str | None = None
    alone: bool = False  # the surname alone names this person in this domain ("Putin")
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """Label and aliases: the full names (not acronyms) of the entity."""
        return (self.label, *self.aliases)

    @property
    def family_name(self) -> str | None:
        """A person's surname as texts use it alone ("Putin", "Xi"): the ``surname`` field
        where the label does not end with it (family name first, particles), else the
        label's last word."""
        if self.type != "Person":
            return None
        return self.surname or self.label.split()[-1]

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> GazetteerEntry:
        known = {
            "id",
            "label",
            "type",
            "aliases",
            "acronyms",
            "ambiguous_acronyms",
            "context_aliases",
            "demonyms",
            "wikidata",
            "parent",
            "proposer",
            "state",
            "iso3",
            "surname",
            "alone",
        }
        return cls(
            key=str(obj["id"]),
            label=str(obj["label"]),
            type=str(obj["type"]),
            aliases=tuple(obj.get("aliases") or ()),
            acronyms=tuple(obj.get("acronyms") or ()),
            ambiguous_acronyms=tuple(obj.get("ambiguous_acronyms") or ()),
            context_aliases=tuple(obj.get("context_aliases") or ()),
            demonyms=tuple(obj.get("demonyms") or ()),
            wikidata=obj.get("wikidata"),
            parent=obj.get("parent"),
            proposer=obj.get("proposer"),
            state=obj.get("state"),
            iso3=obj.get("iso3"),
            surname=obj.get("surname"),
            alone=bool(obj.get("alone", False)),
            extra={k: v for k, v in obj.items() if k not in known},
        )


def tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """Word and punctuation tokens with their offsets.

    >>> [t[2] for t in tokens("UN Security Council's work")]
    ['UN', 'Security', 'Council', "'", 's', 'work']
    """
    for m in _WORD.finditer(text):
        yield m.start(), m.end(), m.group()


@lru_cache(maxsize=16)
def token_list(text: str) -> tuple[tuple[int, int, str], ...]:
    """:func:`tokens` of ``text`` as a tuple, cached: several stages scan the same body."""
    return tuple(tokens(text))


def _token_key(token: str) -> str:
    return token.lower().replace("’", "'")


class _Trie:
    """Token trie over lower-cased names: value at a node is the set of entity keys."""

    __slots__ = ("children", "keys")

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.keys: set[str] = set()

    def add(self, name: str, key: str) -> None:
        node = self
        for _, _, tok in tokens(name):
            node = node.children.setdefault(_token_key(tok), _Trie())
        node.keys.add(key)


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A known name found in a text: ``text[start:end]`` names ``keys`` (usually one)."""

    start: int
    end: int
    keys: frozenset[str]
    kind: str  # "name", "acronym", "ambiguous_acronym", "demonym", "context"


class Gazetteer:
    """Indexes over gazetteer entries; build with :func:`load_gazetteer`."""

    def __init__(self, entries: Iterable[GazetteerEntry]) -> None:
        self.entries: dict[str, GazetteerEntry] = {}
        self._by_name: dict[str, str] = {}
        self._by_signature: dict[frozenset[str], str] = {}
        self._acronyms: dict[str, str] = {}
        self._ambiguous: dict[str, set[str]] = {}
        self._demonyms: dict[str, str] = {}
        self._iso3: dict[str, str] = {}
        self._surnames: dict[str, list[str]] = {}
        self._alone: dict[str, str] = {}
        self._trie = _Trie()
        for entry in entries:
            self.add(entry)

    def add(self, entry: GazetteerEntry) -> None:
        self.entries[entry.key] = entry
        for name in entry.names:
            self._by_name.setdefault(normalise(name), entry.key)
            sig = signature(name)
            if len(sig) >= 2:
                self._by_signature.setdefault(sig, entry.key)
            self._trie.add(name, entry.key)
        for acr in entry.acronyms:
            self._acronyms.setdefault(acr, entry.key)
        for acr in entry.ambiguous_acronyms:
            self._ambiguous.setdefault(acr, set()).add(entry.key)
        for dem in entry.demonyms:
            self._demonyms.setdefault(dem, entry.key)
        if entry.iso3:
            self._iso3[entry.iso3.upper()] = entry.key
        if entry.family_name:
            self._surnames.setdefault(entry.family_name, []).append(entry.key)
            if entry.alone:
                self._alone.setdefault(entry.family_name, entry.key)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def get(self, key: str) -> GazetteerEntry | None:
        return self.entries.get(key)

    def lookup(self, name: str) -> GazetteerEntry | None:
        """The entry a name denotes: exact normalised name, acronym, then signature.

        >>> gaz = Gazetteer([GazetteerEntry("gids", "Global Initiative on Data Security",
        ...                  "Initiative", acronyms=("GIDS",))])
        >>> gaz.lookup("the Global Data Security Initiative").key
        'gids'
        >>> gaz.lookup("GIDS").key
        'gids'
        """
        key = self._by_name.get(normalise(name)) or self._acronyms.get(name.strip())
        if key is None:
            sig = signature(name)
            key = self._by_signature.get(sig) if len(sig) >= 2 else None
        return self.entries.get(key) if key else None

    def persons_named(self, surname: str) -> tuple[GazetteerEntry, ...]:
        """The persons whose surname is ``surname`` (case-sensitive).

        >>> gaz = Gazetteer([GazetteerEntry("xi", "Xi Jinping", "Person", surname="Xi")])
        >>> [e.key for e in gaz.persons_named("Xi")]
        ['xi']
        """
        return tuple(self.entries[k] for k in self._surnames.get(surname, ()))

    def person_alone(self, word: str) -> GazetteerEntry | None:
        """The person a surname names on its own ("Putin"), if the data says it does.

        >>> gaz = Gazetteer([GazetteerEntry("putin", "Vladimir Putin", "Person", alone=True)])
        >>> gaz.person_alone("Putin").key
        'putin'
        """
        key = self._alone.get(word)
        return self.entries[key] if key else None

    def by_iso3(self, code: str) -> GazetteerEntry | None:
        key = self._iso3.get(code.upper())
        return self.entries.get(key) if key else None

    def demonym(self, word: str) -> GazetteerEntry | None:
        key = self._demonyms.get(word)
        return self.entries.get(key) if key else None

    def find_names(self, text: str) -> list[NameMatch]:
        return list(self._find_names(text))

    @lru_cache(maxsize=16)  # noqa: B019 - the gazetteer lives as long as the process
    def _find_names(self, text: str) -> tuple[NameMatch, ...]:
        """Every known name, acronym and demonym in ``text``, longest match first at each
        position, without overlaps.

        Full names match case-insensitively but must contain a capital letter in the
        text (a lower-case "security council" in running prose is not trusted); acronyms
        and demonyms match case-sensitively as whole words.
        """
        toks = token_list(text)
        out: list[NameMatch] = []
        i = 0
        n = len(toks)
        while i < n:
            best: tuple[int, frozenset[str]] | None = None
            node = self._trie
            j = i
            while j < n:
                child = node.children.get(_token_key(toks[j][2]))
                if child is None:
                    break
                node = child
                if node.keys:
                    best = (j, frozenset(node.keys))
                j += 1
            start = toks[i][0]
            if best is not None:
                end = toks[best[0]][1]
                surface = text[start:end]
                if any(c.isupper() for c in surface):
                    out.append(NameMatch(start, end, best[1], "name"))
                    i = best[0] + 1
                    continue
            word = toks[i][2]
            key = self._acronyms.get(word)
            if key is not None:
                out.append(NameMatch(start, toks[i][1], frozenset((key,)), "acronym"))
            elif word in self._ambiguous:
                out.append(
                    NameMatch(start, toks[i][1], frozenset(self._ambiguous[word]), "ambiguous_acronym")
                )
            elif word in self._demonyms:
                out.append(NameMatch(start, toks[i][1], frozenset((self._demonyms[word],)), "demonym"))
            i += 1
        return tuple(out)


def gazetteer_files(folder: Traversable | None = None) -> list[Traversable]:
    """The ``*.jsonl`` files of ``folder`` (default: ``ontology/gazetteer``), by name.

    >>> [f.name for f in gazetteer_files()][:2]
    ['forums.jsonl', 'initiatives.jsonl']
    """
    if folder is None:
        folder = resources.files("ontology").joinpath(GAZETTEER_FOLDER)
    found = [entry for entry in folder.iterdir() if entry.name.endswith(".jsonl") and entry.is_file()]
    return sorted(found, key=lambda entry: entry.name)


def read_entries(folder: Traversable | None = None) -> Iterator[GazetteerEntry]:
    """Entries of every ``*.jsonl`` file in ``folder`` (default: ``ontology/gazetteer``);
    a bad line raises ValueError naming the file and line."""
    for path in gazetteer_files(folder):
        with path.open(encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, 1):
                if not line.strip() or line.lstrip().startswith("//"):
                    continue
                try:
                    yield GazetteerEntry.from_json(json.loads(line))
                except (ValueError, KeyError, TypeError) as exc:
                    raise ValueError(f"{path}:{lineno}: bad gazetteer entry: {exc}") from exc


@lru_cache(maxsize=4)
def load_gazetteer(folder: Traversable | None = None) -> Gazetteer:
    """The gazetteer in ``folder``, by default the one under ``ontology/gazetteer``
    (cached: extraction calls this once per process)."""
    return Gazetteer(read_entries(folder))
