"""Named entities: initiatives, instruments, forums, states, persons, organisations.

Like spaCy's SpanRuler, the stage first *finds* candidate spans as plain data, then
*resolves* them to entities:

1. known names, acronyms and demonyms from the gazetteer (:meth:`Gazetteer.find_names`);
2. acronyms the document defines ("... Outer Space Objects (PPWT)");
3. names the gazetteer does not know, found by shape (:mod:`loaders.name_patterns`):
   capitalised phrases headed by Initiative, Treaty, Working Group, ...; quoted titles;
   resolution symbols; descriptive references such as "position paper on ...";
4. persons, by title ("Ambassador Zhang Jun") or as the subject of a reporting verb;
5. short forms that denote the document's own forum ("the Council").

Every candidate is resolved to one key: the gazetteer id when the name (or its
content-word signature) is known, else a key derived from the signature, so the same
name in any word order gets the same identifier in every document.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from loaders import name_patterns
from loaders.gazetteer import Gazetteer, GazetteerEntry, normalise, signature
from loaders.records import Document, DocumentMeta, Entity, Span
from ontology.namespace import slug


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span that names something, before it is resolved to an entity."""

    start: int
    end: int
    key: str
    label: str
    type: str
    source: str  # gazetteer, acronym, pattern, person, context
    entry: GazetteerEntry | None = None


def derived_key(name: str, type_: str) -> str:
    """Stable key for a name the gazetteer does not know: its type and sorted signature.

    >>> derived_key("Global Cross-Border Data Flow Cooperation Initiative", "Initiative")
    'initiative-border-cooperation-cross-data-flow-global'
    """
    words = sorted(signature(name) - {type_.lower()})
    return slug(f"{type_}-{'-'.join(words)}")[:120]


def _entry_candidate(start: int, end: int, entry: GazetteerEntry, source: str) -> Candidate:
    return Candidate(start, end, entry.key, entry.label, entry.type, source, entry)


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
        out.append(_entry_candidate(match.start, match.end, entries[0], "gazetteer"))
    return out


def _resolve_name(name: str, type_: str, gaz: Gazetteer) -> tuple[str, str, str, GazetteerEntry | None]:
    """(key, label, type, entry) for a found name: the gazetteer's when it knows it."""
    for variant in (name, _PREFIX.sub("", name)):
        entry = gaz.lookup(variant)
        if entry is not None:
            return entry.key, entry.label, entry.type, entry
    return derived_key(name, type_), name_patterns.clean_label(name), type_, None


#: Prefixes that qualify a name without changing what it names ("UN Group of
#: Governmental Experts on ..." is the gazetteer's "Group of Governmental Experts on ...").
_PREFIX = re.compile(r"^(?:the\s+|UN\s+|U\.N\.\s+|United Nations\s+|[A-Z][a-z]+(?:'s|’s)\s+)+")


def _pattern_candidates(body: str, gaz: Gazetteer) -> list[Candidate]:
    out: list[Candidate] = []
    for found in name_patterns.find_names(body):
        key, label, type_, entry = _resolve_name(found.name, found.type, gaz)
        out.append(Candidate(found.start, found.end, key, label, type_, "pattern", entry))
    return out


def _acronym_candidates(body: str, named: list[Candidate], gaz: Gazetteer) -> list[Candidate]:
    """Acronyms defined in the document, and every later use of them."""
    by_end = {c.end: c for c in sorted(named, key=lambda c: c.start - c.end)}
    out: list[Candidate] = []
    learned: dict[str, Candidate] = {}
    for definition in name_patterns.find_acronym_definitions(body):
        owner = by_end.get(definition.name_end)
        if owner is None or owner.start > definition.name_start:
            # The defined name was not found as an entity: resolve it now.
            key, label, type_, entry = _resolve_name(definition.name, definition.type, gaz)
            owner = Candidate(definition.name_start, definition.name_end, key, label, type_, "acronym", entry)
            out.append(owner)
        learned.setdefault(definition.acronym, owner)
    for acronym, owner in learned.items():
        for start, end in name_patterns.find_word(body, acronym):
            out.append(Candidate(start, end, owner.key, owner.label, owner.type, "acronym", owner.entry))
    return out


