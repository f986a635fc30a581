"""graph.network: the store projected into networkx (real Oxigraph store on disk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from links_fixture import CD_2020, DOCS, UNSC_2022, D, E, write

from graph.evidence import Evidence
from graph.network import NetworkBuilder, load_network, targets
from graph.oxigraph_store import OxigraphStore

TOPIC_SPACE = "https://w3id.org/policykg/topic/outer-space"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    path: Path = tmp_path_factory.mktemp("network") / "store"
    store = OxigraphStore(path)
    write(store, DOCS)
    return store


def test_documents_carry_metadata(store: OxigraphStore) -> None:
    graph = load_network(store)
    cd = graph.nodes[D("cd-2020")]
    assert cd["kind"] == "document"
    assert (cd["doc_id"], cd["date"], cd["sort_date"], cd["genre"]) == ("cd-2020", "2020-09-08", "2020-09-08", "speech")
    assert (cd["actor"], cd["speaker"], cd["forum"]) == (E("china"), E("li-song"), E("cd"))
    white_paper = graph.nodes[D("wp-2025")]
    assert (white_paper["date"], white_paper["sort_date"], white_paper["forum"]) == ("2025-11", "2025-11-01", None)
    assert targets(graph, D("cd-2020"), "forum") == [E("cd")]


def test_entities_have_labels_aliases_and_acronyms(store: OxigraphStore) -> None:
    graph = load_network(store)
    gids = graph.nodes[E("gids")]
    assert gids["label"] == "Global Initiative on Data Security"
    assert gids["type"] == "Initiative"
    assert gids["aliases"] == ("Global Data Security Initiative",)
    assert gids["acronyms"] == ("GDSI",)
    assert graph.nodes[E("unsc")]["acronyms"] == ("UNSC",)


def test_mentions_carry_count_and_first_mention(store: OxigraphStore) -> None:
    graph = load_network(store)
    edge = graph.edges[D("cd-2020"), E("gids"), "mentions"]
    start = CD_2020.index("Global Initiative on Data Security")
    assert edge["count"] == 2
    assert edge["evidence"] == Evidence(D("cd-2020"), start, start + 34, "Global Initiative on Data Security")
    assert CD_2020[edge["evidence"].start : edge["evidence"].end] == edge["evidence"].quote
    alias = graph.edges[D("unsc-2022"), E("gids"), "mentions"]["evidence"]
    assert alias.quote == "Global Data Security Initiative"
    assert UNSC_2022[alias.start : alias.end] == alias.quote


def test_events_and_stances(store: OxigraphStore) -> None:
    graph = load_network(store)
    (event,) = targets(graph, D("unsc-2022"), "has_event")[:1]
    launch = graph.nodes[event]
    assert (launch["event_type"], launch["date"], launch["sort_date"]) == ("launch", "2020", "2020-01-01")
    assert targets(graph, event, "subject") == [E("gids")]
    assert targets(graph, event, "event_actor") == [E("china")]
    assert launch["evidence"].quote == "In 2020, China launched the Global Data Security Initiative."
    stances = targets(graph, D("unga-2024"), "has_stance")
    assert len(stances) == 1
    stance = graph.nodes[stances[0]]
    assert (stance["polarity"], stance["date"]) == ("oppose", "2024-09-28")
    assert targets(graph, stances[0], "topic") == [TOPIC_SPACE]
    assert targets(graph, stances[0], "target_entity") == [E("ppwt")]
    assert targets(graph, stances[0], "holder") == [E("russia")]
    assert graph.nodes[TOPIC_SPACE]["kind"] == "topic"


def test_restricted_load_and_cheap_mentions(store: OxigraphStore) -> None:
    graph = load_network(store, docs=[D("news-2022"), D("no-such-doc")], mention_evidence=False)
    documents = sorted(n for n, a in graph.nodes(data=True) if a["kind"] == "document")
    assert documents == [D("news-2022")]
    assert "evidence" not in graph.edges[D("news-2022"), E("xinhua"), "mentions"]
    assert graph.nodes[E("xinhua")]["label"] == "Xinhua News Agency"

    builder = NetworkBuilder(store)
    builder.add_mentions(entities=[E("gids")], evidence=False)
    assert sorted(u for u, _ in builder.graph.in_edges(E("gids"))) == [D("cd-2020"), D("unsc-2022"), D("wp-2025")]
    builder.add_events(subjects=[E("ppwt")])
    events = [n for n, a in builder.graph.nodes(data=True) if a["kind"] == "event"]
    assert [builder.graph.nodes[e]["event_type"] for e in events] == ["submit"]
    assert builder.add_documents_on_days(["2022-05-24"]) == [D("news-2022")]
