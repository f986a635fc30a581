"""The data that document metadata is read with: genre descriptions, publisher profiles,
person titles, groups that speak as one, month names of other languages.

Each comes from a TOML file under ``ontology/`` (read with :mod:`importlib.resources`) and
is checked and compiled once: a bad file raises :class:`ProfileError` naming the file and
the entry. :mod:`loaders.metadata` holds the rules; this module holds no names itself, so a
new publisher, genre or title is a data change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, get_args
from urllib.parse import urlsplit

from loaders.records import Genre

GENRE_NAMES = frozenset(get_args(Genre))
SPEAKER_SOURCES = frozenset({"title", "lead", "byline", "reported"})
FORUM_SOURCES = frozenset({"title", "lead", "convened", "submitted", "breadcrumb", "meeting", "cues"})
#: How far into the body a genre's body cue is searched unless it says (``within``).
DEFAULT_CUE_CHARS = 20000
PUBLISHER_KINDS = frozenset({"government", "international_organization", "newspaper", "news_agency"})
#: Publishers whose pages report others (their headlines name genres they report).
NEWS_KINDS = frozenset({"newspaper", "news_agency"})


class ProfileError(ValueError):
    """An ontology data file that cannot be used; the message names the file and entry."""


@dataclass(frozen=True, slots=True)
class BodyCue:
    pattern: re.Pattern[str]
    min_count: int
    within: int  # how many characters from the top of the body are searched


@dataclass(frozen=True, slots=True)
class GenreProfile:
    """How one genre is recognised and where its speaker and forum are found."""

    name: str
    title_cues: tuple[re.Pattern[str], ...]
    header_lines: frozenset[str]  # lower case
    body_cues: tuple[BodyCue, ...]
    has_speaker: bool
    speaker_from: tuple[str, ...]
    forum_from: tuple[str, ...]
    reports_others: bool
    in_newspapers: bool  # a newspaper's page may be of this genre (op-ed, reprinted white paper)


@dataclass(frozen=True, slots=True)
class ForumCue:
    forum: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Section:
    match: str  # lower case
    genre: str


@dataclass(frozen=True, slots=True)
class Publisher:
    """A site: its hosts, header cues, the voice it speaks in and its sections' genres."""

    name: str
    kind: str
    hosts: tuple[str, ...]
    header_cues: tuple[re.Pattern[str], ...]
    header_needles: tuple[str | None, ...]  # the literal core of each cue (see literal_core)
    voice: str | None
    default_genre: str
    sections: tuple[Section, ...]

    def serves(self, host: str) -> bool:
        """Whether ``host`` is one of the publisher's hosts or a subdomain of one.

        >>> Publisher("X", "newspaper", ("x.com",), (), (), None, "news_report", ()).serves("www.x.com")
        True
        """
        host = host.lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.hosts)


@dataclass(frozen=True, slots=True)
class PersonTitles:
    """Compiled person-title patterns."""

    titled_name: re.Pattern[str]  # groups: title, name
    writer_lines: tuple[re.Pattern[str], ...]  # groups: post (and name)
    honorific: re.Pattern[str]  # a leading form of address


@dataclass(frozen=True, slots=True)
class ActorGroup:
    label: str
    names: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class Profiles:
    genres: tuple[GenreProfile, ...]
    forum_cues: tuple[ForumCue, ...]
    publishers: tuple[Publisher, ...]
    byline_not_persons: frozenset[str]  # lower case
    titles: PersonTitles
    groups: tuple[ActorGroup, ...]
    months: dict[str, int]  # lower-case month name -> 1..12

    def genre(self, name: str) -> GenreProfile:
        """The profile of genre ``name`` ("other" for an unknown name)."""
        for profile in self.genres:
            if profile.name == name:
                return profile
        return next(p for p in self.genres if p.name == "other")

    def publisher_for_header(self, head: str) -> Publisher | None:
        """The first publisher (in file order) one of whose header cues occurs in ``head``.
        A cue is only tried when its literal core occurs in the lower-cased head: one
        substring test each instead of a regex scan of the page head per cue."""
        lowered = head.lower()
        for publisher in self.publishers:
            for cue, needle in zip(publisher.header_cues, publisher.header_needles, strict=True):
                if (needle is None or needle in lowered) and cue.search(head):
                    return publisher
        return None

    def publisher_for_url(self, url: str) -> Publisher | None:
        """The publisher whose host serves ``url``.

        >>> load_profiles().publisher_for_url("https://www.whitehouse.gov/briefing-room/").voice
        'United States'
        """
        host = urlsplit(url.strip()).hostname or ""
        return next((p for p in self.publishers if host and p.serves(host)), None)


