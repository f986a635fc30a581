"""Result formats as clients ask for them: SPARQLWrapper's defaults, Fuseki's parameters.

SPARQLWrapper sends ``format=``, ``output=`` and ``results=`` beside ``Accept`` (for
TSV, JSON-LD and RDF/XML a second value, the media type list); the endpoint reads them
as Fuseki does and ignores what it does not know.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from api.app import create_app
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings

EX = "http://example.org/"
GRAPH = f"{EX}graph/notes"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("formats") / "store"
    store = OxigraphStore(path)
    graph = ox.NamedNode(GRAPH)
    store.replace_graph(
        GRAPH,
        [
            ox.Quad(ox.NamedNode(f"{EX}note{i}"), ox.NamedNode(LABEL), ox.Literal(f"note {i}"), graph)
            for i in range(3)
        ],
    )
    store.close()
    return path


@pytest.fixture
def endpoint(store_path: Path, live_server: Any) -> str:
    return str(live_server(create_app(get_settings(store=str(store_path))))) + "/sparql"


QUERIES = {
    "SELECT": f"SELECT ?s ?label WHERE {{ ?s <{LABEL}> ?label }} ORDER BY ?s",
    "ASK": f'ASK {{ ?s <{LABEL}> "note 1" }}',
    "CONSTRUCT": f"CONSTRUCT {{ ?s <{LABEL}> ?label }} WHERE {{ ?s <{LABEL}> ?label }}",
    "DESCRIBE": f"DESCRIBE <{EX}note1>",
}


def _check(kind: str, fmt: str, converted: Any) -> None:
    """The converted answer holds the query's answer, whatever shape SPARQLWrapper gives."""
    if isinstance(converted, rdflib.Graph):
        labels = {str(o) for o in converted.objects(None, rdflib.URIRef(LABEL))}
        assert labels == ({"note 1"} if kind == "DESCRIBE" else {"note 0", "note 1", "note 2"}), (kind, fmt)
    elif isinstance(converted, dict):  # SPARQL JSON
        if kind == "ASK":
            assert converted["boolean"] is True
        else:
            assert [b["label"]["value"] for b in converted["results"]["bindings"]] == [
                "note 0",
                "note 1",
                "note 2",
            ]
    elif isinstance(converted, bytes | str):  # CSV, TSV, N3/Turtle: text
        text = converted.decode() if isinstance(converted, bytes) else converted
        if kind in ("CONSTRUCT", "DESCRIBE"):
            graph = rdflib.Graph().parse(data=text, format="turtle")
            assert {str(o) for o in graph.objects(None, rdflib.URIRef(LABEL))} >= {"note 1"}
        else:
            assert "note 1" in text or "true" in text.lower(), (kind, fmt, text)
    else:  # SPARQL XML: a DOM document
        text = converted.toxml()
        assert "note 1" in text or "true" in text, (kind, fmt)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_default_settings_every_query_type_and_format(endpoint: str, method: str) -> None:
    import SPARQLWrapper as sw

    formats = [sw.JSON, sw.XML, sw.CSV, sw.TSV, sw.N3, sw.TURTLE, sw.JSONLD, sw.RDFXML, sw.RDF]
    failures = []
    for kind, text in QUERIES.items():
        for fmt in formats:
            client = sw.SPARQLWrapper(endpoint)
            client.setMethod(sw.GET if method == "GET" else sw.POST)
            client.setQuery(text)
            client.setReturnFormat(fmt)
            try:
                with warnings.catch_warnings():
                    # "Format requested was N3, but JSON was returned" for a SELECT: expected.
                    warnings.simplefilter("ignore", RuntimeWarning)
                    warnings.simplefilter("ignore", DeprecationWarning)  # rdflib ConjunctiveGraph
                    converted = client.query().convert()
                _check(kind, fmt, converted)
            except Exception as exc:
                failures.append(f"{kind} {fmt}: {type(exc).__name__}: {str(exc)[:200]}")
    assert not failures, "\n".join(failures)


def _get(endpoint: str, query: str, accept: str | None = None, **params: Any) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(endpoint, params={"query": query, **params}, headers=headers, timeout=60)


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


def test_format_parameters_as_fuseki_reads_them(endpoint: str) -> None:
    select, construct = QUERIES["SELECT"], QUERIES["CONSTRUCT"]
    for value, expected in (
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ):
        for name in ("format", "output", "results"):
            response = _get(endpoint, select, "application/sparql-results+json", **{name: value})
            assert response.status_code == 200 and _media_type(response) == expected, (name, value)
    for value, expected in (
        ("turtle", "text/turtle"),
        ("ttl", "text/turtle"),
        ("n3", "text/turtle"),
        ("ntriples", "application/n-triples"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("json-ld", "application/ld+json"),
        ("application/ld+json,application/x-json+ld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
        ("xml", "application/rdf+xml"),
        ("json", "application/ld+json"),
    ):
        response = _get(endpoint, construct, "text/turtle", format=value)
        assert response.status_code == 200 and _media_type(response) == expected, value
        list(ox.parse(io.BytesIO(response.content), ox.RdfFormat.from_media_type(expected)))
    # Unknown values are ignored in favour of Accept; nothing known and nothing acceptable: 406.
    unknown = _get(endpoint, select, "text/csv", format="bogus")
    assert unknown.status_code == 200 and _media_type(unknown) == "text/csv"
    assert (
        _get(endpoint, construct, "application/n-triples", output="bogus,unknown/type")
        .headers["content-type"]
        .startswith("application/n-triples")
    )
    assert _get(endpoint, select, "image/png", format="bogus").status_code == 406
    # A format of another kind only (csv for an ASK): the kind's default rather than 406.
    ask = _get(endpoint, QUERIES["ASK"], "text/csv", format="csv")
    assert ask.status_code == 200 and ask.json()["boolean"] is True
