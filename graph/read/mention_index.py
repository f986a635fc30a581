"""Which documents mention which entities (``schema:mentions``), held in memory as two
compact indexes, for the questions that aggregate over many documents at once.

An entity's co-mentions are one SPARQL aggregate over every document that mentions it
(:func:`graph.read.neighbourhood.co_mentions`): 143,000 rows and 3 to 4 s for the UN
Charter, named by 5,292 of the UN General Debate speeches; a path search reads the
co-mentions of several entities and the numbers of entities each shares a document with.
The whole store holds about 300,000 mention links (27 per speech): read once per store
generation (one query, about 3 s; saved beside an embedded store while it is unchanged,
:mod:`graph.read.saved`), kept as arrays of numbers (a few MB), they answer those
questions in milliseconds with the same figures as the SPARQL aggregates.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.read.saved import kept
from graph.solutions import select, text
from graph.store import Store

_MENTIONS = "SELECT DISTINCT ?d ?e WHERE { GRAPH ?g { ?d schema:mentions ?e } }"

#: Layout of a saved index; bumped when it changes.
SAVED_VERSION = 1
SAVED_NAME = "mentions"


@dataclass
class MentionIndex:
    """Documents and the entities each mentions, and the reverse."""

    documents: list[str]
    entities: list[str]
    #: document number -> numbers of the entities it mentions (sorted)
    doc_entities: list[array[int]]
    #: entity number -> numbers of the documents that mention it (sorted)
    entity_docs: list[array[int]]
    #: entity IRI -> its number
    number: dict[str, int]
    #: document IRI -> its number (made on first use)
    _doc_number: dict[str, int] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, documents: list[str], entities: list[str], doc_entities: list[array[int]]) -> MentionIndex:
        entity_docs: list[array[int]] = [array("I") for _ in entities]
        for doc, mentioned in enumerate(doc_entities):
            for entity in mentioned:
                entity_docs[entity].append(doc)
        return cls(documents, entities, doc_entities, entity_docs, {e: i for i, e in enumerate(entities)})

    def mentioning(self, entity: str) -> list[str]:
        """The documents that mention ``entity`` (IRIs, in IRI order)."""
        number = self.number.get(entity)
        return [] if number is None else [self.documents[d] for d in self.entity_docs[number]]

    def co_mentions(self, entity: str) -> list[tuple[str, int]]:
        """The entities sharing documents with ``entity`` with the number shared, most
        first, then by IRI: :func:`graph.read.neighbourhood.co_mentions`."""
        number = self.number.get(entity)
        if number is None:
            return []
        counts: Counter[int] = Counter()
        for doc in self.entity_docs[number]:
            counts.update(self.doc_entities[doc])
        del counts[number]
        found = [(self.entities[e], n) for e, n in counts.items()]
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found

    def degrees(self, entities: Iterable[str]) -> dict[str, int]:
        """The number of other entities each of ``entities`` shares a document with
        (entities no document mentions are left out)."""
        out = {}
        for entity in entities:
            number = self.number.get(entity)
            if number is None:
                continue
            others: set[int] = set()
            for doc in self.entity_docs[number]:
                others.update(self.doc_entities[doc])
            others.discard(number)
            if others:
                out[entity] = len(others)
        return out

    def links(self, docs: Iterable[str]) -> list[tuple[str, str]]:
        """Every (document, entity) mention link of ``docs``, by document then entity
        (documents that mention nothing, or that the index does not hold, give none)."""
        if self._doc_number is None:
            self._doc_number = {d: i for i, d in enumerate(self.documents)}
        found = []
        for doc in sorted(set(docs)):
            number = self._doc_number.get(doc)
            if number is not None:
                found += sorted((doc, self.entities[e]) for e in self.doc_entities[number])
        return found

    def shared_documents(self, a: str, b: str) -> list[str]:
        """The documents that mention both ``a`` and ``b`` (IRIs, in IRI order)."""
        first, second = self.number.get(a), self.number.get(b)
        if first is None or second is None:
            return []
        common = set(self.entity_docs[first]).intersection(self.entity_docs[second])
        return sorted(self.documents[d] for d in common)


def load_mention_index(store: Store) -> MentionIndex:
    """Read every ``schema:mentions`` link of the store (one query)."""
    pairs: dict[str, set[str]] = {}
    for row in select(store, _MENTIONS):
        pairs.setdefault(str(text(row["d"])), set()).add(str(text(row["e"])))
    documents = sorted(pairs)
    entities = sorted(set().union(*pairs.values())) if pairs else []
    number = {e: i for i, e in enumerate(entities)}
    return MentionIndex.of(
        documents, entities, [array("I", sorted(number[e] for e in pairs[d])) for d in documents]
    )


def _to_json(index: MentionIndex) -> dict[str, Any]:
    return {
        "documents": index.documents,
        "entities": index.entities,
        "mentions": [m.tolist() for m in index.doc_entities],
    }


def _from_json(saved: dict[str, Any]) -> MentionIndex:
    return MentionIndex.of(
        list(saved["documents"]), list(saved["entities"]), [array("I", m) for m in saved["mentions"]]
    )


def saved_mention_index(store: Store, folder: Path | None) -> MentionIndex:
    """The index of ``store``, from the file saved in its ``folder`` while the store is
    unchanged (:func:`graph.read.saved.kept`), else read and saved there."""
    return kept(folder, SAVED_NAME, SAVED_VERSION, lambda: load_mention_index(store), _to_json, _from_json)


__all__ = ["MentionIndex", "load_mention_index", "saved_mention_index"]
