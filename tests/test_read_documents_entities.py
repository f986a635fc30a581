"""``/entities`` and ``/documents/{id}`` read through graph.read (targeted SPARQL), never
through the networkx view of the whole store: the app answers with that view forbidden,
and its answers agree with what the view says (the reference the routes used to read)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from links_fixture import DOCS, write

from api.app import create_app
from graph.derived import rebuild_links
from graph.network import NetworkBuilder, load_network, nodes_of_kind, sources, targets
from graph.oxigraph_store import OxigraphStore
from graph.read.saved import saved_path
from ontology.namespace import DOC, ENTITIES_GRAPH, ENTITY, doc_graph_iri
from policykg.settings import get_settings

TOKEN = "read-path-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

# An entity the entities graph describes but no document names (as a gazetteer entry is),
# and one a document names only as the holder of a stance (never mentioned).
_EXTRA = f"""
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT DATA {{
  GRAPH <{ENTITIES_GRAPH}> {{
    <{ENTITY}lunar-accord> a pkg:Instrument ; skos:prefLabel "Lunar Accord on Quiet Craters" ;
      skos:exactMatch <http://www.wikidata.org/entity/Q99999999> .
    <{ENTITY}quiet-league> a pkg:Organization ; skos:prefLabel "League of Quiet Harbours" .
  }}
  GRAPH <{doc_graph_iri("cd-2020")}> {{
    <{DOC}cd-2020#stance-quiet> a pkg:Stance ; prov:wasAttributedTo <{ENTITY}quiet-league> ;
      pkg:polarity pkg:support ; pkg:target "quiet harbours" ; prov:wasDerivedFrom <{DOC}cd-2020> .
  }}
}}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    path = tmp_path_factory.mktemp("read-path") / "store"
    store = OxigraphStore(path)
    write(store, DOCS)
    store.update(_EXTRA)
    rebuild_links(store)
    yield store


@pytest.fixture(scope="module")
def network(store: OxigraphStore) -> nx.MultiDiGraph:
    """The networkx view of the whole store: the reference here, never read by the app."""
    return load_network(store)


@pytest.fixture(scope="module")
def client(store: OxigraphStore, network: nx.MultiDiGraph) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(store=str(store.path)), store=store)) as test_client:
        yield test_client


