"""One read path: the CLI and the REST API give the same items in the same order for
timelines, lineages and stances (both read through graph.read), on the sample corpus
ingested for real."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sample_corpus import CORPUS, needs_corpus

from api.app import create_app
from policykg.cli import main
from policykg.settings import get_settings

pytestmark = needs_corpus


#: Pairs of entities asked for evidence paths, by the CLI and by REST.
PATH_PAIRS = (
    ("Tianjin Biosecurity Guidelines", "BWC"),
    ("China", "Security Council"),
    ("Global Data Security Initiative", "BWC"),
)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parity") / "store"
    done = CliRunner().invoke(main, ["--store", str(path), "--workers", "1", "ingest", str(CORPUS)],
                              catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return path


def cli(store_path: Path, *args: str) -> Any:
    done = CliRunner().invoke(main, ["--store", str(store_path), *args], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def cli_answers(store_path: Path) -> dict[str, Any]:
    # Asked before the server opens the store (a folder is held by one process at a time).
    return {
        "timeline": cli(store_path, "timeline", "--entity", "Global Data Security Initiative", "--json"),
        "council": cli(store_path, "timeline", "--entity", "Security Council", "--json"),
        "stance_timeline": cli(store_path, "timeline", "--holder", "China", "--topic", "outer-space", "--json"),
        "lineage": cli(store_path, "lineage", "Global Initiative on Data Security", "--json"),
        "stances": cli(store_path, "stances", "--holder", "China", "--format", "json"),
        "paths": {pair: cli(store_path, "path", *pair, "--max-paths", "5", "--json") for pair in PATH_PAIRS},
    }


@pytest.fixture(scope="module")
def client(store_path: Path, cli_answers: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(create_app(get_settings(store=str(store_path)))) as test_client:
        yield test_client


def test_timelines_agree(client: TestClient, cli_answers: dict[str, Any]) -> None:
    for key, params in (
        ("timeline", {"entity": "Global Data Security Initiative"}),
        ("council", {"entity": "Security Council"}),
        ("stance_timeline", {"actor": "China", "topic": "outer-space"}),
    ):
        rest = client.get("/timeline", params={**params, "limit": 1000}).json()["items"]
        assert rest, key
        assert [(i["kind"], i["date"], i["what"], i["node"], i["document"]["id"]) for i in rest] == [
            (e["kind"], e["date"], e["what"], e["node"], e["doc_id"]) for e in cli_answers[key]
        ], key


def test_the_launch_is_one_event_with_three_sources_in_both(cli_answers: dict[str, Any],
                                                             client: TestClient) -> None:
    events = [e for e in cli_answers["timeline"] if e["kind"] == "event" and e["what"] == "launch"]
    assert [(e["date"], e["precision"], len(e["sources"])) for e in events] == [("2020-09-08", "day", 3)]
    documents = [e["document_date"] for e in cli_answers["timeline"] if e["kind"] == "document"]
    assert documents == sorted(documents) and documents[:1] == ["2020-09-08"]


def test_lineages_agree(client: TestClient, cli_answers: dict[str, Any]) -> None:
    rest = client.get("/lineage/Global Initiative on Data Security").json()["steps"]
    assert [(s["role"], s["event_type"], s["date"], s["document"]["id"]) for s in rest] == [
        (s["role"], s["event_type"], s["date"], s["doc_id"]) for s in cli_answers["lineage"]["steps"]
    ]


def test_stances_agree(client: TestClient, cli_answers: dict[str, Any]) -> None:
    rest = client.get("/stances", params={"holder": "China", "limit": 1000}).json()["items"]
    assert [(s["document"]["id"], s["polarity"], s["target"], s["evidence"]["start"]) for s in rest] == [
        (s["doc_id"], s["polarity"], s["target"], s["start"]) for s in cli_answers["stances"]
    ]


def test_paths_agree(client: TestClient, cli_answers: dict[str, Any]) -> None:
    def quote(evidence: dict[str, Any] | None) -> int | None:
        return evidence["start"] if evidence else None

    for source, target in PATH_PAIRS:
        rest = client.get("/paths", params={"from": source, "to": target, "max_paths": 5}).json()["paths"]
        assert rest, (source, target)
        assert [
            [(h["source"]["iri"], h["target"]["iri"], h["document"]["id"], quote(h["source_evidence"]),
              quote(h["target_evidence"])) for h in path["hops"]]
            for path in rest
        ] == [
            [(h["source"], h["target"], h["doc_id"], quote(h["source_evidence"]), quote(h["target_evidence"]))
             for h in path["hops"]]
            for path in cli_answers["paths"][(source, target)]
        ], (source, target)
