"""The small, whole-store facts every REST answer needs, read once per store generation.

A REST answer names documents (id, title, date, genre, actor, speaker, forum), entities
(label, type) and topics (label) by the thousand, and resolves the names a client sends
(an id, a label, an alias or an acronym, any case). Asking the store for these per
request would cost one query per item; projecting the whole store into networkx (what
the API did first: :func:`graph.network.load_network`) cost 45 s and 2 GB of resident
memory on 3,000 UN speeches, and the collector then walked those millions of Python
objects during every request (+30 to +120 ms on every ``/sparql`` answer).

:class:`Catalogue` holds only the descriptions: one record per document, entity and
topic (10,952 documents and 32,467 entities for the full UN General Debate corpus),
loaded with four SPARQL SELECTs (9 to 13 s there), or from the file saved beside the
store while it is unchanged (:func:`saved_catalogue`: 8 MB of JSON, about 0.5 s).
Everything per item (events, stances, mentions, lineage steps) is asked
from the store per request with indexed queries (:mod:`graph.read.lineage`,
:mod:`graph.read.timeline`, :mod:`graph.read.stances`).

It follows :mod:`graph.network`'s conventions exactly, so answers are the same as the
networkx views give: an entity's ``label`` is its smallest ``skos:prefLabel`` (the other
preferred labels become aliases), its ``type`` the first of :data:`ENTITY_TYPES` it has;
a document's ``date`` falls back to its ``pkg:sortDate``; news reports are matched to
the statements they report by :func:`graph.document_links.reporting_documents` (run on document
nodes only).
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from graph.document_links import reporting_documents
from graph.link_records import DocumentInfo
from graph.network import ENTITY_TYPES, local_name
from graph.read.saved import is_current, kept
from graph.solutions import text
from graph.store import Store
from ontology.namespace import DOC, ENTITY, LINKS_GRAPH, PKG, TOPIC, slug, sparql_prefixes

ENTITY_BASE = str(ENTITY)
TOPIC_BASE = str(TOPIC)

_DOCUMENTS = """
SELECT ?d (SAMPLE(?id_) AS ?id) (SAMPLE(?title_) AS ?title) (SAMPLE(?date_) AS ?date)
       (SAMPLE(?sort_) AS ?sort) (SAMPLE(?genre_) AS ?genre) (SAMPLE(?actor_) AS ?actor)
       (SAMPLE(?speaker_) AS ?speaker) (SAMPLE(?forum_) AS ?forum)
