"""SPARQL values from typed terms: the one way a value enters a query text.

Query texts name their slots (``$doc``, ``$entity``); :func:`fill` puts a pyoxigraph term in
each, written by the term itself (``str(NamedNode)`` gives ``<iri>``, ``str(Literal)`` the
escaped literal with its datatype), so a value is validated when the term is made and can
never close the pattern it stands in. Plain strings are refused: a caller says what a value
is (an IRI, a string) by making the term.

Examples
--------
>>> fill("SELECT ?t WHERE { $doc dcterms:title ?t }", doc=iri("https://w3id.org/policykg/doc/d1"))
'SELECT ?t WHERE { <https://w3id.org/policykg/doc/d1> dcterms:title ?t }'
>>> fill('ASK { ?s rdfs:label $name }', name=literal('say "hi" }'))
'ASK { ?s rdfs:label "say \\\\"hi\\\\" }" }'
>>> iri("not an iri")
Traceback (most recent call last):
...
ValueError: not an IRI: 'not an iri'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

Term = ox.NamedNode | ox.Literal


class Fragment(str):
    """A piece of query text this module made from terms (a ``VALUES`` block), or a
    constant the caller writes itself: the only strings :func:`fill` accepts."""

_SLOT = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\b")


def iri(value: str) -> ox.NamedNode:
    """An IRI term; ``ValueError`` naming the value when it is not an absolute IRI."""
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise ValueError(f"not an IRI: {value!r}") from None


def literal(value: str | int | float, datatype: str | None = None) -> ox.Literal:
    """A literal term (a plain string, or typed by ``datatype``, an XSD IRI)."""
    if datatype is not None:
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype))
    return ox.Literal(value) if isinstance(value, str) else ox.Literal(str(value))


def values(var: str, terms: Iterable[Term]) -> Fragment:
    """A ``VALUES ?var { ... }`` block of typed terms (sorted, without repeats).

    >>> values("d", [iri("urn:b"), iri("urn:a"), iri("urn:b")])
    'VALUES ?d { <urn:a> <urn:b> }'
    """
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", var):
        raise ValueError(f"not a variable name: {var!r}")
    return Fragment(f"VALUES ?{var} {{ {' '.join(sorted({str(t) for t in terms}))} }}")


def value_rows(names: Sequence[str], rows: Iterable[Sequence[Term]]) -> Fragment:
    """A ``VALUES (?a ?b ...) { (...) ... }`` block: rows of typed terms (sorted, without
    repeats), one term per variable.

    >>> value_rows(["g", "q"], [(iri("urn:g"), iri("urn:q"))])
    'VALUES (?g ?q) { (<urn:g> <urn:q>) }'
    """
    for var in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", var):
            raise ValueError(f"not a variable name: {var!r}")
    lines = set()
    for row in rows:
        if len(row) != len(names) or not all(isinstance(t, ox.NamedNode | ox.Literal) for t in row):
            raise TypeError(f"a row of {len(names)} terms is needed, not {row!r}")
        lines.add(f"({' '.join(str(t) for t in row)})")
    return Fragment(f"VALUES ({' '.join('?' + v for v in names)}) {{ {' '.join(sorted(lines))} }}")


def fill(template: str, **slots: Term | Fragment) -> str:
    """``template`` with each ``$name`` replaced by the term given for it.

    A slot may also take a :class:`Fragment` (a ``VALUES`` block of :func:`values`, or a
    constant of the caller's own); every slot of the template must be given, and a plain
    string is refused (``TypeError``).
    """
    def put(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in slots:
            raise KeyError(f"no value for the slot ${name}")
        value = slots[name]
        if isinstance(value, ox.NamedNode | ox.Literal):
            return str(value)
        if isinstance(value, Fragment):
            if _SLOT.search(value):
                raise ValueError(f"the fragment for ${name} has unfilled slots: fill it first")
            return str(value)
        raise TypeError(f"the slot ${name} needs a term or a Fragment, not {type(value).__name__}")

    return _SLOT.sub(put, template)


def bound_patterns(var: str, constraints: Iterable[tuple[str, Term | None]]) -> Fragment:
    """Triple patterns binding ``?var``'s ``predicate`` (a constant prefixed name) to each
    given term; constraints whose term is ``None`` are left out.

    >>> bound_patterns("st", [("prov:wasAttributedTo", iri("urn:x:china")), ("pkg:polarity", None)])
    '?st prov:wasAttributedTo <urn:x:china> .'
    """
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", var):
        raise ValueError(f"not a variable name: {var!r}")
    lines = []
    for predicate, term in constraints:
        if term is None:
            continue
        if not re.fullmatch(r"[A-Za-z][\w-]*:[A-Za-z_][\w-]*", predicate):
            raise ValueError(f"not a prefixed name: {predicate!r}")
        lines.append(f"?{var} {predicate} {term} .")
    return Fragment("\n    ".join(lines))
