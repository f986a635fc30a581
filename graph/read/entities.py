"""Entities as the REST list and the entity page show them.

The list holds the entities the documents name: mentioned, or named as a document's
actor, speaker or forum, an event's subject or actor, a stance's holder or target (the
catalogue also holds gazetteer entries no document names; they are not listed). Which
entities those are, and in how many documents each is mentioned, is read once per store
generation (:func:`entity_use`: one aggregate over ``schema:mentions`` and one scan per
naming predicate), and kept beside an embedded store while it is unchanged
(:func:`saved_entity_use`, as the catalogue is); finding and ordering names is then done
on the catalogue.

An entity's page reads only that entity: its mentions with their count and first quote
per document (:func:`entity_mentions`, one aggregate), its Wikidata match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.evidence import Evidence, minted_span, quote_selector, read_quotes
from graph.network import ENTITY_TYPES, local_name
from graph.read.catalogue import Catalogue
from graph.read.saved import kept
from graph.solutions import chunks, select, select_values, text
from graph.store import Store
from graph.terms import fill, iri, values
from ontology.namespace import ENTITY, LINKS_GRAPH, PKG, PROV, SEM

_MENTION_COUNTS = """
SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?d schema:mentions ?e } } GROUP BY ?e
"""

# One scan of a predicate's index each (a UNION of the four, or a join with the class of
# the subject, is planned far worse); the links graph repeats what documents say.
_NAMED_BY = """
SELECT DISTINCT ?e WHERE { GRAPH ?g { ?x $predicate ?e } FILTER(?g != $links) FILTER(isIRI(?e)) }
"""

#: The predicates by which events and stances name entities.
NAMING_PREDICATES = (
    str(PKG) + "subject",
    str(SEM) + "hasActor",
    str(PROV) + "wasAttributedTo",
    str(PKG) + "targetEntity",
)

# An entity's mentions, from the annotations whose body it is. graph.rdf mints a mention
# annotation as ``<doc>#m-START-END`` and its quote selector as ``<doc>#q-START-END``, so
# the count and first mention of each document come from the annotations' IRIs and only
# the first quotes are looked up (0.8 s for the 18,013 mentions of the UN Charter in
# 5,292 UN speeches, where one aggregate joining every annotation to its selectors took
# 4.5 s); annotations minted otherwise are read through their selectors.
_ANNOTATIONS = "SELECT ?a WHERE { GRAPH ?g { ?a oa:hasBody $entity } }"

_SPANS = """
SELECT ?a ?d ?s ?en ?x WHERE {
  $annotations
  GRAPH ?g {
    ?a oa:motivatedBy oa:identifying ; oa:hasTarget ?t .
    ?t oa:hasSource ?d ; oa:hasSelector ?p, ?q . ?p oa:start ?s ; oa:end ?en . ?q oa:exact ?x .
  }
}
"""

_WIKIDATA = """
SELECT ?e ?w WHERE { $entities ?e skos:exactMatch ?w .
  FILTER(STRSTARTS(STR(?w), "http://www.wikidata.org/entity/")) }
