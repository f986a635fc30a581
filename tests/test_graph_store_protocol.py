"""The SPARQL 1.1 Graph Store Protocol on ``/rdf-graphs``: the W3C test suite replayed
against a started server, then what the suite does not cover (tokens, formats, errors,
document graphs kept consistent with the derived links and the caches).

The manifests (``../shared/conformance/sparql/sparql11/graph-store-protocol/``) list, per
test, HTTP requests with the expected status and, for reads, the expected graph (compared
up to blank node renaming). Their ``/gsp`` prefix is our ``/rdf-graphs``; every test runs
on a fresh store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from api.app import create_app
from graph.oxigraph_store import OxigraphStore
from ontology.namespace import LINKS_GRAPH, doc_graph_iri
from policykg.settings import get_settings

GSP = Path(__file__).parents[1] / ".." / "shared" / "conformance" / "sparql" / "sparql11" / "graph-store-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
STATUS = {
    "OK": {200},
    "Created": {201},
    "NoContent": {204},
    "NotFound": {404},
    "StatusCode2xx": set(range(200, 300)),
}
TOKEN = "gsp-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]
    location_variable: str | None
    expected_type: str | None
    expected_body: str | None


@dataclass
class GspTest:
    name: str
    label: str
    steps: list[Step] = field(default_factory=list)


def _list(g: rdflib.Graph, head: Any) -> list[Any]:
    return list(Collection(g, head)) if head is not None else []


def _headers(g: rdflib.Graph, node: Any) -> dict[str, str]:
    return {
        str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue))
        for h in _list(g, g.value(node, HT.headers))
    }


def load_tests() -> list[GspTest]:
    tests = []
    for name in ("manifest-indirect.ttl", "manifest-direct.ttl"):
        g = rdflib.Graph()
        g.parse(GSP / name, format="turtle", publicID=(GSP / name).as_uri())
        root = next(g.subjects(RDF.type, MF.Manifest))
        for entry in _list(g, g.value(root, MF.entries)):
            test = GspTest(str(entry).rsplit("#", 1)[-1], str(g.value(entry, MF.name)))
            action = g.value(entry, MF.action)
            for req in _list(g, g.value(action, HT.requests)):
                body_node = g.value(req, HT.body)
                body = None if body_node is None else str(g.value(body_node, CNT.chars)).encode("utf-8")
                resp = g.value(req, HT.resp)
                statuses: set[int] = set()
                for status in g.objects(resp, MF.expectedStatus):
                    statuses |= STATUS[str(status).rsplit("#", 1)[-1]]
                resp_body = g.value(resp, HT.body)
                location = g.value(resp, MF.expectedLocation)
                test.steps.append(
                    Step(
                        method=str(g.value(req, HT.methodName)),
                        path=str(g.value(req, HT.absolutePath)),
                        headers=_headers(g, req),
                        body=body,
                        statuses=statuses,
                        location_variable=None if location is None else str(location),
                        expected_type=_headers(g, resp).get("content-type"),
                        expected_body=None if resp_body is None else str(g.value(resp_body, CNT.chars)),
                    )
                )
            tests.append(test)
    return tests


pytestmark = pytest.mark.skipif(
    not (GSP / "manifest.ttl").is_file(), reason=f"W3C Graph Store Protocol manifests not found under {GSP}"
)


def run_test(client: httpx.Client | TestClient, test: GspTest) -> str | None:
    """Replay one test; None when every response met its expectation, else what did not."""
    variables: dict[str, str] = {}
    for number, step in enumerate(test.steps, 1):
        path = step.path.replace("/gsp", "/rdf-graphs", 1)
        body = step.body
        for variable, value in variables.items():
            path = path.replace(variable, value)
            body = body.replace(variable.encode(), value.encode()) if body is not None else None
        response = client.request(step.method, path, headers={**step.headers, **AUTH}, content=body)
        where = f"step {number} ({step.method} {path})"
        if response.status_code not in step.statuses:
            return f"{where}: status {response.status_code}, expected {sorted(step.statuses)}: {response.text[:200]}"
        if step.location_variable is not None:
            location = response.headers.get("location")
            if not location:
                return f"{where}: no Location header"
            variables[step.location_variable] = location
        if step.expected_type is not None and response.headers.get("content-type") != step.expected_type:
            return f"{where}: Content-Type {response.headers.get('content-type')!r}, expected {step.expected_type!r}"
        if step.expected_body is not None:
            got = rdflib.Graph().parse(data=response.text, format="turtle")
            expected = rdflib.Graph().parse(data=step.expected_body, format="turtle")
            if not isomorphic(got, expected):
                return f"{where}: the graph differs from the expected one:\n{response.text}"
    return None


@pytest.fixture
def fresh_server(tmp_path: Path, live_server: Callable[[Any], str]) -> Callable[[], str]:
    """A started server on a new empty store, each call (what every W3C test needs)."""
    count = iter(range(1000))

    def start() -> str:
        folder = tmp_path / f"store-{next(count)}"
        settings = get_settings(store=str(folder), update_token=TOKEN, workers=1)
        return live_server(create_app(settings, store=OxigraphStore(folder)))

    return start


def test_w3c_graph_store_protocol_suite(fresh_server: Callable[[], str], capsys: pytest.CaptureFixture[str]) -> None:
    tests = load_tests()
    assert len(tests) == 13, "the manifests list 9 indirect and 4 direct tests"
    failures = []
    for test in tests:
        with httpx.Client(base_url=fresh_server(), timeout=30) as client:
            problem = run_test(client, test)
        if problem:
            failures.append(f"{test.name}: {problem}")
    with capsys.disabled():
        print(f"\nW3C Graph Store Protocol: {len(tests) - len(failures)}/{len(tests)} tests pass")
    assert not failures, "\n".join(failures)


# -- beyond the suite ---------------------------------------------------------------------------

TURTLE = "text/turtle; charset=utf-8"
G1 = "http://example.org/graphs/one"
DATA = b'<http://example.org/s> <http://example.org/p> "caf\xc3\xa9", <http://example.org/o> .'


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = get_settings(store=str(tmp_path / "store"), update_token=TOKEN, workers=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_writes_need_the_token(client: TestClient) -> None:
    for method in ("PUT", "POST", "DELETE"):
        missing = client.request(method, "/rdf-graphs", params={"graph": G1}, content=DATA,
                                 headers={"Content-Type": TURTLE})
        assert missing.status_code == 401, method
        assert missing.headers["www-authenticate"].startswith("Bearer")
        wrong = client.request(method, "/rdf-graphs", params={"graph": G1}, content=DATA,
                               headers={"Content-Type": TURTLE, "Authorization": "Bearer nope"})
        assert wrong.status_code == 403, method
    assert client.get("/rdf-graphs", params={"graph": G1}).status_code == 404


def test_read_only_service_refuses_writes(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    OxigraphStore(folder).close()
    with TestClient(create_app(get_settings(store=str(folder)))) as ro:
        answer = ro.put("/rdf-graphs", params={"graph": G1}, content=DATA,
                        headers={"Content-Type": TURTLE, **AUTH})
        assert answer.status_code == 403
        assert ro.get("/rdf-graphs", params={"default": ""}).status_code == 200


@pytest.mark.parametrize(
    ("accept", "media_type", "fmt"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/trig", "application/trig", ox.RdfFormat.TRIG),
    ],
)
def test_get_negotiates_every_format(client: TestClient, accept: str, media_type: str, fmt: ox.RdfFormat) -> None:
    assert client.put("/rdf-graphs", params={"graph": G1}, content=DATA,
                      headers={"Content-Type": TURTLE, **AUTH}).status_code == 201
    answer = client.get("/rdf-graphs", params={"graph": G1}, headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media_type
    quads = list(ox.parse(answer.content, format=fmt))
    assert {str(q.object) for q in quads} == {'"café"', "<http://example.org/o>"}
    if fmt.supports_datasets:  # quad formats keep the graph's name
        assert {q.graph_name for q in quads} == {ox.NamedNode(G1)}


def test_errors(client: TestClient) -> None:
    put = {"Content-Type": TURTLE, **AUTH}
    assert client.get("/rdf-graphs").status_code == 400  # names no graph
    assert client.get("/rdf-graphs", params={"graph": G1, "default": ""}).status_code == 400
    assert client.get("/rdf-graphs", params={"graph": "not an iri"}).status_code == 400
    assert client.put("/rdf-graphs", params={"graph": G1}, content=b"<a> <b", headers=put).status_code == 400
    assert client.put("/rdf-graphs", params={"graph": G1}, content=DATA,
                      headers={"Content-Type": "image/png", **AUTH}).status_code == 415
    trig = b"<http://example.org/g2> { <http://example.org/s> <http://example.org/p> 1 }"
    assert client.put("/rdf-graphs", params={"graph": G1}, content=trig,
                      headers={"Content-Type": "application/trig", **AUTH}).status_code == 400
    assert client.get("/rdf-graphs", params={"graph": G1}).status_code == 404  # nothing was written
    assert client.put("/rdf-graphs", params={"graph": G1}, content=DATA, headers=put).status_code == 201
    assert client.get("/rdf-graphs", params={"graph": G1}, headers={"Accept": "image/png"}).status_code == 406
    assert client.delete("/rdf-graphs", params={"graph": G1}, headers=AUTH).status_code == 204
    assert client.delete("/rdf-graphs", params={"graph": G1}, headers=AUTH).status_code == 404


def test_put_of_an_empty_graph_creates_it(client: TestClient) -> None:
    answer = client.put("/rdf-graphs", params={"graph": G1}, content=b"", headers={"Content-Type": TURTLE, **AUTH})
    assert answer.status_code == 201
    assert client.get("/rdf-graphs", params={"graph": G1}).status_code == 200
    assert client.head("/rdf-graphs", params={"graph": G1}).status_code == 200


def test_default_graph_is_the_stores_own(client: TestClient) -> None:
    put = {"Content-Type": TURTLE, **AUTH}
    assert client.put("/rdf-graphs?default", content=DATA, headers=put).status_code == 204
    answer = client.get("/rdf-graphs?default", headers={"Accept": "application/n-triples"})
    assert len(list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))) == 2
    # A SPARQL Update without GRAPH writes there too.
    sparql = client.post("/sparql", content=b"INSERT DATA { <http://example.org/x> <http://example.org/p> 3 }",
                         headers={"Content-Type": "application/sparql-update", **AUTH})
    assert sparql.status_code == 204
    answer = client.get("/rdf-graphs?default", headers={"Accept": "application/n-triples"})
    assert len(list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))) == 3
    assert client.delete("/rdf-graphs?default", headers=AUTH).status_code == 204
    assert client.get("/rdf-graphs?default", headers={"Accept": "application/n-triples"}).content.strip() == b""


NOTE = (
    "Statement of the Ministry of Foreign Affairs of Iceland\n\nReykjavik, 12 June 2023\n\n"
    "Iceland welcomes the Global Initiative on Data Security and supports the Treaty on the "
    "Non-Proliferation of Nuclear Weapons.\n"
)


def _links_about(client: TestClient, doc: str) -> int:
    query = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{LINKS_GRAPH}> {{ ?s ?p ?o "
             f'FILTER(CONTAINS(STR(?s), "{doc}") || CONTAINS(STR(?o), "{doc}")) }} }}')
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_writes_to_a_document_graph_keep_the_store_consistent(client: TestClient) -> None:
    posted = client.post("/documents", files={"file": ("iceland-note.txt", NOTE.encode(), "text/plain")}, headers=AUTH)
    assert posted.status_code == 201, posted.text
    graph = doc_graph_iri("iceland-note")
    assert client.get("/documents").json()["total"] == 1
    assert _links_about(client, "iceland-note") > 0
    generation = client.app.state.ctx.generation  # type: ignore[attr-defined]

    # Read the document's graph through the protocol and write it back unchanged: a write all the same.
    turtle = client.get("/rdf-graphs", params={"graph": graph}, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    replaced = client.put("/rdf-graphs", params={"graph": graph}, content=turtle.content,
                          headers={"Content-Type": TURTLE, **AUTH})
    assert replaced.status_code == 204
    # Two new generations: the graph committed, then its links refreshed.
    assert client.app.state.ctx.generation == generation + 2  # type: ignore[attr-defined]
    assert client.get("/documents").json()["total"] == 1
    assert _links_about(client, "iceland-note") > 0

    # Removing the graph removes the document from every route and its links with it.
    assert client.delete("/rdf-graphs", params={"graph": graph}, headers=AUTH).status_code == 204
    assert client.get("/documents").json()["total"] == 0
    assert client.get("/documents/iceland-note").status_code == 404
    assert _links_about(client, "iceland-note") == 0
    search = client.get("/search", params={"q": "Iceland"})
    assert search.status_code == 200
    assert "iceland-note" not in json.dumps(search.json())
