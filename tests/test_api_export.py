"""/export: GraphML and GEXF read back by networkx, Cytoscape.js, node-link, TimelineJS,
RDF; and the Cytoscape.js and TimelineJS exports drawn in headless Chromium."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import networkx as nx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from links_fixture import DOCS, write

from api import export_graph, export_rdf, exports
from api.app import create_app
from api.export_rdf import rdf_stream
from graph.network import load_network
from graph.oxigraph_store import OxigraphStore
from graph.read.catalogue import load_catalogue
from graph.read.ego import ego_facts
from graph.stats import distinct_triples
from policykg.settings import get_settings

STATIC = Path(__file__).parents[1] / "api" / "static" / "node_modules"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    path = tmp_path_factory.mktemp("export") / "store"
    store = OxigraphStore(path)
    write(store, DOCS)
    return store


@pytest.fixture(scope="module")
def client(store: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(store=str(store.path)), store=store)) as test_client:
        yield test_client


def read_graphml_by_iri(data: bytes) -> nx.MultiDiGraph:
    """GraphML node ids are escaped IRIs; the IRI is the ``iri`` attribute."""
    graph = nx.read_graphml(io.BytesIO(data))
    return nx.relabel_nodes(graph, {n: d["iri"] for n, d in graph.nodes(data=True)})


def read_gexf_13(data: bytes) -> nx.MultiDiGraph:
    return nx.read_gexf(io.BytesIO(data), version="1.3")


@pytest.mark.parametrize("fmt, reader", [("graphml", read_graphml_by_iri), ("gexf", read_gexf_13)])
def test_graphml_and_gexf_round_trip_through_networkx(client: TestClient, fmt: str, reader: Any) -> None:
    network = load_network(client.app.state.ctx.store)  # type: ignore[attr-defined]
    response = client.get("/export", params={"format": fmt})
    assert response.status_code == 200
    graph = reader(response.content)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (
        network.number_of_nodes(),
        network.number_of_edges(),
    )
    gids = graph.nodes["https://w3id.org/policykg/entity/gids"]
    assert (gids["label"], gids["type"], gids["kind"]) == (
        "Global Initiative on Data Security",
        "Initiative",
        "entity",
    )
    doc = graph.nodes["https://w3id.org/policykg/doc/cd-2020"]
    assert (doc["label"], doc["date"]) == ("Li Song at the CD", "2020-09-08")
    rels = sorted({d["rel"] for _, _, d in graph.edges(data=True)})
    assert rels == [
        "actor",
        "event_actor",
        "forum",
        "has_event",
        "has_stance",
        "holder",
        "mentions",
        "speaker",
        "subject",
        "target_entity",
        "topic",
    ]


def test_filtered_export_keeps_the_documents_of_an_entity(client: TestClient) -> None:
    response = client.get("/export", params={"format": "graphml", "entity": "GDSI", "to": "2022"})
    graph = read_graphml_by_iri(response.content)
    documents = sorted(n for n, d in graph.nodes(data=True) if d["kind"] == "document")
    assert documents == ["https://w3id.org/policykg/doc/cd-2020", "https://w3id.org/policykg/doc/unsc-2022"]
    assert "https://w3id.org/policykg/entity/tianjin" in graph  # held by a kept document


def facts_of(graph: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    return {n: d for n, d in graph.nodes(data=True) if d.get("kind") in ("event", "stance")}


def test_an_entity_export_is_its_ego_network(client: TestClient, store: OxigraphStore) -> None:
    full = load_network(store)  # everything, the reference
    gids = "https://w3id.org/policykg/entity/gids"
    ego = read_graphml_by_iri(client.get("/export", params={"format": "graphml", "entity": "gids"}).content)
    docs = {n for n, d in ego.nodes(data=True) if d["kind"] == "document"}
    assert len(docs) == 3
    # Who else the documents name: every mention link, every actor, speaker and forum.
    ties = ("mentions", "actor", "speaker", "forum")
    assert {(u, v, k) for u, v, k in full.edges(keys=True) if u in docs and k in ties} == {
        (u, v, d["rel"]) for u, v, d in ego.edges(data=True) if d["rel"] in ties
    }
    # The events and stances of the entity only (subject, actor, holder, target), with quotes.
    roles = ("subject", "event_actor", "holder", "target_entity")
    of_docs = {n: d for n, d in facts_of(full).items() if d["document"] in docs}
    involving = {n for n in of_docs if any(v == gids and k in roles for _, v, k in full.out_edges(n, keys=True))}
    assert set(facts_of(ego)) == involving and len(involving) == 4 < len(of_docs)
    assert all(isinstance(d["start_offset"], int) and d["quote"] for d in facts_of(ego).values())
    # The mentions of the entity carry their number and first quote; the other links none.
    quoted = {(u, v) for u, v, d in ego.edges(data=True) if "quote" in d}
    assert quoted == {(d, gids) for d in docs if full.has_edge(d, gids, key="mentions")} and quoted
    for u, v in quoted:
        reference = full.edges[u, v, "mentions"]
        data = next(d for d in ego.get_edge_data(u, v).values() if d["rel"] == "mentions")
        assert (data["count"], data["start_offset"], data["quote"]) == (
            reference["count"],
            reference["evidence"].start,
            reference["evidence"].quote,
        )
    # facts=all: every event and stance of the documents, described as in the ego network.
    everything = read_graphml_by_iri(
        client.get("/export", params={"format": "graphml", "entity": "gids", "facts": "all"}).content
    )
    assert set(facts_of(everything)) == set(of_docs)
    for node, attrs in facts_of(ego).items():
        assert attrs == everything.nodes[node]
    # Every attribute is declared (GraphML keys, GEXF attributes), in the JSON formats too.
    facts = ego_facts(store, [gids], sorted(docs))
    pieces = list(exports.ego_pieces(load_catalogue(store), [gids], sorted(docs), facts.links, lambda: facts))
    nodes = [node for piece_nodes, _ in pieces for node in piece_nodes]
    edges = [edge for _, piece_edges in pieces for edge in piece_edges]
    assert {k for _, attrs in nodes for k in attrs} <= set(exports.NODE_ATTRIBUTES)
    assert {k for *_, attrs in edges for k in attrs} <= set(exports.EDGE_ATTRIBUTES)
    # Written in two pieces (the documents first, the facts once read): each node once,
    # each edge keyed once across both.
    assert len({node for node, _ in nodes}) == len(nodes) == ego.number_of_nodes()
    assert [key for _, _, key, _ in edges] == [f"e{i}" for i in range(len(edges))] and len(edges) == ego.number_of_edges()


def test_an_entity_rdf_export_is_its_ego_network_in_the_documents_graphs(client: TestClient) -> None:
    def quads(**params: Any) -> set[ox.Quad]:
        body = client.get("/export", params={"format": "trig", "entity": "gids", **params}).content
        return set(ox.parse(io.BytesIO(body), ox.RdfFormat.TRIG))

    ego, everything = quads(), quads(facts="all")  # all: the documents' whole graphs
    assert ego < everything
    text = "https://w3id.org/policykg/ontology#text"
    docs = {q.subject for q in everything if q.predicate.value.endswith("#type") and q.object.value.endswith("#Document")}
    assert len(docs) == 3
    # Each document's description, its mentions among it, without its text.
    described = {q for q in everything if q.subject in docs}
    assert {q for q in described if q.predicate.value != text} <= ego and described - ego
    assert all(q.predicate.value != text for q in ego)
    # The entity's events and stances, each with its evidence down to the quote.
    facts = {q.subject.value.rsplit("#", 1)[1] for q in ego if "#event-" in q.subject.value or "#stance-" in q.subject.value}
    assert facts == {"event-1", "stance-1"}  # in each document: the launch, China's support
    subjects = {q.subject for q in ego}
    evidence = {q.object for q in ego if q.predicate.value.endswith("#evidence")}
    targets = {q.object for q in ego if q.subject in evidence and q.predicate.value.endswith("#hasTarget")}
    selectors = {q.object for q in ego if q.subject in targets and q.predicate.value.endswith("#hasSelector")}
    assert len(evidence) == 4 and evidence | targets | selectors <= subjects
    assert any(q.predicate.value.endswith("#exact") and q.subject in selectors for q in ego)
    # The first mention of the entity in each document that mentions it.
    bodies = {q for q in ego if q.predicate.value.endswith("#hasBody")}
    assert {q.object.value.rsplit("/", 1)[1] for q in bodies} == {"gids"}
    assert len({q.graph_name for q in bodies}) == len(bodies) > 0
    # The entities named, described in graph:entities.
    assert any(q.graph_name.value.endswith("/graph/entities") and q.subject.value.endswith("/gids") for q in ego)


def test_a_graph_export_in_pieces_is_the_export_in_one(store: OxigraphStore) -> None:
    """A whole-store export is read and written a chunk of documents at a time; written
    at once or document by document, every tool reads the same graph."""
    docs = sorted(load_catalogue(store).documents)
    pieces = list(exports.document_pieces(store, docs, chunk=1))
    assert [sum(1 for _, d in nodes if d["kind"] == "document") for nodes, _ in pieces] == [1] * len(docs)
    whole = list(exports.flat_pieces([exports.export_network(store, docs)]))
    readers = {
        "graphml": (export_graph.graphml_stream, read_graphml_by_iri),
        "gexf": (export_graph.gexf_stream, read_gexf_13),
        "cytoscape": (export_graph.cytoscape_stream, lambda b: nx.cytoscape_graph(json.loads(b))),
        "nodelink": (export_graph.node_link_stream, lambda b: nx.node_link_graph(json.loads(b), edges="edges")),
    }
    for name, (writer, read) in readers.items():
        one, many = read(b"".join(writer(whole))), read(b"".join(writer(iter(pieces))))
        assert dict(one.nodes(data=True)) == dict(many.nodes(data=True)), name
        assert sorted((u, v, d["rel"]) for u, v, d in one.edges(data=True)) == sorted(
            (u, v, d["rel"]) for u, v, d in many.edges(data=True)
        ), name
        assert one.number_of_edges() == len(whole[0][1]), name


def test_cytoscape_nodelink_and_timelinejs(client: TestClient) -> None:
    cy = client.get("/export", params={"format": "cytoscape", "actor": "Russia"}).json()
    nodes = {n["data"]["id"]: n["data"] for n in cy["elements"]["nodes"]}
    assert {d["label"] for d in nodes.values() if d["kind"] == "document"} == {"unga-2021", "unga-2024"}
    for edge in cy["elements"]["edges"]:
        assert edge["data"]["source"] in nodes and edge["data"]["target"] in nodes
    link = nx.node_link_graph(client.get("/export", params={"format": "nodelink"}).json(), edges="edges")
    assert link.number_of_nodes() == load_network(client.app.state.ctx.store).number_of_nodes()  # type: ignore[attr-defined]
    timeline = client.get(
        "/export", params={"format": "timelinejs", "entity": "Global Data Security Initiative"}
    ).json()
    headlines = [(e["start_date"], e["text"]["headline"]) for e in timeline["events"]]
    # one real event, dated at its most precise report (graph.event_identity), told in a sentence
    day = {"year": "2020", "month": "9", "day": "8"}
    assert headlines[0] == (day, "China launches the Global Initiative on Data Security")
    assert (day, "Li Song at the CD") in headlines
    launch = timeline["events"][0]
    assert launch["display_date"] == "8 September 2020"
    assert "Also reported in" in launch["text"]["text"]
    assert '<a href="/documents/cd-2020/html#q-' in launch["text"]["text"]
    assert all("<blockquote>" in e["text"]["text"] for e in timeline["events"])
    years = [e for e in timeline["events"] if "month" not in e["start_date"]]
    assert all(e["display_date"] == e["start_date"]["year"] for e in years)
    everything = client.get("/export", params={"format": "timelinejs"}).json()["events"]
    groups = {e["group"] for e in everything}
    assert groups == {"document", "event"}  # the whole-corpus timeline holds the events too


def test_rdf_exports(client: TestClient, store: OxigraphStore) -> None:
    trig = client.get("/export", params={"format": "trig"})
    assert trig.headers["content-type"].startswith("application/trig")
    quads = list(ox.parse(io.BytesIO(trig.content), ox.RdfFormat.TRIG))
    assert len(quads) == store.quad_count()
    nquads = client.get("/export", params={"format": "nquads", "entity": "bwc"})
    graphs = {q.graph_name.value for q in ox.parse(io.BytesIO(nquads.content), ox.RdfFormat.N_QUADS)}
    assert graphs == {
        "https://w3id.org/policykg/graph/doc/cd-2020",
        "https://w3id.org/policykg/graph/doc/unga-2021",
        "https://w3id.org/policykg/graph/entities",  # descriptions of what they name
    }
    turtle = client.get("/export", params={"format": "turtle", "forum": "CD"})
    triples = list(ox.parse(io.BytesIO(turtle.content), ox.RdfFormat.TURTLE))
    # The document graph, and the descriptions of the entities it names (graph:entities).
    described = {t for t in triples if t.subject.value.startswith("https://w3id.org/policykg/entity/")}
    assert len(triples) - len(described) == store.quad_count("https://w3id.org/policykg/graph/doc/cd-2020")
    assert {t.subject.value.rsplit("/", 1)[1] for t in described} >= {"china", "cd", "bwc"}
    jsonld = client.get("/export", params={"format": "jsonld", "forum": "CD"})
    assert len(list(ox.parse(io.BytesIO(jsonld.content), ox.RdfFormat.JSON_LD))) == len(triples)
    assert client.get("/export", params={"format": "pdf"}).status_code == 422


def test_whole_store_rdf_streams_in_pieces_and_merges_to_the_distinct_triples(
    client: TestClient, store: OxigraphStore
) -> None:
    with client.stream("GET", "/export", params={"format": "nquads"}) as response:
        assert response.status_code == 200
        pieces = [piece for piece in response.iter_bytes() if piece]
    assert len(pieces) >= len(store.graphs())  # one piece per graph at least, sent as read
    quads = list(ox.parse(io.BytesIO(b"".join(pieces)), ox.RdfFormat.N_QUADS))
    assert len(quads) == store.quad_count()
    distinct = distinct_triples(store)
    for fmt, params in (("turtle", {}), ("trig", {"default_graph": "true"})):
        body = client.get("/export", params={"format": fmt, **params}).content
        triples = list(ox.parse(io.BytesIO(body), ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.TRIG))
        assert len(triples) == len(set(triples)) == distinct  # each triple once, none lost
    jsonld = json.loads(client.get("/export", params={"format": "jsonld"}).content)
    assert jsonld["@context"]["pkg"] == "https://w3id.org/policykg/ontology#"
    assert len(list(ox.parse(json.dumps(jsonld).encode(), ox.RdfFormat.JSON_LD))) == store.quad_count()


def read_each_piece_on_a_new_thread(pieces: Iterator[bytes]) -> list[bytes]:
    read: list[bytes] = []
    failures: list[BaseException] = []

    def next_piece() -> None:
        try:
            read.append(next(pieces))
        except StopIteration:
            read.append(b"")
        except BaseException as exc:  # a pyo3 panic is a BaseException
            failures.append(exc)

    while not failures and (not read or read[-1]):
        thread = threading.Thread(target=next_piece)
        thread.start()
        thread.join()
    assert not failures, failures
    return read


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_each_piece_of_an_rdf_export_may_be_read_on_another_thread(store: OxigraphStore) -> None:
    """A streamed response asks for each piece on whichever worker thread is free; a
    pyoxigraph iterator kept across pieces would panic there (as four concurrent exports
    through uvicorn did), or fail when dropped there."""
    for docs in (None, ["https://w3id.org/policykg/doc/cd-2020"]):
        read = read_each_piece_on_a_new_thread(rdf_stream(store, docs, ox.RdfFormat.N_QUADS))
        assert len(read) > 2 and list(ox.parse(b"".join(read), ox.RdfFormat.N_QUADS))


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_large_graph_streams_in_pieces_read_on_a_thread_of_its_own(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_rdf, "PIECE", 20)
    name = "https://w3id.org/policykg/graph/doc/cd-2020"
    read = read_each_piece_on_a_new_thread(export_rdf.graph_pieces(store, name))  # type: ignore[arg-type]
    assert len(read) > 3 and all(len(piece) <= 20 for piece in read)
    assert sum(len(piece) for piece in read) == store.quad_count(name)
    early = export_rdf.graph_pieces(store, name)
    next(early)
    early.close()  # a client that goes away: the reading thread stops
    assert not [t for t in threading.enumerate() if t.name == "policykg-export-graph"]


def test_exports_and_paths_never_build_the_whole_store_view(
    store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(get_settings(store=str(store.path)), store=store)) as fresh:
        def whole_store_view(*args: Any, **kwargs: Any) -> nx.MultiDiGraph:
            raise AssertionError("the networkx view of the whole store was asked for")

        # The exports read in chunks (api.exports.document_pieces) or ego records, never this.
        monkeypatch.setattr("graph.network.load_network", whole_store_view)
        for fmt in ("graphml", "gexf", "cytoscape", "nodelink", "trig", "jsonld", "turtle", "nquads"):
            assert fresh.get("/export", params={"format": fmt}).status_code == 200, fmt
            assert fresh.get("/export", params={"format": fmt, "entity": "gids"}).status_code == 200, fmt
        paths = fresh.get("/paths", params={"from": "tianjin", "to": "bwc"})
        assert paths.status_code == 200 and paths.headers["x-cache"] == "miss"
        again = fresh.get("/paths", params={"from": "tianjin", "to": "bwc"})
        assert again.headers["x-cache"] == "hit" and again.json() == paths.json()


def test_depth_two_adds_the_documents_about_what_the_first_documents_name(client: TestClient) -> None:
    network = load_network(client.app.state.ctx.store)  # type: ignore[attr-defined]  # the reference
    roles = ("mentions", "forum", "actor", "speaker")

    def documents(data: bytes) -> set[str]:
        graph = read_graphml_by_iri(data)
        return {n for n, d in graph.nodes(data=True) if d["kind"] == "document"}

    def about(entities: set[str]) -> set[str]:
        direct = {d for d, e, k in network.edges(keys=True) if k in roles and e in entities}
        reported = {
            network.nodes[ev]["document"]
            for ev, e, k in network.edges(keys=True)
            if k == "subject" and e in entities and network.nodes[ev].get("kind") == "event"
        }
        return direct | reported

    one = documents(client.get("/export", params={"format": "graphml", "entity": "tianjin"}).content)
    two = documents(client.get("/export", params={"format": "graphml", "entity": "tianjin", "depth": 2}).content)
    named = {e for d in one for _, e, k in network.out_edges(d, keys=True) if k in roles}
    assert one == about({"https://w3id.org/policykg/entity/tianjin"})
    assert two == one | about(named) and two > one
    assert client.get("/export", params={"format": "graphml", "entity": "tianjin", "depth": 3}).status_code == 422


# -- rendering in headless Chromium ------------------------------------------------------------


def status_of(dom: str) -> dict[str, str]:
    match = re.search(r'<div id="status"([^>]*)>', dom)
    assert match, dom[:2000]
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', match.group(1)))


def drawn_items(dom: str) -> list[str]:
    block = re.search(r'<ul id="drawn"[^>]*>(.*?)</ul>', dom, re.DOTALL)
    assert block
    return [
        re.sub(r"<[^>]+>", "", li).strip()
        for li in re.findall(r"<li[^>]*>(.*?)</li>", block.group(1), re.DOTALL)
    ]


def require_assets() -> None:
    assert (STATIC / "cytoscape").is_dir() and (STATIC / "@knight-lab" / "timelinejs").is_dir(), (
        "npm assets missing under api/static/node_modules: run `npm ci --prefix api/static` (make setup does)"
    )


@pytest.mark.chromium
def test_timelinejs_export_drawn_in_chromium(
    store: OxigraphStore, live_server: Any, chromium_dom: Callable[[str], str]
) -> None:
    require_assets()
    base = live_server(create_app(get_settings(store=str(store.path)), store=store))
    dom = chromium_dom(f"{base}/viewer/timeline?entity=GDSI")
    status = status_of(dom)
    events = json.loads(
        httpx.get(f"{base}/export", params={"format": "timelinejs", "entity": "GDSI"}).text
    )["events"]
    assert status["state"] == "drawn", dom[-3000:]
    assert int(status["markers"]) == len(events) == 4  # one launch (three reports), three documents
    assert int(status["slides"]) == len(events)
    drawn = drawn_items(dom)
    assert "Li Song at the CD" in drawn and "China launches the Global Initiative on Data Security" in drawn
    assert "Today, State Councilor Wang Yi launched the Global Initiative on Data Security" in dom
