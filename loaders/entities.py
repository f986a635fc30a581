"""Named entities: initiatives, instruments, forums, states, persons, organisations.

Like spaCy's SpanRuler, the stage first *finds* candidate spans as plain data, then
*resolves* them to entities:

1. known names, acronyms and demonyms from the gazetteer (:meth:`Gazetteer.find_names`);
2. acronyms the document defines ("... Outer Space Objects (PPWT)";
   :mod:`loaders.acronym_definitions`);
3. names the gazetteer does not know, found by shape (:mod:`loaders.name_patterns`):
   capitalised phrases headed by Initiative, Treaty, Working Group, ...; quoted titles;
   resolution symbols; descriptive references such as "position paper on ...";
4. persons, by title ("Ambassador Zhang Jun") or as the subject of a reporting verb
   (:mod:`loaders.person_names`);
5. short forms that denote the document's own forum ("the Council").

Every candidate is resolved to one key: the gazetteer id when the name (or its
content-word signature) is known, else a key derived from the signature, so the same
name in any word order gets the same identifier in every document.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace

from loaders import acronym_definitions, name_patterns, person_names, resolutions, word_search
from loaders.gazetteer import Gazetteer, GazetteerEntry, normalise, signature, token_list
from loaders.records import Document, DocumentMeta, Entity, Span
from loaders.sidecar import front_matter
from ontology.namespace import slug


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span that names something, before it is resolved to an entity."""

    start: int
    end: int
    key: str
    label: str
    type: str
    source: str  # gazetteer, acronym, pattern, resolution, person, surname, context
    entry: GazetteerEntry | None = None
    rule: str = ""


def derived_key(name: str, type_: str) -> str:
    """Stable key for a name the gazetteer does not know: its type and sorted signature.

    >>> derived_key("Global Cross-Border Data Flow Cooperation Initiative", "Initiative")
    'initiative-border-cooperation-cross-data-flow-global'
    """
    words = sorted(signature(name) - {type_.lower()})
    return slug(f"{type_}-{'-'.join(words)}")[:120]


def _entry_candidate(start: int, end: int, entry: GazetteerEntry, source: str, rule: str) -> Candidate:
    return Candidate(start, end, entry.key, entry.label, entry.type, source, entry, rule)


def _context_ok(entry: GazetteerEntry, text_lower: str) -> bool:
    """An ambiguous acronym ("CD", "AG") stands for ``entry`` only when the document also
    uses a distinctive word of the entry's name ("disarmament", "australia")."""
    generic = name_patterns.GENERIC_NAME_WORDS
    for name in entry.names:
        for word in normalise(name).split():
            if len(word) >= 5 and word not in generic and word in text_lower:
                return True
    return False


def _gazetteer_candidates(body: str, gaz: Gazetteer) -> list[Candidate]:
    text_lower = body.lower()
    out: list[Candidate] = []
    for match in gaz.find_names(body):
        entries = [e for k in sorted(match.keys) if (e := gaz.get(k)) is not None]
        if match.kind == "ambiguous_acronym":
            entries = [e for e in entries if _context_ok(e, text_lower)]
            if len(entries) != 1:
                continue
        if not entries:
            continue
        out.append(_entry_candidate(match.start, match.end, entries[0], "gazetteer", "entity.gazetteer"))
    return out


def _variants(name: str, gaz: Gazetteer) -> Iterator[str]:
    """The name, then the name without what qualifies it: an acronym in parentheses, a
    leading article, "UN", an owner ("Group of Seven's"), a year or a demonym
    ("Chinese"), a trailing "of the UN"."""
    yield name
    bare = _INNER_PARENTHESIS.sub("", name)
    for variant in (name, bare):
        stripped = _PREFIX.sub("", _OWNER.sub("", variant))
        first, _, rest = stripped.partition(" ")
        if rest and gaz.demonym(first) is not None:
            stripped = rest
        yield stripped
        yield _OF_THE_UN.sub("", stripped)


def _resolve_name(name: str, type_: str, gaz: Gazetteer) -> tuple[str, str, str, GazetteerEntry | None]:
    """(key, label, type, entry) for a found name: the gazetteer's when it knows it."""
    for variant in _variants(name, gaz):
        entry = gaz.lookup(variant)
        if entry is not None:
            return entry.key, entry.label, entry.type, entry
    return derived_key(name, type_), name_patterns.clean_label(name), type_, None