WHERE {
  GRAPH ?g {
    ?d a pkg:Document .
    OPTIONAL { ?d dcterms:identifier ?id_ }
    OPTIONAL { ?d dcterms:title ?title_ }
    OPTIONAL { ?d dcterms:date ?date_ }
    OPTIONAL { ?d pkg:sortDate ?sort_ }
    OPTIONAL { ?d pkg:genre ?genre_ }
    OPTIONAL { ?d pkg:actor ?actor_ }
    OPTIONAL { ?d pkg:speaker ?speaker_ }
    OPTIONAL { ?d pkg:forum ?forum_ }
  }
} GROUP BY ?d
"""

# One query per predicate: each is one scan of the predicate's index (0.2 s for the
# prefLabels of 3,000 speeches), where a UNION of the four with DISTINCT took 8 s.
_TERMS = (
    'SELECT DISTINCT ?e ?o WHERE {{ GRAPH ?g {{ ?e {predicate} ?o }} FILTER(STRSTARTS(STR(?e), "{base}")) }}'
)

_TYPES = (
    "SELECT DISTINCT ?e ?t WHERE {{ VALUES ?t {{ {classes} }} GRAPH ?g {{ ?e a ?t }} "
    'FILTER(STRSTARTS(STR(?e), "{base}")) }}'
)

_LINEAGE_BUILT = f"ASK {{ GRAPH <{LINKS_GRAPH}> {{ ?s a pkg:LineageStep }} }}"


@dataclass(frozen=True, slots=True)
class EntityInfo:
    label: str
    type: str | None
    aliases: tuple[str, ...]
    acronyms: tuple[str, ...]


@dataclass
class Catalogue:
    """Documents, entities and topics of one store generation (see the module docstring)."""

    documents: dict[str, DocumentInfo] = field(default_factory=dict)
    by_doc_id: dict[str, str] = field(default_factory=dict)
    entities: dict[str, EntityInfo] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    #: news report IRI -> the statement it reports (:func:`graph.document_links.reporting_documents`)
    reports: dict[str, str] = field(default_factory=dict)
    #: ``forum``/``actor``/``speaker`` -> entity IRI -> documents with that role
    roles: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: True when the links graph holds lineage steps (:mod:`graph.derived` built it)
    lineage_built: bool = False
    #: the names index of :meth:`resolve_entity`, built when a name first needs it (most
    #: requests name entities by key, which needs none; 0.5 s for the full UN corpus)
    _names: list[dict[str, list[str]]] | None = field(default=None, compare=False, repr=False)

    # -- names -------------------------------------------------------------------------

    def _index_names(self) -> list[dict[str, list[str]]]:
        tiers: list[dict[str, list[str]]] = [defaultdict(list) for _ in range(4)]
        for iri, info in sorted(self.entities.items()):
            tiers[0][local_name(iri).casefold()].append(iri)
            tiers[1][info.label.casefold()].append(iri)
            for alias in set(a.casefold() for a in info.aliases):
                tiers[2][alias].append(iri)
            for acronym in set(a.casefold() for a in info.acronyms):
                tiers[3][acronym].append(iri)
        self._names = [dict(t) for t in tiers]
        return self._names

    def resolve_entity(self, name: str) -> str:
        """The entity a name designates: IRI, key, then (any case) the local name, label,
        alias or acronym; the first kind of name that designates exactly one entity wins.

        Raises
        ------
        LookupError
            No entity carries the name, or several equally good ones do (listed).
        """
        if name in self.entities:
            return name
        iri = ENTITY_BASE + name.strip()
        if iri in self.entities:
            return iri
        wanted = name.strip().casefold()
        # Built once; two threads building it at once build the same index.
        tiers = self._names if self._names is not None else self._index_names()
        for tier in tiers:
            found = tier.get(wanted, [])
            if len(found) == 1:
                return found[0]
            if found:
                names = ", ".join(f"{self.entity_label(n)} <{n}>" for n in sorted(found))
                raise LookupError(f"{name!r} names several entities: {names}")
        raise LookupError(f"no entity is called {name!r}")

    def resolve_topic(self, name: str) -> str | None:
        """The topic IRI ``name`` designates (IRI, id such as ``outer-space``, or label)."""
        wanted = name.strip().casefold()
        wanted_slug = slug(name)
        for iri, label in sorted(self.topics.items()):
            names = (iri.casefold(), local_name(iri).casefold(), label.casefold())
            if wanted in names or wanted_slug == local_name(iri):
                return iri
        return None

    def entity_label(self, iri: str) -> str:
        info = self.entities.get(iri)
        return info.label if info is not None else local_name(iri)

    def topic_label(self, iri: str) -> str:
        return self.topics.get(iri) or local_name(iri)

    def document(self, iri: str) -> DocumentInfo:
        """The record of a document (a bare one, named after its IRI, when unknown)."""
        found = self.documents.get(iri)
        if found is not None:
            return found
        return DocumentInfo(iri, iri.removeprefix(str(DOC)), None, None, None, None, None, None, None)


def _add_documents(catalogue: Catalogue, records: Iterable[DocumentInfo]) -> None:
    for record in records:
        catalogue.documents[record.iri] = record
        catalogue.by_doc_id.setdefault(record.doc_id, record.iri)
        for role in ("forum", "actor", "speaker"):
            entity = getattr(record, role)
            if entity:
                catalogue.roles.setdefault(role, {}).setdefault(entity, []).append(record.iri)
    for by_entity in catalogue.roles.values():
        for docs in by_entity.values():
            docs.sort()


def _documents(store: Store, catalogue: Catalogue) -> None:
    records = []
    for row in store.query(sparql_prefixes() + _DOCUMENTS):
        iri = str(text(row["d"]))
        sort_date = text(row["sort"])
        records.append(
            DocumentInfo(
                iri=iri,
                doc_id=text(row["id"]) or iri.removeprefix(str(DOC)),
                title=text(row["title"]),
                date=text(row["date"]) or sort_date,
                sort_date=sort_date,
                genre=text(row["genre"]),
                actor=text(row["actor"]),
                speaker=text(row["speaker"]),
                forum=text(row["forum"]),
            )
        )
    _add_documents(catalogue, records)


def _entities(store: Store, catalogue: Catalogue) -> None:
    terms: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    prefixes = sparql_prefixes()
    for key, predicate in (
        ("prefLabel", "skos:prefLabel"),
        ("altLabel", "skos:altLabel"),
        ("acronym", "pkg:acronym"),
    ):
        for row in store.query(prefixes + _TERMS.format(predicate=predicate, base=ENTITY_BASE)):
            terms[str(text(row["e"]))][key].add(str(text(row["o"])))
    classes = " ".join(f"<{PKG}{name}>" for name in ENTITY_TYPES)
    for row in store.query(prefixes + _TYPES.format(classes=classes, base=ENTITY_BASE)):
        terms[str(text(row["e"]))]["type"].add(local_name(str(text(row["t"]))))
    # Entities only named by documents (a speaker without a description) are entities too.
    for by_entity in catalogue.roles.values():
        for iri in by_entity:
            terms.setdefault(iri, defaultdict(set))
    for iri, props in terms.items():
        labels = sorted(props.get("prefLabel", ()))
        types = sorted(props.get("type", ()))
        catalogue.entities[iri] = EntityInfo(
            label=labels[0] if labels else local_name(iri),
            type=types[0] if types else None,
            aliases=tuple(sorted(set(props.get("altLabel", ())) | set(labels[1:]))),
            acronyms=tuple(sorted(props.get("acronym", ()))),
        )


def _topics(store: Store, catalogue: Catalogue) -> None:
    labels: dict[str, set[str]] = defaultdict(set)
    for row in store.query(sparql_prefixes() + _TERMS.format(predicate="skos:prefLabel", base=TOPIC_BASE)):
        labels[str(text(row["e"]))].add(str(text(row["o"])))
    # Topics stances point at without a description are topics too (labelled by their key).
    # (Not joined with ``a pkg:Stance``: that join took 3.8 s on 3,000 speeches, this 0.01 s.)
    used = (
        "SELECT DISTINCT ?t WHERE { GRAPH ?g { ?s dcterms:subject ?t } "
        f'FILTER(STRSTARTS(STR(?t), "{TOPIC_BASE}")) }}'
    )
    for row in store.query(sparql_prefixes() + used):
        labels.setdefault(str(text(row["t"])), set())
    catalogue.topics = {iri: (min(found) if found else local_name(iri)) for iri, found in labels.items()}


def _reports(catalogue: Catalogue) -> None:
    graph = nx.MultiDiGraph()
    for iri, doc in catalogue.documents.items():
        graph.add_node(iri, **doc.node_attributes())
    catalogue.reports = reporting_documents(graph)


def load_catalogue(store: Store) -> Catalogue:
    """Read the catalogue of a store (see the module docstring).

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> store.update('''PREFIX pkg: <https://w3id.org/policykg/ontology#>
    ... PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    ... PREFIX dcterms: <http://purl.org/dc/terms/>
    ... INSERT DATA { GRAPH <https://w3id.org/policykg/graph/doc/d1> {
    ...   <https://w3id.org/policykg/doc/d1> a pkg:Document ; dcterms:identifier "d1" ;
    ...     pkg:forum <https://w3id.org/policykg/entity/cd> .
    ...   <https://w3id.org/policykg/entity/cd> a pkg:Forum ;
    ...     skos:prefLabel "Conference on Disarmament" ; pkg:acronym "CD" . } }''')
    >>> catalogue = load_catalogue(store)
    >>> catalogue.resolve_entity("cd") == catalogue.resolve_entity("conference on disarmament")
    True
    >>> catalogue.entities["https://w3id.org/policykg/entity/cd"].type
    'Forum'
    >>> catalogue.roles["forum"]["https://w3id.org/policykg/entity/cd"]
    ['https://w3id.org/policykg/doc/d1']
    """
    catalogue = Catalogue()
    _documents(store, catalogue)
    _entities(store, catalogue)
    _topics(store, catalogue)
    _reports(catalogue)
    catalogue.lineage_built = bool(store.query(sparql_prefixes() + _LINEAGE_BUILT))
    return catalogue


# -- saved beside the store (graph.read.saved) ---------------------------------------------

#: Layout of a saved catalogue; bumped when :class:`Catalogue` or what it holds changes.
SAVED_VERSION = 1
SAVED_NAME = "catalogue"


def catalogue_json(catalogue: Catalogue) -> dict[str, Any]:
    """What a catalogue holds, as JSON values (:func:`catalogue_from_json` reads it back);
    the indexes built from it (document ids, roles, names) are not written."""
    return {
        "documents": [
            [d.iri, d.doc_id, d.title, d.date, d.sort_date, d.genre, d.actor, d.speaker, d.forum]
            for d in catalogue.documents.values()
        ],
        "entities": [
            [iri, e.label, e.type, list(e.aliases), list(e.acronyms)] for iri, e in catalogue.entities.items()
        ],
        "topics": catalogue.topics,
        "reports": catalogue.reports,
        "lineage_built": catalogue.lineage_built,
    }


def catalogue_from_json(saved: dict[str, Any]) -> Catalogue:
    """The catalogue :func:`catalogue_json` wrote, with its indexes rebuilt.

    Raises
    ------
    KeyError, TypeError, ValueError
        ``saved`` is not what :func:`catalogue_json` writes.
    """
    catalogue = Catalogue()
    # Tens of thousands of objects are made at once: the collector's passes over them
    # (all survivors) took a third of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _add_documents(catalogue, (DocumentInfo(*row) for row in saved["documents"]))
        catalogue.entities = {
            iri: EntityInfo(label, type_, tuple(aliases), tuple(acronyms))
            for iri, label, type_, aliases, acronyms in saved["entities"]
        }
    finally:
        if collecting:
            gc.enable()
    catalogue.topics = dict(saved["topics"])
    catalogue.reports = dict(saved["reports"])
    catalogue.lineage_built = bool(saved["lineage_built"])
    return catalogue


def saved_catalogue_current(folder: Path | None) -> bool:
    """True when the store in ``folder`` has a saved catalogue of its present state (then
    :func:`saved_catalogue` reads the file, well under a second, not the store)."""
    return is_current(folder, SAVED_NAME, SAVED_VERSION)


def saved_catalogue(store: Store, folder: Path | None) -> Catalogue:
    """The catalogue of ``store``, read from the file saved in its ``folder`` while the
    store is unchanged (:func:`graph.read.saved.kept`: a fresh server on an unchanged
    store need not read the whole store again), else read from the store and saved there.
    ``folder`` is the embedded store's own folder; None reads the store every time."""
    return kept(
        folder, SAVED_NAME, SAVED_VERSION, lambda: load_catalogue(store), catalogue_json, catalogue_from_json
    )


__all__ = [
    "Catalogue",
    "EntityInfo",
    "catalogue_from_json",
    "catalogue_json",
    "load_catalogue",
    "saved_catalogue",
    "saved_catalogue_current",
]
