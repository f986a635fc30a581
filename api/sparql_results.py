"""SPARQL answers as bytes: results (SELECT, ASK) and graphs (CONSTRUCT, DESCRIBE).

A SELECT table is read row by row (checking the cancel event between rows, stopping at
the row cap) into SPARQL JSON, the one format written here; pyoxigraph's serialisers
write every other format, of results and of graphs, from there.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from api import media
from api.runner import Cancelled


class ProtocolError(Exception):
    """A request the protocol refuses: HTTP ``status`` and a message saying why."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True, slots=True)
class Answer:
    body: bytes
    fmt: media.MediaFormat
    truncated: bool


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def serialise_result(
    result: Any,
    formats: tuple[media.MediaFormat | None, ...],
    max_rows: int,
    cancel: threading.Event,
) -> Answer:
    """Read a query result (at most ``max_rows`` rows or triples) into bytes of the
    negotiated format, checking ``cancel`` between rows. Runs in the querying thread."""
    select_fmt, boolean_fmt, graph_fmt = formats
    out = io.BytesIO()
    if isinstance(result, ox.QueryBoolean):
        if boolean_fmt is None:
            raise ProtocolError(406, "an ASK result is available as SPARQL JSON or XML results only")
        assert boolean_fmt.results is not None
        result.serialize(out, boolean_fmt.results)
        return Answer(out.getvalue(), boolean_fmt, False)
    if isinstance(result, ox.QuerySolutions):
        if select_fmt is None:
            raise ProtocolError(406, "SELECT results are available as SPARQL JSON, XML, CSV or TSV only")
        assert select_fmt.results is not None
        variables = [v.value for v in result.variables]
        bindings: list[dict[str, Any]] = []
        truncated = False
        for solution in result:
            if cancel.is_set():
                raise Cancelled()
            if len(bindings) >= max_rows:
                truncated = True
                break
            bindings.append(
                {
                    name: _term_json(value)
                    for name, value in zip(variables, solution, strict=False)
                    if value is not None
                }
            )
        document = json.dumps(
            {"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False
        ).encode("utf-8")
        if select_fmt.results == ox.QueryResultsFormat.JSON:
            return Answer(document, select_fmt, truncated)
        # The cut table goes back through pyoxigraph, which writes every other format.
        ox.parse_query_results(document, ox.QueryResultsFormat.JSON).serialize(out, select_fmt.results)
        return Answer(out.getvalue(), select_fmt, truncated)
    # CONSTRUCT / DESCRIBE: an iterator of triples.
    if graph_fmt is None:
        raise ProtocolError(406, "graphs are available as Turtle, N-Triples, JSON-LD or RDF/XML only")
    assert graph_fmt.rdf is not None
    # The answer is a graph, a set: a triple built in several named graphs is written once.
    triples: dict[ox.Triple, None] = {}
    truncated = False
    for triple in result:
        if cancel.is_set():
            raise Cancelled()
        if triple in triples:
            continue
        if len(triples) >= max_rows:
            truncated = True
            break
        triples[triple] = None
    ox.serialize(triples, out, graph_fmt.rdf)
    return Answer(out.getvalue(), graph_fmt, truncated)
