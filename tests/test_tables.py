"""Flat tables of events and stances: REST (JSON, CSV, TSV by Accept or format=) and the
CLI, over a real store on disk (the hand-made corpus of links_fixture)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from links_fixture import DOCS, write

from api.app import create_app
from graph.derived import rebuild_links
from graph.oxigraph_store import OxigraphStore
from graph.read.tables import EVENT_COLUMNS, STANCE_COLUMNS
from policykg.cli import main
from policykg.settings import get_settings


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tables") / "store"
    store = OxigraphStore(path)
    write(store, DOCS)
    rebuild_links(store)
    store.close()
    return path


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(store=str(store_path)))) as test_client:
        yield test_client


def rows_of(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_events_csv_by_accept_is_one_row_per_real_event(client: TestClient) -> None:
    response = client.get("/events", params={"actor": "China"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == ",".join(EVENT_COLUMNS)
    assert "\r\n" in response.text  # RFC 4180 line ends
    rows = rows_of(response.text)
    launches = [r for r in rows if r["subject_id"] == "gids" and r["event_type"] == "launch"]
    assert len(launches) == 1
    (launch,) = launches
    assert (launch["date"], launch["precision"], launch["actor"], launch["doc_id"]) == (
        "2020-09-08", "day", "China", "cd-2020"
    )
    assert launch["sources"] == "3" and launch["source_documents"].split(";")[0] == "cd-2020"
    assert launch["link"].startswith("/documents/cd-2020/html#q-")
    assert "launch" in launch["quote"].lower()
    assert all(r["actor"] == "China" for r in rows)
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)


def test_events_json_filters_and_sorting(client: TestClient) -> None:
    page = client.get("/events", params={"subject": "GDSI", "type": "launch"}).json()
    assert page["total"] == 1 and page["items"][0]["subject"] == "Global Initiative on Data Security"
    newest = client.get("/events", params={"sort": "-date"}).json()["items"]
    oldest = client.get("/events").json()["items"]
    assert [r["date"] for r in newest] == [r["date"] for r in oldest][::-1] or len(oldest) < 2
    window = client.get("/events", params={"from": "2021", "to": "2021"}).json()["items"]
    assert all(r["date"].startswith("2021") for r in window)
    text_query = client.get("/events", params={"q": "TIANJIN"}).json()["items"]
    assert text_query and all("tianjin" in json.dumps(r).lower() for r in text_query)
    assert client.get("/events", params={"actor": "Atlantis"}).status_code == 404
    assert client.get("/events", params={"document": "no-such-doc"}).status_code == 404
    assert client.get("/events", params={"sort": "size"}).status_code == 422


def test_tables_negotiate_tsv_and_refuse_what_they_cannot_send(client: TestClient) -> None:
    tsv = client.get("/stances", params={"holder": "China"}, headers={"Accept": "text/tab-separated-values"})
    assert tsv.status_code == 200 and tsv.headers["content-type"].startswith("text/tab-separated-values")
    rows = rows_of(tsv.text, "\t")
    assert rows and list(rows[0]) == list(STANCE_COLUMNS)
    assert all(r["holder"] == "China" and r["quote"] for r in rows)
    by_param = client.get("/stances", params={"holder": "China", "format": "csv"},
                          headers={"Accept": "application/json"})
    assert by_param.headers["content-type"].startswith("text/csv")
    assert client.get("/events", headers={"Accept": "image/png"}).status_code == 406
    preferred = client.get("/events", headers={"Accept": "text/csv;q=0.5, application/json"})
    assert preferred.headers["content-type"] == "application/json"


def test_stances_json_keeps_its_items_with_precision_and_link(client: TestClient) -> None:
    page = client.get("/stances", params={"holder": "China", "topic": "outer space"}).json()
    first = page["items"][0]
    assert first["precision"] == "day" and first["link"].startswith(f"/documents/{first['document']['id']}/html")
    flat = client.get("/stances", params={"holder": "China", "q": "weaponization"}).json()
    assert flat["items"] and all("weaponization" in r["target"] for r in flat["items"])
    assert set(flat["items"][0]) == set(STANCE_COLUMNS)


def test_cli_events_and_stances_print_the_same_rows(client: TestClient, store_path: Path) -> None:
    result = CliRunner().invoke(main, ["--store", str(store_path), "events", "--actor", "China",
                                       "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    cli_rows = rows_of(result.stdout)
    rest_rows = rows_of(client.get("/events", params={"actor": "China", "format": "csv"}).text)
    assert cli_rows == rest_rows
    stance = CliRunner().invoke(main, ["--store", str(store_path), "stances", "--holder", "China",
                                       "--format", "json"], catch_exceptions=False)
    assert stance.exit_code == 0
    rest = client.get("/stances", params={"holder": "China", "sort": "date", "format": "json", "q": ""}).json()
    assert [r["quote"] for r in json.loads(stance.stdout)] == [
        r["evidence"]["quote"] if "evidence" in r else r["quote"] for r in rest["items"]
    ]
    unknown = CliRunner().invoke(main, ["--store", str(store_path), "events", "--actor", "Atlantis"])
    assert unknown.exit_code == 2 and "Atlantis" in unknown.output


def test_row_links_land_on_the_quote_in_the_highlighted_page(client: TestClient) -> None:
    row = client.get("/events", params={"subject": "GDSI"}).json()["items"][0]
    path, anchor = row["link"].split("#")
    page = client.get(path)
    assert page.status_code == 200
    marked = page.text.split(f'id="{anchor}"', 1)[1]
    assert marked.split(">", 1)[1].startswith(row["quote"][:20])
