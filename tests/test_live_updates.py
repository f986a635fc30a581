"""Updates through the running service: ``POST``/``PUT``/``DELETE /documents`` with the
update token, and ``policykg ingest``/``remove`` beside a running ``policykg serve``.

The first tests drive the app in process (TestClient) over a real store on disk; the
others start ``policykg serve`` as a subprocess on a free loopback port and use real
clients on it (curl, the ``policykg`` command, httpx from several threads).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.oxigraph_store import OxigraphStore
from ontology.namespace import LINKS_GRAPH, doc_graph_iri
from policykg.cli_server import send_files
from policykg.server_file import SERVER_FILE, announce, running_server
from policykg.settings import get_settings
from tests.conftest import free_port

TOKEN = "live-update-token"
#: Generous: a loaded CI machine is slow, and no figure here is a timing.
HTTP_TIMEOUT = 120.0
AUTH = {"Authorization": f"Bearer {TOKEN}"}
POLICYKG = Path(sys.executable).with_name("policykg")

SEED = (
    "Statement of the Ministry of Foreign Affairs of Norway\n\nOslo, 4 March 2024\n\n"
    "Norway supports the Treaty on the Non-Proliferation of Nuclear Weapons and opposes an arms "
    "race in outer space.\n"
)
ICELAND = (
    "Statement of the Ministry of Foreign Affairs of Iceland\n\nReykjavik, 12 June 2023\n\n"
    "Iceland welcomes the Global Initiative on Data Security and supports the Treaty on the "
    "Non-Proliferation of Nuclear Weapons. Iceland opposes the weaponization of outer space.\n"
)
ICELAND_REVISED = ICELAND.replace("12 June 2023", "19 June 2023") + "Iceland will host a seminar on glaciers.\n"


def _sparql(client: Any, query: str) -> dict[str, Any]:
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _has_document(client: Any, doc_id: str) -> bool:
    return bool(_sparql(client, f"ASK {{ GRAPH <{doc_graph_iri(doc_id)}> {{ ?s ?p ?o }} }}")["boolean"])


def _upload(name: str, text: str) -> dict[str, Any]:
    return {"file": (name, text.encode("utf-8"), "text/plain")}


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[TestClient]:
    """A writable app over a store on disk that holds one document."""
    settings = get_settings(store=str(tmp_path / "store"), update_token=TOKEN, workers=1)
    with TestClient(create_app(settings)) as client:
        assert client.post("/documents", files=_upload("norway-note.txt", SEED), headers=AUTH).status_code == 201
        yield client


def _generation(client: TestClient) -> int:
    return int(client.app.state.ctx.generation)  # type: ignore[attr-defined]


# -- the routes, in process --------------------------------------------------------------------


def test_writes_need_the_token(seeded: TestClient, tmp_path: Path) -> None:
    upload = _upload("iceland.txt", ICELAND)
    missing = seeded.post("/documents", files=upload)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert seeded.post("/documents", files=upload, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert seeded.put("/documents/iceland", files=upload).status_code == 401
    assert seeded.delete("/documents/norway-note", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert seeded.get("/documents").json()["total"] == 1

    folder = tmp_path / "read-only"
    OxigraphStore(folder).close()
    with TestClient(create_app(get_settings(store=str(folder)))) as read_only:
        assert read_only.post("/documents", files=upload, headers=AUTH).status_code == 403
        assert not (folder / SERVER_FILE).exists()  # a server that takes no writes is not announced


def test_a_posted_document_is_in_every_route_once_committed(seeded: TestClient) -> None:
    # Fill every cache of the current generation first.
    assert seeded.get("/documents").json()["total"] == 1
    assert "iceland-statement" not in seeded.get("/timeline", params={"actor": "iceland"}).text
    assert "iceland-statement" not in seeded.get("/entities/iceland").text
    assert seeded.get("/search", params={"q": "Reykjavik"}).json()["total"] == 0
    generation = _generation(seeded)

    answer = seeded.post(
        "/documents",
        files=_upload("iceland-statement.txt", ICELAND),
        data={"metadata": json.dumps({"title": "Iceland on data security", "genre": "statement"})},
        headers=AUTH,
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == "/documents/iceland-statement"
    body = answer.json()
    assert body["id"] == "iceland-statement"
    assert body["status"] == "stored"
    assert body["title"] == "Iceland on data security"
    assert body["genre"] == "statement"
    assert body["date"] == "2023-06-12"
    assert body["actor"]["label"] == "Iceland"
    assert body["entities"] >= 3 and body["stances"] >= 1 and body["triples"] > 0
    # Two new generations: the document's graph committed, then its links refreshed.
    assert _generation(seeded) == generation + 2

    listed = seeded.get("/documents").json()
    assert listed["total"] == 2
    assert "iceland-statement" in [d["id"] for d in listed["items"]]
    detail = seeded.get(answer.headers["location"])
    assert detail.status_code == 200
    assert detail.json()["text"].startswith("Statement of the Ministry of Foreign Affairs of Iceland")
    assert _has_document(seeded, "iceland-statement")
    assert "iceland-statement" in seeded.get("/entities/iceland").text
    timeline = seeded.get("/timeline", params={"actor": "iceland"})
    assert timeline.status_code == 200, timeline.text
    assert "iceland-statement" in timeline.text
    hits = seeded.get("/search", params={"q": "Reykjavik"}).json()
    assert hits["total"] >= 1
    # The derived links were refreshed for the new document before the answer.
    links = _sparql(
        seeded,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{LINKS_GRAPH}> {{ ?s ?p ?o "
        'FILTER(CONTAINS(STR(?s), "iceland-statement") || CONTAINS(STR(?o), "iceland-statement")) } }',
    )
    assert int(links["results"]["bindings"][0]["n"]["value"]) > 0


def test_put_creates_then_replaces(seeded: TestClient) -> None:
    created = seeded.put("/documents/iceland", files=_upload("any-name.txt", ICELAND), headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/documents/iceland"
    assert created.json()["date"] == "2023-06-12"
    replaced = seeded.put("/documents/iceland", files=_upload("other-name.txt", ICELAND_REVISED), headers=AUTH)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["status"] == "replaced"
    assert replaced.json()["date"] == "2023-06-19"
    detail = seeded.get("/documents/iceland").json()
    assert "glaciers" in detail["text"]
    assert seeded.get("/documents").json()["total"] == 2
    conflict = seeded.put(
        "/documents/iceland", files=_upload("x.txt", ICELAND), data={"metadata": '{"id": "elsewhere"}'}, headers=AUTH
    )
    assert conflict.status_code == 422
    # The path names the id exactly: what is not a document id is refused, not slugged.
    for bad in ("Iceland Notes", "%20"):
        assert seeded.put(f"/documents/{bad}", files=_upload("x.txt", ICELAND), headers=AUTH).status_code == 422
    assert seeded.get("/documents").json()["total"] == 2


def test_the_same_content_again_is_unchanged_and_writes_nothing(seeded: TestClient) -> None:
    generation = _generation(seeded)
    again = seeded.post("/documents", files=_upload("norway-note.txt", SEED), headers=AUTH)
    assert again.status_code == 200
    assert again.json()["status"] == "unchanged"
    assert _generation(seeded) == generation
    forced = seeded.post("/documents", files=_upload("norway-note.txt", SEED), data={"force": "true"}, headers=AUTH)
    assert forced.json()["status"] == "replaced"
    assert _generation(seeded) == generation + 2


@pytest.mark.parametrize(
    ("name", "content", "metadata", "message"),
    [
        ("slides.pptx", b"PK\x03\x04", None, "slides.pptx"),
        ("empty.txt", b"", None, "empty"),
        ("note.txt", SEED.encode(), "{not json", "metadata"),
        ("note.txt", SEED.encode(), '["a list"]', "metadata"),
        ("note.txt", SEED.encode(), '{"date": "2024-02-30"}', "date"),
    ],
)
def test_a_bad_upload_is_refused_and_changes_nothing(
    seeded: TestClient, name: str, content: bytes, metadata: str | None, message: str
) -> None:
    generation = _generation(seeded)
    data = {"metadata": metadata} if metadata is not None else None
    answer = seeded.post("/documents", files={"file": (name, content, "application/octet-stream")}, data=data,
                         headers=AUTH)
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["detail"]
    assert _generation(seeded) == generation
    assert seeded.get("/documents").json()["total"] == 1


def test_a_file_too_large_to_read_is_refused_unread(tmp_path: Path) -> None:
    settings = get_settings(store=str(tmp_path / "store"), update_token=TOKEN, workers=1, max_document_chars=1000)
    with TestClient(create_app(settings)) as client:
        large = _upload("long.txt", SEED * 200)  # more than 8 bytes for each of 1,000 characters
        answer = client.post("/documents", files=large, headers=AUTH)
        assert answer.status_code == 413
        assert "long.txt" in answer.json()["detail"] and "POLICYKG_MAX_DOCUMENT_CHARS" in answer.json()["detail"]
        assert client.get("/documents").json()["total"] == 0


def test_delete_removes_the_document_everywhere(seeded: TestClient) -> None:
    assert seeded.post("/documents", files=_upload("iceland.txt", ICELAND), headers=AUTH).status_code == 201
    assert seeded.get("/documents").json()["total"] == 2
    removed = seeded.delete("/documents/iceland", headers=AUTH)
    assert removed.status_code == 200
    assert removed.json() == {
        "id": "iceland", "iri": "https://w3id.org/policykg/doc/iceland", "status": "removed", "links_error": None,
    }
    assert seeded.get("/documents").json()["total"] == 1
    assert seeded.get("/documents/iceland").status_code == 404
    assert not _has_document(seeded, "iceland")
    assert seeded.delete("/documents/iceland", headers=AUTH).status_code == 404
    # By the source it was read from, as `policykg remove` accepts.
    assert seeded.delete("/documents/norway-note.txt", headers=AUTH).json()["id"] == "norway-note"
    assert seeded.get("/documents").json()["total"] == 0


# -- a started `policykg serve` ----------------------------------------------------------------


class Served:
    """A ``policykg serve`` subprocess over ``store`` on a free loopback port."""

    def __init__(self, store: Path, env: dict[str, str]) -> None:
        self.store = store
        self.env = env
        self.url = f"http://127.0.0.1:{free_port()}"
        port = self.url.rsplit(":", 1)[1]
        self.log = (store.parent / f"serve-{port}.log").open("wb")
        self.process = subprocess.Popen(
            [str(POLICYKG), "serve", "--port", port], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/documents", timeout=HTTP_TIMEOUT).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"policykg serve did not start: {self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    store = tmp_path / "store"
    env = {
        **os.environ,
        "POLICYKG_STORE": str(store),
        "POLICYKG_UPDATE_TOKEN": TOKEN,
        "POLICYKG_WORKERS": "1",
    }
    server = Served(store, env)
    yield server
    server.stop()


def _policykg(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(POLICYKG), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_policykg_ingest_and_remove_beside_a_running_server(served: Served, tmp_path: Path) -> None:
    found = running_server(served.store)
    assert found is not None and found.url == served.url and found.pid == served.process.pid
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "iceland-statement.txt").write_text(ICELAND, encoding="utf-8")
    (docs / "iceland-statement.txt.meta.json").write_text('{"title": "Iceland, June"}', encoding="utf-8")
    (docs / "norway-note.txt").write_text(SEED, encoding="utf-8")

    ingested = _policykg(["ingest", "docs"], served.env, tmp_path)
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    assert "stored    iceland-statement" in ingested.stdout
    assert "stored    norway-note" in ingested.stdout
    listed = httpx.get(served.url + "/documents", timeout=HTTP_TIMEOUT).json()
    assert sorted(d["id"] for d in listed["items"]) == ["iceland-statement", "norway-note"]
    assert "Iceland, June" in [d["title"] for d in listed["items"]]
    assert _has_document(httpx.Client(base_url=served.url, timeout=HTTP_TIMEOUT), "norway-note")
    source = httpx.get(served.url + "/documents/norway-note", timeout=HTTP_TIMEOUT).json()["source"]
    assert source == str(Path("docs") / "norway-note.txt")  # what a local ingest records

    again = _policykg(["ingest", "docs"], served.env, tmp_path)
    assert again.returncode == 0
    assert again.stdout.count("unchanged") == 2

    without_token = {k: v for k, v in served.env.items() if k != "POLICYKG_UPDATE_TOKEN"}
    refused = _policykg(["ingest", "docs/norway-note.txt"], without_token, tmp_path)
    assert refused.returncode == 1
    assert "update token" in refused.stderr and served.url in refused.stderr
    wrong = _policykg(["ingest", "docs/norway-note.txt", "--update-token", "nope"], without_token, tmp_path)
    assert wrong.returncode == 1 and "403" in wrong.stderr

    removed = _policykg(["remove", "norway-note", "missing-doc"], served.env, tmp_path)
    assert removed.returncode == 1  # one of the two is not there
    assert "removed   norway-note" in removed.stdout
    assert "missing-doc" in removed.stdout
    assert [d["id"] for d in httpx.get(served.url + "/documents", timeout=HTTP_TIMEOUT).json()["items"]] == ["iceland-statement"]

    # The server withdraws its announcement at exit; then the store is written directly.
    served.stop()
    assert not (served.store / SERVER_FILE).exists()
    local = _policykg(["ingest", "docs/norway-note.txt"], served.env, tmp_path)
    assert local.returncode == 0, local.stderr
    assert "stored    norway-note" in local.stdout


def test_curl_upload_and_explicit_server(served: Served, tmp_path: Path) -> None:
    note = tmp_path / "doc.txt"
    note.write_text(ICELAND, encoding="utf-8")
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    answer = subprocess.run(
        [curl, "-s", "-w", "\n%{http_code}", "-F", f"file=@{note}", "-H", f"Authorization: Bearer {TOKEN}",
         served.url + "/documents"],
        capture_output=True, text=True, timeout=120,
    )
    body, status = answer.stdout.rsplit("\n", 1)
    assert status == "201", answer.stdout
    assert json.loads(body)["id"] == "doc"
    assert _has_document(httpx.Client(base_url=served.url, timeout=HTTP_TIMEOUT), "doc")
    assert [d["id"] for d in httpx.get(served.url + "/documents", timeout=HTTP_TIMEOUT).json()["items"]] == ["doc"]

    # A file name that is not UTF-8 travels as ingest records it (\\xNN escapes).
    odd = tmp_path / os.fsdecode(b"caf\xe9-note.txt")
    odd.write_text(SEED, encoding="utf-8")
    report = send_files(served.url, [odd], get_settings(update_token=TOKEN))
    assert report.counts() == {"stored": 1}, report.to_json()
    assert report.outcomes[0].source.endswith("caf\\xe9-note.txt")

    # --server names the server outright (here: with no store setting at all).
    env = {k: v for k, v in served.env.items() if k != "POLICYKG_STORE"}
    removed = _policykg(["remove", "doc", "--server", served.url], env, tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert [d["id"] for d in httpx.get(served.url + "/documents", timeout=HTTP_TIMEOUT).json()["items"]] == [report.outcomes[0].doc_id]


def test_a_stale_announcement_is_ignored(tmp_path: Path) -> None:
    store = tmp_path / "store"
    OxigraphStore(store).close()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(finished.stdout)
    (store / SERVER_FILE).write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": dead_pid}))
    assert running_server(store) is None
    announce(store, "http://127.0.0.1:9")  # this (live) process: believed
    assert running_server(store) is not None
    (store / SERVER_FILE).write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": dead_pid}))
    (tmp_path / "note.txt").write_text(SEED, encoding="utf-8")
    env = {**os.environ, "POLICYKG_STORE": str(store), "POLICYKG_WORKERS": "1"}
    result = _policykg(["ingest", "note.txt"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "stored    note" in result.stdout


def _long_text(paragraphs: int) -> str:
    """A long statement of my own making (the sentences vary so that extraction works)."""
    states = ("Iceland", "Norway", "Denmark", "Finland", "Sweden")
    lines = ["Statement of the Nordic ministers\n\nHelsinki, 3 October 2022\n"]
    for n in range(paragraphs):
        state = states[n % len(states)]
        lines.append(
            f"{state} supports the Treaty on the Non-Proliferation of Nuclear Weapons and recalls item {n} of "
            f"the programme. {state} opposes any arms race in outer space and welcomes meeting number {n}.\n"
        )
    return "\n".join(lines)


def test_readers_answer_from_a_consistent_state_during_a_write(served: Served) -> None:
    client = httpx.Client(base_url=served.url, timeout=HTTP_TIMEOUT)
    assert client.post("/documents", files=_upload("norway-note.txt", SEED), headers=AUTH).status_code == 201
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def write() -> None:
        with httpx.Client(base_url=served.url, timeout=300) as writer:
            outcome["answer"] = writer.post("/documents", files=_upload("nordic.txt", _long_text(600)), headers=AUTH)
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    seen: list[tuple[int, int]] = []
    count = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?d a <https://w3id.org/policykg/ontology#Document> } }"
    while not done.is_set():
        listed = client.get("/documents")
        assert listed.status_code == 200, listed.text
        counted = _sparql(client, count)
        seen.append((listed.json()["total"], int(counted["results"]["bindings"][0]["n"]["value"])))
    thread.join()
    assert outcome["answer"].status_code == 201, outcome["answer"].text
    assert seen, "no read happened while the document was written"
    assert all(total in (1, 2) and n in (1, 2) for total, n in seen)
    # Once the write has answered, every route says so.
    assert client.get("/documents").json()["total"] == 2
    assert _has_document(client, "nordic")