"""


@dataclass(frozen=True, slots=True)
class EntityUse:
    """Which entities the documents name, and how many documents mention each."""

    #: entity IRI -> number of documents that mention it (``schema:mentions``)
    mentioned_in: dict[str, int]
    #: every entity a document names (mentioned ones included)
    named: frozenset[str]


def entity_use(store: Store, catalogue: Catalogue) -> EntityUse:
    """Read which entities the documents of ``store`` name (see the module docstring)."""
    mentioned_in = {
        str(text(row["e"])): int(str(text(row["n"]))) for row in select(store, _MENTION_COUNTS)
    }
    named = set(mentioned_in)
    for predicate in NAMING_PREDICATES:
        sparql = fill(_NAMED_BY, predicate=iri(predicate), links=iri(str(LINKS_GRAPH)))
        named.update(str(text(row["e"])) for row in select(store, sparql))
    for by_entity in catalogue.roles.values():
        named.update(by_entity)
    return EntityUse(mentioned_in, frozenset(named))


#: Layout of a saved :class:`EntityUse`; bumped when what it holds changes.
SAVED_VERSION = 1
SAVED_NAME = "entity-use"


def entity_use_json(use: EntityUse) -> dict[str, Any]:
    """An :class:`EntityUse` as JSON values (:func:`entity_use_from_json` reads it back)."""
    return {"mentioned_in": use.mentioned_in, "named": sorted(use.named)}


def entity_use_from_json(saved: dict[str, Any]) -> EntityUse:
    """The :class:`EntityUse` :func:`entity_use_json` wrote.

    >>> use = EntityUse({"urn:a": 2}, frozenset({"urn:a", "urn:b"}))
    >>> entity_use_from_json(entity_use_json(use)) == use
    True
    """
    mentioned_in = {str(e): int(n) for e, n in saved["mentioned_in"].items()}
    return EntityUse(mentioned_in, frozenset(str(e) for e in saved["named"]))


def saved_entity_use(store: Store, catalogue: Catalogue, folder: Path | None) -> EntityUse:
    """:func:`entity_use`, read from the file saved in the store's ``folder`` while the
    store is unchanged (:func:`graph.read.saved.kept`), else read and saved there; None
    for ``folder`` reads the store every time."""
    def build() -> EntityUse:
        return entity_use(store, catalogue)

    return kept(folder, SAVED_NAME, SAVED_VERSION, build, entity_use_json, entity_use_from_json)


def entity_type(name: str) -> str | None:
    """The entity type ``name`` designates (any case), None when it is none of
    :data:`graph.network.ENTITY_TYPES`.

    >>> entity_type(" initiative"), entity_type("Planet")
    ('Initiative', None)
    """
    wanted = name.strip().casefold()
    return next((t for t in ENTITY_TYPES if t.casefold() == wanted), None)


_SPACE = re.compile(r"\s+")


def _folded(name: str) -> str:
    return _SPACE.sub(" ", name).strip().casefold()


def entity_id(iri_: str) -> str:
    """The id of an entity: its IRI without the entity base (other IRIs unchanged).

    >>> entity_id(str(ENTITY) + "gids"), entity_id("urn:x")
    ('gids', 'urn:x')
    """
    return iri_.removeprefix(str(ENTITY)) if iri_.startswith(str(ENTITY)) else iri_


def find_entities(
    catalogue: Catalogue, use: EntityUse, *, type: str | None = None, q: str | None = None
) -> list[str]:
    """The named entities of type ``type`` (a name of :data:`ENTITY_TYPES`) whose label,
    alias or acronym contains ``q`` (any case, runs of spaces as one), or whose id is
    ``q``; ordered by label, with ``q``, entities called exactly ``q`` first.

    Examples
    --------
    >>> from graph.read.catalogue import EntityInfo
    >>> catalogue = Catalogue()
    >>> for key, label, acronyms in (("npt", "Non-Proliferation Treaty", ("NPT",)),
    ...                              ("tpnw", "Treaty on the Prohibition of Nuclear Weapons", ())):
    ...     catalogue.entities[str(ENTITY) + key] = EntityInfo(label, "Instrument", (), acronyms)
    >>> use = EntityUse({}, frozenset(catalogue.entities))
    >>> [entity_id(e) for e in find_entities(catalogue, use, q="treaty")]
    ['npt', 'tpnw']
    >>> [entity_id(e) for e in find_entities(catalogue, use, q="  NPT")]
    ['npt']
    >>> find_entities(catalogue, use, type="State")
    []
    """
    needle = _folded(q or "")
    found = []
    for entity in use.named:
        info = catalogue.entities.get(entity)
        label = info.label if info is not None else local_name(entity)
        if type is not None and (info is None or info.type != type):
            continue
        exact = False
        if needle:
            names = [label, *(info.aliases if info else ()), *(info.acronyms if info else ())]
            folded = [_SPACE.sub(" ", n.casefold()) for n in names]
            if not any(needle in n for n in folded) and needle != entity_id(entity).casefold():
                continue
            exact = any(n.strip() == needle for n in folded)
        found.append((0 if exact else 1, label.casefold(), entity))
    found.sort()
    return [entity for _, _, entity in found]


@dataclass(frozen=True, slots=True)
class EntityMention:
    """The mentions of an entity in one document: how many, and the first."""

    document: str
    count: int
    first: Evidence


def entity_mentions(store: Store, entity: str) -> list[EntityMention]:
    """The documents that mention ``entity``, each with its number of mentions and its
    first mention (the smallest start, then end), in no particular order.

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> store.update('''PREFIX oa: <http://www.w3.org/ns/oa#>
    ... INSERT DATA { GRAPH <urn:g> {
    ...   <urn:d#m-7-9> oa:hasBody <urn:e> ; oa:motivatedBy oa:identifying ; oa:hasTarget <urn:d#t-7-9> .
    ...   <urn:d#t-7-9> oa:hasSource <urn:d> ; oa:hasSelector <urn:d#p-7-9>, <urn:d#q-7-9> .
    ...   <urn:d#p-7-9> oa:start 7 ; oa:end 9 . <urn:d#q-7-9> oa:exact "UN" .
    ...   <urn:d#m-20-22> oa:hasBody <urn:e> ; oa:motivatedBy oa:identifying . } }''')
    >>> entity_mentions(store, "urn:e")
    [EntityMention(document='urn:d', count=2, first=Evidence(doc='urn:d', start=7, end=9, quote='UN'))]
    """
    # document -> [count, (start, end) of the first mention]
    minted: dict[str, list[Any]] = {}
    others: list[str] = []
    for row in select_values(store, fill(_ANNOTATIONS, entity=iri(entity))):
        span = minted_span(row["a"], "m")
        if span is None:
            others.append(row["a"])
            continue
        doc, start, end = span
        current = minted.setdefault(doc, [0, (start, end)])
        current[0] += 1
        current[1] = min(current[1], (start, end))
    quotes = read_quotes(store, (quote_selector(doc, *first) for doc, (_, first) in minted.items()))
    out = []
    for doc, (count, (start, end)) in minted.items():
        quote = quotes.get(quote_selector(doc, start, end))
        if quote is None:  # no quote selector where graph.rdf puts it: read its selectors
            others.append(f"{doc}#m-{start}-{end}")
            continue
        out.append(EntityMention(doc, count, Evidence(doc, start, end, quote)))
    if others:
        out = [m for m in out if m.document not in {o.partition("#")[0] for o in others}]
        out.extend(_mentions_read_through_selectors(store, entity, others, minted))
    return out


def _mentions_read_through_selectors(
    store: Store, entity: str, annotations: list[str], minted: dict[str, list[Any]]
) -> list[EntityMention]:
    """The mentions of the documents some of whose ``annotations`` are not minted as
    graph.rdf mints them (or lack its quote selector): every annotation of those documents
    is read through its selectors."""
    docs = {a.partition("#")[0] for a in annotations}
    firsts = {f"{doc}#m-{start}-{end}" for doc, (_, (start, end)) in minted.items() if doc in docs}
    wanted = set(annotations) | firsts
    for row in select(store, fill(_ANNOTATIONS, entity=iri(entity))):
        annotation = str(text(row["a"]))
        if annotation.partition("#")[0] in docs:
            wanted.add(annotation)
    first: dict[str, tuple[int, str, int, str]] = {}
    seen: dict[str, set[str]] = {}
    for chunk in chunks(sorted(wanted)):
        for row in select(store, fill(_SPANS, annotations=values("a", (iri(a) for a in chunk)))):
            doc = str(text(row["d"]))
            seen.setdefault(doc, set()).add(str(text(row["a"])))
            end = str(text(row["en"]))
            key = (int(str(text(row["s"]))), end, int(end), str(text(row["x"])))
            if doc not in first or key < first[doc]:
                first[doc] = key
    return [
        EntityMention(doc, len(seen[doc]), Evidence(doc, start, end, quote))
        for doc, (start, _, end, quote) in first.items()
    ]


def wikidata_links(store: Store, entities: Sequence[str] | Iterable[str]) -> dict[str, str]:
    """The Wikidata item each of ``entities`` is matched with (``skos:exactMatch``), where
    it has one."""
    out: dict[str, str] = {}
    for chunk in chunks(sorted(set(entities))):
        sparql = fill(_WIKIDATA, entities=values("e", (iri(e) for e in chunk)))
        for row in select(store, sparql):
            out.setdefault(str(text(row["e"])), str(text(row["w"])))
    return out


__all__ = [
    "NAMING_PREDICATES",
    "EntityMention",
    "EntityUse",
    "entity_id",
    "entity_mentions",
    "entity_type",
    "entity_use",
    "entity_use_from_json",
    "entity_use_json",
    "find_entities",
    "saved_entity_use",
    "wikidata_links",
]
