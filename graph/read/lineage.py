"""Lineages read from the store: an initiative's or instrument's history, oldest first.

:func:`lineage_steps` reads the precomputed ``pkg:LineageStep`` resources of the links
graph (:mod:`graph.derived`, :mod:`graph.links_rdf`) in ONE query, and the quotes of the
steps asked for (:func:`lineage_page`: a page of a long lineage). When the store has no
lineage steps (ingested with ``--links none``), or the entity is of a type the links graph
has no lineage for (a state, a person), it loads the few facts one lineage needs (the
entity's events, its mentions with their first quotes, the stances targeting it) into a
small networkx graph and runs :func:`graph.lineage_rules.lineage` on it: the same rules the links
graph was computed with.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import networkx as nx

from graph.evidence import Evidence, evidence_of
from graph.lineage_rules import LINEAGE_TYPES, lineage
from graph.link_records import LineageStep
from graph.network import NetworkBuilder, local_name
from graph.read.catalogue import Catalogue
from graph.solutions import chunks, integer, select, text
from graph.store import Store
from graph.terms import fill, iri, values
from ontology.namespace import LINKS_GRAPH

_LINEAGE = """
SELECT ?step ?role ?type ?date ?sort ?doc ?actor ?rep WHERE {
  GRAPH $links {
    ?step pkg:lineageOf $entity ; pkg:stepRole ?role ; pkg:eventType ?type ; pkg:document ?doc .
    OPTIONAL { ?step pkg:sortDate ?sort }
    OPTIONAL { ?step dcterms:date ?date }
    OPTIONAL { ?step sem:hasActor ?actor }
    OPTIONAL { ?step pkg:reportedIn ?rep }
  }
}
"""

# The quotes of some steps, in the links graph named as a constant: over ``GRAPH ?g``, or
# joined to the query above, Oxigraph's plan read every step's quote many times over
# (85,254 rows for the 1,000 steps of the 2030 Agenda on the UN corpus).
_STEP_EVIDENCE = """
SELECT ?step ?src ?s ?en ?x WHERE {
  $steps
  GRAPH $links {
    ?step pkg:evidence ?ann . ?ann oa:hasTarget ?t . ?t oa:hasSource ?src ;
      oa:hasSelector ?p, ?q . ?p oa:start ?s ; oa:end ?en . ?q oa:exact ?x .
  }
}
"""

_ROLES = {"origin": "origin", "laterEvent": "event", "invocation": "invocation"}


def _derived_steps(store: Store, catalogue: Catalogue, entity: str) -> list[tuple[str, LineageStep]]:
    """The entity's ``pkg:LineageStep`` resources of the links graph (one query), in
    order, without their quotes: (step IRI, step)."""
    steps: dict[str, dict[str, Any]] = {}
    sparql = fill(_LINEAGE, links=iri(str(LINKS_GRAPH)), entity=iri(entity))
    for row in select(store, sparql):
        step = str(text(row["step"]))
        found = steps.get(step)
        if found is None:
            doc = str(text(row["doc"]))
            found = steps[step] = {
                "role": _ROLES.get(local_name(str(text(row["role"]))), "invocation"),
                "event_type": local_name(str(text(row["type"]))),
                "date": text(row["date"]),
                "sort_date": text(row["sort"]),
                "document": catalogue.document(doc),
                "actor": text(row["actor"]),
                "reported_in": set(),
            }
        reported = text(row["rep"])
        if reported:
            found["reported_in"].add(reported)
    out = [
        (
            step,
            LineageStep(
                entity=entity,
                evidence=None,
                **{**fields, "reported_in": tuple(sorted(fields["reported_in"]))},
            ),
        )
        for step, fields in steps.items()
    ]
    # graph.lineage_rules orders steps by LineageStep.order_key; event steps of one document and day
    # are then in event-type order (they are built per type, in sorted order).
    out.sort(key=lambda pair: (pair[1].order_key, pair[1].event_type))
    return out


def _with_quotes(store: Store, steps: list[tuple[str, LineageStep]]) -> list[LineageStep]:
    """The steps with their quotes (the earliest, should a step have several)."""
    found: dict[str, Evidence] = {}
    for chunk in chunks(sorted({step for step, _ in steps})):
        sparql = fill(
            _STEP_EVIDENCE, steps=values("step", (iri(s) for s in chunk)), links=iri(str(LINKS_GRAPH))
        )
        for row in select(store, sparql):
            step, start, end, quote = (
                str(text(row["step"])),
                integer(row["s"]),
                integer(row["en"]),
                text(row["x"]),
            )
            if start is None or end is None or quote is None:
                continue
            current = found.get(step)
            if current is None or start < current.start:
                found[step] = Evidence(str(text(row["src"])), start, end, quote)
    return [replace(record, evidence=found.get(step)) for step, record in steps]


_TARGETING_STANCES = """
SELECT ?st ?d WHERE {{
  GRAPH ?g {{ ?st pkg:targetEntity <{entity}> ; a pkg:Stance ; prov:wasDerivedFrom ?d . }}
}}
"""


def _add_document(graph: nx.MultiDiGraph, catalogue: Catalogue, doc: str) -> None:
    graph.add_node(doc, **catalogue.document(doc).node_attributes())


def lineage_network(store: Store, catalogue: Catalogue, entity: str) -> nx.MultiDiGraph:
    """The part of the networkx view :func:`graph.lineage_rules.lineage` reads for one entity:
    its events, the documents that mention it (with the first mention) and the stances
    that target it, with their documents."""
    graph = nx.MultiDiGraph()
    graph.add_node(entity, kind="entity", label=catalogue.entity_label(entity))
    builder = NetworkBuilder(store, graph)
    builder.add_events(subjects=[entity])
    builder.add_mentions(entities=[entity], evidence=True)
    targeting = {
        str(text(r["st"])): str(text(r["d"])) for r in select(store, _TARGETING_STANCES.format(entity=entity))
    }
    quotes = evidence_of(store, targeting)
    for stance, doc in sorted(targeting.items()):
        if stance not in graph:
            graph.add_node(stance, kind="stance", document=doc, evidence=quotes.get(stance))
            graph.add_edge(doc, stance, key="has_stance", rel="has_stance")
            graph.add_edge(stance, entity, key="target_entity", rel="target_entity")
    for node, attrs in list(graph.nodes(data=True)):
        if attrs.get("kind") == "document":
            _add_document(graph, catalogue, node)
    return graph


def lineage_page(
    store: Store, catalogue: Catalogue, entity: str, *, limit: int | None = None, offset: int = 0
) -> tuple[int, list[LineageStep]]:
    """The number of steps of the lineage of ``entity`` and its steps ``offset`` to
    ``offset + limit`` (all without ``limit``), oldest first (see the module docstring).

    The steps of the links graph are read without their quotes, and the quotes of the
    page only: the UN Charter's lineage on the UN General Debate corpus has 5,292 steps.
    """
    info = catalogue.entities.get(entity)
    if catalogue.lineage_built and info is not None and info.type in LINEAGE_TYPES:
        steps = _derived_steps(store, catalogue, entity)
        end = None if limit is None else offset + limit
        return len(steps), _with_quotes(store, steps[offset:end])
    computed = list(lineage(lineage_network(store, catalogue, entity), entity).steps)
    end = None if limit is None else offset + limit
    return len(computed), computed[offset:end]


def lineage_steps(store: Store, catalogue: Catalogue, entity: str) -> list[LineageStep]:
    """The lineage of ``entity``, oldest first (see the module docstring)."""
    return lineage_page(store, catalogue, entity)[1]


__all__ = ["lineage_network", "lineage_page", "lineage_steps"]
