"""Entity descriptions as RDF: type, labels, acronyms, Wikidata match; the gazetteer's entities.

An entity is described once, in the entities graph ``graph:entities``, however many
documents name it (:mod:`graph.entities_graph` stores the descriptions):
:class:`EntityDescription` holds the same fields for an extraction record and a
gazetteer entry; :func:`entity_description` gives its quads; :func:`gazetteer_quads`
describes every gazetteer entity with its parent, proposer, state, ISO code and year.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.rdf_terms import (
    PKG_ACRONYM,
    PKG_ISO3,
    PKG_PART_OF,
    PKG_PROPOSER,
    PKG_STATE,
    PKG_YEAR,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT,
    SKOS_EXACT,
    SKOS_PREF,
    XSD_GYEAR,
    entity_class,
    entity_node,
    wikidata_node,
)
from loaders.records import Entity

if TYPE_CHECKING:
    from loaders.gazetteer import Gazetteer, GazetteerEntry


@dataclass(frozen=True, slots=True)
class EntityDescription:
    """What a graph says about an entity: the same fields for records and gazetteer entries."""

    key: str
    label: str
    type: str
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    wikidata: str | None = None

    @classmethod
    def of_entity(cls, entity: Entity) -> EntityDescription:
        return cls(entity.key, entity.label, entity.type, entity.aliases, entity.acronyms, entity.wikidata)

    @classmethod
    def of_entry(cls, entry: GazetteerEntry) -> EntityDescription:
        return cls(
            entry.key,
            entry.label,
            entry.type,
            entry.aliases,
            (*entry.acronyms, *entry.ambiguous_acronyms),
            entry.wikidata,
        )


def entity_description(
    entity: EntityDescription, graph: ox.NamedNode | ox.DefaultGraph
) -> Iterator[ox.Quad]:
    """Type, labels, acronyms and Wikidata match of one entity, in ``graph``.

    Examples
    --------
    >>> g = ox.NamedNode("https://w3id.org/policykg/graph/doc/d")
    >>> quads = list(entity_description(EntityDescription("unsc", "United Nations Security "
    ...     "Council", "Forum", ("UN Security Council",), ("UNSC",), "Q37470"), g))
    >>> sorted(q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for q in quads)
    ['acronym', 'altLabel', 'exactMatch', 'label', 'prefLabel', 'type']
    """
    node = entity_node(entity.key)
    label = ox.Literal(entity.label)
    yield ox.Quad(node, RDF_TYPE, entity_class(entity.type), graph)
    yield ox.Quad(node, SKOS_PREF, label, graph)
    yield ox.Quad(node, RDFS_LABEL, label, graph)
    acronyms = dict.fromkeys(a for a in entity.acronyms if a)
    for alias in dict.fromkeys(entity.aliases):
        if alias and alias != entity.label and alias not in acronyms:
            yield ox.Quad(node, SKOS_ALT, ox.Literal(alias), graph)
    for acronym in acronyms:
        yield ox.Quad(node, PKG_ACRONYM, ox.Literal(acronym), graph)
    match = wikidata_node(entity.wikidata)
    if match is not None:
        yield ox.Quad(node, SKOS_EXACT, match, graph)


def gazetteer_quads(gazetteer: Gazetteer, graph: str) -> list[ox.Quad]:
    """Descriptions of every gazetteer entity (for the entities graph), with its
    ``parent``, ``proposer``, ``state``, ISO 3166 code and year when the entry gives them.

    >>> from loaders.gazetteer import Gazetteer, GazetteerEntry
    >>> gaz = Gazetteer([GazetteerEntry("china", "China", "State", iso3="CHN")])
    >>> [q.object.value for q in gazetteer_quads(gaz, "http://e/g") if q.predicate == PKG_ISO3]
    ['CHN']
    """
    node_graph = ox.NamedNode(graph)
    out: list[ox.Quad] = []
    for entry in gazetteer.entries.values():
        out.extend(entity_description(EntityDescription.of_entry(entry), node_graph))
        node = entity_node(entry.key)
        for predicate, key in ((PKG_PART_OF, entry.parent), (PKG_PROPOSER, entry.proposer),
                               (PKG_STATE, entry.state)):
            if key:
                out.append(ox.Quad(node, predicate, entity_node(key), node_graph))
        if entry.iso3:
            out.append(ox.Quad(node, PKG_ISO3, ox.Literal(entry.iso3), node_graph))
        year = entry.extra.get("year")
        if isinstance(year, int):
            out.append(ox.Quad(node, PKG_YEAR, ox.Literal(f"{year:04d}", datatype=XSD_GYEAR), node_graph))
    return out
