"""graph.derived, graph.links_refresh: the links graph in a real store on disk, full and incremental."""

from __future__ import annotations

from pathlib import Path

import pytest
from links_fixture import CD_2020, DOCS, D, Doc, E, _meta, write

from graph.derived import rebuild_links
from graph.lineage_query import LINEAGE_QUERY, lineage_query
from graph.links_refresh import refresh_links
from graph.oxigraph_store import OxigraphStore
from ontology.namespace import LINKS_GRAPH, doc_graph_iri, sparql_prefixes

LINKS = str(LINKS_GRAPH)


def links_snapshot(store: OxigraphStore) -> set[str]:
    return {str(q) for q in store.graph_quads(LINKS)}


def rebuilt_snapshot(store: OxigraphStore, tmp_path: Path) -> set[str]:
    """The links graph a full rebuild gives for the store's current documents."""
    fresh = OxigraphStore(tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}")
    for graph in store.graphs():
        if graph != LINKS:
            fresh.replace_graph(graph, list(store.graph_quads(graph)))
    rebuild_links(fresh)
    snapshot = links_snapshot(fresh)
    fresh.close()
    return snapshot


def rows(store: OxigraphStore, query: str) -> list[dict[str, str | None]]:
    result = store.query(query)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


@pytest.fixture
def store(tmp_path: Path) -> OxigraphStore:
    store = OxigraphStore(tmp_path / "store")
    write(store, DOCS)
    return store


def test_lineage_in_one_sparql_query(store: OxigraphStore) -> None:
    stats = rebuild_links(store)
    assert (stats.full, stats.documents, stats.steps, stats.document_links, stats.shifts) == (True, 6, 11, 3, 2)
    chain = rows(store, LINEAGE_QUERY)
    assert [(r["role"], r["eventType"], r["date"], r["docId"], r["forum"], r["speaker"]) for r in chain] == [
        ("origin", "launch", "2020-09-08", "cd-2020", "Conference on Disarmament", "Li Song"),
        ("invocation", "invoke", "2022-05-23", "unsc-2022", "United Nations Security Council", "Zhang Jun"),
        ("invocation", "invoke", "2025-11", "wp-2025", None, None),
    ]
    quote = chain[0]["quote"]
    assert quote is not None and quote.startswith("Today, State Councilor Wang Yi launched")
    assert CD_2020[int(str(chain[0]["start"])) : int(str(chain[0]["end"]))] == quote
    assert [r["genre"] for r in chain] == ["speech", "speech", "white_paper"]
    # Any alias, any case.
    assert rows(store, lineage_query("gdsi")) == chain
    assert rows(store, lineage_query('no "such" thing')) == []


def test_every_derived_resource_names_its_rule(store: OxigraphStore) -> None:
    rebuild_links(store)
    query = sparql_prefixes() + f"""
SELECT ?type (COUNT(DISTINCT ?n) AS ?count) (COUNT(DISTINCT ?rule) AS ?rules) WHERE {{ GRAPH <{LINKS}> {{
  ?n a ?type . VALUES ?type {{ pkg:LineageStep pkg:DocumentLink pkg:StanceShift }}
  OPTIONAL {{ ?n prov:wasGeneratedBy ?rule . ?rule a prov:Activity ; pkg:rule ?text }}
}} }} GROUP BY ?type ORDER BY ?type"""
    counts = {str(r["type"]).rsplit("#", 1)[1]: (r["count"], r["rules"]) for r in rows(store, query)}
    assert counts == {
        "DocumentLink": ("3", "2"),
        "LineageStep": ("11", "2"),
        "StanceShift": ("2", "1"),
    }
    missing = sparql_prefixes() + f"""
ASK {{ GRAPH <{LINKS}> {{ ?n a ?type . FILTER NOT EXISTS {{ ?n prov:wasGeneratedBy ?rule }}
  VALUES ?type {{ pkg:LineageStep pkg:DocumentLink pkg:StanceShift }} }} }}"""
    assert not store.query(missing)


def test_document_links_and_co_mentions_in_sparql(store: OxigraphStore) -> None:
    """Follow-ups and news reports are in the links graph; co-mention weights are one
    aggregate over the document graphs (not materialised: see graph.derived)."""
    rebuild_links(store)
    follow = sparql_prefixes() + f"""
SELECT ?b ?a ?rel WHERE {{ GRAPH <{LINKS}> {{ ?b ?rel ?a . FILTER(?rel IN (pkg:followsUp, pkg:reportsOn)) }} }}
ORDER BY ?rel ?b"""
    assert [(r["b"], r["a"], str(r["rel"]).rsplit("#", 1)[1]) for r in rows(store, follow)] == [
        (D("unsc-2022"), D("cd-2020"), "followsUp"),
        (D("wp-2025"), D("cd-2020"), "followsUp"),
        (D("news-2022"), D("unsc-2022"), "reportsOn"),
    ]
    via = sparql_prefixes() + f"""
SELECT ?b ?x WHERE {{ GRAPH <{LINKS}> {{ ?n a pkg:FollowUp ; pkg:fromDocument ?b ; pkg:via ?x }} }} ORDER BY ?b"""
    assert [(r["b"], r["x"]) for r in rows(store, via)] == [(D("unsc-2022"), E("gids")), (D("wp-2025"), E("gids"))]
    weight = sparql_prefixes() + f"""
SELECT ?other (COUNT(DISTINCT ?d) AS ?w) WHERE {{
  GRAPH ?g {{ ?d a pkg:Document ; schema:mentions <{E("gids")}>, ?other }} FILTER(?other != <{E("gids")}>)
}} GROUP BY ?other ORDER BY DESC(?w) ?other LIMIT 2"""
    assert [(r["other"], r["w"]) for r in rows(store, weight)] == [(E("china"), "3"), (E("bwc"), "1")]