#: Prefixes that qualify a name without changing what it names ("UN Group of
#: Governmental Experts on ..." is the gazetteer's "Group of Governmental Experts on ...").
_PREFIX = re.compile(r"^(?:the\s+|UN\s+|U\.N\.\s+|United Nations\s+|[A-Z][a-z]+(?:'s|’s)\s+|\d{1,4}\s+)+")
#: An owner of several words before the name ("Group of Seven's Hiroshima AI Process").
_OWNER = re.compile(r"^[A-Z][^'’]{0,60}?(?:'s|’s)\s+(?=[A-Z0-9])")
_UN_BODY = re.compile(
    r"^(?:the\s+)?(?:UN|U\.N\.|United Nations)\s|\bof\s+the\s+(?:UN|U\.N\.|United Nations)\b"
)
_OF_THE_UN = re.compile(r"\s+of\s+the\s+(?:U\.?N\.?|United Nations)$")
_ONE_TOKEN = re.compile(r"[^\W_]+")
#: An acronym in parentheses inside a name ("Hiroshima Artificial Intelligence (AI)
#: Process"): the name without it is the one to look up.
_INNER_PARENTHESIS = re.compile(r"\s*\([^()]{1,12}\)(?=\s)")


def _pattern_candidates(body: str, gaz: Gazetteer) -> list[Candidate]:
    out: list[Candidate] = []
    for found in name_patterns.find_names(body):
        key, label, type_, entry = _resolve_name(found.name, found.type, gaz)
        if entry is None and (
            _known_coordination(found.name, gaz) or _known_body_with_topic(found.name, gaz)
        ):
            continue  # "IMF and World Bank", "European Union on Syria": known names, found as such
        if entry is None and type_ == "Organization" and _UN_BODY.search(found.name):
            type_ = "Forum"  # a UN office or centre is a body where states act
        start = found.start
        owner = _OWNER.match(found.name)
        if entry is not None and owner is not None and gaz.lookup(found.name) is None:
            start += owner.end()  # "Kenya’s Group of 20": the known name is the mention
        out.append(Candidate(start, found.end, key, label, type_, "pattern", entry, found.rule))
    for named in resolutions.find_numbered_names(body):
        entry = gaz.lookup(named.label)
        rule = "entity.pattern.numbered_name"
        if entry is not None:
            out.append(_entry_candidate(named.start, named.end, entry, "resolution", rule))
        else:
            key = derived_key(named.label, named.type)
            out.append(
                Candidate(named.start, named.end, key, named.label, named.type, "resolution", None, rule)
            )
    return out


#: A lower-case "summit" after a forum's name or acronym ("the SCO summit", "the
#: Shanghai Cooperation Organisation (SCO) summit"): a meeting of that forum.
_SUMMIT_AFTER = re.compile(r"(?:\s*\(\s*[A-Z][\w+-]{0,10}\s*\))?\s+summit\b")


