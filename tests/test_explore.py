"""/explore: an entity's bounded neighbourhood (graph.read.neighbourhood), over a real store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from links_fixture import DOCS, write

from api.app import create_app
from graph.derived import rebuild_links
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("explore") / "store"
    store = OxigraphStore(path)
    write(store, DOCS)
    rebuild_links(store)
    with TestClient(create_app(get_settings(store=str(path)), store=store)) as test_client:
        yield test_client


def test_neighbourhood_of_an_initiative_is_bounded_and_focused(client: TestClient) -> None:
    found = client.get("/explore", params={"entity": "GDSI"}).json()
    focus = [n for n in found["nodes"] if n["focus"]]
    assert [n["id"] for n in focus] == ["https://w3id.org/policykg/entity/gids"]
    ids = {n["id"] for n in found["nodes"]}
    assert len(ids) == len(found["nodes"]) <= 60
    assert all(e["source"] in ids and e["target"] in ids for e in found["edges"])
    assert {n["type"] for n in found["nodes"]} <= {"State", "Person", "Initiative", "Instrument", "Forum",
                                                   "Organization", "Topic", "Entity"}
    china = next(n for n in found["nodes"] if n["label"] == "China")
    co = next(e for e in found["edges"] if e["kind"] == "co_mention" and e["target"] == china["id"])
    assert co["weight"] == 3  # three documents mention both


def test_stances_are_coloured_edges_with_quotes(client: TestClient) -> None:
    found = client.get("/explore", params={"entity": "China"}).json()
    stances = [e for e in found["edges"] if e["kind"] == "stance"]
    assert stances and {e["polarity"] for e in stances} <= {"support", "oppose"}
    china = "https://w3id.org/policykg/entity/china"
    assert all(e["source"] == china or e["target"] == china for e in stances)
    for edge in stances:
        for evidence in edge["evidence"]:
            assert evidence["link"].startswith(f"/documents/{evidence['doc_id']}/html#q-")
            assert evidence["quote"]
    space = client.get("/explore", params={"entity": "China", "topic": "outer space"}).json()
    assert space["edges"] and all(e["kind"] == "stance" for e in space["edges"])
    assert len({e["topic"] for e in space["edges"]}) == 1


def test_small_limits_count_what_is_left_out(client: TestClient) -> None:
    found = client.get("/explore", params={"entity": "China", "max_nodes": 3, "depth": 2}).json()
    assert len(found["nodes"]) == 3 and found["truncated"] is True
    assert sum(found["left_out"].values()) > 0
    only_states = client.get("/explore", params={"entity": "GDSI", "types": "State"}).json()
    assert {n["type"] for n in only_states["nodes"] if not n["focus"]} == {"State"}


def test_without_an_entity_it_counts_what_there_is_and_shared_documents_explain_edges(
    client: TestClient,
) -> None:
    start = client.get("/explore").json()
    assert start["focus"] is None and start["left_out"]["Initiative"] >= 2
    shared = client.get("/explore/shared", params={"a": "GDSI", "b": "China"}).json()
    assert [d["doc_id"] for d in shared] == ["wp-2025", "unsc-2022", "cd-2020"]
    assert client.get("/explore", params={"entity": "Atlantis"}).status_code == 404
