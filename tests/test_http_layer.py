"""What every route shares over HTTP: HEAD, ETag/304, gzip, problem details, /healthz,
OpenAPI operation ids, the front-end asset check; the real app over a real store on disk."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from links_fixture import DOCS, write

from api.app import create_app
from api.assets import REQUIRED_ASSETS, missing_assets, missing_message
from graph.oxigraph_store import OxigraphStore
from policykg.settings import get_settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("http") / "store"
    store = OxigraphStore(path)
    write(store, DOCS)
    with TestClient(create_app(get_settings(store=str(path)), store=store)) as test_client:
        yield test_client


def test_get_answers_carry_an_etag_and_revalidate_with_304(client: TestClient) -> None:
    first = client.get("/documents")
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
    assert "Accept" in first.headers["vary"]
    again = client.get("/documents", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other_query = client.get("/documents", params={"limit": 1}, headers={"If-None-Match": tag})
    assert other_query.status_code == 200 and other_query.headers["etag"] != tag


def test_a_store_change_makes_old_tags_stale(client: TestClient) -> None:
    tag = client.get("/documents").headers["etag"]
    client.app.state.ctx.changed()  # type: ignore[attr-defined]
    fresh = client.get("/documents", headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag


def test_head_gives_the_get_headers_without_a_body(client: TestClient) -> None:
    get = client.get("/documents")
    head = client.head("/documents")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["etag"] == get.headers["etag"]
    assert client.head("/documents/no-such-doc").status_code == 404


def test_large_answers_are_gzipped(client: TestClient) -> None:
    response = client.get("/export", params={"format": "jsonld"}, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    raw = client.get("/export", params={"format": "jsonld"}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert response.content == raw.content  # httpx decodes gzip transparently


def test_gzip_bytes_on_the_wire_decode(client: TestClient) -> None:
    with client.stream("GET", "/export", params={"format": "jsonld"},
                       headers={"Accept-Encoding": "gzip"}) as response:
        wire = b"".join(response.iter_raw())
    assert gzip.decompress(wire).startswith((b"{", b"["))


def test_errors_are_problem_details(client: TestClient) -> None:
    response = client.get("/entities/Atlantis Initiative")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance"}
    assert body["title"] == "Not Found" and body["status"] == 404
    invalid = client.get("/documents", params={"limit": "many"})
    assert invalid.status_code == 422 and invalid.json()["title"] == "Unprocessable Entity"
    assert invalid.json()["errors"][0]["loc"] == ["query", "limit"]


def test_healthz_reports_a_live_store_uncached(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert "etag" not in response.headers and response.headers["cache-control"] == "no-store"


def test_openapi_operation_ids_are_the_route_names(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    # The route functions' names, not FastAPI's generated "list_documents_documents_get".
    assert spec["paths"]["/documents"]["get"]["operationId"] == "list_documents"
    assert spec["paths"]["/timeline"]["get"]["operationId"] == "get_timeline"
    assert not [i for i in ids if "__" in i or i.endswith(("_documents_get", "_timeline_get"))]


def test_missing_front_end_assets_are_named(tmp_path: Path) -> None:
    missing = missing_assets(tmp_path)
    assert set(missing) == set(REQUIRED_ASSETS)
    assert "make setup" in missing_message(missing)
    installed = missing_assets()
    assert installed == {}, missing_message(installed)


def test_a_viewer_without_its_assets_says_so(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    import api.assets
    from api.routes import viewers

    drawn = client.get("/viewer/graph")
    assert drawn.status_code == 200 and "cytoscape" in drawn.text
    monkeypatch.setattr(viewers, "missing_assets", lambda: api.assets.missing_assets(tmp_path))
    response = client.get("/viewer/graph")
    assert response.status_code == 503
    assert "cytoscape/dist/cytoscape.min.js" in response.text and "make setup" in response.text


def test_every_parameter_is_described_and_every_operation_has_an_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                described = parameter.get("description") or parameter.get("schema", {}).get("description")
                assert described, (method, path, parameter["name"])
            if parameters:
                examples = [p for p in parameters if "example" in p or "examples" in p
                            or "examples" in p.get("schema", {})]
                assert examples, (method, path)
            assert "404" in operation["responses"] and "503" in operation["responses"], (method, path)