def _forbid_whole_store_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every way to the networkx view of the whole store raise: ``load_network``
    wherever a module imported it, and a builder asked for every document."""

    def whole_store_view(*args: Any, **kwargs: Any) -> nx.MultiDiGraph:
        raise AssertionError("the networkx view of the whole store was asked for")

    for module in list(sys.modules.values()):
        if getattr(module, "load_network", None) is load_network:
            monkeypatch.setattr(module, "load_network", whole_store_view)
    add_documents = NetworkBuilder.add_documents

    def some_documents(self: NetworkBuilder, docs: Sequence[str] | None = None) -> list[str]:
        if docs is None:
            raise AssertionError("every document of the store was loaded into networkx")
        return add_documents(self, docs)

    monkeypatch.setattr(NetworkBuilder, "add_documents", some_documents)


def test_the_routes_answer_without_the_whole_store_view(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forbid_whole_store_view(monkeypatch)
    with TestClient(create_app(get_settings(store=str(store.path)), store=store)) as fresh:
        for url, params in (
            ("/entities", {}),
            ("/entities", {"type": "Forum", "q": "council"}),
            ("/entities/gids", {}),
            ("/entities/UNSC/co-mentions", {}),
            ("/documents", {"entity": "gids"}),
            ("/documents/cd-2020", {}),
            ("/documents/news-2022/html", {}),
            ("/paths", {"from": "tianjin", "to": "bwc"}),
        ):
            answer = fresh.get(url, params=params)
            assert answer.status_code == 200, (url, answer.text)


def test_the_list_holds_the_entities_documents_name_with_their_counts(
    client: TestClient, network: nx.MultiDiGraph
) -> None:
    listed = client.get("/entities", params={"limit": 1000}).json()
    counts = {e["iri"]: e["documents"] for e in listed["items"]}
    named = nodes_of_kind(network, "entity")
    assert listed["total"] == len(named) == len(counts)
    assert counts == {e: len(sources(network, e, "mentions")) for e in named}
    # Named by a document without being mentioned in any: listed, with no documents.
    assert counts[f"{ENTITY}quiet-league"] == 0
    labels = [e["label"].casefold() for e in listed["items"]]
    assert labels == sorted(labels)
    # Described, named by no document: not listed, yet an entity one can look up.
    assert f"{ENTITY}lunar-accord" not in counts
    assert client.get("/entities", params={"q": "lunar"}).json()["total"] == 0
    accord = client.get("/entities/lunar-accord").json()
    assert (accord["label"], accord["type"], accord["documents"], accord["mentions"]) == (
        "Lunar Accord on Quiet Craters", "Instrument", 0, []
    )
    assert accord["wikidata"] == "http://www.wikidata.org/entity/Q99999999"


def test_a_fresh_app_on_the_unchanged_store_reads_the_saved_entity_use(
    store: OxigraphStore, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = client.get("/entities", params={"limit": 1000}).json()
    assert saved_path(store.path, "entity-use").is_file()

    def read_again(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the store was read again")

    monkeypatch.setattr("graph.read.entities.entity_use", read_again)
    with TestClient(create_app(get_settings(store=str(store.path)), store=store)) as fresh:
        assert fresh.get("/entities", params={"limit": 1000}).json() == listed


def test_names_are_found_in_any_case_exact_ones_first(client: TestClient) -> None:
    found = client.get("/entities", params={"q": "  security   COUNCIL "}).json()
    assert [e["id"] for e in found["items"]][:1] == ["unsc"]  # an alias, exactly
    assert [e["id"] for e in client.get("/entities", params={"q": "unsc"}).json()["items"]] == ["unsc"]
    forums = client.get("/entities", params={"type": "FORUM"}).json()
    assert {e["type"] for e in forums["items"]} == {"Forum"} and forums["total"] == 3
    paged = client.get("/entities", params={"type": "forum", "limit": 1, "offset": 1}).json()
    assert (paged["total"], [e["id"] for e in paged["items"]]) == (3, [forums["items"][1]["id"]])


def _quote(item: dict[str, Any]) -> str | None:
    return item["evidence"]["quote"] if item["evidence"] else None


def _quote_of(attrs: dict[str, Any]) -> str | None:
    return attrs["evidence"].quote if attrs["evidence"] is not None else None


@pytest.mark.parametrize("doc_id", sorted(DOCS))
def test_a_document_states_what_the_view_holds(
    client: TestClient, network: nx.MultiDiGraph, doc_id: str
) -> None:
    doc = client.get(f"/documents/{doc_id}").json()
    iri = str(DOC) + doc_id
    assert doc["text"] == DOCS[doc_id].text
    assert sorted(e["entity"]["iri"] for e in doc["entities"]) == targets(network, iri, "mentions")
    for found in doc["entities"]:
        edge = network.edges[iri, found["entity"]["iri"], "mentions"]
        assert found["count"] == edge["count"]
        first = found["mentions"][0]
        assert (first["start"], first["end"], first["quote"]) == (
            edge["evidence"].start, edge["evidence"].end, edge["evidence"].quote
        )
    events = {e["iri"]: e for e in doc["events"]}
    assert sorted(events) == targets(network, iri, "has_event")
    for event, item in events.items():
        attrs = network.nodes[event]
        assert (item["event_type"], item["date"], item["subject"]["iri"]) == (
            attrs["event_type"], attrs["date"], targets(network, event, "subject")[0]
        )
        assert _quote(item) == _quote_of(attrs)
    stances = {s["iri"]: s for s in doc["stances"]}
    assert sorted(stances) == targets(network, iri, "has_stance")
    for stance, item in stances.items():
        attrs = network.nodes[stance]
        assert (item["polarity"], item["target"], item["holder"]["iri"]) == (
            attrs["polarity"], attrs["target"] or "", targets(network, stance, "holder")[0]
        )
        assert [t["iri"] for t in item["target_entities"]] == targets(network, stance, "target_entity")
        assert _quote(item) == _quote_of(attrs)
    text = DOCS[doc_id].text
    assert all(text[h["start"] : h["end"]] for h in doc["highlights"])
    quoted = [item for item in doc["events"] + doc["stances"] if item["evidence"]]
    assert len(doc["highlights"]) == sum(e["count"] for e in doc["entities"]) + len(quoted)


def test_a_news_report_names_the_statement_it_reports(client: TestClient) -> None:
    news = client.get("/documents/news-2022").json()
    assert news["stances"] and {s["reports_on"] for s in news["stances"]} == {"unsc-2022"}


# -- after writes through the service ----------------------------------------------------------

_FIRST = (
    "Statement of the Ministry of Foreign Affairs of Norway\n\nOslo, 3 February 2025\n\n"
    "Norway supports the Treaty on the Non-Proliferation of Nuclear Weapons.\n"
)
_SECOND = (
    "Statement of the Ministry of Foreign Affairs of Finland\n\nHelsinki, 9 April 2025\n\n"
    "Finland supports the Treaty on the Non-Proliferation of Nuclear Weapons and the "
    "Biological Weapons Convention.\n"
)


def _upload(name: str, text: str) -> dict[str, Any]:
    return {"file": (name, text.encode("utf-8"), "text/plain")}


def _documents_of(client: TestClient, name: str) -> int:
    items = client.get("/entities", params={"q": name}).json()["items"]
    return int(items[0]["documents"]) if items else 0


def test_counts_follow_the_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_whole_store_view(monkeypatch)
    settings = get_settings(store=str(tmp_path / "store"), update_token=TOKEN, workers=1)
    with TestClient(create_app(settings)) as client:
        assert client.get("/entities").json()["total"] == 0
        assert client.post("/documents", files=_upload("norway-2025.txt", _FIRST), headers=AUTH).status_code == 201
        assert _documents_of(client, "Non-Proliferation") == 1
        assert _documents_of(client, "Biological Weapons") == 0
        assert client.post("/documents", files=_upload("finland-2025.txt", _SECOND), headers=AUTH).status_code == 201
        assert _documents_of(client, "Non-Proliferation") == 2
        assert _documents_of(client, "Biological Weapons") == 1
        finland = client.get("/documents/finland-2025").json()
        assert {e["entity"]["label"] for e in finland["entities"]} >= {"Finland"}
        assert client.delete("/documents/norway-2025", headers=AUTH).status_code in (200, 204)
        assert _documents_of(client, "Non-Proliferation") == 1
        assert client.get("/documents/norway-2025").status_code == 404