def literal_core(pattern: str) -> str | None:
    r"""The longest piece of plain text every match of ``pattern`` contains, lower-cased,
    or None when there is none to rely on (a top-level alternative, too little text).

    >>> literal_core(r"^\s*THE WHITE HOUSE\s*$"), literal_core(r"\bA (?:x|y) Bee\b"), literal_core("a|bcd")
    ('the white house', ' bee', None)
    """
    bare = re.sub(r"\\[bBsSdDwW]|\\x[0-9a-fA-F]{2}|\\.", "\x00", pattern)
    previous = None
    while previous != bare:
        previous = bare
        bare = re.sub(r"\([^()]*\)|\[[^\]]*\]|\{[^{}]*\}", "\x00", bare)
    if "|" in bare:
        return None
    safe = []
    for piece in re.finditer(r"[^\x00.^$*+?()\[\]{}|]+", bare):
        # A piece followed by a quantifier may lose its last character ("ab?" needs "a").
        quantified = bare[piece.end() : piece.end() + 1] in ("?", "*", "{")
        safe.append(piece.group()[:-1] if quantified else piece.group())
    best = max(safe, key=len, default="")
    return best.lower() if len(best.strip()) >= 3 else None


def _read(name: str) -> dict[str, Any]:
    try:
        data = resources.files("ontology").joinpath(name).read_bytes()
        return tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"ontology/{name}: cannot be read ({exc})") from None


def _compile(pattern: Any, where: str, flags: int = 0) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise ProfileError(f"{where}: a pattern must be a non-empty string, not {pattern!r}")
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ProfileError(f"{where}: bad regular expression {pattern!r} ({exc})") from None


