"""/sparql against a started server: real clients, negotiation, safety, limits, updates."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from links_fixture import DOCS, write

from api.app import create_app
from graph.derived import rebuild_links
from graph.lineage_query import lineage_query
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings

TOKEN = "s3cret-update-token"
GIDS = "https://w3id.org/policykg/entity/gids"
PREFIXES = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
DOCS_OF_GIDS = (
    PREFIXES
    + """SELECT DISTINCT ?id ?date WHERE {
  ?e skos:prefLabel "Global Initiative on Data Security" .
  ?doc schema:mentions ?e ; dcterms:identifier ?id ; pkg:sortDate ?date .
} ORDER BY ?date"""
)


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    store = OxigraphStore(tmp_path_factory.mktemp("sparql") / "store")
    write(store, DOCS)
    rebuild_links(store)
    return store


@pytest.fixture
def server(fixture_store: OxigraphStore, live_server: Any) -> str:
    settings = get_settings(store=str(fixture_store.path), query_timeout_s=2.0, max_result_rows=1000)
    return str(live_server(create_app(settings, store=fixture_store)))


def sparql(base: str, query: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(base + "/sparql", params={"query": query, **params}, headers=headers, timeout=30)


# -- real clients ----------------------------------------------------------------------------


def test_sparqlwrapper_gets_the_gids_lineage_as_json(server: str) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(lineage_query("Global Initiative on Data Security"))
    client.setReturnFormat(JSON)
    result: Any = client.query().convert()
    rows = [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]
    assert [(r["role"], r["eventType"], r["date"], r["docId"]) for r in rows] == [
        ("origin", "launch", "2020-09-08", "cd-2020"),
        ("invocation", "invoke", "2022-05-23", "unsc-2022"),
        ("invocation", "invoke", "2025-11", "wp-2025"),
    ]
    assert rows[0]["quote"].startswith("Today, State Councilor Wang Yi launched the Global Initiative")
    assert rows[0]["forum"] == "Conference on Disarmament"


def test_sparqlwrapper_post_and_xml(server: str) -> None:
    from SPARQLWrapper import POST, XML, SPARQLWrapper

    client = SPARQLWrapper(server + "/sparql")
    client.setMethod(POST)
    client.setQuery(DOCS_OF_GIDS)
    client.setReturnFormat(XML)
    document: Any = client.query().convert()
    values = [n.firstChild.data for n in document.getElementsByTagName("literal")]
    assert values == ["cd-2020", "2020-09-08", "unsc-2022", "2022-05-23", "wp-2025", "2025-11-01"]


def test_rdflib_sparqlstore(server: str) -> None:
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=server + "/sparql", returnFormat="json"))
    rows = list(graph.query(DOCS_OF_GIDS))
    assert [(str(r[0]), str(r[1])) for r in rows] == [  # type: ignore[index]
        ("cd-2020", "2020-09-08"),
        ("unsc-2022", "2022-05-23"),
        ("wp-2025", "2025-11-01"),
    ]
    assert graph.query(PREFIXES + 'ASK { ?e pkg:acronym "GDSI" }').askAnswer is True


# -- negotiation -----------------------------------------------------------------------------


def test_select_formats(server: str) -> None:
    query = PREFIXES + 'SELECT DISTINCT ?label WHERE { ?e pkg:acronym "GDSI" ; skos:prefLabel ?label }'
    expected = "Global Initiative on Data Security"
    answers = {
        accept: sparql(server, query, accept)
        for accept in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        )
    }
    for accept, response in answers.items():
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == accept
        if accept == "text/csv":
            continue  # pyoxigraph does not read CSV back (lossy); checked as text below
        fmt = ox.QueryResultsFormat.from_media_type(accept)
        assert fmt is not None
        parsed = ox.parse_query_results(response.content, fmt)
        assert [str(s["label"].value) for s in parsed] == [expected]  # type: ignore[union-attr]
    assert answers["text/csv"].text == f"label\r\n{expected}\r\n"
    # format= overrides Accept.
    assert (
        sparql(server, query, "text/csv", format="tsv")
        .headers["content-type"]
        .startswith("text/tab-separated-values")
    )


def test_construct_formats(server: str) -> None:
    query = PREFIXES + f"CONSTRUCT {{ <{GIDS}> skos:prefLabel ?l }} WHERE {{ <{GIDS}> skos:prefLabel ?l }}"
    for accept, fmt in (
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ):
        response = sparql(server, query, accept)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == accept
        triples = list(ox.parse(io.BytesIO(response.content), fmt))
        assert [str(t.object.value) for t in triples] == ["Global Initiative on Data Security"]
    describe = sparql(server, f"DESCRIBE <{GIDS}>")
    assert describe.headers["content-type"].startswith("text/turtle")
    assert "Global Data Security Initiative" in describe.text


def test_unacceptable_format_is_406(server: str) -> None:
    response = sparql(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "image/png")
    assert response.status_code == 406
    assert "none of the result formats" in response.json()["detail"]
    assert sparql(server, "ASK {}", "text/csv").status_code == 406


def test_service_description_and_editor(server: str) -> None:
    response = httpx.get(server + "/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = [t for t in ox.parse(io.BytesIO(response.content), ox.RdfFormat.TURTLE)]
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = [t.object.value for t in graph if t.predicate.value == sd + "endpoint"]
    assert endpoints == [server + "/sparql"]
    languages = {t.object.value for t in graph if t.predicate.value == sd + "supportedLanguage"}
    assert languages == {sd + "SPARQL11Query"}  # no update token: no SPARQL Update
    names = {t.object.value for t in graph if t.predicate.value == sd + "name"}
    assert "https://w3id.org/policykg/graph/doc/cd-2020" in names
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = httpx.get(server + "/sparql", headers={"Accept": browser})
    assert page.headers["content-type"].startswith("text/html")
    assert "/static/node_modules/@zazuko/yasgui/build/yasgui.min.js" in page.text
    assert "cdn" not in page.text.lower()


# -- safety ----------------------------------------------------------------------------------


def test_service_is_refused(server: str) -> None:
    response = sparql(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    assert response.status_code == 400
    assert "SERVICE" in response.json()["detail"]
    silent = sparql(server, "select * where { service silent <http://169.254.169.254/> { ?s ?p ?o } }")
    assert silent.status_code == 400
    # SPARQL applies \u escapes before parsing: an escaped keyword is still the keyword.
    escaped = sparql(server, "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    assert escaped.status_code == 400 and "SERVICE" in escaped.json()["detail"]
    # The word inside a string, an IRI or a variable name is no SERVICE clause.
    fine = sparql(server, 'SELECT ?service WHERE { BIND("SERVICE <x>" AS ?service) }')
    assert fine.status_code == 200


def test_from_of_files_and_foreign_graphs_is_refused(server: str) -> None:
    for query in (
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://example.org/remote.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ):
        response = sparql(server, query)
        assert response.status_code == 400
        assert "not a graph of this store" in response.json()["detail"]
    own = sparql(
        server,
        "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/policykg/graph/doc/cd-2020> WHERE { ?s ?p ?o }",
    )
    assert own.status_code == 200
    assert int(own.json()["results"]["bindings"][0]["n"]["value"]) > 10


def test_cross_origin_queries_are_allowed(server: str) -> None:
    preflight = httpx.options(
        server + "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    answer = sparql(server, "ASK {}", None)
    cross = httpx.get(
        server + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"}
    )
    assert answer.status_code == cross.status_code == 200
    assert cross.headers["access-control-allow-origin"] == "*"


def test_malformed_requests(server: str) -> None:
    syntax = sparql(server, "SELECT ?s WHERE { ?s ")
    assert syntax.status_code == 400 and "syntax" in syntax.json()["detail"].lower()
    two = httpx.get(server + "/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert two.status_code == 400
    plain = httpx.post(server + "/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415
    assert httpx.put(server + "/sparql", params={"query": "ASK {}"}).status_code == 405


def test_result_rows_are_capped(fixture_store: OxigraphStore, live_server: Any) -> None:
    settings = get_settings(store=str(fixture_store.path), max_result_rows=5)
    base = live_server(create_app(settings, store=fixture_store))
    response = sparql(base, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 50")
    assert response.status_code == 206
    assert response.headers["x-result-truncated"] == "5"
    assert len(response.json()["results"]["bindings"]) == 5
    small = sparql(base, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5")
    assert small.status_code == 200 and len(small.json()["results"]["bindings"]) == 5


def test_runaway_query_times_out_while_another_is_answered(
    fixture_store: OxigraphStore, live_server: Any
) -> None:
    settings = get_settings(store=str(fixture_store.path), query_timeout_s=3.0, query_workers=2)
    base = live_server(create_app(settings, store=fixture_store))
    # Counted, so that no row leaves before all are made and none is kept: rows as they
    # come reach the row cap (206) within the time limit on an idle machine, and sorted
    # rows the memory cap.
    runaway_query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    outcome: dict[str, Any] = {}

    def runaway() -> None:
        outcome["response"] = sparql(base, runaway_query)

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)  # let the runaway start; not a measurement
    started = time.perf_counter()
    quick = sparql(base, PREFIXES + 'ASK { ?e pkg:acronym "GDSI" }')
    elapsed = time.perf_counter() - started
    runaway_still_running = thread.is_alive()
    thread.join(timeout=60)
    print(f"quick query answered in {elapsed * 1000:.0f} ms while the runaway ran")
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert runaway_still_running, "the quick query had to wait for the runaway"
    response = outcome["response"]
    assert response.status_code == 503
    assert "timeout" in response.json()["detail"]
    # The server is still fine afterwards.
    assert sparql(base, "ASK {}").json()["boolean"] is True


# -- updates ---------------------------------------------------------------------------------

INSERT = 'INSERT DATA { GRAPH <urn:x-test:notes> { <urn:x-test:s> <urn:x-test:p> "note" } }'


def test_updates_refused_without_a_configured_token(server: str) -> None:
    response = httpx.post(
        server + "/sparql",
        content=INSERT.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    form = httpx.post(server + "/sparql", data={"update": INSERT})
    assert form.status_code == 403
    assert sparql(server, "ASK { GRAPH <urn:x-test:notes> { ?s ?p ?o } }").json()["boolean"] is False


def test_updates_need_the_token(tmp_path: Path, live_server: Any) -> None:
    store = OxigraphStore(tmp_path / "store")
    base = live_server(
        create_app(get_settings(store=str(tmp_path / "store"), update_token=TOKEN), store=store)
    )
    headers = {"Content-Type": "application/sparql-update"}
    missing = httpx.post(base + "/sparql", content=INSERT.encode(), headers=headers)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(
        base + "/sparql", content=INSERT.encode(), headers={**headers, "Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401
    assert sparql(base, "ASK { GRAPH <urn:x-test:notes> { ?s ?p ?o } }").json()["boolean"] is False
    ok = httpx.post(
        base + "/sparql", content=INSERT.encode(), headers={**headers, "Authorization": f"Bearer {TOKEN}"}
    )
    assert ok.status_code == 204
    assert sparql(base, 'ASK { GRAPH <urn:x-test:notes> { ?s ?p "note" } }').json()["boolean"] is True
    load = httpx.post(
        base + "/sparql",
        content=b"LOAD <file:///etc/passwd> INTO GRAPH <urn:x-test:g>",
        headers={**headers, "Authorization": f"Bearer {TOKEN}"},
    )
    assert load.status_code == 400 and "LOAD is disabled" in load.json()["detail"]
    service = httpx.post(
        base + "/sparql",
        content=b"INSERT { GRAPH <urn:x-test:g> { ?s ?p ?o } } WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
        headers={**headers, "Authorization": f"Bearer {TOKEN}"},
    )
    assert service.status_code == 400
    description = httpx.get(base + "/sparql", headers={"Accept": "application/n-triples"}).text
    assert "SPARQL11Update" in description
    assert (
        json.loads(sparql(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").text)["results"]["bindings"][0][
            "n"
        ]["value"]
        == "1"
    )


def test_rest_views_follow_updates(tmp_path: Path, live_server: Any) -> None:
    """The cached networkx view and search index are rebuilt after a SPARQL Update."""
    store = OxigraphStore(tmp_path / "store")
    write(store, ["cd-2020"])
    base = live_server(
        create_app(get_settings(store=str(tmp_path / "store"), update_token=TOKEN), store=store)
    )
    assert httpx.get(base + "/documents").json()["total"] == 1
    assert httpx.get(base + "/search", params={"q": "Antarctica"}).json()["total"] == 0
    insert = (
        PREFIXES
        + """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA { GRAPH <https://w3id.org/policykg/graph/doc/note-1> {
  <https://w3id.org/policykg/doc/note-1> a pkg:Document ; dcterms:identifier "note-1" ;
    dcterms:date "2023-01-02"^^xsd:date ; pkg:sortDate "2023-01-02"^^xsd:date ;
    pkg:sha256 "abc" ; pkg:text "A note about Antarctica." } }"""
    )
    done = httpx.post(base + "/sparql", data={"update": insert}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert done.status_code == 204, done.text
    assert [d["id"] for d in httpx.get(base + "/documents").json()["items"]] == ["cd-2020", "note-1"]
    hits = httpx.get(base + "/search", params={"q": "Antarctica"}).json()["items"]
    assert [(h["doc_id"], h["start"], h["end"]) for h in hits] == [("note-1", 13, 23)]
