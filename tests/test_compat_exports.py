"""Every export read by the tools it is for, over the sample corpus ingested for real:
GEXF 1.3 and GraphML validated against their official XSDs (tests/data/xsd), read back by
networkx (and igraph) with every node and edge; the Cytoscape.js export through
``networkx.cytoscape_graph``; JSON-LD through rdflib and pyld; the union default graph
holding each entity description once (the README's example query, rdflib's
SPARQLStore, ``policykg stats``)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from sample_corpus import ingest_sample, needs_corpus, serve

from api.app import create_app
from graph.network import load_network
from graph.oxigraph_store import OxigraphStore
from graph.stats import distinct_triples, store_stats
from policykg.settings import get_settings

etree = pytest.importorskip("lxml.etree")

XSD = Path(__file__).parent / "data" / "xsd"
README = Path(__file__).parents[1] / "README.md"

pytestmark = needs_corpus


class LocalSchemas(etree.Resolver):  # type: ignore[misc]
    """The GraphML schema imports its parts by URL (http://graphml.graphdrawing.org/...):
    they are read from tests/data/xsd/graphml-1.0 (the parser never goes to the network)."""

    def resolve(self, url: str, pubid: str, context: Any) -> Any:
        if url.startswith("http://graphml.graphdrawing.org/"):
            return self.resolve_filename(str(XSD / "graphml-1.0" / url.rsplit("/", 1)[-1]), context)
        return None


def schema(path: Path) -> Any:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.parse(str(path), parser))


def assert_valid(xsd: Any, data: bytes) -> None:
    document = etree.fromstring(data)
    assert xsd.validate(document), [str(error) for error in list(xsd.error_log)[:5]]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    return ingest_sample(tmp_path_factory.mktemp("compat") / "store")


@pytest.fixture(scope="module")
def client(store: OxigraphStore) -> Iterator[TestClient]:
    yield from serve(store)


@pytest.fixture(scope="module")
def network(client: TestClient) -> nx.MultiDiGraph:
    graph: nx.MultiDiGraph = load_network(client.app.state.ctx.store)  # type: ignore[attr-defined]
    assert graph.number_of_nodes() > 100 and graph.number_of_edges() > 300
    return graph


def export(client: TestClient, fmt: str, **params: Any) -> bytes:
    response = client.get("/export", params={"format": fmt, **params})
    assert response.status_code == 200, response.text
    return response.content


# -- GEXF ----------------------------------------------------------------------------------------


def test_gexf_is_valid_gexf_13_and_networkx_reads_every_node_and_edge(
    client: TestClient, network: nx.MultiDiGraph
) -> None:
    data = export(client, "gexf")
    assert_valid(schema(XSD / "gexf-1.3" / "gexf.xsd"), data)
    root = etree.fromstring(data)
    graph_element = root.find("{http://gexf.net/1.3}graph")
    assert root.get("version") == "1.3"
    assert graph_element.get("mode") == "static" and graph_element.get("timeformat") is None
    # Offsets are attributes, never lifetimes.
    assert not root.xpath("//*[@start or @end]")
    titles = {a.get("title") for a in root.iter("{http://gexf.net/1.3}attribute")}
    assert {"start_offset", "end_offset", "quote"} <= titles

    graph = nx.read_gexf(io.BytesIO(data), version="1.3")
    assert set(graph.nodes) == set(network.nodes)
    assert graph.number_of_edges() == network.number_of_edges()
    mentions = [d for _, _, d in graph.edges(data=True) if d.get("rel") == "mentions" and "quote" in d]
    assert mentions and all(isinstance(d["start_offset"], int) for d in mentions)


def test_filtered_gexf_is_valid_too(client: TestClient) -> None:
    data = export(client, "gexf", entity="Global Data Security Initiative")
    assert_valid(schema(XSD / "gexf-1.3" / "gexf.xsd"), data)
    graph = nx.read_gexf(io.BytesIO(data), version="1.3")
    documents = [n for n, d in graph.nodes(data=True) if d.get("kind") == "document"]
    assert len(documents) == 3


# -- GraphML -------------------------------------------------------------------------------------


def test_graphml_is_valid_and_keeps_the_iri(client: TestClient, network: nx.MultiDiGraph) -> None:
    data = export(client, "graphml")
    assert_valid(schema(XSD / "graphml-1.0" / "graphml.xsd"), data)
    graph = nx.read_graphml(io.BytesIO(data))
    iris = {node: attrs["iri"] for node, attrs in graph.nodes(data=True)}
    assert set(iris.values()) == set(network.nodes)
    assert graph.number_of_edges() == network.number_of_edges()
    assert all("/" not in node and "#" not in node for node in graph.nodes)
    by_iri = nx.relabel_nodes(graph, iris)
    gids = by_iri.nodes["https://w3id.org/policykg/entity/global-initiative-on-data-security"]
    assert (gids["label"], gids["kind"]) == ("Global Initiative on Data Security", "entity")


def test_igraph_reads_the_graphml(client: TestClient, network: nx.MultiDiGraph, tmp_path: Path) -> None:
    igraph = pytest.importorskip("igraph")
    path = tmp_path / "policykg.graphml"
    path.write_bytes(export(client, "graphml"))
    graph = igraph.Graph.Read_GraphML(str(path))
    assert (graph.vcount(), graph.ecount()) == (network.number_of_nodes(), network.number_of_edges())
    assert set(graph.vs["iri"]) == set(network.nodes)


# -- Cytoscape.js --------------------------------------------------------------------------------


def test_networkx_cytoscape_graph_keeps_every_edge(client: TestClient, network: nx.MultiDiGraph) -> None:
    data = json.loads(export(client, "cytoscape"))
    graph = nx.cytoscape_graph(data)
    assert graph.is_multigraph() and graph.is_directed()
    assert set(graph.nodes) == set(network.nodes)
    assert graph.number_of_edges() == network.number_of_edges()
    parallel = [(u, v) for u, v in network.edges() if network.number_of_edges(u, v) > 1]
    assert parallel, "the sample corpus has parallel edges (the test would not see them lost)"
    u, v = parallel[0]
    assert graph.number_of_edges(u, v) == network.number_of_edges(u, v)


# -- JSON-LD -------------------------------------------------------------------------------------


def test_jsonld_default_graph_is_what_rdflib_graph_reads(client: TestClient, store: OxigraphStore) -> None:
    import rdflib

    document = json.loads(export(client, "jsonld", default_graph="true"))
    assert document["@context"]["skos"] == "http://www.w3.org/2004/02/skos/core#"
    graph = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    assert len(graph) == distinct_triples(store) > 10_000

    named = export(client, "jsonld")
    dataset = rdflib.Dataset().parse(data=named, format="json-ld")
    assert len(dataset) == store.quad_count()
    assert len(list(ox.parse(io.BytesIO(named), ox.RdfFormat.JSON_LD))) == store.quad_count()


def test_pyld_reads_the_jsonld(client: TestClient, store: OxigraphStore) -> None:
    jsonld = pytest.importorskip("pyld.jsonld")
    document = json.loads(export(client, "jsonld", forum="Conference on Disarmament"))
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    quads = list(ox.parse(nquads.encode("utf-8"), ox.RdfFormat.N_QUADS))
    assert quads and len(quads) == len(
        list(ox.parse(io.BytesIO(json.dumps(document).encode()), ox.RdfFormat.JSON_LD))
    )
    graphs = {q.graph_name.value for q in quads}
    assert "https://w3id.org/policykg/graph/entities" in graphs  # the descriptions travel along


# -- the union default graph holds each description once ---------------------------------------


def readme_query() -> str:
    text = README.read_text(encoding="utf-8")
    block = text.split("## One question, one query", 1)[1].split("```sparql", 1)[1].split("```", 1)[0]
    assert "DISTINCT" not in block
    return block


def test_the_readme_query_returns_each_document_once(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content=readme_query(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert [r["date"]["value"] for r in rows] == ["2020-09-08", "2022-05-23", "2025-11-01"]


def test_sparqlstore_gives_each_triple_of_an_entity_once(store: OxigraphStore, live_server: Any) -> None:
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    base = live_server(create_app(get_settings(store=str(store.path)), store=store))
    remote = SPARQLStore(base + "/sparql")
    china = rdflib.URIRef("https://w3id.org/policykg/entity/china")
    triples = list(remote.triples((china, None, None)))
    assert len(triples) == len(set(triples)) >= 4
    assert (china, rdflib.SKOS.prefLabel, rdflib.Literal("China")) in {t for t, _ in triples}


def test_stats_name_quads_and_distinct_triples(store: OxigraphStore) -> None:
    figures = store_stats(store)
    assert figures["quads"] == store.quad_count()
    exact = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    )
    assert figures["triples"] == int(next(iter(exact))["n"].value)
    # The count large stores get (repeats sought where the model can store them) agrees.
    assert distinct_triples(store, exact_max_quads=0) == figures["triples"]
    # Descriptions live once, in graph:entities: no triple is stored in two graphs.
    assert figures["triples"] == figures["quads"]
