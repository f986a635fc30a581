"""The REST API over a real store on disk (the hand-made corpus of links_fixture, written
through graph.rdf): documents, entities, timelines, lineage, stances, paths, search."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from links_fixture import CD_2020, DOCS, UNSC_2022, WP_2025, write

from api.app import create_app
from graph.derived import rebuild_links
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings

TEXTS = {"cd-2020": CD_2020, "unsc-2022": UNSC_2022, "wp-2025": WP_2025}
TEXTS.update({d: doc.text for d, doc in DOCS.items()})


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("rest") / "store"
    store = OxigraphStore(path)
    write(store, DOCS)
    rebuild_links(store)
    with TestClient(create_app(get_settings(store=str(path)), store=store)) as test_client:
        yield test_client


def check_quote(evidence: dict[str, object]) -> None:
    text = TEXTS[str(evidence["doc_id"])]
    assert text[int(str(evidence["start"])) : int(str(evidence["end"]))] == evidence["quote"]


def test_documents_in_date_order_with_filters(client: TestClient) -> None:
    page = client.get("/documents").json()
    assert page["total"] == 6
    assert [d["id"] for d in page["items"]] == [
        "cd-2020",
        "unga-2021",
        "unsc-2022",
        "news-2022",
        "unga-2024",
        "wp-2025",
    ]
    first = page["items"][0]
    assert (first["date"], first["genre"], first["forum"]["label"], first["speaker"]["label"]) == (
        "2020-09-08",
        "speech",
        "Conference on Disarmament",
        "Li Song",
    )
    assert [
        d["id"] for d in client.get("/documents", params={"actor": "Russian Federation"}).json()["items"]
    ] == ["unga-2021", "unga-2024"]
    assert [d["id"] for d in client.get("/documents", params={"forum": "UNSC"}).json()["items"]] == [
        "unsc-2022",
        "news-2022",
    ]
    windowed = client.get(
        "/documents", params={"from": "2022", "to": "2024-09", "limit": 2, "offset": 1}
    ).json()
    assert (windowed["total"], [d["id"] for d in windowed["items"]]) == (3, ["news-2022", "unga-2024"])


def test_document_detail_with_highlighted_evidence(client: TestClient) -> None:
    doc = client.get("/documents/cd-2020").json()
    assert doc["text"] == CD_2020 and doc["length"] == len(CD_2020)
    gids = next(e for e in doc["entities"] if e["entity"]["id"] == "gids")
    assert gids["count"] == 2
    assert [CD_2020[m["start"] : m["end"]] for m in gids["mentions"]] == [
        "Global Initiative on Data Security"
    ] * 2
    assert [(e["event_type"], e["subject"]["id"], e["date"]) for e in doc["events"]] == [
        ("launch", "gids", "2020-09-08")
    ]
    assert [(s["holder"]["label"], s["polarity"], s["topic"]["id"]) for s in doc["stances"]] == [
        ("China", "support", "data-security"),
        ("China", "oppose", "outer-space"),
    ]
    for item in doc["events"] + doc["stances"]:
        check_quote(item["evidence"])
    starts = [h["start"] for h in doc["highlights"]]
    assert starts == sorted(starts)
    assert {h["kind"] for h in doc["highlights"]} == {"mention", "event", "stance"}
    page = client.get("/documents/cd-2020/html")
    assert page.headers["content-type"].startswith("text/html")
    assert '<mark class="event' in page.text and '<mark class="event mention"' in page.text
    body = page.text.split("</h1>", 1)[1].removesuffix("</body></html>")
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == CD_2020


def test_unknown_ids_are_404_with_a_message(client: TestClient) -> None:
    response = client.get("/documents/no-such-doc")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank", "title": "Not Found", "status": 404,
        "detail": "no document has the id 'no-such-doc'", "instance": "/documents/no-such-doc",
    }
    entity = client.get("/entities/Atlantis Initiative")
    assert entity.status_code == 404 and "Atlantis Initiative" in entity.json()["detail"]
    assert client.get("/lineage/nothing-here").status_code == 404
    assert client.get("/timeline", params={"topic": "gardening"}).status_code == 404


def test_bad_parameters_are_422(client: TestClient) -> None:
    bad_date = client.get("/timeline", params={"entity": "gids", "from": "2021-13"})
    assert bad_date.status_code == 422 and "from" in bad_date.json()["detail"]
    assert bad_date.json()["errors"][0]["loc"] == ["query", "from"]
    no_such_day = client.get("/timeline", params={"entity": "gids", "from": "2020-02-30"})
    assert no_such_day.status_code == 422 and "2020-02-30 is not a date" in no_such_day.json()["detail"]
    assert client.get("/timeline", params={"entity": "gids", "from": "2020-02-29"}).status_code == 200
    assert client.get("/search", params={"q": "china", "offset": 2**63}).status_code == 422
    assert client.get("/timeline").status_code == 422
    assert client.get("/stances", params={"polarity": "maybe"}).status_code == 422
    assert client.get("/entities", params={"type": "Planet"}).status_code == 422
    assert client.get("/documents", params={"limit": 0}).status_code == 422
    assert client.get("/paths", params={"from": "gids", "to": "GDSI"}).status_code == 422


def test_entities_by_type_and_name(client: TestClient) -> None:
    initiatives = client.get("/entities", params={"type": "initiative"}).json()
    assert [e["id"] for e in initiatives["items"]] == ["gids", "tianjin"]
    found = client.get("/entities", params={"q": "data security"}).json()["items"]
    assert found[0]["id"] == "gids" and found[0]["documents"] == 3
    assert client.get("/entities", params={"q": "gdsi"}).json()["items"][0]["id"] == "gids"


@pytest.mark.parametrize(
    "name", ["gids", "GDSI", "global data security initiative", "Global Initiative on Data Security"]
)
def test_entity_by_id_label_alias_or_acronym(client: TestClient, name: str) -> None:
    entity = client.get(f"/entities/{name}").json()
    assert (entity["id"], entity["type"], entity["label"]) == (
        "gids",
        "Initiative",
        "Global Initiative on Data Security",
    )
    assert entity["aliases"] == ["Global Data Security Initiative"] and entity["acronyms"] == ["GDSI"]
    assert [m["document"]["id"] for m in entity["mentions"]] == ["cd-2020", "unsc-2022", "wp-2025"]
    for mention in entity["mentions"]:
        check_quote(mention["evidence"])
    assert [(e["event_type"], e["date"], e["document"]["id"]) for e in entity["events"]] == [
        ("launch", "2020", "unsc-2022"),
        ("launch", "2020-09", "wp-2025"),
        ("launch", "2020-09-08", "cd-2020"),
    ]


def test_timeline_of_an_initiative_by_alias(client: TestClient) -> None:
    timeline = client.get("/timeline", params={"entity": "Global Data Security Initiative"}).json()
    assert timeline["entity"]["id"] == "gids"
    documents = [i for i in timeline["items"] if i["kind"] == "document"]
    assert [(i["document"]["id"], i["date"]) for i in documents] == [
        ("cd-2020", "2020-09-08"),
        ("unsc-2022", "2022-05-23"),
        ("wp-2025", "2025-11"),
    ]
    assert [i["document"]["precision"] for i in documents] == ["day", "day", "month"]
    for item in timeline["items"]:
        check_quote(item["evidence"])
    # One launch however many documents report it: dated at its most precise report.
    events = [i for i in timeline["items"] if i["kind"] == "event"]
    assert [(i["what"], i["date"], i["precision"]) for i in events] == [("launch", "2020-09-08", "day")]
    assert [(s["document"]["id"], s["reported_date"]) for s in events[0]["sources"]] == [
        ("cd-2020", "2020-09-08"), ("wp-2025", "2020-09"), ("unsc-2022", "2020"),
    ]
    for source in events[0]["sources"]:
        check_quote(source["evidence"])
    assert [i["kind"] for i in timeline["items"]][:2] == ["event", "document"]
    sort_dates = [i["sort_date"] for i in timeline["items"]]
    assert sort_dates == sorted(sort_dates)
    later = client.get("/timeline", params={"entity": "gids", "from": "2021"}).json()
    assert [i["document"]["id"] for i in later["items"] if i["kind"] == "document"] == [
        "unsc-2022",
        "wp-2025",
    ]


def test_timeline_of_an_actor_on_a_topic_and_of_a_forum(client: TestClient) -> None:
    russia = client.get("/timeline", params={"actor": "Russia", "topic": "outer-space"}).json()
    assert [(i["date"], i["what"]) for i in russia["items"]] == [
        ("2021-09-25", "support: Treaty on the Prevention of the Placement of Weapons in Outer Space"),
        (
            "2024-09-28",
            "oppose: Treaty on the Prevention of the Placement of Weapons in Outer Space in its present form",
        ),
    ]
    forum = client.get("/timeline", params={"forum": "General Assembly"}).json()
    assert [(i["kind"], i["document"]["id"]) for i in forum["items"]] == [
        ("document", "unga-2021"),
        ("document", "unga-2024"),
    ]


def test_lineage(client: TestClient) -> None:
    lineage = client.get("/lineage/GDSI").json()
    assert lineage["entity"]["label"] == "Global Initiative on Data Security"
    assert [(s["role"], s["event_type"], s["date"], s["document"]["id"]) for s in lineage["steps"]] == [
        ("origin", "launch", "2020-09-08", "cd-2020"),
        ("invocation", "invoke", "2022-05-23", "unsc-2022"),
        ("invocation", "invoke", "2025-11", "wp-2025"),
    ]
    assert sorted(lineage["steps"][0]["reported_in"]) == ["unsc-2022", "wp-2025"]
    for step in lineage["steps"]:
        check_quote(step["evidence"])


def test_stances_filtered(client: TestClient) -> None:
    china = client.get(
        "/stances", params={"holder": "China", "topic": "outer space", "polarity": "oppose"}
    ).json()
    assert [(s["document"]["id"], s["target"]) for s in china["items"]] == [
        ("cd-2020", "weaponization of outer space"),
        ("wp-2025", "weaponization of outer space"),
    ]
    news = client.get("/stances", params={"holder": "China", "from": "2022-05-24", "to": "2022-05-24"}).json()
    assert [(s["document"]["id"], s["reports_on"]) for s in news["items"]] == [("news-2022", "unsc-2022")]
    about_ppwt = client.get("/stances", params={"target": "PPWT"}).json()
    assert [(s["holder"]["label"], s["polarity"]) for s in about_ppwt["items"]] == [
        ("Russia", "support"),
        ("Russia", "oppose"),
        ("China", "support"),
    ]


def test_paths_between_entities(client: TestClient) -> None:
    found = client.get(
        "/paths", params={"from": "Tianjin Biosecurity Guidelines", "to": "Biological Weapons Convention"}
    ).json()
    assert found["source"]["id"] == "tianjin" and found["target"]["id"] == "bwc"
    first = found["paths"][0]
    assert [e["id"] for e in first["entities"]] == ["tianjin", "gids", "bwc"]
    assert [h["document"]["id"] for h in first["hops"]] == ["unsc-2022", "cd-2020"]
    for hop in first["hops"]:
        check_quote(hop["source_evidence"])
        check_quote(hop["target_evidence"])


def test_full_text_search(client: TestClient) -> None:
    found = client.get("/search", params={"q": "digital governance"}).json()
    assert sorted((h["kind"], h["doc_id"]) for h in found["items"]) == [
        ("document", "cd-2020"),
        ("event", "cd-2020"),
    ]
    event = next(h for h in found["items"] if h["kind"] == "event")
    assert CD_2020[event["start"] : event["end"]].startswith("Today, State Councilor Wang Yi launched")
    hit = next(h for h in found["items"] if h["kind"] == "document")
    assert CD_2020[hit["start"] : hit["end"]] == "Digital"
    assert "International Seminar on Global Digital Governance" in hit["snippet"]
    # Stemmed: "weaponization" also finds "Weapons".
    weapons = client.get("/search", params={"q": "weaponization", "kind": "document"}).json()
    assert sorted(h["doc_id"] for h in weapons["items"]) == ["cd-2020", "unga-2021", "unga-2024", "wp-2025"]
    quotes = client.get("/search", params={"q": '"launched the Global Initiative"', "kind": "event"}).json()
    assert sorted(h["doc_id"] for h in quotes["items"]) == ["cd-2020", "wp-2025"]
    stemmed = client.get("/search", params={"q": "launch data security"}).json()
    assert {h["doc_id"] for h in stemmed["items"]} >= {"cd-2020", "unsc-2022", "wp-2025"}
    assert client.get("/search", params={"q": "!!!"}).status_code == 422


def test_openapi_lists_the_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/sparql",
        "/documents",
        "/documents/{doc_id}",
        "/entities",
        "/entities/{entity}",
        "/timeline",
        "/lineage/{entity}",
        "/stances",
        "/paths",
        "/search",
        "/export",
    ):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/node_modules/swagger-ui-dist/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()


def test_co_mentions_of_an_entity_by_alias(client: TestClient) -> None:
    found = client.get("/entities/Global Data Security Initiative/co-mentions", params={"limit": 3}).json()
    assert found["total"] == 9
    assert [(c["entity"]["id"], c["documents"]) for c in found["items"]] == [
        ("china", 3),
        ("bwc", 1),
        ("cd", 1),
    ]
    rest = client.get("/entities/gids/co-mentions", params={"offset": 3}).json()
    assert [c["entity"]["id"] for c in rest["items"]] == [
        "li-song", "ppwt", "tianjin", "unsc", "wang-yi", "zhang-jun",
    ]
    assert client.get("/entities/no-such-thing/co-mentions").status_code == 404


def test_entity_detail_counts_roles_and_event_actors(client: TestClient) -> None:
    entity = client.get("/entities/gids").json()
    assert entity["documents"] == 3 and [m["count"] for m in entity["mentions"]] == [2, 1, 1]
    assert [e["actor"]["label"] for e in entity["events"]] == ["China", "China", "China"]
    council = client.get("/entities/UNSC").json()
    assert council["roles"] == {"forum": ["news-2022", "unsc-2022"]}
    assert [m["document"]["id"] for m in council["mentions"]] == ["unsc-2022", "news-2022", "unga-2024"]
