"""What the endpoint refuses before a query runs, and the rewrites the protocol needs.

The endpoint is safe by default: no ``SERVICE`` (federated calls would let anyone make the
server fetch any URL, loopback included), no ``LOAD`` (fetching a URL or reading a local
file into the store), and ``FROM``/``FROM NAMED`` only of graphs the store holds (a
dataset clause never makes the server fetch anything). The checks read a *skeleton* of
the request: string literals blanked, comments removed, IRIs and prefixed names kept as
whole tokens, so a keyword inside a string, an IRI or a variable name never trips them.

:func:`add_using` applies the protocol's ``using-graph-uri``/``using-named-graph-uri``
parameters to an update, as ``USING``/``USING NAMED`` clauses before each ``WHERE``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN_RE = re.compile(
    r"""(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
          |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      |(?P<iri><[^<>"{}|^`\\\s]*>)
      |(?P<comment>\#[^\n]*)
      |(?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
      |(?P<pname>[A-Za-z_\u00c0-\uffff][\w\-.\u00b7\u00c0-\uffff]*:(?:[\w\-.%\\:\u00b7\u00c0-\uffff]*[\w\-%:\u00c0-\uffff])?
                |:(?:[\w\-.%\\:\u00b7\u00c0-\uffff]*[\w\-%:\u00c0-\uffff])?)
      |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<open>\{)|(?P<close>\})
      |(?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)


_CODEPOINT_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(sparql: str) -> str:
    """Apply ``\\uXXXX``/``\\UXXXXXXXX`` escapes, as SPARQL parsers do before anything
    else (SPARQL 1.1 Query, 19.2): ``\\u0053ERVICE`` is the keyword SERVICE.

    >>> unescape_codepoints(r"\u0053ERVICE <x>")
    'SERVICE <x>'
    """

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _CODEPOINT_RE.sub(char, sparql)


class GuardError(ValueError):
    """The request uses something the endpoint refuses; the message says what and why."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    start: int
    end: int
    depth: int  # curly-brace depth before the token

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def tokens(sparql: str) -> list[Token]:
    """The significant tokens of a query or update (comments dropped).

    >>> [t.text for t in tokens('SELECT ?service { ?s <p> "SERVICE" } # SERVICE')]
    ['SELECT', '?service', '{', '?s', '<p>', '"SERVICE"', '}']
    """
    out: list[Token] = []
    depth = 0
    for match in _TOKEN_RE.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind == "comment":
            continue
        out.append(Token(kind, match.group(), match.start(), match.end(), depth))
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
    return out


def _prefixes(toks: list[Token]) -> dict[str, str]:
    """PREFIX declarations of the prologue(s): prefix (with colon) -> namespace IRI."""
    out = {}
    for i, tok in enumerate(toks[:-2]):
        if tok.keyword == "PREFIX" and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            out[toks[i + 1].text] = toks[i + 2].text[1:-1]
    return out


def _iri_of(tok: Token, prefixes: dict[str, str]) -> str | None:
    if tok.kind == "iri":
        return tok.text[1:-1]
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        namespace = prefixes.get(prefix + ":")
        return None if namespace is None else namespace + local
    return None


def dataset_clauses(sparql: str) -> tuple[list[str], list[str]]:
    """The IRIs of a query's ``FROM`` and ``FROM NAMED`` clauses.

    >>> dataset_clauses("PREFIX g: <http://e/> SELECT * FROM g:a FROM NAMED <http://e/b> {}")
    (['http://e/a'], ['http://e/b'])
    """
    toks = tokens(unescape_codepoints(sparql))
    prefixes = _prefixes(toks)
    default: list[str] = []
    named: list[str] = []
    i = 0
    while i < len(toks):
        if toks[i].keyword == "FROM" and toks[i].depth == 0:
            target = named if i + 1 < len(toks) and toks[i + 1].keyword == "NAMED" else default
            j = i + 2 if target is named else i + 1
            if j < len(toks):
                iri = _iri_of(toks[j], prefixes)
                if iri is None:
                    raise GuardError(f"FROM clause with an unknown prefix: {toks[j].text}")
                target.append(iri)
            i = j
        i += 1
    return default, named


def check_query(sparql: str, has_graph: Callable[[str], bool]) -> None:
    """Refuse ``SERVICE`` and any ``FROM``/``FROM NAMED`` of a graph the store does not hold.

    >>> check_query("SELECT * FROM <http://e/g> { ?s ?p ?o }", {"http://e/g"}.__contains__)
    >>> def refusal(query):
    ...     try:
    ...         check_query(query, set().__contains__)
    ...     except GuardError as exc:
    ...         return str(exc)[:48]
    >>> refusal("SELECT * { SERVICE <http://127.0.0.1/> { ?s ?p ?o } }")
    'SERVICE (federated query) is disabled on this en'
    >>> refusal("SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }")
    'FROM <file:///etc/passwd>: not a graph of this s'
    """
    toks = tokens(unescape_codepoints(sparql))
    _refuse_service(toks)
    default, named = dataset_clauses(sparql)
    for clause, iris in (("FROM", default), ("FROM NAMED", named)):
        for iri in iris:
            if not has_graph(iri):
                raise GuardError(
                    f"{clause} <{iri}>: not a graph of this store (the endpoint never fetches or reads data "
                    f"named in FROM; FROM may only name the store's own graphs)"
                )


def _refuse_service(toks: list[Token]) -> None:
    if any(t.keyword == "SERVICE" for t in toks):
        raise GuardError(
            "SERVICE (federated query) is disabled on this endpoint: it would make the server fetch a URL"
        )


def check_update(sparql: str) -> None:
    """Refuse ``LOAD`` and ``SERVICE`` in an update.

    >>> try:
    ...     check_update("LOAD <file:///etc/passwd> INTO GRAPH <http://e/g>")
    ... except GuardError as exc:
    ...     print(str(exc)[:33])
    LOAD is disabled on this endpoint
    """
    toks = tokens(unescape_codepoints(sparql))
    if any(t.keyword == "LOAD" and t.depth == 0 for t in toks):
        raise GuardError(
            "LOAD is disabled on this endpoint: it would make the server fetch a URL or read a local file"
        )
    _refuse_service(toks)


def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Apply ``using-graph-uri``/``using-named-graph-uri`` to every operation with a WHERE.

    An operation that has its own ``USING`` or ``WITH`` conflicts with the parameters
    (SPARQL 1.1 Protocol, 2.2.3): :class:`GuardError`. ``DELETE WHERE { P }`` becomes
    ``DELETE { P } USING ... WHERE { P }``, its equivalent that may carry USING.

    >>> add_using("INSERT { ?s a <http://e/C> } WHERE { ?s ?p ?o }", ["http://e/g"], [])
    'INSERT { ?s a <http://e/C> } USING <http://e/g> WHERE { ?s ?p ?o }'
    >>> add_using("DELETE WHERE { ?s ?p ?o }", [], ["http://e/n"])
    'DELETE { ?s ?p ?o } USING NAMED <http://e/n> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return update
    update = unescape_codepoints(update)
    toks = tokens(update)
    for tok in toks:
        if tok.depth == 0 and tok.keyword in ("USING", "WITH"):
            raise GuardError(
                f"the update has its own {tok.keyword} clause and the request also gives using-graph-uri/"
                "using-named-graph-uri: use one or the other"
            )
    clause = "".join(f"USING <{g}> " for g in using) + "".join(f"USING NAMED <{g}> " for g in using_named)
    edits: list[tuple[int, int, str]] = []
    for i, tok in enumerate(toks):
        if tok.depth != 0 or tok.keyword != "WHERE":
            continue
        previous = toks[i - 1] if i else None
        if previous is not None and previous.keyword == "DELETE":
            block = _block_after(toks, i, update)
            if block is None:
                continue
            edits.append((tok.start, tok.start, f"{block} {clause}"))
        else:
            edits.append((tok.start, tok.start, clause))
    for start, end, text in sorted(edits, reverse=True):
        update = update[:start] + text + update[end:]
    return update


def _block_after(toks: list[Token], index: int, text: str) -> str | None:
    """The text of the ``{ ... }`` block that follows token ``index``."""
    if index + 1 >= len(toks) or toks[index + 1].kind != "open":
        return None
    opening = toks[index + 1]
    for tok in toks[index + 2 :]:
        if tok.kind == "close" and tok.depth == opening.depth + 1:
            return text[opening.start : tok.end]
    return None
