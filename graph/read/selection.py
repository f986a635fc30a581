"""The documents a filter keeps (an entity, a topic, an actor, a forum, a date window),
read from the store: what the exports hold, without a view of the whole store.

- ``entity=E``: documents that mention E, have it as forum, actor or speaker, or report
  an event whose subject is E;
- ``topic=T``: documents holding a stance on T;
- ``actor=A``: documents of A (actor or speaker) or holding a stance of A;
- ``forum=F``: documents delivered at F;
- ``start``/``end``: documents whose sort date lies in the window (undated ones sort last).

All filters given must hold. Roles and dates come from the catalogue; mentions, events
and stances are one SPARQL query per filter. :func:`documents_about` reads the documents
about many entities at once (one more hop of an ego network).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graph.dates import period_bounds
from graph.read.catalogue import Catalogue
from graph.read.mention_index import MentionIndex
from graph.read.window import in_window
from graph.solutions import chunks, select, text
from graph.store import Store
from graph.terms import Fragment, fill, iri, values

_ABOUT = """
SELECT DISTINCT ?d WHERE {
  $entities
  { GRAPH ?g { ?d a pkg:Document ; schema:mentions ?e } }
  UNION
  { GRAPH ?g { ?ev pkg:subject ?e ; a pkg:Event ; pkg:eventType ?type ; prov:wasDerivedFrom ?d } }
}
"""

_SUBJECT_OF = """
SELECT DISTINCT ?d WHERE {
  $entities
  GRAPH ?g { ?ev pkg:subject ?e ; a pkg:Event ; pkg:eventType ?type ; prov:wasDerivedFrom ?d }
}
"""

_NAMED_BY = """
SELECT DISTINCT ?e WHERE { $docs GRAPH ?g { ?d a pkg:Document ; schema:mentions ?e } }
"""

_STANCE_DOCUMENTS = """
SELECT DISTINCT ?d WHERE {
  GRAPH ?g { ?st $predicate $value ; a pkg:Stance ; pkg:polarity ?p ; prov:wasDerivedFrom ?d }
}
"""


@dataclass(frozen=True, slots=True)
class Filters:
    """Resolved filters (entity and topic IRIs) and a date window (partial ISO dates)."""

    entity: str | None = None
    topic: str | None = None
    actor: str | None = None
    forum: str | None = None
    start: str | None = None
    end: str | None = None

    @property
    def empty(self) -> bool:
        return not any((self.entity, self.topic, self.actor, self.forum, self.start, self.end))


def documents_about(
    store: Store, catalogue: Catalogue, entities: Iterable[str], mentions: MentionIndex | None = None
) -> set[str]:
    """Documents that mention one of ``entities``, have one as forum, actor or speaker, or
    report an event whose subject is one of them (asked in chunks of entities). With
    ``mentions``, the mentioning documents come from that in-memory index (a state's 1,500
    UN speeches: 0.5 s as a store read) and only the events are asked."""
    wanted = sorted(set(entities))
    found: set[str] = set()
    template = _ABOUT if mentions is None else _SUBJECT_OF
    for chunk in chunks(wanted):
        sparql = fill(template, entities=values("e", (iri(e) for e in chunk)))
        found.update(str(text(row["d"])) for row in select(store, sparql))
    if mentions is not None:
        for entity in wanted:
            found.update(mentions.mentioning(entity))
    for entity in wanted:
        for role in ("forum", "actor", "speaker"):
            found.update(catalogue.roles.get(role, {}).get(entity, ()))
    return found


def _stance_documents(store: Store, predicate: str, value: str) -> set[str]:
    sparql = fill(_STANCE_DOCUMENTS, predicate=Fragment(predicate), value=iri(value))
    return {str(text(row["d"])) for row in select(store, sparql)}


def _sort_date(catalogue: Catalogue, doc: str) -> str | None:
    return catalogue.documents[doc].sort_date


def _by_date(catalogue: Catalogue, docs: Iterable[str]) -> list[str]:
    """Documents by sort date (undated last), then id."""
    return sorted(docs, key=lambda d: (_sort_date(catalogue, d) or "9999", catalogue.documents[d].doc_id))


def selected_documents(
    store: Store, catalogue: Catalogue, filters: Filters, mentions: MentionIndex | None = None
) -> list[str]:
    """IRIs of the documents the filters keep (all documents without filters), sorted by
    sort date (undated last), then id; ``mentions``: see :func:`documents_about`.

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> from graph.read.catalogue import load_catalogue
    >>> store = OxigraphStore(None)
    >>> store.update('''PREFIX pkg: <https://w3id.org/policykg/ontology#>
    ... PREFIX schema: <https://schema.org/>
    ... PREFIX dcterms: <http://purl.org/dc/terms/>
    ... PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    ... INSERT DATA {
    ...  GRAPH <https://w3id.org/policykg/graph/doc/a> { <https://w3id.org/policykg/doc/a> a pkg:Document ;
    ...    dcterms:identifier "a" ; pkg:sortDate "2021-01-01"^^xsd:date ;
    ...    schema:mentions <https://w3id.org/policykg/entity/cd> . }
    ...  GRAPH <https://w3id.org/policykg/graph/doc/b> { <https://w3id.org/policykg/doc/b> a pkg:Document ;
    ...    dcterms:identifier "b" ; pkg:sortDate "2020-01-01"^^xsd:date . } }''')
    >>> catalogue = load_catalogue(store)
    >>> [d.rsplit("/", 1)[1] for d in selected_documents(store, catalogue, Filters())]
    ['b', 'a']
    >>> selected_documents(store, catalogue, Filters(entity="https://w3id.org/policykg/entity/cd"))
    ['https://w3id.org/policykg/doc/a']
    """
    docs: set[str] = set(catalogue.documents)
    if filters.entity:
        docs &= documents_about(store, catalogue, [filters.entity], mentions)
    if filters.topic:
        docs &= _stance_documents(store, "dcterms:subject", filters.topic)
    if filters.actor:
        own = {
            d for role in ("actor", "speaker") for d in catalogue.roles.get(role, {}).get(filters.actor, ())
        }
        docs &= own | _stance_documents(store, "prov:wasAttributedTo", filters.actor)
    if filters.forum:
        docs &= set(catalogue.roles.get("forum", {}).get(filters.forum, ()))
    low, high = period_bounds(filters.start, filters.end)
    return _by_date(catalogue, (d for d in docs if in_window(_sort_date(catalogue, d), low, high)))


def named_by(store: Store, catalogue: Catalogue, docs: Iterable[str]) -> set[str]:
    """The entities ``docs`` mention or have as forum, actor or speaker."""
    wanted = sorted(set(docs))
    found: set[str] = set()
    for chunk in chunks(wanted):
        sparql = fill(_NAMED_BY, docs=values("d", (iri(d) for d in chunk)))
        found.update(str(text(row["e"])) for row in select(store, sparql))
    for doc in wanted:
        info = catalogue.document(doc)
        found.update(e for e in (info.forum, info.actor, info.speaker) if e)
    return found


def widened(
    store: Store, catalogue: Catalogue, docs: Sequence[str], filters: Filters, depth: int
) -> list[str]:
    """``docs`` and, for each step of ``depth`` past 1, the documents about the entities
    the documents kept so far name (:func:`documents_about`), within the filters' date
    window; sorted as :func:`selected_documents` sorts. Each step can multiply the
    documents: on a large corpus, depth 2 around a state reaches most of it."""
    kept = set(docs)
    low, high = period_bounds(filters.start, filters.end)
    for _ in range(depth - 1):
        more = documents_about(store, catalogue, named_by(store, catalogue, kept)) - kept
        more = {d for d in more if d in catalogue.documents}
        more = {d for d in more if in_window(_sort_date(catalogue, d), low, high)}
        if not more:
            break
        kept |= more
    return _by_date(catalogue, kept)


__all__ = ["Filters", "documents_about", "named_by", "selected_documents", "widened"]