def _strings(entry: dict[str, Any], key: str, where: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{where}: '{key}' must be a list of strings")
    return value


def _choice(entry: dict[str, Any], key: str, allowed: frozenset[str], where: str) -> list[str]:
    values = _strings(entry, key, where)
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ProfileError(f"{where}: '{key}' has unknown value(s) {unknown}; allowed: {sorted(allowed)}")
    return values


def _genres(data: dict[str, Any]) -> tuple[tuple[GenreProfile, ...], tuple[ForumCue, ...]]:
    out: list[GenreProfile] = []
    for k, entry in enumerate(data.get("genre", [])):
        where = f"ontology/genres.toml genre #{k + 1} ({entry.get('name')!r})"
        if entry.get("name") not in GENRE_NAMES:
            raise ProfileError(f"{where}: 'name' must be one of {sorted(GENRE_NAMES)}")
        for key in ("has_speaker", "reports_others", "in_newspapers"):
            if not isinstance(entry.get(key), bool):
                raise ProfileError(f"{where}: '{key}' must be true or false")
        cues = []
        for cue in entry.get("body_cues", []):
            if not isinstance(cue, dict) or not isinstance(cue.get("min_count"), int) or cue["min_count"] < 1:
                raise ProfileError(f"{where}: a body cue needs 'pattern' and a positive 'min_count'")
            within = cue.get("within", DEFAULT_CUE_CHARS)
            if not isinstance(within, int) or within < 1:
                raise ProfileError(f"{where}: a body cue's 'within' must be a positive number of characters")
            cues.append(BodyCue(_compile(cue.get("pattern"), where, re.MULTILINE), cue["min_count"], within))
        out.append(
            GenreProfile(
                name=entry["name"],
                title_cues=tuple(
                    _compile(p, where, re.IGNORECASE) for p in _strings(entry, "title_cues", where)
                ),
                header_lines=frozenset(s.lower() for s in _strings(entry, "header_lines", where)),
                body_cues=tuple(cues),
                has_speaker=entry["has_speaker"],
                speaker_from=tuple(_choice(entry, "speaker_from", SPEAKER_SOURCES, where)),
                forum_from=tuple(_choice(entry, "forum_from", FORUM_SOURCES, where)),
                reports_others=entry["reports_others"],
                in_newspapers=entry["in_newspapers"],
            )
        )
    names = [g.name for g in out]
    if len(set(names)) != len(names) or "other" not in names:
        raise ProfileError("ontology/genres.toml: each genre once, and 'other' among them")
    forum_cues = []
    for k, entry in enumerate(data.get("forum_cue", [])):
        where = f"ontology/genres.toml forum_cue #{k + 1}"
        if not isinstance(entry.get("forum"), str) or not entry["forum"]:
            raise ProfileError(f"{where}: 'forum' must name a forum")
        for pattern in _strings(entry, "patterns", where):
            forum_cues.append(ForumCue(entry["forum"], _compile(pattern, where)))
    return tuple(out), tuple(forum_cues)


def _publishers(data: dict[str, Any]) -> tuple[tuple[Publisher, ...], frozenset[str]]:
    out: list[Publisher] = []
    for k, entry in enumerate(data.get("publisher", [])):
        where = f"ontology/publishers.toml publisher #{k + 1} ({entry.get('name')!r})"
        if not isinstance(entry.get("name"), str) or not entry["name"]:
            raise ProfileError(f"{where}: 'name' is required")
        if entry.get("kind") not in PUBLISHER_KINDS:
            raise ProfileError(f"{where}: 'kind' must be one of {sorted(PUBLISHER_KINDS)}")
        if entry.get("default_genre") not in GENRE_NAMES:
            raise ProfileError(f"{where}: 'default_genre' must be one of {sorted(GENRE_NAMES)}")
        voice = entry.get("voice", "")
        if not isinstance(voice, str):
            raise ProfileError(f"{where}: 'voice' must be a string")
        cue_patterns = _strings(entry, "header_cues", where)
        sections = []
        for section in entry.get("section", []):
            if not isinstance(section.get("match"), str) or section.get("genre") not in GENRE_NAMES:
                raise ProfileError(f"{where}: a section needs 'match' and a known 'genre'")
            sections.append(Section(section["match"].lower(), section["genre"]))
        out.append(
            Publisher(
                name=entry["name"],
                kind=entry["kind"],
                hosts=tuple(h.lower() for h in _strings(entry, "hosts", where)),
                header_cues=tuple(_compile(p, where, re.IGNORECASE | re.MULTILINE) for p in cue_patterns),
                header_needles=tuple(literal_core(p) for p in cue_patterns),
                voice=voice or None,
                default_genre=entry["default_genre"],
                sections=tuple(sections),
            )
        )
    byline = data.get("byline", {})
    not_persons = frozenset(
        s.lower() for s in _strings(byline, "not_persons", "ontology/publishers.toml [byline]")
    )
    return tuple(out), not_persons


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


#: A personal name after a title: a surname alone ("Vice President Harris") or up to four
#: capitalised words (initials and particles allowed).
NAME_PATTERN = (
    r"(?P<name>[A-Z][\w'’.-]*[a-zà-ÿ]\.?(?:\s+(?:[A-Z]\.|[A-Z][\w'’-]*[a-zà-ÿ]|(?:de|da|van|von|bin|al|el|la|le)"
    r"(?=\s+[A-Z]))){0,3})"
)


def _titles(data: dict[str, Any]) -> PersonTitles:
    where = "ontology/person_titles.toml"
    titles = _strings(data, "titles", where)
    tail = _strings(data, "office_tail", where)
    honorifics = _strings(data, "honorifics", where)
    joiners = _strings(data, "joiners", where)
    if not titles or not honorifics:
        raise ProfileError(f"{where}: 'titles' and 'honorifics' must not be empty")
    title = rf"(?:{_alternation(titles)})"
    # "Minister for Foreign Affairs", "Secretary of State for ...": lower-case tail words
    # followed by capitalised office words.
    office = rf"{title}(?:\s+(?:{_alternation(tail)})\s+(?:[A-Z][\w-]*\s+){{0,3}}?(?=[A-Z]))?"
    joined = rf"{office}(?:\s*(?:{_alternation(joiners)})\s*{office})*"
    honorific = rf"(?:(?:{_alternation(honorifics)})\s+)"
    titled = re.compile(rf"(?i:(?P<title>{joined}))\s+{honorific}?{NAME_PATTERN}")
    writer_lines = tuple(_compile(p, where, re.MULTILINE) for p in _strings(data, "writer_lead", where))
    return PersonTitles(titled, writer_lines, re.compile(rf"^\s*{honorific}+"))


def _groups(data: dict[str, Any]) -> tuple[ActorGroup, ...]:
    out = []
    for k, entry in enumerate(data.get("group", [])):
        where = f"ontology/actor_groups.toml group #{k + 1}"
        if not isinstance(entry.get("label"), str) or not entry["label"]:
            raise ProfileError(f"{where}: 'label' is required")
        out.append(
            ActorGroup(entry["label"], tuple(_compile(p, where) for p in _strings(entry, "names", where)))
        )
    return tuple(out)


def _months(data: dict[str, Any]) -> dict[str, int]:
    months: dict[str, int] = {}
    for language, names in data.get("months", {}).items():
        if not isinstance(names, list) or len(names) != 12:
            raise ProfileError(f"ontology/month_names.toml: '{language}' must list twelve months")
        for number, name in enumerate(names, start=1):
            months.setdefault(str(name).lower(), number)
    return months


@cache
def load_profiles() -> Profiles:
    """The checked, compiled metadata data (read once per process)."""
    genres, forum_cues = _genres(_read("genres.toml"))
    publishers, not_persons = _publishers(_read("publishers.toml"))
    return Profiles(
        genres=genres,
        forum_cues=forum_cues,
        publishers=publishers,
        byline_not_persons=not_persons,
        titles=_titles(_read("person_titles.toml")),
        groups=_groups(_read("actor_groups.toml")),
        months=_months(_read("month_names.toml")),
    )
