"""Reading SPARQL solutions from the store: the small helpers every reader of it shares.

Restricting a query to some resources: :func:`bound_to` writes the resource into the
query pattern as a constant, where Oxigraph (0.5) looks it up through its indexes. A
``VALUES`` block joined with OPTIONAL patterns is planned as a hash join over every match
of those patterns in the store instead: on the 10,952 UN speeches the stances of 20
documents took 378 s that way and 0.2 s as 20 queries with the document as a constant.

>>> values_clause("d", ["urn:b", "urn:a", "urn:b"])
'VALUES ?d { <urn:a> <urn:b> }'
>>> [list(c) for c in chunks(["a", "b", "c"], 2)]
[['a', 'b'], ['c']]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyoxigraph as ox

from graph.store import Store
from ontology.namespace import DOC, doc_graph_iri, sparql_prefixes


def text(term: Any) -> str | None:
    """The lexical value of a bound term, None when the variable is unbound."""
    return None if term is None else str(term.value)


def integer(term: Any) -> int | None:
    """A bound integer literal as an ``int``, None when unbound."""
    return None if term is None else int(term.value)


def select(store: Store, sparql: str) -> Iterator[Any]:
    """The solutions of ``sparql`` (without PREFIX lines: the project's are added)."""
    yield from store.query(sparql_prefixes() + sparql)


def select_values(store: Store, sparql: str) -> list[dict[str, str]]:
    """The solutions of ``sparql`` (as :func:`select`), each as the lexical values of its
    bound variables (IRIs and literals alike, datatypes and languages left out).

    For results of many thousand rows: the store writes them as SPARQL JSON results in
    its own engine, which lets other Python threads run meanwhile (iterating solutions
    holds the interpreter for every row), and :mod:`json` reads them at once. On the UN
    General Debate store a state's 33,000 stance properties are read this way while the
    first piece of its ego network is written.

    >>> from graph.oxigraph_store import OxigraphStore
    >>> query = 'SELECT ?x ?y WHERE { VALUES (?x ?y) { (<urn:a> "b") (1 UNDEF) } }'
    >>> select_values(OxigraphStore(None), query)
    [{'x': 'urn:a', 'y': 'b'}, {'x': '1'}]
    """
    data = json.loads(store.query(sparql_prefixes() + sparql).serialize(format=ox.QueryResultsFormat.JSON))
    return [{name: term["value"] for name, term in row.items()} for row in data["results"]["bindings"]]


def values_clause(var: str, iris: Iterable[str]) -> str:
    """A ``VALUES`` clause binding ``?var`` to each IRI (sorted, without repeats)."""
    return f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in sorted(set(iris)))} }}"


def bound_to(query: str, var: str, iri: str, graph: str | None = None) -> str:
    """``query`` restricted to ``?var = <iri>``: the IRI replaces the variable in the WHERE
    pattern, and a ``BIND`` closing that pattern binds the variable for the projection,
    ``GROUP BY`` and ``ORDER BY`` (a trailing ``VALUES`` would be joined as slowly).
    With ``graph``, ``GRAPH ?g`` becomes that graph: a document's facts all lie in its own
    graph, and a pattern scoped to one graph never strays into the others (the mention
    quotes of one speech: 62 s over the whole store, 0.02 s in its graph).

    >>> bound_to("SELECT ?d ?t WHERE { ?d dcterms:title ?t } ORDER BY ?d", "d", "urn:x")
    'SELECT ?d ?t WHERE { <urn:x> dcterms:title ?t  BIND(<urn:x> AS ?d) } ORDER BY ?d'
    """
    start = query.index("{", query.index("WHERE"))
    depth = 0
    for end in range(start, len(query)):
        depth += {"{": 1, "}": -1}.get(query[end], 0)
        if depth == 0:
            break
    pattern = re.sub(rf"\?{var}\b", f"<{iri}>", query[start:end])
    if graph is not None:
        pattern = pattern.replace("GRAPH ?g ", f"GRAPH <{graph}> ")
    return f"{query[:start]}{pattern} BIND(<{iri}> AS ?{var}) }}{query[end + 1 :]}"


def select_for(
    store: Store, template: str, var: str, iris: Iterable[str] | None, *, one_by_one: bool = True
) -> Iterator[Any]:
    """Run ``template`` (with a ``{values}`` slot) for all, or for ``iris``: once per IRI,
    bound as a constant and a document within its own graph (:func:`graph.solutions.bound_to`
    says why), or, for the plain patterns that Oxigraph joins well with a VALUES block
    (``one_by_one=False``), in chunks."""
    if iris is None:
        yield from select(store, template.format(values=""))
        return
    if not one_by_one:
        for chunk in chunks(sorted(set(iris))):
            yield from select(store, template.format(values=values_clause(var, chunk)))
        return
    query = template.format(values="")
    for iri in sorted(set(iris)):
        graph = doc_graph_iri(iri.removeprefix(str(DOC))) if var == "d" and iri.startswith(str(DOC)) else None
        yield from select(store, bound_to(query, var, iri, graph))


def chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """``items`` in slices of ``size``: VALUES blocks stay small enough to plan quickly."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


__all__ = ["bound_to", "chunks", "integer", "select", "select_for", "text", "values_clause"]
