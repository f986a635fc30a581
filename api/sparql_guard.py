"""What the endpoint refuses before a query runs, and the rewrites the protocol needs.

The endpoint is safe by default: no ``SERVICE`` (federated calls would let anyone make the
server fetch any URL, loopback included), no ``LOAD`` (fetching a URL or reading a local
file into the store), and ``FROM``/``FROM NAMED`` only of graphs the store holds (a
dataset clause never makes the server fetch anything).

The decision is taken in three steps, cheapest first:

1. :func:`prescan`: one linear pass over the tokens (no recursion) refuses a request
   larger than ``max_bytes`` (413), with more than ``max_tokens`` tokens or brackets nested
   deeper than ``max_depth`` (400). Recursive parsers -- rdflib's here, Oxigraph's in the
   evaluator -- crash the process on ten thousand nested groups or a megabyte of ``||``;
   they only ever see requests that passed this scan.
2. A lexical belt: the keyword ``SERVICE`` (``LOAD`` in an update) anywhere as a word, or
   as the prefix of a prefixed name (``SERVICE:x`` is read by Oxigraph as ``SERVICE :x``).
3. The parse: rdflib's SPARQL parser (:func:`parse_query`, :func:`parse_update`), and the
   decision on the parse tree: no ``ServiceGraphPattern``, no ``Load``; the ``FROM`` IRIs
   resolved against the prologue (prefixes, ``BASE``). A request rdflib cannot parse is
   refused with its syntax error (fail closed: what the guard cannot read does not run).

rdflib's parser recurses deeply (tens of Python frames per nesting level): run the checks
where the recursion limit and the stack are large (the query worker processes of
:mod:`api.query_pool` do); elsewhere a :class:`RecursionError` becomes a refusal.

:func:`add_using` applies the protocol's ``using-graph-uri``/``using-named-graph-uri``
parameters to an update, as ``USING``/``USING NAMED`` clauses before each ``WHERE``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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
_OPENERS = {"{": "}", "(": ")", "[": "]"}
_CLOSERS = frozenset(_OPENERS.values())


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
    """The request uses something the endpoint refuses; the message says what and why.

    ``status`` is the HTTP status to answer with: 400, or 413 for a request too large.
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """How large a query or update may be (``settings.max_query_bytes`` and friends)."""

    max_bytes: int = 256 * 1024
    max_tokens: int = 20_000
    max_depth: int = 64


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


# -- 1. the linear pre-scan ----------------------------------------------------------------------