def _summit_candidates(body: str, found: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    for cand in found:
        if cand.type != "Forum" or cand.source != "gazetteer":
            continue
        m = _SUMMIT_AFTER.match(body, cand.end)
        if m is None:
            continue
        label = f"{_SPACES.sub(' ', body[cand.start : cand.end])} Summit"
        key = derived_key(label, "Forum")
        rule = "entity.pattern.forum_summit"
        out.append(Candidate(cand.start, m.end(), key, label, "Forum", "pattern", None, rule))
    return out


def _known_coordination(name: str, gaz: Gazetteer) -> bool:
    left, sep, right = name.partition(" and ")
    return bool(sep) and gaz.lookup(left) is not None and gaz.lookup(right) is not None


_TOPIC = re.compile(r"\s+(?:on|for|in|against|between|about|regarding)\s+")


def _known_body_with_topic(name: str, gaz: Gazetteer) -> bool:
    """A body or state the gazetteer knows followed by a topic ("European Union on the
    Syrian Arab Republic"): the known name is the mention, the topic is not a name."""
    topic = _TOPIC.search(name)
    if topic is None:
        return False
    entry = gaz.lookup(name[: topic.start()])
    return entry is not None and entry.type in ("Forum", "State", "Organization")


def _resolution_candidates(body: str, gaz: Gazetteer) -> list[Candidate]:
    """Resolutions cited by number, under their canonical label (or the gazetteer's)."""
    out: list[Candidate] = []
    for cited in resolutions.find_resolutions(body):
        entry = gaz.lookup(cited.label)
        if entry is not None:
            cand = _entry_candidate(cited.start, cited.end, entry, "resolution", "entity.pattern.resolution")
        else:
            key = slug(f"instrument-{cited.label}")[:120]
            cand = Candidate(
                cited.start,
                cited.end,
                key,
                cited.label,
                "Instrument",
                "resolution",
                None,
                "entity.pattern.resolution",
            )
        out.append(cand)
    return out


def _acronym_candidates(body: str, named: list[Candidate], gaz: Gazetteer) -> list[Candidate]:
    """Acronyms defined in the document, and every later use of them."""
    by_end = {c.end: c for c in sorted(named, key=lambda c: c.start - c.end)}
    out: list[Candidate] = []
    learned: dict[str, Candidate] = {}
    for definition in acronym_definitions.find_acronym_definitions(body):
        owner = by_end.get(definition.name_end)
        if owner is None or owner.start > definition.name_start:
            # The defined name was not found as an entity: resolve it now.
            key, label, type_, entry = _resolve_name(definition.name, definition.type, gaz)
            owner = Candidate(
                definition.name_start,
                definition.name_end,
                key,
                label,
                type_,
                "acronym",
                entry,
                "entity.acronym_definition",
            )
            out.append(owner)
        learned.setdefault(definition.acronym, owner)
    occurrences = word_search.find_words(body, learned)  # one pass for every acronym
    for acronym, owner in learned.items():
        for start, end in occurrences[acronym]:
            out.append(
                Candidate(
                    start,
                    end,
                    owner.key,
                    owner.label,
                    owner.type,
                    "acronym",
                    owner.entry,
                    "entity.acronym_definition",
                )
            )
    return out


def _person_candidates(body: str, gaz: Gazetteer) -> list[Candidate]:
    out: list[Candidate] = []
    for found in person_names.find_persons(body):
        entry = gaz.lookup(found.name)
        if entry is not None and entry.type != "Person":
            continue
        name = name_patterns.clean_label(found.name)
        key = entry.key if entry else derived_key(name, "Person")
        label = entry.label if entry else name
        rule = "entity.person.name"
        out.append(Candidate(found.start, found.end, key, label, "Person", "person", entry, rule))
    return out


def _speaker_candidates(
    body: str, meta: DocumentMeta, found: list[Candidate], gaz: Gazetteer
) -> list[Candidate]:
    """The person the metadata stage found speaking or signing (an op-ed's byline, a
    ministry page's "Tal av ..."), wherever the document writes the name."""
    speaker = _SPACES.sub(" ", meta.speaker or "").strip()
    if len(speaker.split()) < 2 or any(c.type == "Person" and c.label == speaker for c in found):
        return []
    entry = gaz.lookup(speaker)
    if entry is not None and entry.type != "Person":
        return []
    key = entry.key if entry else derived_key(speaker, "Person")
    label = entry.label if entry else speaker
    rule = "entity.person.speaker"
    return [
        Candidate(start, end, key, label, "Person", "person", entry, rule)
        for start, end in word_search.find_word(body, speaker)
    ]


def _surname_candidates(body: str, found: list[Candidate], gaz: Gazetteer) -> list[Candidate]:
    """A person named by surname alone ("Putin", "President Xi", "Busch") is the person of
    that surname the document names in full; failing that, after a title, the one person
    of that surname the gazetteer knows."""
    by_surname: dict[str, dict[str, Candidate]] = defaultdict(dict)
    for cand in found:
        if cand.type != "Person":
            continue
        surname = cand.entry.family_name if cand.entry else cand.label.split()[-1]
        if surname:
            by_surname[surname].setdefault(cand.key, cand)
    owner_of: dict[str, Candidate] = {}
    for surname, owners in by_surname.items():
        if len(owners) == 1 and gaz.lookup(surname) is None:
            # (else two persons of one surname, or the word names something else)
            owner_of[surname] = next(iter(owners.values()))
    out: list[Candidate] = []
    spans: list[tuple[int, int, Candidate]] = []
    for start, end, word in token_list(body):  # one pass for the one-word surnames
        if word in owner_of:
            spans.append((start, end, owner_of[word]))
        elif word[:1].isupper() and word not in by_surname and (alone := gaz.person_alone(word)) is not None:
            # A surname that names one person on its own ("Putin"), as the data says.
            out.append(_entry_candidate(start, end, alone, "surname", "entity.person.surname"))
    longer = [surname for surname in owner_of if not _ONE_TOKEN.fullmatch(surname)]
    occurrences = word_search.find_words(body, longer)  # "Thomas-Greenfield", "von der Leyen"
    for surname in longer:
        spans.extend((start, end, owner_of[surname]) for start, end in occurrences[surname])
    for start, end, owner in spans:
        rule = "entity.person.surname"
        out.append(Candidate(start, end, owner.key, owner.label, "Person", "surname", owner.entry, rule))
    for titled in person_names.find_titled_surnames(body):
        if titled.name in by_surname:
            continue
        persons = gaz.persons_named(titled.name)
        if len(persons) == 1:
            rule = "entity.person.surname"
            out.append(_entry_candidate(titled.start, titled.end, persons[0], "surname", rule))
    return out


def _context_candidates(
    body: str, meta: DocumentMeta, found: list[Candidate], gaz: Gazetteer
) -> list[Candidate]:
    """Short forms ("the Council") of an entity the document names in full or addresses."""
    keys = {c.key for c in found}
    if meta.forum and (forum := gaz.lookup(meta.forum)) is not None:
        keys.add(forum.key)
    entries = [entry for key in sorted(keys) if (entry := gaz.get(key)) is not None]
    # One pass over the body for every alias.
    occurrences = word_search.find_phrases(body, [a for entry in entries for a in entry.context_aliases])
    out: list[Candidate] = []
    for entry in entries:
        for alias in entry.context_aliases:
            for start, end in occurrences[alias]:
                out.append(_entry_candidate(start, end, entry, "context", "entity.context_alias"))
    return out


#: Which candidate wins when two name the same span: a definition made in the document
#: beats the gazetteer ("OEWG" defined locally as another working group), the gazetteer
#: beats a guess from the name's shape.
_SOURCE_RANK = {
    "acronym": 0,
    "resolution": 1,
    "person": 2,
    "gazetteer": 3,
    "context": 4,
    "surname": 5,
    "pattern": 6,
}


def _without_overlaps(body: str, candidates: list[Candidate]) -> list[Candidate]:
    """Drop candidates that lie inside a longer one *with the same key* or that overlap
    a longer candidate without being nested in it; nested names of other things stay
    ("Review Conference of the NPT" keeps the NPT)."""
    ordered = sorted(candidates, key=lambda c: (c.start, -(c.end - c.start), _SOURCE_RANK[c.source]))
    kept: list[Candidate] = []
    # Kept candidates that reach past the current start: the only ones a candidate can
    # overlap (starts only grow), which keeps this linear in the number of candidates.
    active: list[Candidate] = []
    for cand in ordered:
        active = [other for other in active if other.end > cand.start]
        clash = False
        for other in active:
            if other.end <= cand.start or cand.end <= other.start:
                continue
            nested = other.start <= cand.start and cand.end <= other.end
            # A one-word name at the very start of a longer one is part of it
            # ("UNGGE" in "UNGGE on Transparency ...", "Australia" in "Australia Group").
            head_word = (
                cand.start == other.start
                and " " not in body[cand.start : cand.end]
                and cand.type == other.type
            )
            # A guess from a name's shape inside a longer name is a piece of it; so is a
            # person's name inside a longer person's name ("Andres Manuel Lopez" in
            # "Andres Manuel Lopez Obrador").
            piece = nested and (cand.source == "pattern" or cand.type == other.type == "Person")
            if not nested or other.key == cand.key or head_word or piece:
                clash = True
                break
        if not clash:
            kept.append(cand)
            active.append(cand)
    return kept


def _searchable_body(doc: Document) -> str:
    """``doc.body`` with a leading YAML front matter block (title, tags, URL of a saved
    page) blanked: its escapes ("\\_") and keys are not prose."""
    _, _, span = front_matter(doc.body)
    if span is None:
        return doc.body
    start, end = span
    return doc.body[:start] + re.sub(r"[^\n]", " ", doc.body[start:end]) + doc.body[end:]


_SPACES = re.compile(r"\s+")
_PLACED_MEETING = re.compile(r"(.+\b(?:Summit|Meeting|Conference|Forum))\s+in\s+[A-Z]")
_OPEN = re.compile(r"\s*\(\s*")
_CLOSE = re.compile(r"\s*\)")
_YEAR_AFTER = re.compile(r" (?:1[89]\d\d|20\d\d)(?![\w/-])")
_WORD_AFTER = re.compile(r" ([a-z]+)\b")


def _citation_forms(body: str, type_: str, spans: list[tuple[int, int]]) -> list[str]:
    """How the document cites the entity beyond its bare mentions: "Group of Seven (G7)"
    (a name with its acronym in parentheses), "President Biden" (a person with a title),
    "Convention on the Law of the Sea 1982" (an instrument with its year), "Belt and Road
    project" (an initiative with a lower-case head noun). Mentions keep their offsets;
    these are aliases."""
    forms: list[str] = []
    for (start, end), nxt in zip(spans, [*spans[1:], None], strict=True):
        close = _CLOSE.match(body, nxt[1]) if nxt is not None and _OPEN.fullmatch(body, end, nxt[0]) else None
        if close is not None:
            forms.append(body[start : close.end()])
        if type_ == "Person" and (title := person_names.title_before(body, start)):
            forms.append(f"{title} {body[start:end]}")
        if type_ == "Instrument" and (y := _YEAR_AFTER.match(body, end)):
            forms.append(body[start : y.end()])
        word = _WORD_AFTER.match(body, end) if type_ == "Initiative" else None
        if word is not None and name_patterns.HEAD_TYPES.get(word.group(1)) == type_:
            forms.append(body[start : word.end()])
    return [_SPACES.sub(" ", f) for f in forms]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return _SPACES.sub(" ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip()


def _fullest_person_forms(body: str, kept: list[Candidate]) -> list[Candidate]:
    """A person the gazetteer does not know, named by the last words of a longer name of
    a person in the same document ("Lopez Obrador" after "Andres Manuel Lopez
    Obrador"), is that person: the fullest form wins."""
    surfaces: dict[str, tuple[str, Candidate]] = {}
    for cand in kept:
        if cand.type == "Person":
            folded = _fold(body[cand.start : cand.end])
            if len(folded) > len(surfaces.get(cand.key, ("", cand))[0]):
                surfaces[cand.key] = (folded, cand)
    by_last_word: dict[str, list[tuple[str, Candidate]]] = defaultdict(list)
    for folded, cand in surfaces.values():
        by_last_word[folded.rsplit(" ", 1)[-1]].append((folded, cand))
    target: dict[str, Candidate] = {}
    for key, (short, cand) in surfaces.items():
        if cand.entry is not None:
            continue
        longer = {
            other.key: other
            for long, other in by_last_word[short.rsplit(" ", 1)[-1]]
            if other.key != key and len(long) > len(short) and long.endswith(" " + short)
        }
        if len(longer) == 1:
            target[key] = next(iter(longer.values()))
    if not target:
        return kept
    return [
        replace(c, key=t.key, label=t.label, entry=t.entry) if (t := target.get(c.key)) is not None else c
        for c in kept
    ]


def extract_entities(doc: Document, meta: DocumentMeta, gaz: Gazetteer) -> tuple[Entity, ...]:
    """Every entity named in the document, with all its mentions (offsets into ``doc.text``).

    Entities are ordered by first mention.
    """
    body = _searchable_body(doc)
    found = _gazetteer_candidates(body, gaz)
    found += _pattern_candidates(body, gaz)
    found += _resolution_candidates(body, gaz)
    found += _summit_candidates(body, found)
    found += _person_candidates(body, gaz)
    found += _speaker_candidates(body, meta, found, gaz)
    found += _surname_candidates(body, found, gaz)
    found += _acronym_candidates(body, found, gaz)
    found += _context_candidates(body, meta, found, gaz)
    kept = _fullest_person_forms(body, _without_overlaps(body, found))

    groups: dict[str, list[Candidate]] = defaultdict(list)
    for cand in kept:
        groups[cand.key].append(cand)
    entities: list[Entity] = []
    for key, cands in groups.items():
        cands.sort(key=lambda c: c.start)
        entry = next((c.entry for c in cands if c.entry is not None), None)
        type_ = entry.type if entry is not None else cands[0].type
        surfaces = [_SPACES.sub(" ", doc.text[c.start : c.end]) for c in cands]
        surfaces += _citation_forms(body, type_, [(c.start, c.end) for c in cands])
        if entry is not None:
            label = entry.label
            aliases = tuple(dict.fromkeys((*entry.aliases, *surfaces)))
            acronyms = tuple(dict.fromkeys((*entry.acronyms, *entry.ambiguous_acronyms)))
        else:
            label = _SPACES.sub(" ", max((c.label for c in cands), key=lambda s: (len(s), s)))
            if type_ == "Forum" and (placed := _PLACED_MEETING.match(label)) is not None:
                surfaces.append(placed.group(1))  # "G20 Summit in Bali" is also "G20 Summit"
            aliases = tuple(dict.fromkeys(s for s in surfaces if s != label))
            acronyms = tuple(dict.fromkeys(s for s in surfaces if s.isupper() and " " not in s))
        mentions = tuple(Span(c.start, c.end, doc.text[c.start : c.end]) for c in cands)
        finder = min(cands, key=lambda c: _SOURCE_RANK[c.source])
        entities.append(
            Entity(
                key=key,
                label=label,
                type=type_,
                mentions=mentions,
                aliases=tuple(a for a in aliases if a not in acronyms and a != label),
                acronyms=acronyms,
                wikidata=entry.wikidata if entry else None,
                in_gazetteer=entry is not None,
                rule=finder.rule,
            )
        )
    entities.sort(key=lambda e: e.mentions[0].start)
    return tuple(entities)
