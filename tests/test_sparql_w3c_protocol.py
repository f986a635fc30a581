"""The W3C SPARQL 1.1 Protocol tests replayed against a started server.

The manifest (``../shared/conformance/sparql/sparql11/protocol/manifest.ttl``) lists, for
each test, HTTP requests (method, path, headers, body) and the expected status class,
result format and ASK answer; the graphs a test names are preloaded from data1-3.nt
before it runs. Run once with updates enabled (the update token configured and sent):
every test passes; once read-only: every query test passes and every update is refused
with 401/403.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from api.app import create_app
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings

PROTOCOL = Path(__file__).parents[1] / ".." / "shared" / "conformance" / "sparql" / "sparql11" / "protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
TOKEN = "w3c-test-token"

pytestmark = pytest.mark.skipif(
    not (PROTOCOL / "manifest.ttl").is_file(), reason=f"W3C protocol manifest not found under {PROTOCOL}"
)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    fmt: str | None
    boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    label: str
    graphs: dict[str, Path]
    requests: list[Request] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.name.startswith(("update_", "bad_update_")) or any(
            r.headers.get("content-type", "").startswith("application/sparql-update")
            or (r.body or b"").startswith(b"update=")
            for r in self.requests
        )


def rdf_list(g: rdflib.Graph, head: Any) -> list[Any]:
    assert head is not None, "the manifest lacks a list it should have"
    return list(Collection(g, head))


def load_tests() -> list[ProtocolTest]:
    manifest = PROTOCOL / "manifest.ttl"
    g = rdflib.Graph()
    g.parse(manifest, format="turtle", publicID=manifest.as_uri())
    root = next(g.subjects(RDF.type, MF.Manifest))
    out = []
    for entry in rdf_list(g, g.value(root, MF.entries)):
        name = str(entry).rsplit("#", 1)[-1]
        graphs = {}
        for data in g.objects(entry, UT.graphData):
            source = g.value(data, UT.graph)
            graphs[str(g.value(data, RDFS.label))] = PROTOCOL / str(source).rsplit("/", 1)[-1]
        test = ProtocolTest(name, str(g.value(entry, MF.name)), graphs)
        action = g.value(entry, MF.action)
        for req in rdf_list(g, g.value(action, HT.requests)):
            headers = {}
            header_list = g.value(req, HT.headers)
            if header_list is not None:
                for h in rdf_list(g, header_list):
                    headers[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
            body_node = g.value(req, HT.body)
            body = None
            if body_node is not None:
                encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(body_node, CNT.chars)).encode(encoding.lower())
            resp = g.value(req, HT.resp)
            statuses = {str(s).removeprefix(HTS) for s in g.objects(resp, MF.expectedStatus)}
            fmt = g.value(resp, MF.expectedFormat)
            boolean = g.value(resp, MF.expectedBoolean)
            test.requests.append(
                Request(
                    str(g.value(req, HT.methodName)),
                    str(g.value(req, HT.absolutePath)),
                    headers,
                    body,
                    statuses,
                    None if fmt is None else str(fmt),
                    None if boolean is None else str(boolean) == "true",
                )
            )
        out.append(test)
    return out


RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def check_response(req: Request, response: httpx.Response) -> str | None:
    """None when the response meets the expectation, else what is wrong."""
    status_class = f"{response.status_code // 100}xx"
    if status_class not in req.statuses:
        return f"status {response.status_code}, expected {sorted(req.statuses)}: {response.text[:200]}"
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    if req.fmt in ("boolean", "tabular"):
        if media_type not in RESULT_TYPES:
            return f"{req.fmt} result served as {media_type!r}"
        if media_type == "text/csv":
            # CSV cannot be read back as RDF terms (lossy): a header line is all it must have.
            return None if response.text.splitlines() else "empty CSV result"
        parsed = ox.parse_query_results(response.content, RESULT_TYPES[media_type])
        if req.fmt == "boolean":
            if not isinstance(parsed, ox.QueryBoolean):
                return "expected a boolean result"
            if req.boolean is not None and bool(parsed) != req.boolean:
                return f"ASK answered {bool(parsed)}, expected {req.boolean}"
        elif not isinstance(parsed, ox.QuerySolutions):
            return "expected a table of solutions"
    elif req.fmt == "RDF":
        if media_type not in RDF_TYPES:
            return f"RDF result served as {media_type!r}"
        list(ox.parse(io.BytesIO(response.content), RDF_TYPES[media_type]))
    return None


def run_suite(base: str, store: OxigraphStore, *, token: str | None) -> tuple[list[str], list[str], int]:
    """Replay every test; returns (passed names, failures, number of tests)."""
    tests = load_tests()
    passed, failures = [], []
    with httpx.Client(base_url=base, timeout=30) as client:
        for test in tests:
            for graph in store.graphs():
                store.drop_graph(graph)
            for graph, path in test.graphs.items():
                store.load_graph_file(graph, path, ox.RdfFormat.N_TRIPLES)
            problem = None
            refused_updates = token is None and test.is_update
            for req in test.requests:
                headers = dict(req.headers)
                if token is not None:
                    headers["authorization"] = f"Bearer {token}"
                # The manifest's "/sparql/?..." is our "/sparql?...".
                target = req.path.replace("/sparql/", "/sparql", 1)
                response = client.request(req.method, target, headers=headers, content=req.body)
                if refused_updates:
                    if response.status_code not in (400, 401, 403, 405, 415):
                        problem = f"update not refused: HTTP {response.status_code}"
                    break
                problem = check_response(req, response)
                if problem:
                    break
            if problem:
                failures.append(f"{test.name}: {problem}")
            else:
                passed.append(test.name)
    return passed, failures, len(tests)


def test_w3c_protocol_with_updates_enabled(
    tmp_path: Path, live_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    store = OxigraphStore(tmp_path / "store")
    settings = get_settings(store=str(tmp_path / "store"), update_token=TOKEN)
    base = live_server(create_app(settings, store=store))
    passed, failures, total = run_suite(base, store, token=TOKEN)
    with capsys.disabled():  # shown in the CI log even when pytest captures output
        print(f"\nW3C protocol: {len(passed)} passed / {total}")
    assert not failures, "\n".join(failures)
    assert total == 34


def test_w3c_protocol_read_only(tmp_path: Path, live_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Without an update token every query test still passes and every update is refused."""
    store = OxigraphStore(tmp_path / "store")
    settings = get_settings(store=str(tmp_path / "store"))
    base = live_server(create_app(settings, store=store))
    passed, failures, total = run_suite(base, store, token=None)
    with capsys.disabled():
        print(f"\nW3C protocol (read-only): {len(passed)} passed / {total}")
    assert not failures, "\n".join(failures)
    # The update tests' follow-up ASK queries never ran, and nothing was written.
    assert (
        json.loads(httpx.get(base + "/sparql", params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}).text)[
            "boolean"
        ]
        is False
    )