def _person_candidates(body: str, gaz: Gazetteer) -> list[Candidate]:
    out: list[Candidate] = []
    for found in name_patterns.find_persons(body):
        entry = gaz.lookup(found.name)
        if entry is not None and entry.type != "Person":
            continue
        key = entry.key if entry else derived_key(found.name, "Person")
        label = entry.label if entry else found.name
        out.append(Candidate(found.start, found.end, key, label, "Person", "person", entry))
    return out


def _context_candidates(
    body: str, meta: DocumentMeta, found: list[Candidate], gaz: Gazetteer
) -> list[Candidate]:
    """Short forms ("the Council") of an entity the document names in full or addresses."""
    keys = {c.key for c in found}
    if meta.forum and (forum := gaz.lookup(meta.forum)) is not None:
        keys.add(forum.key)
    out: list[Candidate] = []
    for key in sorted(keys):
        entry = gaz.get(key)
        if entry is None:
            continue
        for alias in entry.context_aliases:
            for start, end in name_patterns.find_phrase(body, alias):
                out.append(_entry_candidate(start, end, entry, "context"))
    return out


#: Which candidate wins when two name the same span: a definition made in the document
#: beats the gazetteer ("OEWG" defined locally as another working group), the gazetteer
#: beats a guess from the name's shape.
_SOURCE_RANK = {"acronym": 0, "person": 1, "gazetteer": 2, "context": 3, "pattern": 4}


def _without_overlaps(body: str, candidates: list[Candidate]) -> list[Candidate]:
    """Drop candidates that lie inside a longer one *with the same key* or that overlap
    a longer candidate without being nested in it; nested names of other things stay
    ("Review Conference of the NPT" keeps the NPT)."""
    ordered = sorted(candidates, key=lambda c: (c.start, -(c.end - c.start), _SOURCE_RANK[c.source]))
    kept: list[Candidate] = []
    for cand in ordered:
        clash = False
        for other in kept:
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
            # A guess from a name's shape inside a longer name is a piece of it.
            piece = nested and cand.source == "pattern"
            if not nested or other.key == cand.key or head_word or piece:
                clash = True
                break
        if not clash:
            kept.append(cand)
    return kept


def extract_entities(doc: Document, meta: DocumentMeta, gaz: Gazetteer) -> tuple[Entity, ...]:
    """Every entity named in the document, with all its mentions (offsets into ``doc.text``).

    Entities are ordered by first mention.
    """
    body = doc.body
    found = _gazetteer_candidates(body, gaz)
    found += _pattern_candidates(body, gaz)
    found += _person_candidates(body, gaz)
    found += _acronym_candidates(body, found, gaz)
    found += _context_candidates(body, meta, found, gaz)
    kept = _without_overlaps(body, found)

    groups: dict[str, list[Candidate]] = defaultdict(list)
    for cand in kept:
        groups[cand.key].append(cand)
    entities: list[Entity] = []
    for key, cands in groups.items():
        entry = next((c.entry for c in cands if c.entry is not None), None)
        surfaces = [doc.text[c.start : c.end] for c in cands]
        if entry is not None:
            label, type_ = entry.label, entry.type
            aliases = tuple(dict.fromkeys((*entry.aliases, *surfaces)))
            acronyms = tuple(dict.fromkeys((*entry.acronyms, *entry.ambiguous_acronyms)))
        else:
            label = max((c.label for c in cands), key=lambda s: (len(s), s))
            type_ = cands[0].type
            aliases = tuple(dict.fromkeys(s for s in surfaces if s != label))
            acronyms = tuple(dict.fromkeys(s for s in surfaces if s.isupper() and " " not in s))
        mentions = tuple(
            Span(c.start, c.end, doc.text[c.start : c.end]) for c in sorted(cands, key=lambda c: c.start)
        )
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
            )
        )
    entities.sort(key=lambda e: e.mentions[0].start)
    return tuple(entities)
