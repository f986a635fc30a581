"""graph.lineage_rules, graph.document_links, graph.stance_links, graph.connectivity: the
views, on hand-built graphs and on the hand-made corpus of links_fixture written to a real
store; the catalogue's entity lookup on the same store."""

from __future__ import annotations

import networkx as nx
import pytest
from links_fixture import CD_2020, DOCS, UNSC_2022, WP_2025, D, E, write

from graph.connectivity import centrality, co_mentions, communities, evidence_paths, pagerank
from graph.dates import compatible, period_bounds
from graph.document_links import follow_up_links, report_links
from graph.entities_graph import ENTITIES, add_descriptions
from graph.entity_descriptions import EntityDescription, entity_description
from graph.evidence import Evidence
from graph.lineage_rules import lineage
from graph.network import load_network
from graph.oxigraph_store import OxigraphStore
from graph.read.catalogue import Catalogue, load_catalogue
from graph.stance_links import stance_shifts, topic_positions

SPACE = "https://w3id.org/policykg/topic/outer-space"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    store = OxigraphStore(tmp_path_factory.mktemp("links") / "store")
    write(store, DOCS)
    return store


@pytest.fixture(scope="module")
def graph(store: OxigraphStore) -> nx.MultiDiGraph:
    return load_network(store)


@pytest.fixture(scope="module")
def catalogue(store: OxigraphStore) -> Catalogue:
    return load_catalogue(store)