def test_an_earlier_launch_report_moves_every_follow_up(store: OxigraphStore, tmp_path: Path) -> None:
    """A document reporting the launch a day before the known origin becomes the origin:
    the refresh re-targets the follow-ups of documents it did not touch."""
    rebuild_links(store)
    text = "Yesterday's news: China launched the Global Initiative on Data Security today."
    early = Doc(
        "news-2020", text, _meta("2020-09-07", "news_report", "china"),
        {"china": ["China"], "gids": ["Global Initiative on Data Security"]},
        [("launch", "gids", "2020-09-07", text, "china")],
    )
    docs = {**DOCS, "news-2020": early}
    write(store, ["news-2020"], docs)
    refresh_links(store, ["news-2020"], [])
    assert links_snapshot(store) == rebuilt_snapshot(store, tmp_path)
    follow = sparql_prefixes() + f"""
SELECT ?b ?a WHERE {{ GRAPH <{LINKS}> {{ ?b pkg:followsUp ?a }} }} ORDER BY ?b"""
    assert [(r["b"], r["a"]) for r in rows(store, follow)] == [
        (D("cd-2020"), D("news-2020")),
        (D("unsc-2022"), D("news-2020")),
        (D("wp-2025"), D("news-2020")),
    ]
    store.drop_graph(doc_graph_iri("news-2020"))
    refresh_links(store, [], ["news-2020"])
    assert links_snapshot(store) == rebuilt_snapshot(store, tmp_path)
    assert [r["a"] for r in rows(store, follow)] == [D("cd-2020"), D("cd-2020")]


def test_refresh_after_add_remove_and_change_equals_a_rebuild(store: OxigraphStore, tmp_path: Path) -> None:
    store.drop_graph(doc_graph_iri("wp-2025"))
    rebuild_links(store)
    write(store, ["wp-2025"])
    stats = refresh_links(store, ["wp-2025"], [])
    assert (stats.full, stats.documents) == (False, 1)
    assert links_snapshot(store) == rebuilt_snapshot(store, tmp_path)

    # The statement a news report covers goes: the report becomes a statement of its own.
    store.drop_graph(doc_graph_iri("unsc-2022"))
    refresh_links(store, [], ["unsc-2022"])
    assert links_snapshot(store) == rebuilt_snapshot(store, tmp_path)
    assert not store.query(f"ASK {{ GRAPH <{LINKS}> {{ ?s ?p <{D('unsc-2022')}> }} }}")
    assert not store.query(f"ASK {{ GRAPH <{LINKS}> {{ <{D('unsc-2022')}> ?p ?o }} }}")

    # The origin document goes, then comes back changed (another day: no longer the launch).
    store.drop_graph(doc_graph_iri("cd-2020"))
    refresh_links(store, [], [D("cd-2020")])
    assert links_snapshot(store) == rebuilt_snapshot(store, tmp_path)
    write(store, ["unsc-2022", "cd-2020"])
    refresh_links(store, ["unsc-2022", "cd-2020"], [])
    assert links_snapshot(store) == rebuilt_snapshot(store, tmp_path)
    assert rows(store, LINEAGE_QUERY)[0]["docId"] == "cd-2020"


def test_refresh_of_a_changed_document(store: OxigraphStore, tmp_path: Path) -> None:
    rebuild_links(store)
    changed = dict(DOCS)
    news = DOCS["news-2022"]
    from dataclasses import replace

    # The news report now carries another date: it is no longer a report of the speech.
    changed["news-2022"] = replace(news, meta=replace(news.meta, date="2022-06-30"))
    write(store, ["news-2022"], changed)
    refresh_links(store, ["news-2022"], [])
    assert links_snapshot(store) == rebuilt_snapshot(store, tmp_path)
    assert not store.query(sparql_prefixes() + f"ASK {{ GRAPH <{LINKS}> {{ ?b pkg:reportsOn ?a }} }}")


def test_refresh_without_a_links_graph_builds_it(store: OxigraphStore) -> None:
    stats = refresh_links(store, ["cd-2020"], [])
    assert stats.full and stats.steps == 11
    assert refresh_links(store, [], []).quads == 0
