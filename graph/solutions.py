"""Reading SPARQL solutions from the store: the small helpers every reader of it shares.

>>> values_clause("d", ["urn:b", "urn:a", "urn:b"])
'VALUES ?d { <urn:a> <urn:b> }'
>>> [list(c) for c in chunks(["a", "b", "c"], 2)]
[['a', 'b'], ['c']]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from graph.store import Store
from ontology.namespace import sparql_prefixes


def text(term: Any) -> str | None:
    """The lexical value of a bound term, None when the variable is unbound."""
    return None if term is None else str(term.value)


def integer(term: Any) -> int | None:
    """A bound integer literal as an ``int``, None when unbound."""
    return None if term is None else int(term.value)


def select(store: Store, sparql: str) -> Iterator[Any]:
    """The solutions of ``sparql`` (without PREFIX lines: the project's are added)."""
    yield from store.query(sparql_prefixes() + sparql)


def values_clause(var: str, iris: Iterable[str]) -> str:
    """A ``VALUES`` clause binding ``?var`` to each IRI (sorted, without repeats)."""
    return f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in sorted(set(iris)))} }}"


def chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """``items`` in slices of ``size``: VALUES blocks stay small enough to plan quickly."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


__all__ = ["chunks", "integer", "select", "text", "values_clause"]
