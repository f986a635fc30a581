"""The entity node of a networkx view that a name designates.

An IRI, a key, or (any case) a label, an alias or an acronym: the first kind of name
that designates exactly one entity wins. :meth:`graph.read.catalogue.Catalogue.resolve_entity`
decides the same way from the store's descriptions.
"""

from __future__ import annotations

import networkx as nx

from graph.network import label, local_name
from ontology.namespace import ENTITY

ENTITY_BASE = str(ENTITY)


def resolve_entity(graph: nx.MultiDiGraph, name: str) -> str:
    """The entity node a name designates: IRI, key, label, alias or acronym (any case).

    Raises
    ------
    LookupError
        No entity, or several equally good ones, carry the name (the message lists them).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("https://w3id.org/policykg/entity/gids", kind="entity", type="Initiative",
    ...            label="Global Initiative on Data Security",
    ...            aliases=("Global Data Security Initiative",), acronyms=("GDSI",))
    >>> resolve_entity(g, "global data security initiative")
    'https://w3id.org/policykg/entity/gids'
    >>> resolve_entity(g, "gids") == resolve_entity(g, "GDSI")
    True
    """
    wanted = name.strip().casefold()
    if name in graph and graph.nodes[name].get("kind") == "entity":
        return name
    # An exact key (what API clients send) needs no scan of every node.
    iri = ENTITY_BASE + name.strip()
    if iri in graph and graph.nodes[iri].get("kind") == "entity":
        return iri
    tiers: list[list[str]] = [[], [], [], []]
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") != "entity":
            continue
        if local_name(node).casefold() == wanted:
            tiers[0].append(node)
        elif str(attrs.get("label") or "").casefold() == wanted:
            tiers[1].append(node)
        elif any(a.casefold() == wanted for a in attrs.get("aliases", ())):
            tiers[2].append(node)
        elif any(a.casefold() == wanted for a in attrs.get("acronyms", ())):
            tiers[3].append(node)
    for tier in tiers:
        if len(tier) == 1:
            return tier[0]
        if tier:
            names = ", ".join(f"{label(graph, n)} <{n}>" for n in sorted(tier))
            raise LookupError(f"{name!r} names several entities: {names}")
    raise LookupError(f"no entity is called {name!r}")