def quote_at(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


# -- lineage ------------------------------------------------------------------------------


def test_lineage_of_gids_in_date_order_with_quotes(graph: nx.MultiDiGraph, catalogue: Catalogue) -> None:
    steps = lineage(graph, catalogue.resolve_entity("Global Data Security Initiative")).steps
    assert [(s.role, s.event_type, s.date, s.document.doc_id) for s in steps] == [
        ("origin", "launch", "2020-09-08", "cd-2020"),
        ("invocation", "invoke", "2022-05-23", "unsc-2022"),
        ("invocation", "invoke", "2025-11", "wp-2025"),
    ]
    origin = steps[0]
    launch = (
        "Today, State Councilor Wang Yi launched the Global Initiative on Data Security at the "
        "International Seminar on Global Digital Governance."
    )
    assert origin.evidence == Evidence(D("cd-2020"), *quote_at(CD_2020, launch), launch)
    assert (origin.document.forum, origin.document.speaker, origin.actor) == (E("cd"), E("li-song"), E("china"))
    # The 2022 speech and the 2025 white paper recall the same launch: one event, three reports.
    assert origin.reported_in == (D("unsc-2022"), D("wp-2025"))
    recall = "In 2020, China launched the Global Data Security Initiative."
    assert steps[1].evidence == Evidence(D("unsc-2022"), *quote_at(UNSC_2022, recall), recall)
    assert (steps[1].document.forum, steps[1].document.speaker) == (E("unsc"), E("zhang-jun"))
    white = "In September 2020, China launched the Global Initiative on Data Security."
    assert steps[2].evidence == Evidence(D("wp-2025"), *quote_at(WP_2025, white), white)


def test_lineage_of_an_instrument_dates_the_event_not_the_report(graph: nx.MultiDiGraph) -> None:
    steps = lineage(graph, E("ppwt")).steps
    assert [(s.role, s.event_type, s.date, s.document.doc_id) for s in steps] == [
        ("origin", "submit", "2008", "unga-2021"),
        ("invocation", "invoke", "2021-09-25", "unga-2021"),
        ("invocation", "invoke", "2024-09-28", "unga-2024"),
        ("invocation", "invoke", "2025-11", "wp-2025"),
    ]
    # An invocation quotes the stance the document takes on the instrument.
    assert steps[1].evidence is not None
    assert steps[1].evidence.quote == "Russia supports the Treaty on the Prevention of the Placement of Weapons in Outer Space."


def test_event_clusters_keep_distinct_events_apart() -> None:
    g = nx.MultiDiGraph()
    g.add_node("urn:x", kind="entity", label="X", type="Instrument")
    reports = [
        ("urn:a", "2011-09-12", "submit", "2011-09"),
        ("urn:b", "2016-01-02", "submit", "2015"),
        ("urn:c", "2016-01-02", "update", "2015"),
        ("urn:d", "2019-05-05", "submit", "2011"),
    ]
    for i, (doc, day, kind, when) in enumerate(reports):
        g.add_node(doc, kind="document", doc_id=doc[4:], date=day, sort_date=day)
        g.add_node(f"urn:ev{i}", kind="event", event_type=kind, date=when, sort_date=(when + "-01-01")[:10],
                   document=doc, evidence=Evidence(doc, i, i + 5, f"q{i}"))
        g.add_edge(f"urn:ev{i}", "urn:x", key="subject")
    steps = lineage(g, "urn:x").steps
    assert [(s.role, s.event_type, s.date, s.document.doc_id, s.reported_in) for s in steps] == [
        ("origin", "submit", "2011-09", "a", ("urn:d",)),
        ("event", "submit", "2015", "b", ()),
        ("event", "update", "2015", "c", ()),
    ]


def test_resolve_entity_by_any_name(catalogue: Catalogue) -> None:
    for name in ("Global Initiative on Data Security", "global data security initiative", "GDSI", "gids", E("gids")):
        assert catalogue.resolve_entity(name) == E("gids")
    with pytest.raises(LookupError, match="no entity is called 'Nothing'"):
        catalogue.resolve_entity("Nothing")


def test_resolve_entity_reports_ambiguity() -> None:
    store = OxigraphStore(None)
    for key, label in (("disarmament-conference", "Conference on Disarmament"), ("deposit", "Certificate of Deposit")):
        add_descriptions(store, entity_description(EntityDescription(key, label, "Forum", acronyms=("CD",)), ENTITIES))
    with pytest.raises(LookupError, match="several entities"):
        load_catalogue(store).resolve_entity("cd")


# -- document links -----------------------------------------------------------------------


def test_document_links(graph: nx.MultiDiGraph) -> None:
    found = report_links(graph) + follow_up_links(graph)
    links = [(link.kind, link.source, link.target, link.via) for link in found]
    assert links == [
        ("reports_on", D("news-2022"), D("unsc-2022"), ()),
        ("follows_up", D("unsc-2022"), D("cd-2020"), (E("gids"),)),
        ("follows_up", D("wp-2025"), D("cd-2020"), (E("gids"),)),
    ]
    touching = report_links(graph, [D("wp-2025")]) + follow_up_links(graph, [D("wp-2025")])
    assert [link.source for link in touching] == [D("wp-2025")]


def test_news_report_needs_same_speaker_or_forum_and_a_close_date() -> None:
    g = nx.MultiDiGraph()
    g.add_node("urn:speech", kind="document", genre="speech", date="2022-05-23", forum="urn:unsc", actor="urn:cn")
    g.add_node("urn:same-forum", kind="document", genre="news_report", date="2022-05-23", forum="urn:unsc")
    g.add_node("urn:other-actor", kind="document", genre="news_report", date="2022-05-23", forum="urn:unsc",
               actor="urn:us")
    g.add_node("urn:late", kind="document", genre="news_report", date="2022-05-25", forum="urn:unsc")
    g.add_node("urn:month", kind="document", genre="news_report", date="2022-05", forum="urn:unsc")
    assert [(link.source, link.target) for link in report_links(g)] == [("urn:same-forum", "urn:speech")]


# -- timelines ----------------------------------------------------------------------------


def test_dates() -> None:
    assert compatible("2020", "2020-09-08") and not compatible("2020-10", "2020-09-08")
    assert period_bounds("2022-05", "2022-05") == ("2022-05-01", "2022-05-31")


# -- stances ------------------------------------------------------------------------------


def test_stance_shifts_give_both_quotes(graph: nx.MultiDiGraph) -> None:
    (polarity,) = stance_shifts(graph, E("russia"), SPACE)
    assert (polarity.kind, polarity.before.polarity, polarity.after.polarity) == ("polarity", "support", "oppose")
    assert (polarity.before.doc_id, polarity.after.doc_id) == ("unga-2021", "unga-2024")
    assert polarity.before.evidence is not None and polarity.after.evidence is not None
    assert polarity.before.evidence.quote.startswith("Russia supports the Treaty")
    assert polarity.after.evidence.quote.startswith("Russia opposes the Treaty")
    # China: the news report repeats the 2022 speech and is not a statement of its own.
    (target,) = stance_shifts(graph, E("china"))
    assert (target.kind, target.before.doc_id, target.after.doc_id) == ("target", "unsc-2022", "wp-2025")
    assert (target.before.target, target.after.target) == (
        "peaceful uses of outer space",
        "Treaty on the Prevention of the Placement of Weapons in Outer Space",
    )


def test_topic_positions(graph: nx.MultiDiGraph) -> None:
    table = {
        h.holder: ([p.doc_id for p in h.support], [p.doc_id for p in h.oppose]) for h in topic_positions(graph, SPACE)
    }
    assert table == {
        E("china"): (["unsc-2022", "wp-2025"], ["cd-2020", "wp-2025"]),
        E("russia"): (["unga-2021"], ["unga-2024"]),
    }


# -- co-mention, paths, centrality, communities -------------------------------------------


def test_co_mention_weights(graph: nx.MultiDiGraph) -> None:
    weights = {(c.a, c.b): (c.weight, c.documents) for c in co_mentions(graph)}
    assert weights[(E("china"), E("gids"))] == (3, (D("cd-2020"), D("unsc-2022"), D("wp-2025")))
    assert weights[(E("china"), E("unsc"))] == (2, (D("news-2022"), D("unsc-2022")))
    assert (E("bwc"), E("tianjin")) not in weights
    assert len(weights) == 38


def test_path_between_entities_never_named_together(graph: nx.MultiDiGraph) -> None:
    paths = evidence_paths(graph, E("tianjin"), E("bwc"))
    assert [p.entities for p in paths] == [
        (E("tianjin"), E("gids"), E("bwc")),
        (E("tianjin"), E("china"), E("bwc")),
    ]
    first, second = paths[0].hops
    assert (first.document.doc_id, second.document.doc_id) == ("unsc-2022", "cd-2020")
    assert first.source_evidence is not None and first.target_evidence is not None
    assert first.source_evidence.quote == "Tianjin Biosecurity Guidelines for Codes of Conduct for Scientists"
    assert first.target_evidence == Evidence(
        D("unsc-2022"), *quote_at(UNSC_2022, "Global Data Security Initiative"), "Global Data Security Initiative"
    )
    assert second.documents == (D("cd-2020"),)
    assert evidence_paths(graph, E("tianjin"), E("bwc"), max_hops=1) == []


def test_path_needs_known_distinct_ends(graph: nx.MultiDiGraph) -> None:
    with pytest.raises(ValueError):
        evidence_paths(graph, E("bwc"), E("bwc"))
    with pytest.raises(LookupError):
        evidence_paths(graph, E("bwc"), "urn:nothing")


def test_centrality_and_communities_on_a_hand_built_graph() -> None:
    g = nx.MultiDiGraph()
    for doc, ents in (("urn:d1", "hab"), ("urn:d2", "hc"), ("urn:d3", "hd"), ("urn:d4", "cd"), ("urn:d5", "ce")):
        g.add_node(doc, kind="document")
        for e in ents:
            g.add_node("urn:" + e, kind="entity", label=e.upper(), type="Forum" if e == "h" else "State")
            g.add_edge(doc, "urn:" + e, key="mentions")
    ranked = centrality(g)
    assert [r.label for r in ranked] == ["H", "C", "D", "A", "B", "E"]
    assert [r.label for r in centrality(g, types=["Forum"])] == ["H"]
    assert abs(sum(r.score for r in ranked) - 1.0) < 1e-6
    assert communities(g) == [("urn:a", "urn:b", "urn:h"), ("urn:c", "urn:d", "urn:e")]


def test_pagerank_matches_the_closed_form_on_a_star() -> None:
    scores = pagerank(nx.Graph([("hub", "x"), ("hub", "y"), ("hub", "z")]))
    # hub = (1-a)/4 + a * 3 * leaf; leaf = (1-a)/4 + a * hub/3, with a = 0.85
    assert round(scores["hub"], 4) == 0.4797
    assert round(scores["x"], 4) == round(scores["y"], 4) == 0.1734
