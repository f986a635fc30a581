"""Linked Data over the sample corpus ingested for real: the w3id IRIs the graph mints
resolve on the server (content negotiation, Vary: Accept), and /.well-known/void
describes the dataset with the store's own count; rdflib reads every answer."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic
from sample_corpus import ingest_sample, needs_corpus, serve

from graph.oxigraph_store import OxigraphStore
from graph.stats import store_stats

SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
PKG = rdflib.Namespace("https://w3id.org/policykg/ontology#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
CHINA = rdflib.URIRef("https://w3id.org/policykg/entity/china")

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    return ingest_sample(tmp_path_factory.mktemp("linked-data") / "store")


@pytest.fixture(scope="module")
def client(store: OxigraphStore) -> Iterator[TestClient]:
    yield from serve(store)


def test_entity_in_turtle_is_its_description(client: TestClient) -> None:
    response = client.get("/entity/china", headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    assert "accept" in response.headers["vary"].lower()
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (CHINA, SKOS.prefLabel, rdflib.Literal("China")) in graph
    assert (CHINA, rdflib.RDF.type, PKG.State) in graph
    assert list(graph.objects(CHINA, SKOS.exactMatch))  # the Wikidata match of the gazetteer
    mentioning = set(graph.subjects(rdflib.SDO.mentions, CHINA))
    assert len(mentioning) >= 3 and all(
        str(d).startswith("https://w3id.org/policykg/doc/") for d in mentioning
    )


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_entity_in_every_rdf_format_says_the_same(
    client: TestClient, accept: str, media_type: str, rdflib_format: str
) -> None:
    turtle = rdflib.Graph().parse(data=client.get("/entity/china", headers={"Accept": "text/turtle"}).text)
    response = client.get("/entity/china", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(media_type)
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert isomorphic(graph, turtle)
    if rdflib_format == "json-ld":
        assert "@context" in json.loads(response.content)


def test_a_browser_gets_a_page_and_a_client_what_it_names(client: TestClient) -> None:
    page = client.get("/entity/china", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>China</h1>" in page.text and 'href="/doc/' in page.text
    assert (
        client.get("/entity/china", params={"format": "ntriples"})
        .headers["content-type"]
        .startswith("application/n-triples")
    )
    refused = client.get("/entity/china", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert client.get("/entity/no-such-entity-anywhere").status_code == 404


def test_document_iri_resolves_to_its_graph(client: TestClient, store: OxigraphStore) -> None:
    doc_id = "002-72df05b8278c3d87"
    response = client.get(f"/doc/{doc_id}", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    triples = {q.triple for q in ox.parse(response.content, ox.RdfFormat.N_TRIPLES)}
    graph_triples = {q.triple for q in store.graph_quads(f"https://w3id.org/policykg/graph/doc/{doc_id}")}
    assert graph_triples <= triples  # the whole named graph, fragment IRIs included
    labels = {t.object.value for t in triples if t.predicate.value.endswith("#prefLabel")}
    assert "Global Initiative on Data Security" in labels  # and what it names, described
    assert client.get("/doc/not-a-document").status_code == 404


def test_topic_and_ontology_resolve(client: TestClient) -> None:
    topic = rdflib.Graph().parse(data=client.get("/topic/outer-space").text, format="turtle")
    node = rdflib.URIRef("https://w3id.org/policykg/topic/outer-space")
    assert (node, rdflib.RDF.type, SKOS.Concept) in topic
    ontology = rdflib.Graph().parse(
        data=client.get("/ontology", headers={"Accept": "application/ld+json"}).content, format="json-ld"
    )
    assert (PKG.Stance, rdflib.RDF.type, rdflib.OWL.Class) in ontology
    assert (PKG.Document, rdflib.RDFS.label, None) in ontology


def test_void_counts_what_the_store_holds(client: TestClient, store: OxigraphStore) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    datasets = set(graph.subjects(rdflib.RDF.type, VOID.Dataset)) & set(
        graph.subjects(rdflib.RDF.type, DCAT.Dataset)
    )
    assert len(datasets) == 1
    dataset = datasets.pop()
    figures = store_stats(store)
    assert int(graph.value(dataset, VOID.triples)) == figures["triples"]  # distinct triples
    assert int(graph.value(dataset, VOID.documents)) == figures["documents"] == 5
    assert str(graph.value(dataset, VOID.sparqlEndpoint)).endswith("/sparql")
    vocabularies = {str(v) for v in graph.objects(dataset, VOID.vocabulary)}
    assert {"https://w3id.org/policykg/ontology#", "http://www.w3.org/2004/02/skos/core#"} <= vocabularies
    examples = {str(e) for e in graph.objects(dataset, VOID.exampleResource)}
    assert any(e.startswith("https://w3id.org/policykg/entity/") for e in examples)
    # Every example resource resolves here.
    for example in examples:
        path = example.replace("https://w3id.org/policykg/", "/")
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 200, example
    subsets = {
        str(graph.value(s, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#name"))): int(
            graph.value(s, VOID.triples)
        )
        for s in graph.objects(dataset, VOID.subset)
    }
    assert subsets["https://w3id.org/policykg/graph/entities"] == store.quad_count(
        "https://w3id.org/policykg/graph/entities"
    )
    service = graph.value(dataset, DCAT.accessService)
    assert graph.value(service, DCAT.endpointURL) == graph.value(dataset, VOID.sparqlEndpoint)
