"""Summary figures of a store: what ``policykg stats`` prints.

All figures come from a handful of aggregate SPARQL queries over the document graphs
(``GRAPH ?g``) and the entities graph, which holds each entity description once.

Two sizes are given, and named for what they count:

- ``quads``: the quads of every named graph; a triple stored in two graphs counts twice;
- ``triples``: the distinct triples of the union default graph (what a SPARQL query
  without ``GRAPH`` sees, and what VoID's ``void:triples`` states for the dataset).

Since entity descriptions live in the one entities graph, the two are equal on a
store written by this version; they differ on a store that still repeats descriptions in
every document graph (``policykg migrate`` moves them).
"""

from __future__ import annotations

from typing import Any

from graph.store import Store
from ontology.namespace import ENTITIES_GRAPH, GRAPH, LINKS_GRAPH, ONTOLOGY_GRAPH, sparql_prefixes

_DOC_GRAPHS = str(GRAPH) + "doc/"


def _rows(store: Store, body: str) -> list[dict[str, Any]]:
    result = store.query(sparql_prefixes() + body, union_default_graph=False)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def _count(store: Store, body: str) -> int:
    rows = _rows(store, body)
    return int(rows[0]["n"]) if rows and rows[0]["n"] is not None else 0


def store_stats(store: Store) -> dict[str, Any]:
    """Counts of documents, entities (by type), mentions, events (by type), stances (by
    polarity), the documents' date range, graphs, quads and distinct triples.

    Examples
    --------
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store_stats(OxigraphStore(None))["documents"]
    0
    """
    graphs = store.graphs()
    doc_filter = f'FILTER(STRSTARTS(STR(?g), "{_DOC_GRAPHS}"))'
    figures: dict[str, Any] = {
        "documents": _count(
            store, f"SELECT (COUNT(?d) AS ?n) WHERE {{ GRAPH ?g {{ ?d a pkg:Document }} {doc_filter} }}"
        ),
    }
    figures["entities"] = _count(
        store,
        f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ GRAPH ?g {{ ?d schema:mentions ?e }} {doc_filter} }}",
    )
    by_type = _rows(
        store,
        f"SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {{ GRAPH ?g {{ ?d schema:mentions ?e }} {doc_filter} "
        f"GRAPH <{ENTITIES_GRAPH}> {{ ?e a ?t }} }} GROUP BY ?t ORDER BY DESC(?n)",
    )
    figures["entities_by_type"] = {r["t"].rsplit("#", 1)[-1]: int(r["n"]) for r in by_type}
    figures["mentions"] = _count(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?m oa:motivatedBy oa:identifying ; oa:hasBody ?e } "
        f"{doc_filter} }}",
    )
    events = _rows(
        store,
        "SELECT ?t (COUNT(?ev) AS ?n) WHERE { GRAPH ?g { ?ev a pkg:Event ; pkg:eventType ?t } "
        f"{doc_filter} }} GROUP BY ?t ORDER BY DESC(?n)",
    )
    figures["events"] = sum(int(r["n"]) for r in events)
    figures["events_by_type"] = {r["t"].rsplit("#", 1)[-1]: int(r["n"]) for r in events}
    stances = _rows(
        store,
        "SELECT ?p (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s a pkg:Stance ; pkg:polarity ?p } "
        f"{doc_filter} }} GROUP BY ?p ORDER BY ?p",
    )
    figures["stances"] = sum(int(r["n"]) for r in stances)
    figures["stances_by_polarity"] = {r["p"].rsplit("#", 1)[-1]: int(r["n"]) for r in stances}
    span = _rows(
        store,
        "SELECT (MIN(?date) AS ?first) (MAX(?date) AS ?last) WHERE { GRAPH ?g { ?d a pkg:Document ; "
        f"pkg:sortDate ?date }} {doc_filter} }}",
    )
    figures["first_document_date"] = span[0]["first"] if span else None
    figures["last_document_date"] = span[0]["last"] if span else None
    figures["graphs"] = len(graphs)
    figures["document_graphs"] = sum(1 for g in graphs if g.startswith(_DOC_GRAPHS))
    figures["ontology_graph"] = str(ONTOLOGY_GRAPH) in graphs
    figures["entities_graph"] = str(ENTITIES_GRAPH) in graphs
    figures["links_graph_triples"] = store.quad_count(str(LINKS_GRAPH)) if str(LINKS_GRAPH) in graphs else 0
    figures["quads"] = store.quad_count()
    figures["triples"] = distinct_triples(store)
    return figures


#: Up to this many quads, distinct triples are counted by one DISTINCT pass over every
#: quad (a hash set of the triples: 15 s and 1.1 GB for a million quads, measured on this
#: machine's 2 shared cores).
_DISTINCT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
EXACT_DISTINCT_MAX_QUADS = 2_000_000
#: Non-document graphs up to this size are checked triple by triple for repeats.
_CHECKED_GRAPH_MAX_QUADS = 1_000_000


def distinct_triples(store: Store, *, exact_max_quads: int = EXACT_DISTINCT_MAX_QUADS) -> int:
    """The number of distinct triples of the union default graph (quads that repeat a
    triple of another graph counted once).

    Up to ``exact_max_quads`` quads, one DISTINCT pass counts them. Above, the count is
    the quads minus the repeats found where the RDF model lets a triple be stored twice:
    every non-document graph up to a million quads (the entities graph, the ontology graph,
    graphs loaded through the Graph Store Protocol) is checked, triple by triple through
    the indexes, against the document graphs and the graphs before it. Document graphs
    cannot repeat each other: their subjects are the document and its fragments (entity
    descriptions live in the entities graph; a store of the older layout is counted
    exactly until ``policykg migrate`` or the next ingest moves them); the links graph's
    subjects are its own link nodes.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> from graph.oxigraph_store import OxigraphStore
    >>> store = OxigraphStore(None)
    >>> t = (ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"))
    >>> store.replace_graphs({g: [ox.Quad(*t, ox.NamedNode(g))] for g in ("http://e/g1", "http://e/g2")})
    >>> store.quad_count(), distinct_triples(store), distinct_triples(store, exact_max_quads=0)
    (2, 1, 1)
    """
    from graph.entities_graph import documents_hold_descriptions

    quads = store.quad_count()
    if quads <= exact_max_quads or documents_hold_descriptions(store):
        return _count(store, _DISTINCT)
    repeats = 0
    for graph in sorted(g for g in store.graphs() if not g.startswith(_DOC_GRAPHS)):
        if store.quad_count(graph) > _CHECKED_GRAPH_MAX_QUADS:
            continue
        node = f"<{graph}>"
        repeats += _count(
            store,
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {node} {{ ?s ?p ?o }} "
            f"FILTER EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} "
            f'FILTER(?h != {node} && (STRSTARTS(STR(?h), "{_DOC_GRAPHS}") || STR(?h) < STR({node}))) }} }}',
        )
    return quads - repeats