def prescan(sparql: str, limits: QueryLimits) -> None:
    """Refuse a request too large, with too many tokens or nested too deeply, in one
    linear pass (no recursion, whatever the input).

    Raises
    ------
    GuardError
        413 for more than ``limits.max_bytes`` bytes (UTF-8), 400 for more than
        ``limits.max_tokens`` tokens or ``{ ( [`` nested deeper than ``limits.max_depth``.

    Examples
    --------
    >>> prescan("SELECT * WHERE { ?s ?p ?o }", QueryLimits())
    >>> try:
    ...     prescan("SELECT * WHERE " + "{" * 100 + "}" * 100, QueryLimits(max_depth=64))
    ... except GuardError as exc:
    ...     print(exc.status, str(exc)[:40])
    400 the request nests brackets 65 deep; this
    """
    size = len(sparql.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise GuardError(
            f"the request is {size:,} bytes long; this endpoint takes at most {limits.max_bytes:,} bytes "
            "(POLICYKG_MAX_QUERY_BYTES)",
            status=413,
        )
    count = 0
    depth = 0
    for match in _TOKEN_RE.finditer(sparql):
        kind = match.lastgroup
        if kind == "comment":
            continue
        count += 1
        if count > limits.max_tokens:
            raise GuardError(
                f"the request has more than {limits.max_tokens:,} tokens (POLICYKG_MAX_QUERY_TOKENS); "
                "split it, or pass long value lists in several requests"
            )
        text = match.group()
        if kind == "open" or (kind == "other" and text in _OPENERS):
            depth += 1
            if depth > limits.max_depth:
                raise GuardError(
                    f"the request nests brackets {depth} deep; this endpoint takes at most "
                    f"{limits.max_depth} levels (POLICYKG_MAX_QUERY_DEPTH)"
                )
        elif kind == "close" or (kind == "other" and text in _CLOSERS):
            depth = max(0, depth - 1)


# -- 2. the lexical belt ---------------------------------------------------------------------------


def _keyword_tokens(toks: list[Token], keyword: str) -> Iterator[Token]:
    """Tokens that a SPARQL parser may read as ``keyword``: the word itself, or a prefixed
    name whose prefix is the keyword (Oxigraph reads ``SERVICE:x`` as ``SERVICE :x``)."""
    for tok in toks:
        prefix = tok.text.partition(":")[0].upper() if tok.kind == "pname" else None
        if tok.keyword == keyword or prefix == keyword:
            yield tok


_SERVICE_REFUSED = (
    "SERVICE (federated query) is disabled on this endpoint: it would make the server fetch a URL"
)
_LOAD_REFUSED = "LOAD is disabled on this endpoint: it would make the server fetch a URL or read a local file"


def _belt(sparql: str, keywords: tuple[str, ...]) -> None:
    toks = tokens(unescape_codepoints(sparql))
    for keyword in keywords:
        for tok in _keyword_tokens(toks, keyword):
            message = _SERVICE_REFUSED if keyword == "SERVICE" else _LOAD_REFUSED
            if tok.kind == "pname":
                message += f" (`{tok.text}` reads as {keyword} followed by a prefixed name)"
            raise GuardError(message)


# -- 3. the parse ----------------------------------------------------------------------------------


def _syntax_error(exc: Exception) -> GuardError:
    text = " ".join(str(exc).split())
    return GuardError(f"SPARQL syntax error: {text[:500]}")


def _too_deep() -> GuardError:
    return GuardError("the request is nested too deeply for this endpoint's parser; simplify it")


def parse_query(sparql: str) -> Any:
    """rdflib's parse tree of a query; :class:`GuardError` when it does not parse."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return parseQuery(sparql)
    except RecursionError as exc:
        raise _too_deep() from exc
    except (ParseException, ValueError, TypeError) as exc:
        raise _syntax_error(exc) from exc


def parse_update(sparql: str) -> Any:
    """rdflib's parse tree of an update; :class:`GuardError` when it does not parse."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        return parseUpdate(sparql)
    except RecursionError as exc:
        raise _too_deep() from exc
    except (ParseException, ValueError, TypeError) as exc:
        raise _syntax_error(exc) from exc


def _parts(tree: Any) -> Iterator[Any]:
    """Every node of an rdflib parse tree (``CompValue``), walked without recursion."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(dict.values(node))
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend(node)


@dataclass(frozen=True, slots=True)
class QueryShape:
    """What the guard needs to know of a parsed query."""

    service: bool
    from_default: tuple[str, ...]
    from_named: tuple[str, ...]


def query_shape(sparql: str) -> QueryShape:
    """Parse a query and read what the guard decides on.

    >>> query_shape("PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }").service
    True
    >>> query_shape("BASE <http://e/> PREFIX g: <http://e/g/> SELECT * FROM g:a FROM NAMED <b> {}")
    QueryShape(service=False, from_default=('http://e/g/a',), from_named=('http://e/b',))
    """
    from rdflib.plugins.sparql.algebra import translatePrologue

    tree = parse_query(sparql)
    prologue_tree, query = tree[0], tree[1]
    service = any(part.name == "ServiceGraphPattern" for part in _parts(query))
    default: list[str] = []
    named: list[str] = []
    clauses = query.get("datasetClause") if "datasetClause" in query else None
    if clauses:
        try:
            prologue = translatePrologue(prologue_tree, None)
            for clause in clauses:
                if "default" in clause:
                    default.append(str(prologue.absolutize(dict.__getitem__(clause, "default"))))
                if "named" in clause:
                    named.append(str(prologue.absolutize(dict.__getitem__(clause, "named"))))
        except Exception as exc:  # rdflib raises bare Exception for an unknown prefix
            raise GuardError(f"FROM clause that cannot be resolved: {exc}") from exc
    return QueryShape(service, tuple(default), tuple(named))


@lru_cache(maxsize=512)
def _checked_shape(sparql: str, limits: QueryLimits) -> QueryShape:
    """The checks of a query that depend on its text only, remembered per text (a query
    asked again, as dashboards do, is not parsed again). Refusals are not remembered."""
    prescan(sparql, limits)
    _belt(sparql, ("SERVICE",))
    shape = query_shape(sparql)
    if shape.service:
        raise GuardError(_SERVICE_REFUSED)
    return shape


def check_query(
    sparql: str, has_graph: Callable[[str], bool], limits: QueryLimits | None = None
) -> QueryShape:
    """Refuse a query too large or too deep, with ``SERVICE``, or with a ``FROM``/``FROM
    NAMED`` of a graph the store does not hold; the shape of an accepted query.

    >>> check_query("SELECT * FROM <http://e/g> { ?s ?p ?o }", {"http://e/g"}.__contains__).from_default
    ('http://e/g',)
    >>> def refusal(query):
    ...     try:
    ...         check_query(query, set().__contains__)
    ...     except GuardError as exc:
    ...         return str(exc)[:48]
    >>> refusal("SELECT * { SERVICE <http://127.0.0.1/> { ?s ?p ?o } }")
    'SERVICE (federated query) is disabled on this en'
    >>> refusal("PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }")
    'SERVICE (federated query) is disabled on this en'
    >>> refusal("SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }")
    'FROM <file:///etc/passwd>: not a graph of this s'
    """
    shape = _checked_shape(sparql, limits or QueryLimits())
    for clause, iris in (("FROM", shape.from_default), ("FROM NAMED", shape.from_named)):
        for iri in iris:
            if not has_graph(iri):
                raise GuardError(
                    f"{clause} <{iri}>: not a graph of this store (the endpoint never fetches or reads data "
                    f"named in FROM; FROM may only name the store's own graphs)"
                )
    return shape


def check_update(sparql: str, limits: QueryLimits | None = None) -> None:
    """Refuse an update too large or too deep, or with ``LOAD`` or ``SERVICE``.

    >>> def refusal(update):
    ...     try:
    ...         check_update(update)
    ...     except GuardError as exc:
    ...         return str(exc)[:33]
    >>> refusal("LOAD <file:///etc/passwd> INTO GRAPH <http://e/g>")
    'LOAD is disabled on this endpoint'
    >>> refusal("PREFIX : <http://127.0.0.1:9/> LOAD:x")
    'LOAD is disabled on this endpoint'
    """
    prescan(sparql, limits or QueryLimits())
    _belt(sparql, ("LOAD", "SERVICE"))
    tree = parse_update(sparql)
    names = {part.name for part in _parts(tree)}
    if "Load" in names:
        raise GuardError(_LOAD_REFUSED)
    if "ServiceGraphPattern" in names:
        raise GuardError(_SERVICE_REFUSED)


# -- the protocol's USING parameters -------------------------------------------------------------


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
