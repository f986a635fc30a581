"""The API over the sample corpus ingested for real (../shared/corpus): the Global
Initiative on Data Security, whatever a document calls it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sample_corpus import ingest_sample, needs_corpus, serve

from api.app import create_app
from graph.lineage_query import lineage_query
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    return ingest_sample(tmp_path_factory.mktemp("sample") / "store")


@pytest.fixture(scope="module")
def client(store: OxigraphStore) -> Iterator[TestClient]:
    yield from serve(store)


def test_timeline_of_gids_by_its_alias(client: TestClient) -> None:
    response = client.get("/timeline?entity=Global%20Data%20Security%20Initiative")
    assert response.status_code == 200, response.text
    timeline = response.json()
    assert timeline["entity"]["label"] == "Global Initiative on Data Security"
    documents = [i for i in timeline["items"] if i["kind"] == "document"]
    assert [(i["document"]["id"][:3], i["date"]) for i in documents] == [
        ("002", "2020-09-08"),
        ("000", "2022-05-23"),
        ("004", "2025-11"),
    ]
    # The launch, reported by the three documents at three precisions, is one event, first.
    first = timeline["items"][0]
    assert (first["kind"], first["what"], first["date"], first["precision"]) == ("event", "launch", "2020-09-08", "day")
    assert sorted(s["document"]["id"][:3] for s in first["sources"]) == ["000", "002", "004"]
    assert [i for i in timeline["items"] if i["kind"] == "event" and i["what"] == "launch"] == [first]
    texts: dict[str, str] = {}
    for item in timeline["items"]:
        evidence = item["evidence"]
        assert evidence is not None, item
        doc_id = evidence["doc_id"]
        if doc_id not in texts:
            texts[doc_id] = client.get(f"/documents/{doc_id}").json()["text"]
        assert texts[doc_id][evidence["start"] : evidence["end"]] == evidence["quote"]
    assert all("Data Security" in i["evidence"]["quote"] for i in documents)


def test_sparqlwrapper_gets_the_gids_lineage(store: OxigraphStore, live_server: Any) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    base = live_server(create_app(get_settings(store=str(store.path)), store=store))
    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(lineage_query("Global Data Security Initiative"))
    client.setReturnFormat(JSON)
    result: Any = client.query().convert()
    rows = [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]
    assert (rows[0]["role"], rows[0]["eventType"], rows[0]["date"], rows[0]["docId"][:3]) == (
        "origin",
        "launch",
        "2020-09-08",
        "002",
    )
    invoked = [(r["docId"][:3], r["date"]) for r in rows if r["role"] == "invocation"]
    assert invoked == [("000", "2022-05-23"), ("004", "2025-11")]


def test_entity_with_its_wikidata_link(client: TestClient) -> None:
    council = client.get("/entities/UN Security Council").json()
    assert (council["label"], council["type"], council["wikidata"]) == (
        "United Nations Security Council",
        "Forum",
        "http://www.wikidata.org/entity/Q37470",
    )
    assert "UNSC" in council["acronyms"]
    assert [d[:3] for d in council["roles"]["forum"]] == ["000", "001"]


def test_sparql_sees_each_real_event_once_with_every_report(store: OxigraphStore) -> None:
    """The links graph holds one step per real event (graph.event_identity): the launch of
    the initiative, reported by three documents, is one resource; a forum's events too."""
    prefixes = (
        "PREFIX pkg: <https://w3id.org/policykg/ontology#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX dcterms: <http://purl.org/dc/terms/> "
    )
    launches = list(store.query(prefixes + """
        SELECT ?step ?date (COUNT(DISTINCT ?other) AS ?others) WHERE {
          ?gids skos:prefLabel "Global Initiative on Data Security" .
          GRAPH <https://w3id.org/policykg/graph/links> {
            ?step pkg:lineageOf ?gids ; pkg:eventType pkg:launch ; dcterms:date ?date .
            OPTIONAL { ?step pkg:reportedIn ?other }
          }
        } GROUP BY ?step ?date"""))
    assert [(str(r["date"].value), int(r["others"].value)) for r in launches] == [("2020-09-08", 2)]
    forum_steps = store.query(prefixes + """
        ASK { GRAPH <https://w3id.org/policykg/graph/links> { ?step pkg:lineageOf ?forum ; pkg:stepRole ?role . }
              ?forum a pkg:Forum . FILTER(?role != pkg:invocation) }""")
    assert bool(forum_steps)
